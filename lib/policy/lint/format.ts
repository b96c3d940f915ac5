/**
 * Text and JSON output of lint results, and the rule table for the README and the command-line help.
 */
import { LINT_RULES } from './rules';
import { LintResult, LintRule } from './types';

export interface FormatOptions {
  /** Shown before each finding's position, as compilers do (`policy.xml:12:9`). @default '<policy>' */
  readonly fileName?: string;
}

/**
 * One line per finding, `file:line:column  severity  rule-id  message  (path)`, then a summary line.
 * Findings without a position show the file name alone.
 */
export function formatText(result: LintResult, options: FormatOptions = {}): string {
  const file = options.fileName ?? '<policy>';
  const lines = result.findings.map((f) => {
    const position = f.line !== undefined ? `${file}:${f.line}:${f.column ?? 1}` : file;
    const path = f.path !== undefined ? `  (${f.path})` : '';
    return `${position}  ${f.severity}  ${f.ruleId}  ${f.message}${path}`;
  });
  lines.push(summary(result));
  return `${lines.join('\n')}\n`;
}

function summary(result: LintResult): string {
  const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;
  const parts = [plural(result.errorCount, 'error'), plural(result.warningCount, 'warning')];
  if (result.infoCount > 0) parts.push(plural(result.infoCount, 'info'));
  return parts.join(', ');
}

/** The result as JSON (two-space indent), with the file name when given; stable key order. */
export function formatJson(result: LintResult, options: FormatOptions = {}): string {
  const findings = result.findings.map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    message: f.message,
    ...(f.line !== undefined ? { line: f.line } : {}),
    ...(f.column !== undefined ? { column: f.column } : {}),
    ...(f.path !== undefined ? { path: f.path } : {}),
  }));
  const body = {
    ...(options.fileName !== undefined ? { file: options.fileName } : {}),
    errorCount: result.errorCount,
    warningCount: result.warningCount,
    infoCount: result.infoCount,
    findings,
  };
  return `${JSON.stringify(body, null, 2)}\n`;
}

/** The rules as a Markdown table (id, severity, scopes, description), for the README. */
export function formatRuleTable(rules: readonly LintRule[] = LINT_RULES): string {
  const rows = rules.map((r) => {
    const scopes = r.scopes ? r.scopes.join(', ') : 'all';
    // `<base/>` would read as an HTML tag in Markdown and vanish.
    const description = r.description.replace(/</g, '&lt;').replace(/\|/g, '\\|');
    return `| \`${r.id}\` | ${r.severity} | ${scopes} | ${description} |`;
  });
  return ['| rule | severity | scopes | description |', '| --- | --- | --- | --- |', ...rows].join('\n') + '\n';
}
