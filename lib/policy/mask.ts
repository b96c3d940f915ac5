import { PolicyError } from './errors';
import type { PolicyFormat } from './render';

/**
 * A policy document that cannot be read. `line` and `column` are 1-based and point into the text that
 * was given (columns count UTF-16 code units, as editors and the TypeScript compiler do).
 */
export class PolicyParseError extends PolicyError {
  constructor(
    /** What is wrong, without the position. */
    readonly reason: string,
    readonly line: number,
    readonly column: number,
    /** 0-based offset into the text of the position reported. */
    readonly offset: number,
    /**
     * Where the reader noticed the problem, which may lie after `offset` (an unclosed expression is
     * reported where it starts but noticed at the end of its value). Used to choose between the errors
     * of two format readings.
     */
    readonly detectedAt: number = offset,
  ) {
    super(`line ${line}, column ${column}: ${reason}`);
    this.name = 'PolicyParseError';
  }
}

export interface SourcePosition {
  /** 1-based. */
  readonly line: number;
  /** 1-based, in UTF-16 code units. */
  readonly column: number;
}

/** Line and column lookup for a text; `\n`, `\r\n` and a lone `\r` each end a line, as in XML. */
export class SourceLines {
  private readonly starts: number[] = [0];
  constructor(readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 0x0a || (c === 0x0d && text.charCodeAt(i + 1) !== 0x0a)) this.starts.push(i + 1);
    }
  }
  position(offset: number): SourcePosition {
    const at = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= at) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: at - this.starts[lo] + 1 };
  }
  error(reason: string, offset: number, detectedAt = offset): PolicyParseError {
    const { line, column } = this.position(offset);
    return new PolicyParseError(reason, line, column, offset, detectedAt);
  }
}

/** One policy expression found in the source and replaced by a token in the masked text. */
export interface MaskedExpression {
  /** Position in {@link MaskedPolicy.expressions}. */
  readonly index: number;
  /** `single` for `@(...)`, `multi` for `@{...}`. */
  readonly kind: 'single' | 'multi';
  /** The C# between the delimiters: verbatim in rawxml, with entity references decoded in xml. */
  readonly code: string;
  readonly place: 'attribute' | 'text';
  /** The expression exactly as written in the source, delimiters included. */
  readonly source: string;
  /** 0-based source offset of the `@`. */
  readonly offset: number;
  /** 0-based source offset just after the closing delimiter. */
  readonly end: number;
  /** Position of the `@` in the source. */
  readonly line: number;
  readonly column: number;
  /** The text that stands for the expression in the masked text. */
  readonly token: string;
  /** Offset of the token in the masked text. */
  readonly maskedOffset: number;
}

const XML_SPACE = /[ \t\r\n]/;

/**
 * The source with every policy expression replaced by an opaque token, ready for an XML parser, and the
 * way back: masked offsets to source offsets and positions, tokens to expressions.
 */
export class MaskedPolicy {
  readonly lines: SourceLines;
  private readonly tokenRun: RegExp;
  private readonly soleToken: RegExp;
  private readonly byToken = new Map<string, MaskedExpression>();

  constructor(
    readonly source: string,
    readonly format: PolicyFormat,
    readonly masked: string,
    readonly expressions: readonly MaskedExpression[],
    /** The two characters that open and close a token (private-use code points absent from the source). */
    readonly tokenDelimiters: readonly [string, string],
    lines?: SourceLines,
  ) {
    this.lines = lines ?? new SourceLines(source);
    const [open, close] = tokenDelimiters;
    this.tokenRun = new RegExp(`${open}\\d+${close}`, 'g');
    this.soleToken = new RegExp(`^[ \\t\\r\\n]*(${open}\\d+${close})[ \\t\\r\\n]*$`);
    for (const e of expressions) this.byToken.set(e.token, e);
  }

  /** The source offset of a masked offset; an offset inside a token maps to the expression's `@`. */
  toSourceOffset(maskedOffset: number): number {
    const e = this.lastExpressionFrom(maskedOffset);
    if (!e) return maskedOffset;
    if (maskedOffset < e.maskedOffset + e.token.length) return e.offset;
    return maskedOffset + e.end - (e.maskedOffset + e.token.length);
  }

  /** Line and column in the source of a masked offset. */
  positionOfMasked(maskedOffset: number): SourcePosition {
    return this.lines.position(this.toSourceOffset(maskedOffset));
  }

  /** The expression whose token covers the masked offset, if any. */
  expressionAt(maskedOffset: number): MaskedExpression | undefined {
    const e = this.lastExpressionFrom(maskedOffset);
    return e && maskedOffset < e.maskedOffset + e.token.length ? e : undefined;
  }

