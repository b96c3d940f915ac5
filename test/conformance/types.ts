import type { Policy } from '../../lib/policy/model';
import type { Section } from '../../lib/policy/sections';

/**
 * One policy, built with every option its builder offers, placed in a section that allows it.
 * `check:xsd` and the XSD conformance test put all samples into documents and validate their `xml` rendering.
 */
export interface ConformanceSample {
  /** Unique across all sample files, e.g. `rate-limit-by-key/all-options`. */
  readonly name: string;
  readonly section: Section;
  readonly policy: Policy;
}

/**
 * A sample whose section is checked against the policy's own type: ConformanceSample.policy is
 * Policy<Section> (a policy allowed everywhere), which a policy limited to some sections does not fit.
 */
export function sample<S extends Section>(name: string, section: S, policy: Policy<S>): ConformanceSample {
  return { name, section, policy: policy as Policy };
}
