/**
 * fast-check generators of canonical policy documents and fragments, built with the model's own
 * constructors (`element`, `text`, `comment`, `literal`, `Expression`) so that a parsed value can be
 * compared with `toStrictEqual`.
 *
 * Scope, and why:
 * - Text nodes appear only as the single child of a leaf element. The renderer pretty-prints, which
 *   adds whitespace between the children of an element that has element children, so mixed content
 *   cannot come back unchanged; APIM policies do not use it either.
 * - No character is XML-illegal (C0 controls other than tab, newline and carriage return, lone
 *   surrogates, U+FFFE/U+FFFF) and none is in U+E000-U+F8FF, the private-use range the renderer and the
 *   parser use for their tokens.
 * - A literal never starts (after whitespace) with `@(` or `@{`: `toLiteral` refuses those, since APIM
 *   would evaluate them.
 * - A text node is never empty: `<a></a>` has no text child to read back.
 * - Comments hold no `--`, do not end in `-` (`comment()` refuses both) and hold no carriage return, which
 *   XML turns into a newline inside a comment (comments have no escapes).
 * - Expression code is balanced C#. `&` appears in it only as the `&&` operator, so no entity reference
 *   (`&amp;`, `&#...`) can form in rawxml code: the auto-detection reads such a text as xml, by design.
 */
import fc from 'fast-check';
import { PolicyDocument, PolicyFragment } from '../../lib/policy/document';
import { PolicyNode, comment, element, text } from '../../lib/policy/model';
import { SECTION_TABLE } from '../../lib/policy/sections';
import { Expression, Value, literal } from '../../lib/policy/value';

// ---------------------------------------------------------------------------------------------------
// Characters

/** Any XML-legal character outside the private-use tokens range, astral planes included. */
const anyChar: fc.Arbitrary<string> = fc
  .integer({ min: 0x20, max: 0x10ffff })
  .filter((cp) => !(cp >= 0xd800 && cp <= 0xdfff) && !(cp >= 0xe000 && cp <= 0xf8ff) && cp !== 0xfffe && cp !== 0xffff)
  .map((cp) => String.fromCodePoint(cp));

const namedValueName = fc.stringMatching(/^[A-Za-z0-9_-]{1,8}(\.[A-Za-z0-9_-]{1,8})?$/);

/** Pieces of literal text, biased towards what XML and the expression scanner treat specially. */
const literalPiece: fc.Arbitrary<string> = fc.oneof(
  { weight: 4, arbitrary: fc.string({ unit: 'grapheme-ascii', minLength: 1, maxLength: 6 }) },
  { weight: 2, arbitrary: anyChar },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      '"', "'", '<', '>', '&', '{', '}', '{{', '}}', '\t', '\n', '\r', '\r\n', ' ', '&amp;', '&#x41;', ']]>',
      '@', '@(', '@{', ')', '--', 'é', '\u00a0', '\u2028', '😀', '𝄞',
    ),
  },
  { weight: 2, arbitrary: namedValueName.map((n) => `{{${n}}}`) },
);

const literalText = (minLength: number): fc.Arbitrary<string> =>
  fc
    .array(literalPiece, { minLength, maxLength: 8 })
    .map((pieces) => pieces.join(''))
    // toLiteral refuses text that APIM would evaluate as an expression.
    .filter((s) => !/^\s*@[({]/.test(s));

// ---------------------------------------------------------------------------------------------------
// C# expressions

/** Characters inside string literals and comments: brackets, quotes and `<` that must not count. */
const codeTextChar: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom('a', 'Z', '0', ' ', '.', ',', ':', '=', '!', '?', '-', '+') },
  {
    weight: 4,
    arbitrary: fc.constantFrom('(', ')', '{', '}', '[', ']', '<', '>', "'", '@', '$', '/', '*', '#', ';', '`'),
  },
  { weight: 1, arbitrary: fc.constantFrom('é', '\u00a0', '😀', '中') },
);
const codeText = (extra: fc.Arbitrary<string>[] = []): fc.Arbitrary<string> =>
  fc.array(fc.oneof(codeTextChar, ...extra), { maxLength: 8 }).map((cs) => cs.join(''));

const regularString = codeText([fc.constantFrom('\\"', '\\\\', '\\n', '\\\'', '\\t')]).map((s) => `"${s}"`);
const verbatimString = codeText([fc.constantFrom('""', '\\', '\n', '\r\n', '\t')]).map((s) => `@"${s}"`);
const charLiteral = fc.constantFrom("')'", "'('", "'\"'", "'\\''", "'{'", "'}'", "'<'", "'\\\\'", "']'", "'/'");
const blockComment = codeText([fc.constantFrom('"', '\n', '/*', '* /')])
  .filter((s) => !s.includes('*/'))
  .map((s) => `/* ${s} */`);
// A line comment always ends with a newline: otherwise it would swallow the expression's closing bracket.
const lineComment = codeText([fc.constantFrom('"', '*/')]).map((s) => `// ${s}\n`);

const identifier = fc.constantFrom(
  'context.Request.Method',
  'context.Request.Headers',
  'context.Variables',
  'x',
  '_v1',
  '@class',
  'DateTime.UtcNow',
  '42',
  '3.5m',
  'true',
  'null',
);
const operator = fc.constantFrom(' == ', ' != ', ' && ', ' || ', ' < ', ' <= ', ' > ', ' + ', ', ', ' ?? ', '.');