  /** The last expression whose token starts at or before the masked offset (binary search). */
  private lastExpressionFrom(maskedOffset: number): MaskedExpression | undefined {
    let lo = 0;
    let hi = this.expressions.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.expressions[mid].maskedOffset <= maskedOffset) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? this.expressions[lo - 1] : undefined;
  }

  /**
   * The expression when `value` (text from the masked document) is exactly one token; with
   * `trim`, XML whitespace around the token is allowed.
   */
  soleExpression(value: string, trim: boolean): MaskedExpression | undefined {
    if (!trim) return this.byToken.get(value);
    const match = this.soleToken.exec(value);
    return match ? this.byToken.get(match[1]) : undefined;
  }

  /** Puts the expressions back as their text (`@(code)` with the code as read). */
  unmask(value: string): string {
    return value.replace(this.tokenRun, (token) => {
      const e = this.byToken.get(token);
      if (!e) return token;
      return e.kind === 'single' ? `@(${e.code})` : `@{${e.code}}`;
    });
  }
}

/**
 * Finds the policy expressions of an APIM policy document and masks them, so that an XML parser can read
 * the rest. Works on both formats:
 * - `rawxml`: expressions are C# verbatim (raw `"`, `<`, `&&` inside them), so only a C#-aware scan can
 *   tell where they end.
 * - `xml`: expressions are entity-escaped; the C# scan reads `&quot;` as `"` and so on, and a raw `<` or
 *   the attribute's own quote ends the value (the XML would not be well-formed otherwise).
 *
 * An expression is recognised where an attribute value starts with `@(` / `@{`, or where text content
 * starts with them after optional whitespace, as APIM does.
 * @throws PolicyParseError for an expression that never closes, or unbalanced brackets inside one
 */
export function maskExpressions(source: string, format: PolicyFormat): MaskedPolicy {
  return new Masker(source, format).run();
}

const ENTITY = /&(?:(quot|amp|lt|gt|apos)|#([0-9]+)|#x([0-9a-fA-F]+));/y;
const NAMED_ENTITIES: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" };

/** Decodes the five XML entities and character references; `undefined` when `&` does not start one. */
function entityAt(text: string, at: number): { ch: string; next: number } | undefined {
  ENTITY.lastIndex = at;
  const m = ENTITY.exec(text);
  if (!m) return undefined;
  let ch: string;
  if (m[1]) ch = NAMED_ENTITIES[m[1]];
  else {
    const cp = m[2] !== undefined ? Number.parseInt(m[2], 10) : Number.parseInt(m[3], 16);
    if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff) || cp === 0) return undefined;
    ch = String.fromCodePoint(cp);
  }
  return { ch, next: at + m[0].length };
}

/** Decodes entity references in text the masker already checked. */
function decodeEntities(text: string): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    if (text[i] === '&') {
      const e = entityAt(text, i);
      if (e) {
        out += e.ch;
        i = e.next;
        continue;
      }
    }
    out += text[i];
    i++;
  }
  return out;
}

/** Two private-use characters that do not occur in the source, so tokens cannot collide with its text. */
function pickDelimiters(source: string): [string, string] {
  const found: string[] = [];
  for (let cp = 0xe002; cp <= 0xf8ff && found.length < 2; cp++) {
    const ch = String.fromCharCode(cp);
    if (!source.includes(ch)) found.push(ch);
  }
  if (found.length < 2) throw new PolicyError('the text uses nearly every private-use character; it cannot be masked');
  return [found[0], found[1]];
}

class Masker {
  private readonly lines: SourceLines;
  private readonly pieces: string[] = [];
  private readonly expressions: MaskedExpression[] = [];
  private readonly delimiters: [string, string];
  private copied = 0;
  private maskedLength = 0;

  constructor(
    private readonly src: string,
    private readonly format: PolicyFormat,
  ) {
    this.lines = new SourceLines(src);
    this.delimiters = pickDelimiters(src);
  }

  run(): MaskedPolicy {
    const src = this.src;
    const n = src.length;
    let i = 0;
    let textStart = true;
    while (i < n) {
      const c = src[i];
      if (c === '<') {
        i = this.markup(i);
        textStart = true;
        continue;
      }
      if (textStart) {
        if (XML_SPACE.test(c)) {
          i++;
          continue;
        }
        textStart = false;
        if (this.opensExpression(i)) {
          i = this.expression(i, 'text', '<');
          continue;
        }
      }
      i++;
    }
    this.pieces.push(src.slice(this.copied));
    return new MaskedPolicy(src, this.format, this.pieces.join(''), this.expressions, this.delimiters, this.lines);
  }

  private opensExpression(at: number): boolean {
    return this.src[at] === '@' && (this.src[at + 1] === '(' || this.src[at + 1] === '{');
  }

