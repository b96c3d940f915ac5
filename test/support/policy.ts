import { PolicyError } from '../../lib/policy/errors';
import { expr } from '../../lib/policy/expressions';
import { ElementNode, PolicyNode } from '../../lib/policy/model';
import { render } from '../../lib/policy/render';
import { LiteralInput } from '../../lib/policy/value';

export const raw = (node: PolicyNode) => render(node, { format: 'rawxml' });
export const xml = (node: PolicyNode) => render(node, { format: 'xml' });
export const attrNames = (node: ElementNode) => node.attributes.map((a) => a.name);

/** An expression smuggled past the types, as untyped (JavaScript or `any`) callers can. */
export const smuggled = (code: string) => expr(code) as unknown as LiteralInput;

/** Asserts a PolicyError whose message contains every fragment (the bad value and what is accepted). */
export function expectPolicyError(build: () => unknown, ...fragments: string[]): void {
  let caught: unknown;
  try {
    build();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(PolicyError);
  for (const f of fragments) expect((caught as Error).message).toContain(f);
}
