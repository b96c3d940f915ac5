/**
 * Helpers for the control and transform builders: typed attribute values with their checks, and the
 * branding of a built element. Not re-exported from the package.
 */
import { PolicyError, show } from '../../errors';
import { ElementNode, Policy, PolicyNode, element, policy } from '../../model';
import { AllowedIn, KnownPolicyName, Section } from '../../sections';
import { Expression, NamedValue, Template, Value, toLiteral, toValue } from '../../value';

/** Shows a builder input in an error message: expressions and named values as written, the rest quoted. */
export function showInput(input: unknown): string {
  if (input instanceof Expression || input instanceof NamedValue || input instanceof Template) return input.toString();
  return show(input);
}

/** Builds a known policy element and brands it with the sections the section table allows for it. */
export function known<N extends KnownPolicyName>(
  name: N,
  attributes: readonly (readonly [string, Value | undefined])[] = [],
  children: readonly PolicyNode[] = [],
): Policy<AllowedIn<N>> {
  return policy(element(name, attributes, children));
}

/**
 * The sections every policy in `P` may stand in (the intersection of their sections). Containers use it so
 * that a `choose` holding an inbound-only policy cannot be placed in outbound. A statement list with no
 * policies (only comments, or nothing) fits every section.
 */
export type SharedSections<P> =
  (P extends Policy<infer S> ? (section: S) => void : never) extends (section: infer I) => void
    ? I & Section
    : never;

export interface IntegerRange {
  readonly min: number;
  readonly max?: number;
}

/** xs:int's upper bound: the schemas type most numeric attributes as xs:int. */
const XS_INT_MAX = 2147483647;

function describeRange(range: IntegerRange): string {
  if (range.max === undefined) return `an integer >= ${range.min}`;
  return `an integer from ${range.min} to ${range.max}`;
}

/** Checks a literal integer; returns its text. */
function checkInteger(input: number, where: string, range: IntegerRange): string {
  if (!Number.isInteger(input) || input < range.min || (range.max !== undefined && input > range.max)) {
    throw new PolicyError(`${where} must be ${describeRange(range)}, got ${show(input)}`);
  }
  if (input > XS_INT_MAX) {
    throw new PolicyError(`${where} must be at most ${XS_INT_MAX} (the schema's xs:int), got ${show(input)}`);
  }
  return String(input);
}

/** An integer attribute where APIM evaluates expressions: a number in range, a named value or an expression. */
export function integerValue(
  input: number | NamedValue | Expression | undefined,
  where: string,
  range: IntegerRange,
): Value | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'number') return checkInteger(input, where, range);
  if (input instanceof NamedValue || input instanceof Expression) return toValue(input, where);
  throw new PolicyError(`${where} must be ${describeRange(range)}, a named value or an expression, got ${show(input)}`);
}

/** An integer attribute that APIM reads literally: a number in range or a named value. */
export function integerLiteral(
  input: number | NamedValue | undefined,
  where: string,
  range: IntegerRange,
): Value | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'number') return checkInteger(input, where, range);
  if (input instanceof NamedValue) return input;
  // toLiteral names the attribute when an expression slipped through an untyped caller.
  if ((input as unknown) instanceof Expression) return toLiteral(input as unknown as Expression, where);
  throw new PolicyError(`${where} must be ${describeRange(range)} or a named value, got ${show(input)}`);
}

/** A boolean attribute where APIM evaluates expressions. */
export function booleanValue(input: boolean | Expression | undefined, where: string): Value | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'boolean') return input ? 'true' : 'false';
  if (input instanceof Expression) return input;
  throw new PolicyError(`${where} must be true, false or an expression, got ${show(input)}`);
}

/** A boolean attribute that APIM reads literally. */
export function booleanLiteral(input: boolean | undefined, where: string): Value | undefined {
  if (input === undefined) return undefined;
  if (typeof input === 'boolean') return input ? 'true' : 'false';
  if ((input as unknown) instanceof Expression) return toLiteral(input as unknown as Expression, where);
  throw new PolicyError(`${where} must be true or false, got ${show(input)}`);
}

/** One of a fixed set of words, or (where APIM allows it) an expression. */
export function choiceValue<T extends string>(
  input: T | Expression | undefined,
  allowed: readonly T[],
  where: string,
  opts: { readonly expressions: boolean },
): Value | undefined {
  if (input === undefined) return undefined;
  if (input instanceof Expression) {
    return opts.expressions ? input : toLiteral(input, where);
  }
  if (!allowed.includes(input)) {
    const accepted = allowed.map((a) => show(a)).join(', ') + (opts.expressions ? ' or an expression' : '');
    throw new PolicyError(`${where} must be one of ${accepted}, got ${show(input)}`);
  }
  return input;
}

/** Refuses an empty literal string (a named value or expression is checked by APIM at run time). */
export function nonEmpty(value: Value, where: string): Value {
  if (value === '') throw new PolicyError(`${where} must not be empty`);
  return value;
}

/** Context variable names, as `code.variable()` in expressions.ts accepts them. */
export const VARIABLE_NAME = /^[A-Za-z0-9_.-]{1,128}$/;

export function checkVariableName(name: string, where: string): string {
  if (typeof name !== 'string' || !VARIABLE_NAME.test(name)) {
    throw new PolicyError(
      `${where} ${show(name)} is not a valid variable name: use 1-128 letters, digits, '_', '.' or '-'`,
    );
  }
  return name;
}

/** Element children of a statement list (comments do not count as policies). */
export function elementsOf(nodes: readonly PolicyNode[]): ElementNode[] {
  return nodes.filter((n): n is ElementNode => n.type === 'element');
}
