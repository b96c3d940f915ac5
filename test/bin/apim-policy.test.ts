import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../../bin/apim-policy';
import { parsePolicy } from '../../lib/policy/parse';
import { render } from '../../lib/policy/render';
import { RECIPES, recipeNames } from '../../policies/catalog';

function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = run(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t) });
  return { code, stdout, stderr };
}

const dir = mkdtempSync(join(tmpdir(), 'apim-policy-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};

const RATE_LIMIT_FIRST = `<policies>
    <inbound>
        <rate-limit calls="10" renewal-period="60" />
        <base />
        <validate-jwt header-name="Authorization">
            <openid-config url="https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration" />
            <audiences>
                <audience>api://mcp</audience>
            </audiences>
        </validate-jwt>
    </inbound>
    <backend><base /></backend>
    <outbound><base /></outbound>
    <on-error><base /></on-error>
</policies>
`;

describe('apim-policy render', () => {
  it('prints a recipe in rawxml by default, identical to the catalog rendering', () => {
    const { code, stdout } = cli('render', 'mcp-server');
    expect(code).toBe(0);
    expect(stdout).toBe(`${render(RECIPES['mcp-server'].build(RECIPES['mcp-server'].goldenOptions))}\n`);
  });

  it('applies --options and --format xml', () => {
    const { code, stdout } = cli('render', 'rate-limit', '--options', '{"calls": 7}', '--format', 'xml');
    expect(code).toBe(0);
    expect(stdout).toMatch(/calls="7"/);
    expect(parsePolicy(stdout, { format: 'xml' }).type).toBe('policies');
  });

  it('writes every recipe with --all --out', () => {
    const out = join(dir, 'all');
    const { code } = cli('render', '--all', '--out', out, '--format', 'xml');
    expect(code).toBe(0);
    expect(readdirSync(out).sort()).toEqual(recipeNames().map((n) => `${n}.xml`).sort());
  });

  it.each([
    [['render'], /render needs exactly one recipe name/],
    [['render', 'nope'], /unknown recipe "nope"; recipes: /],
    [['render', 'rate-limit', '--options', '{bad'], /--options is not JSON/],
    [['render', 'rate-limit', '--format', 'html'], /--format must be one of rawxml, xml, got "html"/],
    [['render', '--all'], /render --all needs --out <dir>/],
    [['render', 'rate-limit', '--bogus'], /render: Unknown option '--bogus'/],
    [['render', 'rate-limit', '--options', '{"calls": 0}'], /rate-limit: option calls must be at least 1, got 0/],
    [['frobnicate'], /unknown command "frobnicate"/],
  ])('refuses %j with one line on stderr and exit 2', (argv, message) => {
    const { code, stderr, stdout } = cli(...argv);
    expect(code).toBe(2);
    expect(stdout).toBe('');
    expect(stderr).toMatch(message);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('apim-policy format', () => {
  it('converts rawxml to xml and back without changing the document', () => {
    const rawxml = file('seed.xml', render(RECIPES['mcp-server'].build(RECIPES['mcp-server'].goldenOptions), { format: 'rawxml' }));
    const toXml = cli('format', '--format', 'xml', rawxml);
    expect(toXml.code).toBe(0);
    expect(toXml.stdout).toContain('&quot;');
    const back = cli('format', '--format', 'rawxml', file('seed.x.xml', toXml.stdout));
    expect(back.stdout).toBe(readFileSync(rawxml, 'utf8').trimEnd() + '\n');
  });

  it('writes into --out under the same file names', () => {
    const source = file('one.xml', '<policies><inbound><base /></inbound></policies>');
    const out = join(dir, 'formatted');
    expect(cli('format', '--format', 'xml', '--out', out, source).code).toBe(0);
    expect(readFileSync(join(out, 'one.xml'), 'utf8')).toContain('<backend />');
  });

  it('needs --format and a file, and reports a malformed file in one line', () => {
    expect(cli('format', 'x.xml').stderr).toMatch(/format needs --format xml\|rawxml/);
    expect(cli('format', '--format', 'xml').stderr).toMatch(/needs at least one policy file/);
    const broken = cli('format', '--format', 'xml', file('broken.xml', '<policies><inbound>'));
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/^apim-policy: line \d+, column \d+: /);
    expect(cli('format', '--format', 'xml', join(dir, 'missing.xml')).stderr).toMatch(/cannot read .*missing\.xml: ENOENT/);
  });
});

describe('apim-policy lint', () => {
  it('exits 1 and names rule, file, line and column for an error finding', () => {
    const path = file('bad.xml', RATE_LIMIT_FIRST);
    const { code, stdout } = cli('lint', path);
    expect(code).toBe(1);
    expect(stdout).toContain(`${path}:3:9  error  rate-limit-before-auth`);
  });

  it('prints JSON with --format json and switches rules with --scope', () => {
    const path = file('body.xml', RATE_LIMIT_FIRST.replace('<outbound><base /></outbound>', '<outbound><base /><set-variable name="b" value="@(context.Response.Body.As<string>())" /></outbound>'));
    const api = JSON.parse(cli('lint', '--format', 'json', path).stdout);
    const mcp = JSON.parse(cli('lint', '--scope', 'mcp', '--format', 'json', path).stdout);
    const ids = (r: { findings: { ruleId: string }[] }) => r.findings.map((f) => f.ruleId);
    expect(ids(api)).not.toContain('response-body-in-mcp');
    expect(ids(mcp)).toContain('response-body-in-mcp');
  });

  it('exits 0 on every catalog recipe in its scope', () => {
    for (const name of recipeNames()) {
      const recipe = RECIPES[name];
      const path = file(`${name}.recipe.xml`, render(recipe.build(recipe.goldenOptions)));
      const result = cli('lint', '--scope', recipe.scope, path);
      expect({ name, code: result.code, out: result.stdout }).toEqual({ name, code: 0, out: expect.stringContaining('0 errors') });
    }
  });

  it('checks named values against --named-values', () => {
    const path = file('nv.xml', '<policies><inbound><base /><set-header name="x-functions-key" exists-action="override"><value>{{fn-key}}</value></set-header></inbound><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>');
    expect(cli('lint', '--named-values', 'fn-key', path).code).toBe(0);
    const missing = cli('lint', '--named-values', 'other', path);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('undeclared-named-value');
  });

  it('refuses a bad scope', () => {
    expect(cli('lint', '--scope', 'tenant', 'x.xml').stderr).toMatch(/--scope must be one of global, product, api, mcp, operation, got "tenant"/);
  });
});

describe('apim-policy --help', () => {
  it.each(['render', 'format', 'lint'])('%s --help prints usage and exits 0', (command) => {
    const { code, stdout } = cli(command, '--help');
    expect(code).toBe(0);
    expect(stdout).toMatch(new RegExp(`^Usage: apim-policy ${command}`));
  });

  it('lists the recipes in render --help, and the commands with no arguments (exit 2)', () => {
    expect(cli('render', '--help').stdout).toContain('mcp-server');
    const bare = cli();
    expect(bare.code).toBe(2);
    expect(bare.stdout).toMatch(/Commands:\n  render/);
  });
});
