/**
 * `npm run check:xsd`: validates the `xml` rendering of the conformance samples and every committed recipe
 * golden in policies/golden/xml/ against the APIM schemas. The goldens in policies/golden/rawxml/ are not
 * well-formed XML (expressions are written verbatim), so they are not schema-checked.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { XsdDocument, defaultSchemaDir, validateAgainstXsd } from '../lib/policy/xsd';
import { conformanceXml, explainErrors } from '../test/conformance';

/** The `*.xml` files directly in `dir`, sorted; none when the folder does not exist yet. */
function goldens(dir: string): XsdDocument[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile() && e.name.endsWith('.xml'))
    .map((e) => join(dir, e.name))
    .sort()
    .map((file) => ({ fileName: relative(process.cwd(), file), contents: readFileSync(file, 'utf8') }));
}

async function main(): Promise<number> {
  const schemaDir = defaultSchemaDir();
  if (!existsSync(join(schemaDir, 'policies.xsd'))) {
    console.error(`check:xsd: no APIM policy schemas at ${schemaDir} (policies.xsd missing); set APIM_XSD_DIR to the apim-xsd directory`);
    return 1;
  }
  const documents = [...conformanceXml(), ...goldens(resolve(__dirname, '..', 'policies', 'golden', 'xml'))];
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
