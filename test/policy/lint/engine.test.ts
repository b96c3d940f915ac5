import { PolicyDocument, PolicyFragment } from '../../../lib/policy/document';
import {
  LINT_RULES,
  LINT_SCOPES,
  formatJson,
  formatRuleTable,
  formatText,
  lintDocument,
  lintPolicy,
} from '../../../lib/policy/lint';
import { element, text } from '../../../lib/policy/model';
import { Expression, literal } from '../../../lib/policy/value';

const base = element('base');

/** An in-memory document; built as a plain object so that it may break the section rules. */
function model(sections: Partial<PolicyDocument['sections']>): PolicyDocument {
  return {
    type: 'policies',
    sections: { inbound: [base], backend: [base], outbound: [base], 'on-error': [base], ...sections },
  };
}

describe('lintDocument', () => {
  it('lints a document built in memory, locating findings by element path only', () => {
    const doc = model({
      inbound: [
        base,
        element('rate-limit-by-key', [
          ['calls', '10'],
          ['renewal-period', '60'],
          ['counter-key', new Expression('single', 'context.Request.Headers.GetValueOrDefault("X-Forwarded-For", "")')],
        ]),
        element('set-header', [['name', 'x-functions-key']], [element('value', [], [text(literal('0123456789abcdefghij0123'))])]),
      ],
      outbound: [base, element('set-backend-service', [['base-url', literal('{{backend}}')]])],
    });
    const result = lintDocument(doc, { namedValues: ['backend'] });
    expect(result.findings).toEqual([
      expect.objectContaining({ ruleId: 'rate-limit-key-unvalidated', severity: 'error', path: 'policies/inbound/rate-limit-by-key' }),
      expect.objectContaining({ ruleId: 'literal-secret', path: 'policies/inbound/set-header' }),
      expect.objectContaining({ ruleId: 'not-allowed-in-section', path: 'policies/outbound/set-backend-service' }),
    ]);
    for (const f of result.findings) {
      expect(f.line).toBeUndefined();
      expect(f.column).toBeUndefined();
    }
    expect([result.errorCount, result.warningCount, result.infoCount]).toEqual([3, 0, 0]);
    expect(result.format).toBeUndefined();
  });

  it('applies the scope: response-body-in-mcp only in mcp, missing-base not in global', () => {
    const doc = model({
      inbound: [],
      outbound: [base, element('set-variable', [['name', 'v'], ['value', new Expression('single', 'context.Response.Body.As<string>()')]])],
    });
    const ids = (scope: (typeof LINT_SCOPES)[number]): string[] => lintDocument(doc, { scope }).findings.map((f) => f.ruleId);
    // An empty section sorts where it stands, before the elements of the next one; ties go by rule id.
    expect(ids('mcp')).toEqual(['mcp-without-auth', 'missing-base', 'response-body-in-mcp']);
    expect(ids('api')).toEqual(['missing-base']);
    expect(ids('global')).toEqual([]);
  });

  it('numbers same-named siblings in paths as the parser does', () => {
    const fragment: PolicyFragment = {
      type: 'fragment',
      children: [element('trace', [['source', 'a']], [element('message', [], [text(new Expression('single', 'context.Subscription.Key'))])]), element('trace', [['source', 'b']])],
    };
    expect(lintDocument(fragment).findings.map((f) => [f.ruleId, f.path])).toEqual([['secret-leak', 'fragment/trace[0]']]);
  });
});

describe('lintPolicy', () => {
  it('sorts findings by line, column, then rule id', () => {
    const source = [
      '<policies>',
      '    <inbound>',
      '        <rate-limit-by-key calls="1" renewal-period="1" counter-key="@(context.Request.Headers.GetValueOrDefault("Authorization",""))" /><validate-jwt header-name="Authorization" />',
      '    </inbound>',
      '</policies>',
    ].join('\n');
    const result = lintPolicy(source);
    expect(result.findings.map((f) => [f.line, f.column, f.ruleId])).toEqual([
      [1, 1, 'missing-base'],
      [1, 1, 'missing-base'],
      [1, 1, 'missing-base'],
      [2, 5, 'missing-base'],
      [3, 9, 'rate-limit-before-auth'],
      [3, 9, 'rate-limit-key-unvalidated'],
      [3, 138, 'jwt-without-audience'],
    ]);
    expect(result.format).toBe('rawxml');
  });

  it('turns a parse failure into a finding instead of throwing', () => {
    expect(() => lintPolicy('')).not.toThrow();
    expect(lintPolicy('').findings.map((f) => f.ruleId)).toEqual(['parse-error']);
  });

  it('honours an explicit format', () => {
    // Valid rawxml; read as xml, the raw quote ends the attribute inside the expression.
    const source = '<fragment><set-variable name="a" value="@(context.Request.Headers.GetValueOrDefault("x", ""))" /></fragment>';
    expect(lintPolicy(source, { format: 'rawxml' }).findings).toEqual([]);
    expect(lintPolicy(source, { format: 'xml' }).findings.map((f) => f.ruleId)).toEqual(['unbalanced-expression']);
  });
});

describe('LINT_RULES', () => {
  it('has unique kebab-case ids, one-line descriptions and known scopes', () => {
    const ids = LINT_RULES.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const rule of LINT_RULES) {
      expect(rule.id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(['error', 'warning', 'info']).toContain(rule.severity);
      expect(rule.description).not.toMatch(/\n/);
      expect(rule.description.length).toBeGreaterThan(20);
      for (const scope of rule.scopes ?? []) expect(LINT_SCOPES).toContain(scope);
    }
  });
});

describe('output', () => {
  const source = '<policies>\n  <inbound>\n    <rate-limt />\n  </inbound>\n</policies>';
  const result = lintPolicy(source, { scope: 'global' });

  it('prints compiler-style text lines and a summary', () => {
    expect(formatText(result, { fileName: 'api.xml' })).toBe(
      'api.xml:3:5  error  unknown-element  <rate-limt> is not an APIM policy; did you mean <rate-limit>?  (policies/inbound/rate-limt)\n' +
        '1 error, 0 warnings\n',
    );
    expect(formatText(lintPolicy('<x'), { fileName: 'bad.xml' })).toMatch(/^bad\.xml:1:\d+ {2}error {2}parse-error {2}[^(]+\n1 error, 0 warnings\n$/);
  });

  it('prints JSON with the counts and the findings', () => {
    expect(JSON.parse(formatJson(result, { fileName: 'api.xml' }))).toEqual({
      file: 'api.xml',
      errorCount: 1,
      warningCount: 0,
      infoCount: 0,
      findings: [
        {
          ruleId: 'unknown-element',
          severity: 'error',
          message: '<rate-limt> is not an APIM policy; did you mean <rate-limit>?',
          line: 3,
          column: 5,
          path: 'policies/inbound/rate-limt',
        },
      ],
    });
  });

  it('renders the rule table as Markdown, one row per rule', () => {
    const table = formatRuleTable().trim().split('\n');
    expect(table).toHaveLength(LINT_RULES.length + 2);
    expect(table).toContain(`| \`response-body-in-mcp\` | error | mcp | ${LINT_RULES.find((r) => r.id === 'response-body-in-mcp')!.description} |`);
    expect(table.find((row) => row.startsWith('| `duplicate-base`'))).toContain('More than one &lt;base/> in a section');
  });
});
