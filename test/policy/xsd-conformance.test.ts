import * as builders from '../../lib/policy/builders';
import { policyDocument } from '../../lib/policy/document';
import { element, untypedPolicy } from '../../lib/policy/model';
import { render } from '../../lib/policy/render';
import { validateAgainstXsd } from '../../lib/policy/xsd';
import { allSamples, checkUniqueNames, conformanceDocuments, conformanceXml, explainErrors } from '../conformance';

// libxml2 in WebAssembly compiles ~70 schema files per call.
jest.setTimeout(60_000);

/**
 * A builder's element is its name in kebab case (`sendOneWayRequest` -> `<send-one-way-request>`), except
 * for the builders listed here. A new builder whose element no sample has fails the coverage test.
 */
const ELEMENT_OF: Readonly<Record<string, string>> = {
  setBackendServiceDapr: 'set-backend-service',
};

const elementName = (fn: string) => ELEMENT_OF[fn] ?? fn.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

describe('XSD conformance of the policy builders', () => {
  const documents = conformanceXml();

  it('groups the samples into one document per section', () => {
    const docs = conformanceDocuments();
    expect(docs.map((d) => d.fileName)).toEqual(
      ['inbound', 'backend', 'outbound', 'on-error'].filter((s) => allSamples.some((x) => x.section === s)).map((s) => `conformance-${s}.xml`),
    );
    for (const sample of allSamples) {
      const doc = docs.find((d) => d.fileName === `conformance-${sample.section}.xml`);
      expect(doc?.document.sections[sample.section]).toContain(sample.policy);
    }
  });

  it('renders every conformance document in the xml format valid against the APIM schemas', async () => {
    const result = await validateAgainstXsd(documents);
    // Printed in the failure diff: each error with its sample and line.
    expect(explainErrors(result.errors, documents)).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('has a sample, at section top level, for every builder exported from lib/policy/builders', () => {
    const topLevel = new Set(allSamples.map((s) => s.policy.name));
    const functions = Object.entries(builders)
      .filter(([, value]) => typeof value === 'function')
      .map(([name]) => name);
    const missing = functions.filter((name) => !topLevel.has(elementName(name)));
    expect(missing.map((name) => `${name} (<${elementName(name)}>)`)).toEqual([]);
  });

  it('refuses two samples with the same name', () => {
    const [first] = allSamples;
    expect(() => checkUniqueNames([first, { ...first }])).toThrow(`repeated: ${first.name}`);
  });

  it('reports a misspelled attribute as invalid, so the check can fail', async () => {
    // untypedPolicy: the builders cannot produce a misspelled attribute.
    const doc = policyDocument({
      inbound: [untypedPolicy(element('trace', [['source', 'probe'], ['sevrity', 'error']], [element('message', [], [])]))],
    });
    const bad = [{ fileName: 'misspelled.xml', contents: render(doc, { format: 'xml' }) }];
    const result = await validateAgainstXsd(bad);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/misspelled\.xml:3: .*sevrity/);
  });
});
