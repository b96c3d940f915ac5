/**
 * Regenerates the recipe goldens: every catalog recipe (and each of its examples) rendered with its
 * golden options, in `policies/golden/xml/<name>.xml` (well-formed, what the XSD check reads) and
 * `policies/golden/rawxml/<name>.xml` (what the azurerm policy resources send). Goldens of recipes that no
 * longer exist are removed. `npm run policies` runs it; a test fails when a committed golden is stale.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { POLICY_FORMATS, render } from '../lib/policy/render';
import { goldenCases } from '../policies/catalog';

export const GOLDEN_DIR = resolve(__dirname, '..', 'policies', 'golden');

/** Writes every golden; returns the files written, changed and removed (relative to the golden folder). */
export function renderGoldens(dir = GOLDEN_DIR): { written: number; changed: string[]; removed: string[] } {
  const changed: string[] = [];
  const removed: string[] = [];
  let written = 0;
  for (const format of POLICY_FORMATS) {
    const folder = join(dir, format);
    mkdirSync(folder, { recursive: true });
    const expected = new Set<string>();
    for (const c of goldenCases()) {
      const name = `${c.file}.xml`;
      expected.add(name);
      const path = join(folder, name);
      const text = `${render(c.recipe.build(c.options), { format })}\n`;
      if (!existsSync(path) || readFileSync(path, 'utf8') !== text) {
        writeFileSync(path, text);
        changed.push(`${format}/${name}`);
      }
      written += 1;
    }
    for (const name of readdirSync(folder)) {
      if (name.endsWith('.xml') && !expected.has(name)) {
        unlinkSync(join(folder, name));
        removed.push(`${format}/${name}`);
      }
    }
  }
  return { written, changed, removed };
}

if (require.main === module) {
  const { written, changed, removed } = renderGoldens();
  for (const f of changed) console.log(`updated ${f}`);
  for (const f of removed) console.log(`removed ${f}`);
  console.log(`policies: ${written} goldens, ${changed.length} updated, ${removed.length} removed`);
}
