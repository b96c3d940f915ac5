import fc from 'fast-check';
import { PolicyDocument, PolicyFragment } from '../../lib/policy/document';
import { ElementNode, PolicyNode } from '../../lib/policy/model';
import { parsePolicy, parsePolicyWithLocations } from '../../lib/policy/parse';
import { POLICY_FORMATS, render } from '../../lib/policy/render';
import { PolicyParseError, SourceLines } from '../../lib/policy/mask';
import { SECTIONS } from '../../lib/policy/sections';
import { policyDocumentOrFragment } from './arbitraries';

// POLICY_ROUNDTRIP_RUNS=100000 for a long local run.
const numRuns = Number(process.env.POLICY_ROUNDTRIP_RUNS ?? 300);
const timeout = Math.max(30_000, numRuns * 100);
// The layout must not matter: whitespace between elements is dropped, whatever it is.
const indent = fc.constantFrom(undefined, '  ', '\t', '');

function elements(doc: PolicyDocument | PolicyFragment): ElementNode[] {
  const out: ElementNode[] = [];
  const walk = (nodes: readonly PolicyNode[]): void => {
    for (const n of nodes) {
      if (n.type === 'element') {
        out.push(n);
        walk(n.children);
      }
    }
  };
  if (doc.type === 'fragment') walk(doc.children);
  else for (const s of SECTIONS) walk(doc.sections[s]);
  return out;
}

/** The source offset of a 1-based line and column. */
function offsetOf(text: string, line: number, column: number): number {
  const lines = new SourceLines(text);
  let lo = 0;
  let hi = text.length;
  // Positions grow with offsets, so a binary search over offsets finds the line start.
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (lines.position(mid).line < line) lo = mid + 1;
    else hi = mid;
  }
  return lo + column - 1;
}

describe.each(POLICY_FORMATS)('render then parse, %s', (format) => {
  it(
    'gives back the document with the format named',
    () => {
      fc.assert(
        fc.property(policyDocumentOrFragment, indent, (doc, indentation) => {
          expect(parsePolicy(render(doc, { format, indent: indentation }), { format })).toStrictEqual(doc);
        }),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    'gives back the document with the format detected',
    () => {
      fc.assert(
        fc.property(policyDocumentOrFragment, indent, (doc, indentation) => {
          expect(parsePolicy(render(doc, { format, indent: indentation }))).toStrictEqual(doc);
        }),
        { numRuns },
      );
    },
    timeout,
  );

  it(
    "locates every element at its '<' and every expression at its '@'",
    () => {
      fc.assert(
        fc.property(policyDocumentOrFragment, (doc) => {
          const source = render(doc, { format });
          const parsed = parsePolicyWithLocations(source, { format });
          const found = elements(parsed.document);
          expect(parsed.locations.size).toBe(found.length);
          for (const node of found) {
            const loc = parsed.locations.get(node)!;
            expect(source.startsWith(`<${node.name}`, offsetOf(source, loc.line, loc.column))).toBe(true);
            expect(loc.path.split('/').pop()!.replace(/\[\d+\]$/, '')).toBe(node.name);
          }
          for (const e of parsed.expressions) {
            expect(source.slice(e.offset, e.end)).toBe(e.source);
            expect(offsetOf(source, e.line, e.column)).toBe(e.offset);
            expect(e.source.startsWith(e.kind === 'single' ? '@(' : '@{')).toBe(true);
          }
        }),
        { numRuns },
      );
    },
    timeout,
  );
});

describe('damaged documents', () => {
  // A linter reads whatever users wrote: any damage must give a PolicyParseError, never another error.
  const damage = fc.array(
    fc.tuple(fc.nat(), fc.nat({ max: 3 }), fc.constantFrom('', '"', "'", '<', '>', '(', ')', '{', '}', '@(', '&', '&quot;', '/', '*', '$"', '--', '\n', ']]>', '<!--')),
    { minLength: 1, maxLength: 3 },
  );

  it.each(POLICY_FORMATS)(
    'a damaged %s document parses or throws a PolicyParseError with a position inside the text',
    (format) => {
      fc.assert(
        fc.property(policyDocumentOrFragment, damage, (doc, edits) => {
          let source = render(doc, { format });
          for (const [at, remove, insert] of edits) {
            const i = at % (source.length + 1);
            source = source.slice(0, i) + insert + source.slice(i + remove);
          }
          try {
            parsePolicy(source);
          } catch (e) {
            expect(e).toBeInstanceOf(PolicyParseError);
            const { line, column } = e as PolicyParseError;
            const lines = source.split(/\r\n|\r|\n/);
            expect(line).toBeGreaterThanOrEqual(1);
            expect(line).toBeLessThanOrEqual(lines.length);
            expect(column).toBeGreaterThanOrEqual(1);
            expect(column).toBeLessThanOrEqual(lines[line - 1].length + 1);
          }
        }),
        { numRuns },
      );
    },
    timeout,
  );
});
