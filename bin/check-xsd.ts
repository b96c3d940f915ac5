/**
 * `npm run check:xsd`: validates the `xml` rendering of the conformance samples and every committed policy
 * golden under policies/ (`*.xml`, not `*.rawxml.xml`, which is not well-formed) against the APIM schemas.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { XsdDocument, defaultSchemaDir, validateAgainstXsd } from '../lib/policy/xsd';
import { conformanceXml, explainErrors } from '../test/conformance';

function goldens(dir: string): XsdDocument[] {
  if (!existsSync(dir)) return [];
  const files: string[] = [];
  const walk = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.isFile() && e.name.endsWith('.xml') && !e.name.endsWith('.rawxml.xml')) files.push(join(d, e.name));
    }
  };
  walk(dir);
  return files.sort().map((file) => ({ fileName: relative(process.cwd(), file), contents: readFileSync(file, 'utf8') }));
}

async function main(): Promise<number> {
  const schemaDir = defaultSchemaDir();
  if (!existsSync(join(schemaDir, 'policies.xsd'))) {
    console.error(`check:xsd: no APIM policy schemas at ${schemaDir} (policies.xsd missing); set APIM_XSD_DIR to the apim-xsd directory`);
    return 1;
  }
  const documents = [...conformanceXml(), ...goldens(resolve(__dirname, '..', 'policies'))];
  const result = await validateAgainstXsd(documents, schemaDir);
  if (!result.valid) {
    for (const line of explainErrors(result.errors, documents)) console.error(line);
    console.error(`check:xsd: ${documents.length} documents, ${result.errors.length} errors`);
    return 1;
  }
  console.log(`check:xsd: ${documents.length} documents valid`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`check:xsd: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
