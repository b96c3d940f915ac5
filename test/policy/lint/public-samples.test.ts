import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LintScope, lintPolicy } from '../../../lib/policy/lint';

/**
 * Policies written for these tests after public APIM samples (each file's comment names the sample and
 * its flaw), in both text formats where they hold expressions (without any, the two are the same text).
 * Each form must give exactly the findings listed: rule id and line.
 */
const SAMPLES = join(__dirname, '..', '..', 'fixtures', 'public-samples');

const EXPECTED: Record<string, { scope: LintScope; rawxmlOnly?: true; findings: [string, number][] }> = {
  'mcp-functions-session': { scope: 'mcp', findings: [['unauthenticated-401-in-mcp', 16]] },
  'mcp-rest-subscription-key': {
    scope: 'mcp',
    rawxmlOnly: true,
    findings: [
      ['mcp-without-auth', 7],
      ['literal-secret', 9],
    ],
  },
  'user-throttling': {
    scope: 'api',
    findings: [
      ['rate-limit-before-auth', 10],
      ['rate-limit-key-unvalidated', 10],
      ['rate-limit-before-auth', 11],
    ],
  },
  'trace-credentials': {
    scope: 'api',
    findings: [
      ['secret-leak', 10],
      ['secret-leak', 20],
    ],
  },
  'cors-wildcard-credentials': { scope: 'api', rawxmlOnly: true, findings: [['cors-any-origin-with-credentials', 11]] },
  'jwt-symmetric-key': {
    scope: 'api',
    findings: [
      ['jwt-without-audience', 9],
      ['literal-secret', 9],
    ],
  },
  'mcp-prm-response-logging': {
    scope: 'mcp',
    findings: [
      ['jwt-without-audience', 11],
      ['response-body-in-mcp', 22],
    ],
  },
};

describe('public samples', () => {
  it('has the forms of every sample, and an expectation for each', () => {
    const files = readdirSync(SAMPLES).sort();
    const expected = Object.entries(EXPECTED).flatMap(([name, e]) =>
      e.rawxmlOnly ? [`${name}.rawxml.xml`] : [`${name}.rawxml.xml`, `${name}.xml.xml`],
    );
    expect(files).toEqual(expected.sort());
  });

  describe.each(Object.entries(EXPECTED))('%s', (name, { scope, rawxmlOnly, findings }) => {
    it.each(rawxmlOnly ? (['rawxml'] as const) : (['rawxml', 'xml'] as const))('%s form', (format) => {
      const source = readFileSync(join(SAMPLES, `${name}.${format}.xml`), 'utf8');
      const result = lintPolicy(source, { scope });
      expect(result.format).toBe(format);
      expect(result.findings.map((f) => [f.ruleId, f.line])).toEqual(findings);
    });
  });

  it('does not report the scope-bound rules outside their scope', () => {
    // The same MCP sample linted as an ordinary API keeps only what applies everywhere.
    const source = readFileSync(join(SAMPLES, 'mcp-prm-response-logging.rawxml.xml'), 'utf8');
    expect(lintPolicy(source, { scope: 'api' }).findings).toEqual([]);
  });
});