  /** Skips one piece of markup starting at `<`; returns the offset after it. */
  private markup(at: number): number {
    const src = this.src;
    const skipTo = (end: string, from: number): number => {
      const j = src.indexOf(end, from);
      return j < 0 ? src.length : j + end.length;
    };
    if (src.startsWith('<!--', at)) return skipTo('-->', at + 4);
    if (src.startsWith('<![CDATA[', at)) return skipTo(']]>', at + 9);
    if (src.startsWith('<?', at)) return skipTo('?>', at + 2);
    if (src.startsWith('<!', at)) return this.declaration(at + 2);
    if (src.startsWith('</', at)) return skipTo('>', at + 2);
    return this.startTag(at + 1);
  }

  /** `<!DOCTYPE ...>` with an optional internal subset in brackets. */
  private declaration(from: number): number {
    const src = this.src;
    let depth = 0;
    let quote: string | undefined;
    for (let j = from; j < src.length; j++) {
      const c = src[j];
      if (quote) {
        if (c === quote) quote = undefined;
      } else if (c === '"' || c === "'") quote = c;
      else if (c === '[') depth++;
      else if (c === ']') depth--;
      else if (c === '>' && depth <= 0) return j + 1;
    }
    return src.length;
  }

  private startTag(from: number): number {
    const src = this.src;
    let j = from;
    while (j < src.length) {
      const c = src[j];
      if (c === '>') return j + 1;
      // A stray `<` means the tag is broken; resume there and let the XML parser report it.
      if (c === '<') return j;
      if (c === '"' || c === "'") {
        j = this.attributeValue(j + 1, c);
        continue;
      }
      j++;
    }
    return j;
  }

  private attributeValue(from: number, quote: string): number {
    const src = this.src;
    let j = from;
    if (this.opensExpression(j)) j = this.expression(j, 'attribute', quote);
    while (j < src.length && src[j] !== quote) j++;
    return Math.min(j + 1, src.length);
  }

  /** Scans the expression at `at` (its `@`), records it and returns the offset after it. */
  private expression(at: number, place: 'attribute' | 'text', delimiter: string): number {
    const scan = scanExpression(this.src, at, this.format, delimiter, this.lines);
    const rawCode = this.src.slice(at + 2, scan.end - 1);
    const code = this.format === 'xml' ? decodeEntities(rawCode) : rawCode;
    const [open, close] = this.delimiters;
    const index = this.expressions.length;
    const token = `${open}${index}${close}`;
    const before = this.src.slice(this.copied, at);
    this.pieces.push(before, token);
    this.maskedLength += before.length;
    const { line, column } = this.lines.position(at);
    this.expressions.push({
      index,
      kind: this.src[at + 1] === '(' ? 'single' : 'multi',
      code,
      place,
      source: this.src.slice(at, scan.end),
      offset: at,
      end: scan.end,
      line,
      column,
      token,
      maskedOffset: this.maskedLength,
    });
    this.maskedLength += token.length;
    this.copied = scan.end;
    return scan.end;
  }
}

type Frame =
  | { readonly kind: 'code'; readonly closer: string; readonly at: number }
  | { readonly kind: 'hole'; readonly at: number }
  | { readonly kind: 'interpolated'; readonly verbatim: boolean; readonly at: number };

const CLOSERS: Record<string, string> = { '(': ')', '[': ']', '{': '}' };

/**
 * Scans one C# policy expression whose `@` is at `at` and returns the offset just after its closing
 * delimiter. Strings (regular, verbatim, interpolated with nested holes), char literals and comments are
 * skipped as units, so brackets inside them do not count.
 *
 * In `xml` the scan reads entity references as the characters they stand for, and stops at a raw `<` or
 * at `delimiter` (the attribute's quote, or `<` for text), where the value ends.
 * @throws PolicyParseError when the expression does not close, or a bracket does not match
 */
