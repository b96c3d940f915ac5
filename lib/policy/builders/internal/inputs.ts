/**
 * Turning builder props into validated attribute values, for every builder module. Not re-exported from the
 * package: builders call these to fail early, naming the bad value and what is accepted.
 *
 * Each helper converts first, with toValue where APIM evaluates policy expressions and toLiteral where it
 * reads the attribute literally (toLiteral refuses expressions, and strings that only look like one), then
 * checks the literal content. Named values and templates pass unchecked: APIM substitutes them before the
 * policy runs, so their content is unknown here. The helpers take required props; an optional one goes
 * through {@link opt}.
 */
import { PolicyError, show } from '../../errors';
import { ElementNode, element, text } from '../../model';
import { Expression, Literal, LiteralInput, NamedValue, Template, Value, ValueInput, literal, toLiteral, toValue } from '../../value';

/** An attribute as builders list it: name and value, left out when the value is undefined. */
export type Attr = readonly [string, Value | undefined];

// ---------------------------------------------------------------------------------------------------------
// Showing and reading inputs

/** Shows a builder input in an error message: expressions and named values as written, the rest quoted. */
export function showInput(input: unknown): string {
  if (input instanceof Expression || input instanceof NamedValue || input instanceof Template) return input.toString();
  return show(input);
}

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

// ---------------------------------------------------------------------------------------------------------
// Required and optional props

/** A required prop; untyped (JavaScript or `any`) callers can leave one out. */
export function required<T>(input: T | undefined | null, where: string): T {
  if (input === undefined || input === null) throw new PolicyError(`${where} is required`);
  return input;
}

/** Converts an optional prop, keeping undefined (which element() leaves out). */
export function opt<I, O>(input: I | undefined, convert: (value: I) => O): O | undefined {
  return input === undefined ? undefined : convert(input);
}

/** Counts the props that are set, for "exactly one of" / "at most one of" rules. */
export function countSet(values: readonly unknown[]): number {
  return values.filter((v) => v !== undefined).length;
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

// ---------------------------------------------------------------------------------------------------------
// Attribute values: each pair takes ValueInput where APIM evaluates expressions, LiteralInput where it does not

// Only undefined is a left-out prop here: null (which may come through opt) gets "must be a string, got null".
function valueOf(input: ValueInput, where: string): Value {
  if (input === undefined) throw new PolicyError(`${where} is required`);
  return toValue(input, where);
}

function literalOf(input: LiteralInput, where: string): Literal {
  if (input === undefined) throw new PolicyError(`${where} is required`);
  return toLiteral(input, where);
}

/** xs:int's upper bound: the schemas type most counts and periods as xs:int. */
export const INT32_MAX = 2_147_483_647;

export interface IntRange {
  readonly min: number;
  /**
   * The largest value accepted.
   * @default - xs:int's maximum, reported as the schema's limit
   */
  readonly max?: number;
  /** Appended to the error message, e.g. why the range is what it is. */
  readonly hint?: string;
  /**
   * How the error message names the accepted values.
   * @default - "an integer from <min> to <max>", or "an integer >= <min>" without max
   */
  readonly accepts?: string;
}

function checkInt(input: ValueInput, where: string, range: IntRange): void {
  const plain = plainText(input);
  if (plain === undefined) return;
  const n = typeof input !== 'boolean' && /^-?\d+$/.test(plain) ? Number(plain) : NaN;
  if (!(n >= range.min && n <= (range.max ?? Infinity))) {
    const accepts =
      range.accepts ?? (range.max === undefined ? `an integer >= ${range.min}` : `an integer from ${range.min} to ${range.max}`);
    throw new PolicyError(`${where} must be ${accepts}, got ${showInput(input)}` + (range.hint ? `: ${range.hint}` : ''));
  }
  if (range.max === undefined && n > INT32_MAX) {
    throw new PolicyError(`${where} must be at most ${INT32_MAX} (the schema's xs:int), got ${showInput(input)}`);
  }
}

/** An integer attribute that APIM evaluates as an expression. */
export function intValue(input: ValueInput, where: string, range: IntRange): Value {
  const value = valueOf(input, where);
  checkInt(input, where, range);
  return value;
}

/** An integer attribute that APIM reads literally. */
export function intLiteral(input: LiteralInput, where: string, range: IntRange): Literal {
  const value = literalOf(input, where);
  checkInt(input, where, range);
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

function checkEnum(input: ValueInput, where: string, allowed: readonly string[]): void {
  const plain = plainText(input);
  if (plain !== undefined && !allowed.includes(plain)) {
    throw new PolicyError(`${where} must be one of ${allowed.map((a) => show(a)).join(', ')}, got ${showInput(input)}`);
  }
}

/** One of a fixed set of words, where APIM evaluates expressions. */
export function enumValue(input: ValueInput, where: string, allowed: readonly string[]): Value {
  const value = valueOf(input, where);
  checkEnum(input, where, allowed);
  return value;
}

/** One of a fixed set of words, read literally. */
export function enumLiteral(input: LiteralInput, where: string, allowed: readonly string[]): Literal {
  const value = literalOf(input, where);
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
  if (plain !== undefined && plain.trim() === '') throw new PolicyError(`${where} must not be empty, got ${showInput(input)}`);
}

/** Text that must not be empty or blank, where APIM evaluates expressions. */
export function textValue(input: ValueInput, where: string): Value {
  const value = valueOf(input, where);
  checkNonEmpty(input, where);
  return value;
}

/** Text that must not be empty or blank, read literally. */
export function textLiteral(input: LiteralInput, where: string): Literal {
  const value = literalOf(input, where);
  checkNonEmpty(input, where);
  return value;
}

// Same rule as the expression helpers (code.variable), so a variable a policy writes can be read back with them.
const VARIABLE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

/** The name of a context variable a policy writes, read literally. */
export function variableName(input: LiteralInput, where: string): Literal {
  const value = literalOf(input, where);
  const plain = plainText(input);
  if (plain !== undefined && !VARIABLE_NAME.test(plain)) {
    throw new PolicyError(
      `${where} must be a context variable name of 1-128 letters, digits, '_', '.' or '-', got ${showInput(input)}`,
    );
  }
  return value;
}

/** RFC 9110 token characters: what an HTTP header name or method may contain. */
export const HTTP_TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function checkHeaderName(input: ValueInput, where: string, allowStar: boolean): void {
  checkNonEmpty(input, where);
  const plain = plainText(input);
  if (plain === undefined || (allowStar && plain === '*')) return;
  if (!HTTP_TOKEN.test(plain)) {
    throw new PolicyError(
      `${where} must be an HTTP header name (letters, digits and !#$%&'*+.^_\`|~-)` +
        `${allowStar ? " or '*'" : ''}, got ${showInput(input)}`,
    );
  }
}

/** An HTTP header name, where APIM evaluates expressions. */
export function headerNameValue(input: ValueInput, where: string, opts: { allowStar?: boolean } = {}): Value {
  const value = valueOf(input, where);
  checkHeaderName(input, where, opts.allowStar ?? false);
  return value;
}

/** An HTTP header name, read literally. */
export function headerNameLiteral(input: LiteralInput, where: string, opts: { allowStar?: boolean } = {}): Literal {
  const value = literalOf(input, where);
  checkHeaderName(input, where, opts.allowStar ?? false);
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// Child elements

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
