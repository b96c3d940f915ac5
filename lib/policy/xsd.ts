import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { validateXML } from 'xmllint-wasm';

/** Where the APIM policy schemas live, relative to the repository: `../shared/apim-xsd`. */
export function defaultSchemaDir(): string {
  return process.env.APIM_XSD_DIR ?? resolve(packageRoot(__dirname), '..', 'shared', 'apim-xsd');
}

// Works from the sources (lib/policy) and from the compiled copy (dist/lib/policy) alike.
function packageRoot(from: string): string {
  let dir = from;
  while (!existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) return from;
    dir = parent;
  }
  return dir;
}

export interface XsdDocument {
  /** Shown in error messages. */
  readonly fileName: string;
  /** The policy document in the `xml` format (rawxml is not well-formed and cannot be schema-checked). */
  readonly contents: string;
}

export interface XsdResult {
  readonly valid: boolean;
  /** One line per problem: `file:line: message`. */
  readonly errors: readonly string[];
}

/**
 * Validates policy documents against the APIM policy schemas (`policies.xsd` and the files it includes)
 * with libxml2 compiled to WebAssembly, so no native xmllint is needed.
 */
export async function validateAgainstXsd(documents: readonly XsdDocument[], schemaDir = defaultSchemaDir()): Promise<XsdResult> {
  if (!existsSync(join(schemaDir, 'policies.xsd'))) {
    throw new Error(`APIM policy schemas not found: ${join(schemaDir, 'policies.xsd')} does not exist (set APIM_XSD_DIR)`);
  }
  const files = readdirSync(schemaDir).filter((f) => f.endsWith('.xsd')).sort();
  const preload = files
    .filter((f) => f !== 'policies.xsd')
    .map((fileName) => ({ fileName, contents: readFileSync(join(schemaDir, fileName), 'utf8') }));
  const result = await validateXML({
    xml: documents.map((d) => ({ fileName: d.fileName, contents: d.contents })),
    schema: [{ fileName: 'policies.xsd', contents: readFileSync(join(schemaDir, 'policies.xsd'), 'utf8') }],
    preload,
    maxMemoryPages: 4096,
  });
  const errors = result.errors.map((e) => (e.loc ? `${e.loc.fileName}:${e.loc.lineNumber}: ${e.message}` : e.rawMessage));
  return { valid: result.valid, errors };
}
