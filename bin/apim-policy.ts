#!/usr/bin/env node
/**
 * `apim-policy`: render catalog recipes, convert policy files between `rawxml` and `xml`, and lint them.
 * `run()` takes argv and streams so tests drive it in process; the process exit code is its return value.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import { LINT_SCOPES, LintScope, formatJson, formatText, lintPolicy } from '../lib/policy/lint';
import { parsePolicy } from '../lib/policy/parse';
import { POLICY_FORMATS, PolicyFormat, render } from '../lib/policy/render';
import { RECIPES, recipeNames } from '../policies/catalog';

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
}

/** A bad command line: printed as one line, exit code 2. */
class UsageError extends Error {}

const HELP: Record<string, string> = {
  main: `Usage: apim-policy <command> [options]

Commands:
  render    print a catalog recipe, or write every recipe with --all
  format    convert policy files between the rawxml and xml formats
  lint      check policy files for mistakes APIM accepts but MCP servers should not

Run 'apim-policy <command> --help' for a command's options.
`,
  render: `Usage: apim-policy render <recipe> [--options <json>] [--format rawxml|xml]
       apim-policy render --all --out <dir> [--format rawxml|xml]

Prints one recipe rendered with its documented options merged with --options (a JSON object), or writes
<dir>/<recipe>.xml for every recipe with its documented options. The default format is rawxml (what the azurerm policy resources send).

Recipes:
${'{recipes}'}
`,
  format: `Usage: apim-policy format --format xml|rawxml [--out <dir>] <file>...

Reads policy files in either format and writes them in the one asked for: to <dir>/<file name> with --out,
otherwise to standard output.
`,
  lint: `Usage: apim-policy lint [--scope global|product|api|mcp|operation] [--format text|json]
                         [--named-values <name,name,...>] <file>...

Reads policy files in either format and reports findings. Exits 1 when any error is found.
--scope     where the policy is attached; 'mcp' turns on the MCP server rules (default: api)
--named-values  the named values that exist; any other {{name}} is reported
`,
};

function help(command: string): string {
  const recipes = recipeNames()
    .map((name) => `  ${name.padEnd(28)} ${RECIPES[name].description}`)
    .join('\n');
  return HELP[command].replace('{recipes}', recipes);
}

type Flags = Record<string, string | boolean | undefined>;

