import { PolicyError, show } from './errors';

/** A named value reference, rendered `{{name}}`; APIM substitutes it before the policy runs. */
export class NamedValue {
  static readonly NAME = /^[A-Za-z0-9._-]{1,256}$/;
  constructor(readonly name: string) {
    if (!NamedValue.NAME.test(name)) {
      throw new PolicyError(
        `invalid named value name ${show(name)}: use 1-256 letters, digits, '.', '-' or '_'`,
      );
    }
  }
  toString(): string {
    return `{{${this.name}}}`;
  }
}

/** Literal text with named values inside it, such as `Bearer {{token}}`. */
export class Template {
  constructor(readonly parts: readonly (string | NamedValue)[]) {}
  toString(): string {
    return this.parts.map(String).join('');
  }
}

/**
 * A C# policy expression: `@(single statement)` or `@{ multi; statement; block }`.
 * `code` is the C# between the delimiters, kept verbatim.
 */
export class Expression {
  constructor(
    readonly kind: 'single' | 'multi',
    readonly code: string,
  ) {}
  toString(): string {
    return this.kind === 'single' ? `@(${this.code})` : `@{${this.code}}`;
  }
}

/** A value that APIM takes literally (named values are substituted, nothing is evaluated). */
export type Literal = string | NamedValue | Template;
/** The value of an attribute or a text node in the model. */
export type Value = Literal | Expression;

/** What builders accept for a literal-only attribute. */
export type LiteralInput = string | number | boolean | NamedValue | Template;
/** What builders accept where APIM evaluates policy expressions. */
export type ValueInput = LiteralInput | Expression;

const NAMED_VALUE_REF = /\{\{([A-Za-z0-9._-]{1,256})\}\}/g;

/**
 * Turns literal text into its canonical model value: `{{name}}` references become {@link NamedValue}s,
 * so a value built in code and the same value parsed from XML are equal.
 */
export function literal(text: string): Literal {
  const parts: (string | NamedValue)[] = [];
  let last = 0;
  for (const match of text.matchAll(NAMED_VALUE_REF)) {
    const at = match.index ?? 0;
    if (at > last) parts.push(text.slice(last, at));
    parts.push(new NamedValue(match[1]));
    last = at + match[0].length;
  }
  if (parts.length === 0) return text;
  if (last < text.length) parts.push(text.slice(last));
  return parts.length === 1 ? parts[0] : new Template(parts);
}

/** Flattens template parts into the canonical form (adjacent strings merged, single part unwrapped). */
export function template(parts: readonly (string | NamedValue | Template)[]): Literal {
  const flat: (string | NamedValue)[] = [];
  for (const part of parts) {
    const pieces = part instanceof Template ? part.parts : [part];
    for (const piece of pieces) {
      if (typeof piece === 'string') {
        if (piece === '') continue;
        const prev = flat[flat.length - 1];
        if (typeof prev === 'string') flat[flat.length - 1] = prev + piece;
        else flat.push(piece);
      } else {
        flat.push(piece);
      }
    }
  }
  if (flat.length === 0) return '';
  if (flat.length === 1) return flat[0];
  // Re-read through literal() so text like "{{" + "x}}" still canonicalises.
  return literal(flat.map(String).join(''));
}

function looksLikeExpression(text: string): boolean {
  return /^\s*@[({]/.test(text);
}

/**
 * Canonical value for an attribute where APIM evaluates expressions.
 * @param where names the attribute for error messages
 */
export function toValue(input: ValueInput, where: string): Value {
  if (input instanceof Expression) return input;
  return toLiteral(input, where);
}

/**
 * Canonical value for an attribute that APIM takes literally; an {@link Expression} is refused.
 * @param where names the attribute for error messages
 */
export function toLiteral(input: LiteralInput | Expression, where: string): Literal {
  if (input instanceof Expression) {
    throw new PolicyError(
      `${where} does not accept a policy expression (got ${input.toString()}); APIM reads it literally: ` +
        'give a string, number, boolean or named value',
    );
  }
  if (input instanceof NamedValue) return input;
  if (input instanceof Template) return template(input.parts);
  if (typeof input === 'number') {
    if (!Number.isFinite(input)) throw new PolicyError(`${where} must be a finite number, got ${show(input)}`);
    return String(input);
  }
  if (typeof input === 'boolean') return input ? 'true' : 'false';
  if (typeof input !== 'string') throw new PolicyError(`${where} must be a string, got ${show(input)}`);
  if (looksLikeExpression(input)) {
    throw new PolicyError(
      `${where} got the string ${show(input)}, which reads as a policy expression; build it with expr() or block()`,
    );
  }
  return literal(input);
}

/** True when the value is evaluated by APIM at run time. */
export function isExpression(value: Value): value is Expression {
  return value instanceof Expression;
}

/** The value's text as it appears in a policy document before XML escaping. */
export function valueText(value: Value): string {
  return value.toString();
}

/** Structural equality of two model values. */
export function sameValue(a: Value, b: Value): boolean {
  if (typeof a === 'string' || typeof b === 'string') return a === b;
  if (a instanceof Expression || b instanceof Expression) {
    return a instanceof Expression && b instanceof Expression && a.kind === b.kind && a.code === b.code;
  }
  return a.toString() === b.toString() && a.constructor === b.constructor;
}
