import { spawnSync } from 'node:child_process';
import path from 'node:path';

// The project's own lint rules, run through the ESLint command with the repository's config (jest cannot load
// the ESM config in process), so a config change that silently drops one fails here.
const ROOT = path.join(__dirname, '..');

function messages(code: string, file: string): string[] {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'eslint', 'bin', 'eslint.js'), '--format', 'json', '--stdin', '--stdin-filename', file], {
    cwd: ROOT,
    input: code,
    encoding: 'utf8',
  });
  const [result] = JSON.parse(run.stdout) as { messages: { ruleId: string; message: string }[] }[];
  return result.messages.map((m) => `${m.ruleId}: ${m.message}`);
}

describe('import rules', () => {
  it.each(['@cdktf/provider-azurerm', '@cdktf/provider-azuread'])('refuse the %s package root', (name) => {
    const found = messages(`import { KeyVault } from '${name}';\nexport const k = KeyVault;\n`, 'lib/constructs/example.ts');
    expect(found).toEqual([
      `no-restricted-imports: '${name}' import is restricted from being used. Import the resource from its own module: '${name}/lib/<resource>'.`,
    ]);
  });

  it('accept a resource module', () => {
    const found = messages("import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';\nexport const k = KeyVault;\n", 'lib/constructs/example.ts');
    expect(found).toEqual([]);
  });

  it('keep cdktf out of lib/policy', () => {
    const found = messages("import { Token } from 'cdktf';\nexport const t = Token;\n", 'lib/policy/example.ts');
    expect(found).toEqual([expect.stringMatching(/^no-restricted-imports: .*lib\/policy must not depend on cdktf/)]);
  });
});
