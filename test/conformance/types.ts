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
