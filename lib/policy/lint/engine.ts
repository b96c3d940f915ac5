/**
 * Runs the lint rules over a policy source or an in-memory document and gathers sorted findings.
 */
import { PolicyDocument, PolicyFragment } from '../document';
import { MaskedPolicy, PolicyParseError, maskExpressions } from '../mask';
import { ElementNode, PolicyNode } from '../model';
import { ElementLocation, parsePolicyWithLocations } from '../parse';
import { SECTIONS, Section } from '../sections';
import { branchesOf } from './known';
import { LINT_RULES } from './rules';
import {
  DocumentRule,
  ElementInfo,
  LintContext,
  LintFinding,
  LintFormat,
  LintOptions,
  LintResult,
  LintRule,
  LintScope,
  RuleReport,
  SectionInfo,
  SourceContext,
  SourceFailure,
  SourceRule,
} from './types';

export interface LintDocumentOptions {
  /** @default 'api' */
  readonly scope?: LintScope;
  /** @default - references are not checked */
  readonly namedValues?: readonly string[];
  /** The format the document will be rendered in. @default 'rawxml' */
  readonly format?: 'rawxml' | 'xml';
}

/**
 * Lints policy XML in either format. A text that cannot be read gives a `parse-error` or
 * `unbalanced-expression` finding instead of an exception.
 */
export function lintPolicy(source: string, options: LintOptions = {}): LintResult {
  const format = options.format ?? 'auto';
  const scope = options.scope ?? 'api';
  let parsed: ReturnType<typeof parsePolicyWithLocations>;
  try {
    parsed = parsePolicyWithLocations(source, { format });
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
    const failure = classify(e, source, format);
    return collect(runSourceRules(LINT_RULES, { source, format, failure }, scope));
  }
  const masked = maskExpressions(source, parsed.format);
  const context = buildContext(parsed.document, {
    scope,
    namedValues: options.namedValues,
    format: parsed.format,
    source,
    locations: parsed.locations,
    sectionAt: (section) => locateSection(masked, section),
  });
  const result = collect([...runSourceRules(LINT_RULES, { source, format }, scope), ...runDocumentRules(LINT_RULES, context)]);
  return { ...result, format: parsed.format };
}

/**
 * Lints an in-memory document or fragment (built with the model or the builders). Findings carry the
 * element path and no line or column.
 */
export function lintDocument(document: PolicyDocument | PolicyFragment, options: LintDocumentOptions = {}): LintResult {
  const context = buildContext(document, {
    scope: options.scope ?? 'api',
    namedValues: options.namedValues,
    format: options.format ?? 'rawxml',
  });
  return collect(runDocumentRules(LINT_RULES, context));
}

/** A finding with its position in document order, for sorting findings that have no line. */
interface Ordered {
  readonly finding: LintFinding;
  readonly order: number;
}

function applies(rule: LintRule, scope: LintScope): boolean {
  return rule.scopes === undefined || rule.scopes.includes(scope);
}

function runSourceRules(rules: readonly LintRule[], context: SourceContext, scope: LintScope): Ordered[] {
  const out: Ordered[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'source' || !applies(rule, scope)) continue;
    for (const report of (rule as SourceRule).check(context)) {
      out.push({ finding: finding(rule, report, report.at ?? {}), order: -1 });
    }
  }
  return out;
}

function runDocumentRules(rules: readonly LintRule[], context: LintContext): Ordered[] {
  const out: Ordered[] = [];
  for (const rule of rules) {
    if (rule.kind !== 'document' || !applies(rule, context.scope)) continue;
    for (const report of (rule as DocumentRule).check(context)) out.push(place(rule, report, context));
  }
  return out;
}

function place(rule: LintRule, report: RuleReport, context: LintContext): Ordered {
  if (report.node) {
    const info = context.info(report.node);
    return { finding: finding(rule, report, report.at ?? info), order: info.order };
  }
  if (report.section) {
    return { finding: finding(rule, report, report.at ?? report.section), order: report.section.order };
  }
  return { finding: finding(rule, report, report.at ?? {}), order: -1 };
}

function finding(
  rule: LintRule,
  report: RuleReport,
  at: { readonly line?: number; readonly column?: number; readonly path?: string },
): LintFinding {
  const f: { -readonly [K in keyof LintFinding]: LintFinding[K] } = {
    ruleId: rule.id,
    severity: rule.severity,
    message: report.message,
  };
  if (at.line !== undefined) f.line = at.line;
  if (at.column !== undefined) f.column = at.column;
  if (at.path !== undefined) f.path = at.path;
  return f;
}

function collect(ordered: Ordered[]): LintResult {
  const key = (o: Ordered): [number, number] =>
    o.finding.line !== undefined ? [o.finding.line, o.finding.column ?? 0] : [Number.MAX_SAFE_INTEGER, 0];
  ordered.sort((a, b) => {
    const [la, ca] = key(a);
    const [lb, cb] = key(b);
    return la - lb || ca - cb || a.order - b.order || a.finding.ruleId.localeCompare(b.finding.ruleId);
  });
  const findings = ordered.map((o) => o.finding);
  const count = (s: string): number => findings.filter((f) => f.severity === s).length;
  return { findings, errorCount: count('error'), warningCount: count('warning'), infoCount: count('info') };
}

