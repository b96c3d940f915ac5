/**
 * Input checks shared by the access, token and validation builders. Not re-exported from the package:
 * builders call them to turn props into model values, failing early with the bad value and what is accepted.
 *
 * Named values and templates pass unchecked: APIM substitutes them before the policy runs, so their
 * content is unknown here. Expressions pass where APIM evaluates them and are refused (by toLiteral) where
 * it reads the attribute literally.
 */
import { PolicyError, show } from '../../errors';
import { element, text, ElementNode } from '../../model';
import { Expression, Literal, LiteralInput, NamedValue, Template, Value, ValueInput, literal, toLiteral, toValue } from '../../value';

/** An attribute as builders list it: name and value, left out when the value is undefined. */
export type Attr = readonly [string, Value | undefined];

/** True when the input is known only at run time or after named-value substitution. */
function opaque(input: ValueInput): boolean {
  if (input instanceof Expression || input instanceof NamedValue || input instanceof Template) return true;
  // A string holding a {{named-value}} reference is a template too.
  return typeof input === 'string' && typeof literal(input) !== 'string';
}

/**
 * The input as plain text when it is a literal string, number or boolean without named values; undefined
 * when its content is only known later.
 */
export function plainText(input: ValueInput | undefined): string | undefined {
  if (input === undefined || opaque(input)) return undefined;
  if (typeof input === 'string' || typeof input === 'number' || typeof input === 'boolean') return String(input);
  return undefined;
}

export interface IntRange {
  readonly min: number;
  readonly max: number;
  /** Appended to the error message, e.g. why the range is what it is. */
  readonly hint?: string;
}

/** xs:int, the type most APIM schemas give counts and periods. */
export const INT32_MAX = 2_147_483_647;

function checkInt(input: ValueInput, where: string, range: IntRange): void {
  const plain = plainText(input);
  if (plain === undefined) return;
  const ok =
    typeof input !== 'boolean' &&
    /^-?\d+$/.test(plain) &&
    Number(plain) >= range.min &&
    Number(plain) <= range.max;
  if (!ok) {
    throw new PolicyError(
      `${where} must be an integer from ${range.min} to ${range.max}, got ${show(input)}` + (range.hint ? `: ${range.hint}` : ''),
    );
  }
}

// Each helper converts first (toValue / toLiteral refuse expressions where they do not belong, and strings
// that only look like expressions), then checks the literal content.

/** An integer attribute that APIM evaluates as an expression. */
export function intValue(input: ValueInput, where: string, range: IntRange): Value {
  const value = toValue(input, where);
  checkInt(input, where, range);
  return value;
}

/** An integer attribute that APIM reads literally. */
export function intLiteral(input: LiteralInput, where: string, range: IntRange): Literal {
  const value = toLiteral(input, where);
  checkInt(input, where, range);
  return value;
}

function checkEnum(input: ValueInput, where: string, allowed: readonly string[]): void {
  const plain = plainText(input);
  if (plain !== undefined && !allowed.includes(plain)) {
    throw new PolicyError(`${where} must be one of ${allowed.map((a) => show(a)).join(', ')}, got ${show(input)}`);
  }
}

/** One of a fixed set of words, where APIM evaluates expressions. */
export function enumValue(input: ValueInput, where: string, allowed: readonly string[]): Value {
  const value = toValue(input, where);
  checkEnum(input, where, allowed);
  return value;
}

/** One of a fixed set of words, read literally. */
export function enumLiteral(input: LiteralInput, where: string, allowed: readonly string[]): Literal {
  const value = toLiteral(input, where);
  checkEnum(input, where, allowed);
  return value;
}

/** `true` / `false` (a boolean or its text), where APIM evaluates expressions. */
export function boolValue(input: ValueInput, where: string): Value {
  return enumValue(input, where, ['true', 'false']);
}

/** `true` / `false`, read literally. */
export function boolLiteral(input: LiteralInput, where: string): Literal {
  return enumLiteral(input, where, ['true', 'false']);
}

