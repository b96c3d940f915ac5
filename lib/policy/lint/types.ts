import type { PolicyDocument, PolicyFragment } from '../document';
import type { ElementNode } from '../model';
import type { Section } from '../sections';

export type Severity = 'error' | 'warning' | 'info';

/** Where a policy document is attached; some rules only apply at some scopes. */
export type LintScope = 'global' | 'product' | 'api' | 'mcp' | 'operation';
export const LINT_SCOPES: readonly LintScope[] = ['global', 'product', 'api', 'mcp', 'operation'];

/** The text formats the linter reads; `auto` tells them apart. */
export type LintFormat = 'rawxml' | 'xml' | 'auto';

/** A position in the linted source; line and column are 1-based and absent for in-memory documents. */
export interface LintLocation {
  readonly line?: number;
  readonly column?: number;
  /** Element path such as `policies/inbound/choose/when[1]/set-header`; absent when the source did not parse. */
  readonly path?: string;
}

export interface LintFinding extends LintLocation {
  readonly ruleId: string;
  readonly severity: Severity;
  /** What is wrong and what to do about it. */
  readonly message: string;
}

export interface LintResult {
  /** Sorted by line, column, then rule id (document order when there are no lines). */
  readonly findings: readonly LintFinding[];
  readonly errorCount: number;
  readonly warningCount: number;
  readonly infoCount: number;
  /** The format the source was read as; absent when it could not be read, or for an in-memory document. */
  readonly format?: 'rawxml' | 'xml';
}

export interface LintOptions {
  /** @default 'api' */
  readonly scope?: LintScope;
  /**
   * The named values that exist in the APIM instance. When given, `{{name}}` references to any other
   * name are reported (`undeclared-named-value`). @default - references are not checked
   */
  readonly namedValues?: readonly string[];
  /** @default 'auto' */
  readonly format?: LintFormat;
}

/** One element of the linted document, with what the rules need to know about its position. */
export interface ElementInfo {
  readonly node: ElementNode;
  /** The section it stands in; undefined inside a fragment. */
  readonly section?: Section;
  /** Enclosing elements, outermost first (the section itself is not an element of the model). */
  readonly ancestors: readonly ElementNode[];
  /** True where APIM expects a policy statement: directly in a section or fragment, or in a container branch. */
  readonly statement: boolean;
  /** True when it stands directly in a section (or directly in a fragment). */
  readonly topLevel: boolean;
  /** Position in document order, from 0. */
  readonly order: number;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

/** Where a section starts in the source (a section is not an element node of the model). */
export interface SectionInfo {
  readonly section: Section;
  /** False when the source has no tag for it (the model cannot tell an absent section from an empty one). */
  readonly present: boolean;
  readonly nodes: ElementNode[];
  /** Position in document order: just before its first element (or where that would stand). */
  readonly order: number;
  readonly path: string;
  readonly line?: number;
  readonly column?: number;
}

/** What a document rule sees. Everything is precomputed by the engine, so rules stay pure. */
export interface LintContext {
  readonly document: PolicyDocument | PolicyFragment;
  readonly scope: LintScope;
  readonly namedValues?: readonly string[];
  /** The format the source was read as; for an in-memory document, the one given (or `rawxml`). */
  readonly format: 'rawxml' | 'xml';
  /** The linted text; absent for an in-memory document. */
  readonly source?: string;
  /** Where each element stands: line and column from the source (absent in memory), and its path. */
  readonly locations: ReadonlyMap<ElementNode, LintLocation>;
  /** Every element in document order (sections in the order inbound, backend, outbound, on-error). */
  readonly elements: readonly ElementInfo[];
  /** The sections of a document, in order; empty for a fragment. */
  readonly sections: readonly SectionInfo[];
  /** Position facts of one element of the document. */
  info(node: ElementNode): ElementInfo;
}

/** What a rule reports: the element it is about (or a section), and the message. */
export interface RuleReport {
  readonly message: string;
  readonly node?: ElementNode;
  readonly section?: SectionInfo;
  /** Overrides the location, for reports that point at the source rather than an element. */
  readonly at?: LintLocation;
}

/** Why a source could not be linted as a document. */
export interface SourceFailure {
  readonly kind: 'parse-error' | 'unbalanced-expression';
  readonly message: string;
  readonly line?: number;
  readonly column?: number;
}

/** What a source rule sees: the text, and the failure when it did not parse. */
export interface SourceContext {
  readonly source: string;
  readonly format: LintFormat;
  readonly failure?: SourceFailure;
}

interface RuleBase {
  /** Kebab-case, stable: users filter and suppress by it. */
  readonly id: string;
  readonly severity: Severity;
  /** One line for the README and the command-line help. */
  readonly description: string;
  /** The scopes it applies to. @default - every scope */
  readonly scopes?: readonly LintScope[];
}

/** A rule over a parsed (or in-memory) document. */
export interface DocumentRule extends RuleBase {
  readonly kind: 'document';
  check(context: LintContext): Iterable<RuleReport>;
}

/** A rule over the source text, which runs whether or not it parsed (parse failures become findings). */
export interface SourceRule extends RuleBase {
  readonly kind: 'source';
  check(context: SourceContext): Iterable<RuleReport>;
}

export type LintRule = DocumentRule | SourceRule;
