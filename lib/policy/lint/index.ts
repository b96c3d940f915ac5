/**
 * The policy linter: data-driven rules over APIM policy XML (either format) or an in-memory document,
 * aimed at the mistakes that make MCP servers behind APIM insecure or broken.
 */
export * from './types';
export { lintPolicy, lintDocument } from './engine';
export type { LintDocumentOptions } from './engine';
export { LINT_RULES } from './rules';
export { formatText, formatJson, formatRuleTable } from './format';
export type { FormatOptions } from './format';
