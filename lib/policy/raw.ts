import { PolicyError } from './errors';
import { Policy, untypedPolicy } from './model';
import { parseElement } from './parse';
import { SECTIONS, Section } from './sections';

const NOT_POLICIES = new Set<string>(['policies', 'fragment', ...SECTIONS]);

/**
 * The explicit escape hatch for a policy that has no builder: one element of policy XML, in either format
 * (told apart automatically), read into the model. Its sections are not known at compile time, so
 * `policyDocument` checks them at run time (an element the section table does not know passes anywhere).
 *
 * ```ts
 * raw('<set-header name="x-trace" exists-action="override"><value>@(context.RequestId.ToString())</value></set-header>')
 * ```
 * @throws PolicyParseError when the text is not exactly one element; PolicyError for a document root or a section
 */
export function raw(xml: string): Policy<Section> {
  const node = parseElement(xml);
  if (NOT_POLICIES.has(node.name)) {
    throw new PolicyError(
      `raw() takes one policy element, got <${node.name}>; read whole documents and fragments with parsePolicy()`,
    );
  }
  return untypedPolicy(node);
}
