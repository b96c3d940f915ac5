/**
 * Small, conservative readings of policy values and C# expression code that several rules share.
 * They look for the documented accessor shapes (`context.Request.Headers.GetValueOrDefault("x")`, ...),
 * not for every way C# could reach a value: a rule built on them may miss an exotic spelling, but what
 * it reports is there.
 */
import { ElementNode, TextNode, attr, childElements } from '../model';
import { Expression, NamedValue, Template, Value } from '../value';

/** Every value an element carries itself: its attributes, then its text children. */
export function ownValues(node: ElementNode): Value[] {
  const values: Value[] = node.attributes.map((a) => a.value);
  for (const child of node.children) if (child.type === 'text') values.push(child.value);
  return values;
}

/** The values of an element and of all its descendants, in document order. */
export function deepValues(node: ElementNode): Value[] {
  const values = ownValues(node);
  for (const child of node.children) if (child.type === 'element') values.push(...deepValues(child));
  return values;
}

/** The C# code of the expressions among the values. */
export function expressionCode(values: readonly Value[]): string[] {
  return values.filter((v): v is Expression => v instanceof Expression).map((v) => v.code);
}

/** The named values a value refers to, including `{{name}}` written inside expression code. */
export function namedValueRefs(value: Value): string[] {
  if (value instanceof NamedValue) return [value.name];
  if (value instanceof Template) return value.parts.filter((p): p is NamedValue => p instanceof NamedValue).map((p) => p.name);
  if (value instanceof Expression) return [...value.code.matchAll(/\{\{([A-Za-z0-9._-]{1,256})\}\}/g)].map((m) => m[1]);
  return [];
}

/** The literal text of a value with its named values left out, or undefined for an expression. */
export function literalText(value: Value | undefined): string | undefined {
  if (value === undefined || value instanceof Expression) return undefined;
  if (typeof value === 'string') return value;
  if (value instanceof NamedValue) return '';
  return value.parts.filter((p): p is string => typeof p === 'string').join('');
}

/** True when a literal value includes at least one named value. */
export function usesNamedValue(value: Value | undefined): boolean {
  return value instanceof NamedValue || (value instanceof Template && value.parts.some((p) => p instanceof NamedValue));
}

/** The text content of an element (its text children joined), as values. */
export function textValues(node: ElementNode): Value[] {
  return node.children.filter((c): c is TextNode => c.type === 'text').map((c) => c.value);
}

/** The text of an element's text children (named values as `{{name}}`), trimmed; undefined for an expression. */
export function elementText(node: ElementNode): string | undefined {
  let text = '';
  for (const value of textValues(node)) {
    if (value instanceof Expression) return undefined;
    text += value.toString();
  }
  return text.trim();
}

/** A literal attribute's text, lower-cased and trimmed; undefined when absent or an expression. */
export function literalAttr(node: ElementNode, name: string): string | undefined {
  const value = attr(node, name);
  if (value === undefined || value instanceof Expression) return undefined;
  return value.toString().trim().toLowerCase();
}

const STRING_ARG = String.raw`\s*@?"((?:[^"\\]|\\.)*)"`;
// Groups 1 and 2 are the opening bracket of a call or an indexer, group 3 the name.
const ACCESSOR = String.raw`\s*(?:\.\s*(?:GetValueOrDefault|TryGetValue|ContainsKey|GetValue)\s*(?:<[^()]*?>)?\s*(\()|(\[))`;
const HEADER_READ = new RegExp(String.raw`context\s*\.\s*Request\s*\.\s*Headers` + ACCESSOR + STRING_ARG, 'g');
const VARIABLE_READ = new RegExp(String.raw`context\s*\.\s*Variables` + ACCESSOR + STRING_ARG, 'g');

export interface Read {
  /** Lower-cased for headers (their names are case-insensitive), as written for variables. */
  readonly name: string;
  /** The name as the code writes it, for messages. */
  readonly written: string;
  /** Index just after the accessor's closing bracket (or the end of the match when it does not close). */
  readonly end: number;
}

function reads(code: string, pattern: RegExp, lower: boolean): Read[] {
  const found: Read[] = [];
  for (const match of code.matchAll(pattern)) {
    const bracket = match[1] ?? match[2];
    const open = (match.index ?? 0) + match[0].indexOf(bracket);
    const name = unescapeCs(match[3]);
    found.push({ name: lower ? name.toLowerCase() : name, written: name, end: closeOf(code, open) });
  }
  return found;
}

function unescapeCs(text: string): string {
  return text.replace(/\\(.)/g, '$1');
}

/** Request headers the code reads by name (lower-cased: header names are case-insensitive). */
export function requestHeaderReads(code: string): Read[] {
  return reads(code, HEADER_READ, true);
}

/** Context variables the code reads by name. */
export function variableReads(code: string): Read[] {
  return reads(code, VARIABLE_READ, false);
}

/**
 * The index just after the bracket that closes the one at `open`, skipping C# string and char
 * literals; the code length when it never closes.
 */
export function closeOf(code: string, open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}' };
  const stack: string[] = [];
  for (let i = open; i < code.length; i++) {
    const c = code[i];
    if (c === '"' || c === "'") {
      const verbatim = c === '"' && code[i - 1] === '@';
      i = skipString(code, i, verbatim);
      continue;
    }
    if (pairs[c]) stack.push(pairs[c]);
    else if (c === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return i + 1;
    }
  }
  return code.length;
}

function skipString(code: string, start: number, verbatim: boolean): number {
  const quote = code[start];
  for (let i = start + 1; i < code.length; i++) {
    if (verbatim) {
      if (code[i] === '"') {
        if (code[i + 1] === '"') i++;
        else return i;
      }
    } else if (code[i] === '\\') i++;
    else if (code[i] === quote) return i;
  }
  return code.length;
}

/** Child elements along a path of names: `descendants(jwt, 'audiences', 'audience')`. */
export function descendants(node: ElementNode, ...names: string[]): ElementNode[] {
  let level = [node];
  for (const name of names) level = level.flatMap((n) => childElements(n, name));
  return level;
}