/** Tells an expression that does not close from other unreadable text. */
function classify(error: PolicyParseError, source: string, format: LintFormat): SourceFailure {
  const formats = format === 'auto' ? (['rawxml', 'xml'] as const) : [format];
  let fromMask = false;
  for (const f of formats) {
    try {
      maskExpressions(source, f);
    } catch (e) {
      if (e instanceof PolicyParseError && e.offset === error.offset && e.reason === error.reason) fromMask = true;
    }
  }
  const unbalanced = fromMask && /never closes|does not match/.test(error.reason);
  return {
    kind: unbalanced ? 'unbalanced-expression' : 'parse-error',
    message: unbalanced ? error.reason : `the text cannot be read as a policy: ${error.reason}`,
    line: error.line,
    column: error.column,
  };
}

/**
 * Where a section's start tag (or, when the section is absent, the `<policies>` tag) stands in the
 * source. The masked text has no expressions left, so a tag-shaped string inside one cannot match;
 * comments, CDATA and processing instructions are skipped.
 */
function locateSection(masked: MaskedPolicy, section: Section): SectionPosition | undefined {
  const text = masked.masked;
  let policiesAt: number | undefined;
  const tag = /<!--[\s\S]*?(?:-->|$)|<!\[CDATA\[[\s\S]*?(?:\]\]>|$)|<\?[\s\S]*?(?:\?>|$)|<([A-Za-z_][\w.-]*)(?=[\s/>])/g;
  for (const match of text.matchAll(tag)) {
    const name = match[1];
    if (name === section) return { ...masked.positionOfMasked(match.index ?? 0), present: true };
    if (name === 'policies' && policiesAt === undefined) policiesAt = match.index;
  }
  return policiesAt === undefined ? undefined : { ...masked.positionOfMasked(policiesAt), present: false };
}

interface SectionPosition {
  readonly line: number;
  readonly column: number;
  readonly present: boolean;
}

interface ContextInput {
  readonly scope: LintScope;
  readonly namedValues?: readonly string[];
  readonly format: 'rawxml' | 'xml';
  readonly source?: string;
  readonly locations?: ReadonlyMap<ElementNode, ElementLocation>;
  readonly sectionAt?: (section: Section) => SectionPosition | undefined;
}

type Mode = 'statements' | 'branches' | 'plain';

/** Walks the document once, in order, recording for each element what the rules need. */
export function buildContext(document: PolicyDocument | PolicyFragment, input: ContextInput): LintContext {
  const elements: ElementInfo[] = [];
  const byNode = new Map<ElementNode, ElementInfo>();

  const walk = (
    nodes: readonly PolicyNode[],
    mode: Mode,
    branches: readonly string[],
    section: Section | undefined,
    ancestors: readonly ElementNode[],
    parentPath: string,
  ): void => {
    const counts = new Map<string, number>();
    for (const n of nodes) if (n.type === 'element') counts.set(n.name, (counts.get(n.name) ?? 0) + 1);
    const seen = new Map<string, number>();
    for (const node of nodes) {
      if (node.type !== 'element') continue;
      const index = seen.get(node.name) ?? 0;
      seen.set(node.name, index + 1);
      const location = input.locations?.get(node);
      // The same path shape the parser gives: a 0-based index only among several same-named siblings.
      const path = location?.path ?? `${parentPath}/${node.name}${(counts.get(node.name) ?? 0) > 1 ? `[${index}]` : ''}`;
      const info: ElementInfo = {
        node,
        section,
        ancestors,
        statement: mode === 'statements',
        topLevel: ancestors.length === 0,
        order: elements.length,
        path,
        ...(location ? { line: location.line, column: location.column } : {}),
      };
      elements.push(info);
      byNode.set(node, info);

      let childMode: Mode = 'plain';
      let childBranches: readonly string[] = [];
      if (mode === 'statements') {
        const own = branchesOf(node.name);
        if (own !== undefined) {
          childMode = own.length === 0 ? 'statements' : 'branches';
          childBranches = own;
        }
      } else if (mode === 'branches' && branches.includes(node.name)) {
        childMode = 'statements';
      }
      walk(node.children, childMode, childBranches, section, [...ancestors, node], path);
    }
  };

  const sections: SectionInfo[] = [];
  if (document.type === 'policies') {
    for (const section of SECTIONS) {
      const nodes = document.sections[section];
      const path = `policies/${section}`;
      const order = elements.length - 0.5;
      walk(nodes, 'statements', [], section, [], path);
      const at = input.sectionAt?.(section);
      sections.push({
        section,
        // In memory there is no source to tell; an empty section there reads as present.
        present: at ? at.present : true,
        nodes: nodes.filter((n): n is ElementNode => n.type === 'element'),
        order,
        path,
        ...(at ? { line: at.line, column: at.column } : {}),
      });
    }
  } else {
    walk(document.children, 'statements', [], undefined, [], 'fragment');
  }

  return {
    document,
    scope: input.scope,
    namedValues: input.namedValues,
    format: input.format,
    source: input.source,
    locations: new Map([...byNode].map(([node, info]) => [node, { line: info.line, column: info.column, path: info.path }])),
    elements,
    sections,
    info(node: ElementNode): ElementInfo {
      const info = byNode.get(node);
      if (!info) throw new Error(`<${node.name}> is not an element of the linted document`);
      return info;
    },
  };
}
