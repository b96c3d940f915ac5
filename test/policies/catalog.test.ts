import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { PolicyError } from '../../lib/policy/errors';
import { lintPolicy } from '../../lib/policy/lint';
import { parsePolicy } from '../../lib/policy/parse';
import { POLICY_FORMATS, render } from '../../lib/policy/render';
import { validateAgainstXsd } from '../../lib/policy/xsd';
import { RECIPES, goldenCases, recipe, recipeNames } from '../../policies/catalog';

// libxml2 in WebAssembly compiles ~70 schema files per call.
jest.setTimeout(60_000);

const GOLDEN = resolve(__dirname, '..', '..', 'policies', 'golden');
const cases = goldenCases();

/**
 * The lint findings each golden is expected to have (rule ids), and why they are right. Only warnings are
 * expected: every golden is free of errors. A new finding, or
 * one that goes away, fails the test: either the recipe or this table is out of date.
 */
const EXPECTED_LINT: Readonly<Record<string, { readonly rules: readonly string[]; readonly why: string }>> = {
  // Building blocks that authenticate nobody: composed into mcp-server they follow authentication.
  'rate-limit': { rules: ['mcp-without-auth'], why: 'building block' },
  'rate-limit.jwt-subject-tool-calls': { rules: ['mcp-without-auth'], why: 'building block' },
  'jwt-forwarding': { rules: ['mcp-without-auth'], why: 'building block' },
  cors: { rules: ['mcp-without-auth'], why: 'building block' },
  'backend-auth': { rules: ['mcp-without-auth'], why: 'building block' },
  'backend-auth.gateway-token': { rules: ['mcp-without-auth'], why: 'building block' },
  'backend-auth.managed-identity': { rules: ['mcp-without-auth'], why: 'building block' },
  'request-limits': { rules: ['mcp-without-auth'], why: 'building block' },
  'ip-allow-list': { rules: ['mcp-without-auth'], why: 'building block' },
  'content-safety': { rules: ['mcp-without-auth'], why: 'building block' },
};

describe('the recipe catalog', () => {
  it('describes every recipe and accepts its golden options as JSON', () => {
    expect(recipeNames().length).toBeGreaterThanOrEqual(13);
    for (const r of Object.values(RECIPES)) {
      expect(r.description.length).toBeGreaterThan(20);
      expect(['mcp', 'operation']).toContain(r.scope);
      for (const options of [r.goldenOptions, ...Object.values(r.examples ?? {})]) {
        expect(Object.keys(options).filter((k) => !r.optionKeys.includes(k))).toEqual([]);
        // What the command line passes: the options after a JSON round trip.
        const fromJson = JSON.parse(JSON.stringify(options));
        expect(render(r.build(fromJson))).toBe(render(r.build(options)));
      }
    }
    expect(recipe('protected-resource-metadata').scope).toBe('operation');
  });

  it('refuses an unknown recipe, listing the names, and options that are not an object', () => {
    expect(() => recipe('waf')).toThrow(/no recipe named "waf"; recipes: subscription-key, subscription-allow-list, rate-limit/);
    expect(() => recipe('toString')).toThrow(PolicyError);
    expect(() => recipe('rate-limit').build([] as never)).toThrow(/rate-limit: options must be an object, got \[\]/);
    expect(() => recipe('rate-limit').build({ calls: '10' })).toThrow(/option calls must be an integer from 1 to 2147483647, got "10"/);
  });

  it('renders every recipe the same way twice', () => {
    for (const c of cases) {
      for (const format of POLICY_FORMATS) {
        expect(render(c.recipe.build(c.options), { format })).toBe(render(c.recipe.build(c.options), { format }));
      }
    }
  });

  it('has current goldens in both formats, and no golden of a removed recipe', () => {
    const problems: string[] = [];
    for (const format of POLICY_FORMATS) {
      const folder = join(GOLDEN, format);
      const expected = new Set(cases.map((c) => `${c.file}.xml`));
      for (const c of cases) {
        const path = join(folder, `${c.file}.xml`);
        const text = `${render(c.recipe.build(c.options), { format })}\n`;
        if (!existsSync(path)) problems.push(`${format}/${c.file}.xml is missing`);
        else if (readFileSync(path, 'utf8') !== text) problems.push(`${format}/${c.file}.xml is stale`);
      }
      if (existsSync(folder)) {
        for (const name of readdirSync(folder).filter((n) => !expected.has(n))) problems.push(`${format}/${name} belongs to no recipe`);
      }
    }
    if (problems.length > 0) throw new Error(`policies/golden is out of date (${problems.join('; ')}): run \`npm run policies\` and commit the result`);
  });

  it('validates every xml golden against the APIM schemas', async () => {
    const documents = cases.map((c) => ({ fileName: `${c.file}.xml`, contents: readFileSync(join(GOLDEN, 'xml', `${c.file}.xml`), 'utf8') }));
    const result = await validateAgainstXsd(documents);
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('lints every golden in its scope with only the expected, explained findings', () => {
    const found: Record<string, string[]> = {};
    for (const c of cases) {
      for (const format of POLICY_FORMATS) {
        const source = readFileSync(join(GOLDEN, format, `${c.file}.xml`), 'utf8');
        const rules = [...new Set(lintPolicy(source, { scope: c.recipe.scope }).findings.map((f) => f.ruleId))].sort();
        if (rules.length > 0) found[`${c.file} (${format})`] = rules;
      }
    }
    const expected: Record<string, string[]> = {};
    for (const c of cases) {
      const rules = EXPECTED_LINT[c.file]?.rules;
      if (rules) for (const format of POLICY_FORMATS) expected[`${c.file} (${format})`] = [...rules].sort();
    }
    expect(found).toEqual(expected);
  });

  it('parses every golden back to the document it was rendered from', () => {
    for (const c of cases) {
      for (const format of POLICY_FORMATS) {
        const text = render(c.recipe.build(c.options), { format });
        expect(render(parsePolicy(text, { format }), { format })).toBe(text);
      }
    }
  });
});