export function scanExpression(
  src: string,
  at: number,
  format: PolicyFormat,
  delimiter: string,
  lines: SourceLines = new SourceLines(src),
): { end: number } {
  const xml = format === 'xml';
  const where = (offset: number): string => {
    const p = lines.position(offset);
    return `line ${p.line}, column ${p.column}`;
  };
  const opener = `@${src[at + 1]}`;
  const stack: Frame[] = [{ kind: 'code', closer: CLOSERS[src[at + 1]], at }];
  let p = at + 2;

  const unclosed = (inside: string, stoppedAt: number, why: string): PolicyParseError =>
    lines.error(
      `the policy expression ${opener} starting here never closes: ${why} (${inside}; ` +
        `${stack.filter((f) => f.kind === 'code').length} bracket(s) open)`,
      at,
      stoppedAt,
    );

  /** The logical character at `q` and the offset after it, or a reason the value ends there. */
  const charAt = (q: number): { ch: string; next: number } | { end: string } => {
    if (q >= src.length) return { end: `reached the end of the input at ${where(q)}` };
    const c = src[q];
    if (!xml) return { ch: c, next: q + 1 };
    if (c === delimiter) {
      return { end: `the ${delimiter === '<' ? 'text' : 'attribute value'} ends at ${where(q)}` };
    }
    if (c === '<') return { end: `a raw '<' at ${where(q)} is not allowed in the xml format (write &lt;)` };
    if (c === '&') {
      const e = entityAt(src, q);
      if (!e) {
        throw lines.error(
          `'&' must start an entity reference (&amp; &quot; &lt; &gt; &apos; &#NN;) in the xml format; ` +
            `found inside the policy expression starting at ${where(at)}`,
          q,
        );
      }
      return e;
    }
    return { ch: c, next: q + 1 };
  };

  /** Reads one character inside a literal or comment, or throws with what was left open. */
  const take = (inside: string): string => {
    const r = charAt(p);
    if ('end' in r) throw unclosed(inside, p, r.end);
    p = r.next;
    return r.ch;
  };
  /** Steps over a character already seen with peek(). */
  const advance = (): void => {
    const r = charAt(p);
    if (!('end' in r)) p = r.next;
  };
  const peek = (): string | undefined => {
    const r = charAt(p);
    return 'end' in r ? undefined : r.ch;
  };
  const peek2 = (): string | undefined => {
    const r = charAt(p);
    if ('end' in r) return undefined;
    const s = charAt(r.next);
    return 'end' in s ? undefined : s.ch;
  };

  const regularString = (): void => {
    for (;;) {
      const c = take('inside a string literal');
      if (c === '\\') take('inside a string literal');
      else if (c === '"') return;
    }
  };
  const verbatimString = (): void => {
    for (;;) {
      const c = take('inside a verbatim string literal');
      if (c === '"') {
        if (peek() === '"') advance();
        else return;
      }
    }
  };
  const charLiteral = (): void => {
    for (;;) {
      const c = take('inside a char literal');
      if (c === '\\') take('inside a char literal');
      else if (c === "'") return;
    }
  };
  const lineComment = (): void => {
    for (;;) {
      const c = take('inside a // comment');
      if (c === '\n' || c === '\r') return;
    }
  };
  const blockComment = (): void => {
    for (;;) {
      const c = take('inside a /* */ comment');
      if (c === '*' && peek() === '/') {
        advance();
        return;
      }
    }
  };

  for (;;) {
    const top = stack[stack.length - 1];
    if (top.kind === 'interpolated') {
      const start = p;
      const c = take('inside an interpolated string');
      if (c === '{') {
        if (peek() === '{') advance();
        else stack.push({ kind: 'hole', at: start });
      } else if (c === '}') {
        if (peek() === '}') advance();
      } else if (c === '\\' && !top.verbatim) {
        take('inside an interpolated string');
      } else if (c === '"') {
        if (top.verbatim && peek() === '"') advance();
        else stack.pop();
      }
      continue;
    }

    const start = p;
    const r = charAt(p);
    if ('end' in r) throw unclosed('in code', p, r.end);
    p = r.next;
    const c = r.ch;
    switch (c) {
      case '"':
        regularString();
        break;
      case "'":
        charLiteral();
        break;
      case '@':
        if (peek() === '"') {
          advance();
          verbatimString();
        } else if (peek() === '$' && peek2() === '"') {
          advance();
          advance();
          stack.push({ kind: 'interpolated', verbatim: true, at: start });
        }
        break;
      case '$':
        if (peek() === '"') {
          advance();
          stack.push({ kind: 'interpolated', verbatim: false, at: start });
        } else if (peek() === '@' && peek2() === '"') {
          advance();
          advance();
          stack.push({ kind: 'interpolated', verbatim: true, at: start });
        }
        break;
      case '/':
        if (peek() === '/') {
          advance();
          lineComment();
        } else if (peek() === '*') {
          advance();
          blockComment();
        }
        break;
      case '(':
      case '[':
      case '{':
        stack.push({ kind: 'code', closer: CLOSERS[c], at: start });
        break;
      case ':':
        // A format clause `{value:N2}` in a hole runs to the hole's `}`; `::` is an alias qualifier.
        if (top.kind === 'hole') {
          if (peek() === ':') advance();
          else {
            while (peek() !== '}') take('inside the format clause of an interpolation hole');
          }
        }
        break;
      case ')':
      case ']':
      case '}': {
        if (top.kind === 'hole' && c === '}') {
          stack.pop();
          break;
        }
        if (top.kind === 'code' && top.closer === c) {
          stack.pop();
          if (stack.length === 0) return { end: p };
          break;
        }
        const expected = top.kind === 'code' ? `'${top.closer}'` : "'}' (end of an interpolation hole)";
        throw lines.error(
          `'${c}' does not match: expected ${expected} for the bracket at ${where(top.at)} ` +
            `(in the policy expression starting at ${where(at)})`,
          start,
        );
      }
      default:
        break;
    }
  }
}
