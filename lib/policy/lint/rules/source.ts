/**
 * Rules over the source text: a document that cannot be read is reported, not thrown.
 */
import { RuleReport, SourceContext, SourceRule } from '../types';

function report(ctx: SourceContext): RuleReport {
  const failure = ctx.failure!;
  return { message: failure.message, at: { line: failure.line, column: failure.column } };
}

export const parseError: SourceRule = {
  kind: 'source',
  id: 'parse-error',
  severity: 'error',
  description: 'The text is not a policy document or fragment that APIM can read (malformed XML, a wrong root element).',
  *check(ctx: SourceContext): Iterable<RuleReport> {
    if (ctx.failure?.kind === 'parse-error') yield report(ctx);
  },
};

export const unbalancedExpression: SourceRule = {
  kind: 'source',
  id: 'unbalanced-expression',
  severity: 'error',
  description: 'A policy expression @(...) or @{...} that never closes or whose brackets do not match, reported where it starts.',
  *check(ctx: SourceContext): Iterable<RuleReport> {
    if (ctx.failure?.kind === 'unbalanced-expression') yield report(ctx);
  },
};