function parse(
  command: string,
  args: string[],
  options: Record<string, { type: 'string' | 'boolean' }>,
): { values: Flags; positionals: string[] } {
  try {
    const parsed = parseArgs({
      args,
      options: { ...options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: parsed.values as Flags, positionals: parsed.positionals };
  } catch (error) {
    throw new UsageError(`${command}: ${(error as Error).message.split('\n')[0]}`);
  }
}

function policyFormat(value: unknown, fallback: PolicyFormat): PolicyFormat {
  if (value === undefined) return fallback;
  if (!POLICY_FORMATS.includes(value as PolicyFormat)) {
    throw new UsageError(`--format must be one of ${POLICY_FORMATS.join(', ')}, got ${JSON.stringify(value)}`);
  }
  return value as PolicyFormat;
}

function readPolicyFile(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
  }
}

function renderCommand(args: string[], io: Io): number {
  const { values, positionals } = parse('render', args, {
    all: { type: 'boolean' },
    out: { type: 'string' },
    options: { type: 'string' },
    format: { type: 'string' },
  });
  if (values.help) return io.stdout(help('render')), 0;
  const format = policyFormat(values.format, 'rawxml');
  if (values.all) {
    if (positionals.length > 0) throw new UsageError('render --all takes no recipe name');
    if (values.options !== undefined) throw new UsageError('render --all renders defaults; --options needs a single recipe');
    if (typeof values.out !== 'string') throw new UsageError('render --all needs --out <dir>');
    mkdirSync(values.out, { recursive: true });
    for (const name of recipeNames()) {
      writeFileSync(join(values.out, `${name}.xml`), `${render(RECIPES[name].build(RECIPES[name].goldenOptions), { format })}\n`);
    }
    io.stdout(`wrote ${recipeNames().length} recipes to ${values.out}\n`);
    return 0;
  }
  if (positionals.length !== 1) throw new UsageError('render needs exactly one recipe name (or --all); see render --help');
  const name = positionals[0];
  const recipe = RECIPES[name];
  if (!recipe) throw new UsageError(`unknown recipe ${JSON.stringify(name)}; recipes: ${recipeNames().join(', ')}`);
  let options: unknown = {};
  if (values.options !== undefined) {
    try {
      options = JSON.parse(String(values.options));
    } catch (error) {
      throw new UsageError(`--options is not JSON: ${(error as Error).message}`);
    }
    if (options === null || typeof options !== 'object' || Array.isArray(options)) {
      throw new UsageError('--options must be a JSON object');
    }
  }
  io.stdout(`${render(recipe.build({ ...recipe.goldenOptions, ...(options as Record<string, unknown>) }), { format })}\n`);
  return 0;
}

function formatCommand(args: string[], io: Io): number {
  const { values, positionals } = parse('format', args, { format: { type: 'string' }, out: { type: 'string' } });
  if (values.help) return io.stdout(help('format')), 0;
  if (values.format === undefined) throw new UsageError('format needs --format xml|rawxml');
  const format = policyFormat(values.format, 'xml');
  if (positionals.length === 0) throw new UsageError('format needs at least one policy file');
  if (typeof values.out === 'string') mkdirSync(values.out, { recursive: true });
  for (const file of positionals) {
    const converted = `${render(parsePolicy(readPolicyFile(file)), { format })}\n`;
    if (typeof values.out === 'string') writeFileSync(join(values.out, basename(file)), converted);
    else io.stdout(converted);
  }
  return 0;
}

function lintCommand(args: string[], io: Io): number {
  const { values, positionals } = parse('lint', args, {
    scope: { type: 'string' },
    format: { type: 'string' },
    'named-values': { type: 'string' },
  });
  if (values.help) return io.stdout(help('lint')), 0;
  const scope = (values.scope ?? 'api') as LintScope;
  if (!LINT_SCOPES.includes(scope)) throw new UsageError(`--scope must be one of ${LINT_SCOPES.join(', ')}, got ${JSON.stringify(values.scope)}`);
  const output = values.format ?? 'text';
  if (output !== 'text' && output !== 'json') throw new UsageError(`--format must be text or json, got ${JSON.stringify(output)}`);
  if (positionals.length === 0) throw new UsageError('lint needs at least one policy file');
  const namedValues =
    typeof values['named-values'] === 'string' ? values['named-values'].split(',').map((n) => n.trim()).filter(Boolean) : undefined;
  let errors = 0;
  for (const file of positionals) {
    const result = lintPolicy(readPolicyFile(file), { scope, namedValues });
    errors += result.errorCount;
    io.stdout(output === 'json' ? formatJson(result, { fileName: file }) : formatText(result, { fileName: file }));
  }
  return errors > 0 ? 1 : 0;
}

const COMMANDS: Record<string, (args: string[], io: Io) => number> = {
  render: renderCommand,
  format: formatCommand,
  lint: lintCommand,
};

export function run(argv: readonly string[], io: Io): number {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(help('main'));
      return command === undefined ? 2 : 0;
    }
    const handler = COMMANDS[command];
    if (!handler) throw new UsageError(`unknown command ${JSON.stringify(command)}; commands: ${Object.keys(COMMANDS).join(', ')}`);
    return handler(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`apim-policy: ${error.message}\n`);
      return 2;
    }
    // Bad policy input or recipe options (PolicyError and friends) also get one line, not a stack trace.
    io.stderr(`apim-policy: ${(error as Error).message.split('\n')[0]}\n`);
    return 2;
  }
}

if (require.main === module) {
  process.exitCode = run(process.argv.slice(2), {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
  });
}
