import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { LINT_RULES, LintOptions, Severity, lintPolicy } from '../../../lib/policy/lint';
import { parsePolicy } from '../../../lib/policy/parse';
import { render } from '../../../lib/policy/render';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'lint');

function fixture(rule: string, kind: 'bad' | 'fixed'): string {
  return readFileSync(join(FIXTURES, `${rule}.${kind}.xml`), 'utf8');
}

interface Expected {
  readonly severity: Severity;
  readonly options?: LintOptions;
  /** Every finding of the bad fixture: [line, column, path]; the fixtures hold one defect each. */
  readonly findings: readonly (readonly [number, number, string | undefined])[];
}

const MCP: LintOptions = { scope: 'mcp' };

// One entry per rule: what the bad fixture must produce. The fixed fixture must produce nothing at all.
const EXPECTED: Record<string, Expected> = {
  'parse-error': { severity: 'error', findings: [[7, 5, undefined]] },
  'unbalanced-expression': { severity: 'error', findings: [[5, 20, undefined]] },
  'unknown-element': { severity: 'error', findings: [[4, 9, 'policies/inbound/rate-limt']] },
  'not-allowed-in-section': { severity: 'error', findings: [[12, 17, 'policies/outbound/choose/when/rate-limit-by-key']] },
  'duplicate-base': { severity: 'error', findings: [[7, 9, 'policies/inbound/base[1]']] },
  'missing-base': { severity: 'warning', findings: [[2, 5, 'policies/inbound']] },
  'rate-limit-before-auth': { severity: 'error', findings: [[4, 9, 'policies/inbound/rate-limit-by-key']] },
  'rate-limit-key-unvalidated': { severity: 'error', findings: [[4, 9, 'policies/inbound/rate-limit-by-key']] },
  'jwt-without-audience': { severity: 'error', findings: [[4, 9, 'policies/inbound/validate-jwt']] },
  'jwt-weak-validation': { severity: 'error', findings: [[4, 9, 'policies/inbound/validate-jwt']] },
  'cors-any-origin-with-credentials': {
    severity: 'error',
    findings: [[6, 17, 'policies/inbound/cors/allowed-origins/origin']],
  },
  'secret-leak': { severity: 'error', findings: [[5, 9, 'policies/inbound/trace']] },
  'literal-secret': { severity: 'error', findings: [[5, 9, 'policies/inbound/set-header']] },
  'undeclared-named-value': {
    severity: 'error',
    options: { namedValues: ['mcp-backend-base-url', 'environment'] },
    findings: [
      [4, 9, 'policies/inbound/set-backend-service'],
      [6, 13, 'policies/inbound/set-header/value'],
    ],
  },
  'response-body-in-mcp': { severity: 'error', options: MCP, findings: [[15, 9, 'policies/outbound/set-variable']] },
  'unauthenticated-401-in-mcp': {
    severity: 'error',
    options: MCP,
    findings: [[21, 21, 'policies/on-error/choose/when/return-response/set-status']],
  },
  'mcp-without-auth': { severity: 'warning', options: MCP, findings: [[2, 5, 'policies/inbound']] },
};

describe('every lint rule has a bad/fixed fixture pair', () => {
  // A rule added to LINT_RULES without fixtures and an EXPECTED entry fails here.
  it.each(LINT_RULES.map((r) => r.id))('%s', (id) => {
    expect(existsSync(join(FIXTURES, `${id}.bad.xml`))).toBe(true);
    expect(existsSync(join(FIXTURES, `${id}.fixed.xml`))).toBe(true);
    expect(EXPECTED[id]).toBeDefined();
  });

  it('has no fixture or expectation for a rule that does not exist', () => {
    const ids = new Set(LINT_RULES.map((r) => r.id));
    const fixtureRules = readdirSync(FIXTURES).map((f) => f.replace(/\.(bad|fixed)\.xml$/, ''));
    expect(fixtureRules.filter((r) => !ids.has(r))).toEqual([]);
    expect(Object.keys(EXPECTED).filter((r) => !ids.has(r))).toEqual([]);
  });
});

describe.each(Object.entries(EXPECTED))('%s', (rule, expected) => {
  const severity = LINT_RULES.find((r) => r.id === rule)?.severity;

  it('fires on the bad fixture, and nothing else does', () => {
    const result = lintPolicy(fixture(rule, 'bad'), expected.options);
    expect(result.findings.map((f) => [f.ruleId, f.severity, f.line, f.column, f.path])).toEqual(
      expected.findings.map(([line, column, path]) => [rule, expected.severity, line, column, path]),
    );
    expect(severity).toBe(expected.severity);
    for (const f of result.findings) expect(f.message.length).toBeGreaterThan(20);
  });

  it('stays quiet on the fixed fixture (and so does every other rule)', () => {
    expect(lintPolicy(fixture(rule, 'fixed'), expected.options).findings).toEqual([]);
  });
});

describe('the xml format gives the same findings as rawxml', () => {
  // Re-rendering moves lines, so rule ids and element paths are compared.
  const parsable = Object.keys(EXPECTED).filter((r) => r !== 'parse-error' && r !== 'unbalanced-expression');
  it.each(parsable)('%s', (rule) => {
    const { options } = EXPECTED[rule];
    const xml = render(parsePolicy(fixture(rule, 'bad'), { format: 'rawxml' }), { format: 'xml' });
    const fromXml = lintPolicy(xml, { ...options, format: 'xml' });
    const fromRaw = lintPolicy(fixture(rule, 'bad'), { ...options, format: 'rawxml' });
    expect(fromXml.format).toBe('xml');
    expect(fromXml.findings.map((f) => [f.ruleId, f.path])).toEqual(fromRaw.findings.map((f) => [f.ruleId, f.path]));
  });
});