function checkNonEmpty(input: ValueInput, where: string): void {
  const plain = plainText(input);
  if (plain !== undefined && plain.trim() === '') throw new PolicyError(`${where} must not be empty, got ${show(input)}`);
}

/** Text that must not be empty, where APIM evaluates expressions. */
export function textValue(input: ValueInput, where: string): Value {
  const value = toValue(input, where);
  checkNonEmpty(input, where);
  return value;
}

/** Text that must not be empty, read literally. */
export function textLiteral(input: LiteralInput, where: string): Literal {
  const value = toLiteral(input, where);
  checkNonEmpty(input, where);
  return value;
}

// Same rule as the expression helpers (code.variable), so a variable a policy writes can be read back with them.
const VARIABLE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The name of a context variable a policy writes; always literal in APIM. */
export function variableName(input: LiteralInput, where: string): Literal {
  const value = toLiteral(input, where);
  const plain = plainText(input);
  if (plain !== undefined && !VARIABLE_NAME.test(plain)) {
    throw new PolicyError(
      `${where} must be a context variable name of 1-128 letters, digits, '_', '.' or '-', got ${show(input)}`,
    );
  }
  return value;
}

// RFC 9110 token characters.
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderName(input: ValueInput, where: string, allowStar: boolean): void {
  const plain = plainText(input);
  if (plain === undefined || (allowStar && plain === '*')) return;
  if (!HEADER_NAME.test(plain)) {
    throw new PolicyError(
      `${where} must be an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)` +
        `${allowStar ? " or '*'" : ''}, got ${show(input)}`,
    );
  }
}

/** An HTTP header name, where APIM evaluates expressions. */
export function headerNameValue(input: ValueInput, where: string, opts: { allowStar?: boolean } = {}): Value {
  const value = toValue(input, where);
  checkHeaderName(input, where, opts.allowStar ?? false);
  return value;
}

/** An HTTP header name, read literally. */
export function headerNameLiteral(input: LiteralInput, where: string, opts: { allowStar?: boolean } = {}): Literal {
  const value = toLiteral(input, where);
  checkHeaderName(input, where, opts.allowStar ?? false);
  return value;
}

/** An HTTP status code answered when a check fails: 4xx or 5xx, so the failure is never reported as success. */
export function failureStatus(input: ValueInput, where: string): Value {
  return intValue(input, where, {
    min: 400,
    max: 599,
    hint: 'a failed check must answer with a client or server error, or callers would read it as success',
  });
}

/**
 * A list that, when given, must hold at least one item: an empty list usually means a computed
 * allow-list came out empty, which should fail loudly rather than allow or deny everything.
 */
export function nonEmptyList<T>(list: readonly T[] | undefined, where: string, omitHint: string): readonly T[] | undefined {
  if (list === undefined) return undefined;
  if (list.length === 0) throw new PolicyError(`${where} is an empty list; ${omitHint}`);
  return list;
}

/** `<wrapper><item>v</item>...</wrapper>`, or undefined when there are no items. */
export function listElement(wrapper: string, item: string, values: readonly Value[] | undefined): ElementNode | undefined {
  if (values === undefined) return undefined;
  return element(
    wrapper,
    [],
    values.map((v) => element(item, [], [text(v)])),
  );
}

/** Drops undefined entries, keeping order. */
export function present<T>(items: readonly (T | undefined)[]): T[] {
  return items.filter((i): i is T => i !== undefined);
}

/** Counts the props that are set, for "exactly one of" / "at most one of" rules. */
export function countSet(values: readonly unknown[]): number {
  return values.filter((v) => v !== undefined).length;
}

/** Converts an optional prop, keeping undefined (which element() leaves out). */
export function opt<I, O>(input: I | undefined, convert: (value: I) => O): O | undefined {
  return input === undefined ? undefined : convert(input);
}