const code: fc.Arbitrary<string> = fc.letrec<{ expr: string; atom: string; interpolated: string; hole: string }>(
  (tie) => ({
    atom: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      { weight: 4, arbitrary: identifier },
      { weight: 3, arbitrary: regularString },
      { weight: 2, arbitrary: verbatimString },
      { weight: 2, arbitrary: charLiteral },
      { weight: 2, arbitrary: tie('interpolated') },
      { weight: 1, arbitrary: blockComment },
      { weight: 1, arbitrary: tie('expr').map((e) => `(${e})`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `f(${e})`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `a[${e}]`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `new[] { ${e} }`) },
      { weight: 1, arbitrary: tie('expr').map((e) => `x => { return ${e}; }`) },
    ),
    expr: fc
      .tuple(tie('atom'), fc.array(fc.tuple(operator, tie('atom'), fc.oneof({ weight: 4, arbitrary: fc.constant('') }, { weight: 1, arbitrary: lineComment })), { maxLength: 3 }))
      .map(([first, rest]) => first + rest.map(([op, atom, lc]) => `${op}${atom}${lc}`).join('')),
    // No line comment in a hole: C# forbids a newline inside a regular interpolated string.
    hole: fc
      .tuple(tie('expr'), fc.constantFrom('', '', ':N2', ',5', ':yyyy-MM-dd'))
      .filter(([e]) => !e.includes('//'))
      .map(([e, format]) => `{${e}${format}}`),
    interpolated: fc
      .tuple(
        fc.constantFrom('$"', '$@"', '@$"'),
        fc.array(fc.oneof(tie('hole'), fc.constantFrom('{{', '}}', 'a', '(', ')', ' ', '<')), { maxLength: 4 }),
        fc.constantFrom('', '\\"', '""'),
      )
      .map(([open, parts, quote]) => {
        const verbatim = open !== '$"';
        // An escaped quote is `\"` in a regular string and `""` in a verbatim one.
        const q = quote === '' ? '' : verbatim ? '""' : '\\"';
        return `${open}${parts.join('')}${q}"`;
      }),
  }),
).expr;

export const expression: fc.Arbitrary<Expression> = fc.oneof(
  code.map((c) => new Expression('single', c)),
  code.map((c) => new Expression('multi', ` var v = ${c}; if (v != null) { return v; } return "}"; `)),
);

/** A value for an attribute or text: an expression, or literal text canonicalised by `literal()`. */
export const value = (minLength: number): fc.Arbitrary<Value> =>
  fc.oneof({ weight: 2, arbitrary: literalText(minLength).map((s) => literal(s)) }, { weight: 1, arbitrary: expression });

// ---------------------------------------------------------------------------------------------------
// Nodes

const knownName = fc.constantFrom(...Object.keys(SECTION_TABLE), 'when', 'otherwise', 'value', 'set-body');
const unknownName = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,10}$/);
const elementName = fc.oneof({ weight: 3, arbitrary: knownName }, { weight: 1, arbitrary: unknownName });
const attributeName = fc.oneof(
  fc.constantFrom('name', 'condition', 'exists-action', 'value', 'calls', 'renewal-period', 'key', 'id'),
  unknownName,
);

const attributes = fc.uniqueArray(fc.tuple(attributeName, value(0)), { maxLength: 4, selector: ([name]) => name });

export const commentNode = fc
  .array(fc.oneof(literalPiece, fc.constantFrom('-', ' -')), { maxLength: 6 })
  .map((pieces) => pieces.join('').replace(/\r/g, ''))
  .filter((s) => !s.includes('--') && !s.endsWith('-'))
  .map((s) => comment(s));

const nodes = fc.letrec<{ statement: PolicyNode; element: PolicyNode }>((tie) => ({
  statement: fc.oneof({ depthSize: 'small', withCrossShrink: true }, tie('element'), commentNode),
  element: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.tuple(elementName, attributes, value(1)).map(([name, attrs, v]) => element(name, attrs, [text(v)])),
    // A leaf keeps whitespace-only text, which is dropped beside elements.
    fc
      .tuple(elementName, fc.array(fc.constantFrom(' ', '\t', '\n', '\r\n'), { minLength: 1, maxLength: 4 }))
      .map(([name, ws]) => element(name, [], [text(ws.join(''))])),
    fc
      .tuple(elementName, attributes, fc.array(tie('statement'), { maxLength: 4 }))
      .map(([name, attrs, children]) => element(name, attrs, children)),
  ),
}));

export const statement: fc.Arbitrary<PolicyNode> = nodes.statement;
const statements = fc.array(statement, { maxLength: 4 });

// A tuple rather than fc.record, whose objects have a null prototype that toStrictEqual tells apart.
export const policyDocument: fc.Arbitrary<PolicyDocument> = fc
  .tuple(statements, statements, statements, statements)
  .map(([inbound, backend, outbound, onError]) => ({
    type: 'policies',
    sections: { inbound, backend, outbound, 'on-error': onError },
  }));

export const policyFragment: fc.Arbitrary<PolicyFragment> = statements.map((children) => ({ type: 'fragment', children }));

export const policyDocumentOrFragment: fc.Arbitrary<PolicyDocument | PolicyFragment> = fc.oneof(
  policyDocument,
  policyFragment,
);
