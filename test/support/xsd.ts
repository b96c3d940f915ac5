import { validateAgainstXsd } from '../../lib/policy/xsd';
import { conformanceXml } from '../conformance';
import type { ConformanceSample } from '../conformance/types';

/**
 * The XSD errors of the samples' `xml` rendering, in the documents `check:xsd` builds: one per section that
 * has samples, each sample after a comment with its name.
 */
export async function xsdErrors(samples: readonly ConformanceSample[]): Promise<readonly string[]> {
  const documents = conformanceXml(samples);
  expect(documents.length).toBeGreaterThan(0);
  const result = await validateAgainstXsd(documents);
  expect(result.valid).toBe(result.errors.length === 0);
  return result.errors;
}
