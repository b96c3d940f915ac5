import { SaxesParser } from 'saxes';
import { PolicyDocument, PolicyFragment } from './document';
import { PolicyError } from './errors';
import { MaskedExpression, MaskedPolicy, PolicyParseError, SourceLines, maskExpressions, scanExpression } from './mask';
import { Attribute, CommentNode, ElementNode, PolicyNode, TextNode, comment } from './model';
import { PolicyFormat } from './render';
import { SECTIONS, Section } from './sections';
import { Expression, Value, literal } from './value';

/** The format to read; `auto` tells the two apart from the expressions (see {@link parsePolicy}). */
export type ParseFormat = PolicyFormat | 'auto';

export interface ParseOptions {
  /** @default 'auto' */
  readonly format?: ParseFormat;
}

/** Where an element stands in the source, for messages about it. */
export interface ElementLocation {
  /** 1-based line of the element's `<`. */
  readonly line: number;
  /** 1-based column (UTF-16 code units) of the element's `<`. */
  readonly column: number;
  /**
   * Element names from the root, such as `policies/inbound/choose/when[1]/set-header`. The 0-based index
   * counts same-named siblings and is only given when there are several (as in {@link PolicyError} paths).
   */
  readonly path: string;
}

export interface ParsedPolicy {
  readonly document: PolicyDocument | PolicyFragment;
  /** The format the text was read as. */
  readonly format: PolicyFormat;
  /** Every element of the document (not the root and the sections, which are not element nodes). */
  readonly locations: Map<ElementNode, ElementLocation>;
  /** The expressions in source order, with their positions. */
  readonly expressions: readonly MaskedExpression[];
}

/**
 * Reads an APIM policy document (`<policies>`) or fragment (`<fragment>`) in either text format, so that
 * `parsePolicy(render(doc, { format }), { format })` equals `doc`.
 *
 * Section rules (which policy may stand where, one `<base/>`) are not checked here: a linter must be able
 * to read documents that break them. Call `checkDocument` for that.
 * @throws PolicyParseError with the line and column in `text`
 */
export function parsePolicy(text: string, options: ParseOptions = {}): PolicyDocument | PolicyFragment {
  return parsePolicyWithLocations(text, options).document;
}

/** Like {@link parsePolicy}, but the root must be `<policies>`. */
export function parseDocument(text: string, options: ParseOptions = {}): PolicyDocument {
  return expectRoot(text, options, 'policies') as PolicyDocument;
}

/** Like {@link parsePolicy}, but the root must be `<fragment>`. */
export function parseFragment(text: string, options: ParseOptions = {}): PolicyFragment {
  return expectRoot(text, options, 'fragment') as PolicyFragment;
}

/** Like {@link parsePolicy}, and says where each element and expression stands in `text`. */
export function parsePolicyWithLocations(text: string, options: ParseOptions = {}): ParsedPolicy {
  const { masked, result } = read(text, options.format ?? 'auto', (m) => toPolicy(readTree(m, 'document')));
  const locations = new Map<ElementNode, ElementLocation>();
  for (const { nodes, path } of result.roots) locate(nodes, path, result.tree, locations);
  return { document: result.document, format: masked.format, locations, expressions: masked.expressions };
}

/**
 * Reads exactly one element (a single policy, or any element) in either format.
 * @throws PolicyParseError when the text holds anything but one element (besides whitespace, an XML
 * declaration or processing instructions)
 */
export function parseElement(text: string, options: ParseOptions = {}): ElementNode {
  return read(text, options.format ?? 'auto', (m) => soleElement(readTree(m, 'element'))).result;
}

function expectRoot(text: string, options: ParseOptions, root: 'policies' | 'fragment'): PolicyDocument | PolicyFragment {
  const { result } = read(text, options.format ?? 'auto', (m) => toPolicy(readTree(m, 'document')));
  if (result.document.type !== root) {
    const other = result.document.type === 'policies' ? 'a policy document (<policies>)' : 'a policy fragment (<fragment>)';
    const wanted = root === 'policies' ? 'a policy document (<policies>)' : 'a policy fragment (<fragment>)';
    throw result.tree.error(`expected ${wanted}, got ${other}`, result.tree.rootOffset);
  }
  return result.document;
}

// ---------------------------------------------------------------------------------------------------
// Choosing the format

/**
 * Masks and reads `text` in the given format. With `auto`:
 * 1. mask as rawxml (C# verbatim) first. An xml document usually masks cleanly that way too, because its
 *    expressions hold no raw `<` and no raw quote of their attribute;
 * 2. if some expression then holds an entity reference (`&quot;` `&amp;` `&lt;` `&gt;` `&apos;` `&#`), read
 *    the text as xml; if that fails (a raw `<`, a bare `&`, or the attribute's own quote inside an
 *    expression: things only rawxml has), fall back to rawxml;
 * 3. otherwise read it as rawxml, and if masking or the XML parse fails, try xml.
 *
 * A raw `"` in an expression is not counted against xml in step 2: the xml format escapes `"` in
 * attributes but leaves it raw in text (`<value>@(f(&quot;a&quot;))</value>` is as valid as
 * `<value>@(f("a"))</value>`), and where it cannot stand the xml reading fails. Without an entity reference
 * in any expression both readings give the same document, and the result says rawxml. The one text this
 * misreads is a rawxml document whose only entity references sit in expressions that are also valid xml
 * (say `<value>@("&amp;")</value>` meant as the C# string "&amp;"), which the xml reading decodes.
 *
 * When both readings fail, the error noticed furthest into the text is reported: the reading that got
 * further is the likelier one.
 */
function read<T>(text: string, format: ParseFormat, build: (masked: MaskedPolicy) => T): { masked: MaskedPolicy; result: T } {
  if (format !== 'auto' && format !== 'rawxml' && format !== 'xml') {
    throw new PolicyError(`format must be 'rawxml', 'xml' or 'auto', got ${JSON.stringify(format)}`);
  }
  if (format !== 'auto') {
    const masked = maskExpressions(text, format);
    return { masked, result: build(masked) };
  }
  type Attempt = { ok: true; masked: MaskedPolicy; result: T } | { ok: false; error: PolicyParseError };
  const attempt = (format: PolicyFormat, masked?: MaskedPolicy): Attempt => {
    try {
      const m = masked ?? maskExpressions(text, format);
      return { ok: true, masked: m, result: build(m) };
    } catch (e) {
      if (e instanceof PolicyParseError) return { ok: false, error: e };
      throw e;
    }
  };
  let xml: Attempt | undefined;
  let rawMasked: MaskedPolicy | undefined;
  try {
    rawMasked = maskExpressions(text, 'rawxml');
  } catch (e) {
    if (!(e instanceof PolicyParseError)) throw e;
  }
  if (rawMasked?.expressions.some((e) => ENTITY_REFERENCE.test(e.source))) {
    xml = attempt('xml');
    if (xml.ok) return xml;
  }
  const raw = attempt('rawxml', rawMasked);
  if (raw.ok) return raw;
  xml ??= attempt('xml');
  if (xml.ok) return xml;
  throw xml.error.detectedAt > raw.error.detectedAt ? xml.error : raw.error;
}

const ENTITY_REFERENCE = /&(?:quot;|amp;|lt;|gt;|apos;|#)/;

// ---------------------------------------------------------------------------------------------------
// Reading the XML tree

type Role = 'policies' | 'section' | 'fragment' | 'element';

interface Frame {
  readonly name: string;
  readonly role: Role;
  readonly attributes: Attribute[];
  readonly children: PolicyNode[];
  readonly offset: number;
  /** Pending text and CDATA pieces, merged into one text node. */
  text: string[];
  textAt: number;
}

/** The parsed tree before it is read as a document: nodes plus where each stands in the masked text. */
interface Tree {
  readonly masked: MaskedPolicy;
  readonly root: ElementNode | undefined;
  readonly rootOffset: number;
  /** Comments outside the root element. */
  readonly outside: readonly PolicyNode[];
  /** Masked offsets of elements (their `<`), comments and the first non-blank character of text. */
  readonly offsets: Map<PolicyNode, number>;
  error(reason: string, maskedOffset: number, detectedAt?: number): PolicyParseError;
}

const BLANK = /^[ \t\r\n]*$/;
const BLANK_EDGES = /^[ \t\r\n]+|[ \t\r\n]+$/g;

/**
 * Runs saxes over the masked text and builds model nodes. In `element` mode there are no policy-document
 * roles, so no whitespace rule beyond the generic one applies at the root.
 */
function readTree(masked: MaskedPolicy, mode: 'document' | 'element'): Tree {
  const text = masked.masked;
  const offsets = new Map<PolicyNode, number>();
  const outside: PolicyNode[] = [];
  const stack: Frame[] = [];
  let root: ElementNode | undefined;
  let rootOffset = 0;
  let markupEnd = 0;
  let pendingAttributes: Attribute[] = [];
  let pendingOffset = 0;

  const error = (reason: string, maskedOffset: number, detectedAt = maskedOffset): PolicyParseError => {
    const expr = masked.expressionAt(maskedOffset);
    const why = expr ? `${reason} (at the policy expression ${show(expr.source)})` : reason;
    return masked.lines.error(why, masked.toSourceOffset(maskedOffset), masked.toSourceOffset(detectedAt));
  };
  const at = (node: PolicyNode, offset: number): void => {
    offsets.set(node, offset);
  };
  const firstNonBlank = (from: number): number => {
    let i = from;
    while (i < text.length && /[ \t\r\n]/.test(text[i])) i++;
    return i;
  };

  const parser = new SaxesParser({ xmlns: false, position: true });

  const flushText = (): void => {
    const frame = stack[stack.length - 1];
    if (!frame || frame.text.length === 0) return;
    const content = frame.text.join('');
    const start = firstNonBlank(frame.textAt);
    frame.text = [];
    if (BLANK.test(content)) {
      // Kept for now: a leaf's whitespace is its value; it is dropped at the close if the element has
      // element or comment children.
      frame.children.push({ type: 'text', value: content });
      return;
    }
    if (frame.role === 'policies') {
      throw error('text is not allowed directly in <policies>: it holds only the sections', start);
    }
    const node: TextNode = { type: 'text', value: textValue(masked, content) };
    at(node, start);
    frame.children.push(node);
  };
  const addText = (piece: string): void => {
    const frame = stack[stack.length - 1];
    // Outside the root saxes refuses anything but whitespace (see the error handler).
    if (!frame) return;
    if (frame.text.length === 0) frame.textAt = markupEnd;
    frame.text.push(piece);
  };

  parser.on('opentagstart', (tag) => {
    flushText();
    // saxes reports the name once it has read the character after it; the `<` is just before the name.
    pendingOffset = text.lastIndexOf(`<${tag.name}`, parser.position);
    pendingAttributes = [];
  });
  parser.on('attribute', (a) => {
    pendingAttributes.push({ name: a.name, value: attributeValue(masked, a.value) });
  });
  parser.on('opentag', (tag) => {
    const parent = stack[stack.length - 1];
    let role: Role = 'element';
    if (mode === 'document') {
      if (!parent && tag.name === 'policies') role = 'policies';
      else if (!parent && tag.name === 'fragment') role = 'fragment';
      else if (parent?.role === 'policies') role = 'section';
    }
    stack.push({
      name: tag.name,
      role,
      attributes: pendingAttributes,
      children: [],
      offset: pendingOffset,
      text: [],
      textAt: 0,
    });
    markupEnd = parser.position;
  });
  parser.on('text', addText);
  parser.on('cdata', (data) => {
    addText(data);
    markupEnd = parser.position;
  });
  parser.on('comment', (content) => {
    flushText();
    const start = text.lastIndexOf('<!--', parser.position - 1);
    let node: CommentNode;
    try {
      node = comment(content);
    } catch (e) {
      throw error((e as Error).message, start);
    }
    at(node, start);
    const frame = stack[stack.length - 1];
    if (frame) frame.children.push(node);
    else outside.push(node);
    markupEnd = parser.position;
  });
  const skip = (): void => {
    markupEnd = parser.position;
  };
  parser.on('processinginstruction', skip);
  parser.on('xmldecl', skip);
  parser.on('doctype', skip);
  parser.on('closetag', (tag) => {
    flushText();
    const frame = stack[stack.length - 1];
    if (!tag.isSelfClosing) {
      // saxes closes mismatched elements one by one before it complains; say which tag was expected.
      const start = text.lastIndexOf('</', parser.position - 1);
      const name = /^<\/([^\s>]*)/.exec(text.slice(start))?.[1] ?? '';
      if (name !== frame.name) {
        const open = masked.positionOfMasked(frame.offset);
        throw error(
          `</${name}> does not close the open <${frame.name}> (line ${open.line}, column ${open.column})`,
          start,
        );
      }
    }
    stack.pop();
    const hasMarkup = frame.children.some((c) => c.type !== 'text');
    const children =
      hasMarkup || frame.role !== 'element'
        ? frame.children.filter((c) => !(c.type === 'text' && typeof c.value === 'string' && BLANK.test(c.value)))
        : frame.children;
    // Built as a plain node rather than with element(): a real policy may carry names element() does not
    // build (an XSLT stylesheet's `xsl:` elements in xsl-transform), and saxes has checked them already.
    const node: ElementNode = { type: 'element', name: frame.name, attributes: frame.attributes, children };
    at(node, frame.offset);
    const parent = stack[stack.length - 1];
    if (parent) parent.children.push(node);
    else {
      root = node;
      rootOffset = frame.offset;
    }
    markupEnd = parser.position;
  });
  parser.on('error', (e) => {
    const reason = e.message.replace(/^\d+:\d+: /, '').replace(/\.$/, '');
    const here = Math.max(0, parser.position - 1);
    const detected = parser.position;
    if (reason.startsWith('unclosed tag')) {
      const open = stack[stack.length - 1];
      throw error(`<${open.name}> is never closed`, open.offset, detected);
    }
    if (reason.startsWith('documents may contain only one root')) {
      const start = text.lastIndexOf('<', here);
      const name = /^<([^\s/>]*)/.exec(text.slice(start))?.[1] ?? '';
      throw error(
        mode === 'element'
          ? `expected exactly one element, got a second one: <${name}>`
          : `a second root element <${name}>: a policy document has one root, <policies> or <fragment>`,
        start,
        detected,
      );
    }
    if (reason.startsWith('text data outside of root node')) {
      const start = firstNonBlank(markupEnd);
      throw error(
        mode === 'element' ? 'expected exactly one element, got text outside it' : 'text outside the root element',
        start,
        detected,
      );
    }
    if (reason.startsWith('document must contain a root element')) {
      throw error(
        mode === 'element'
          ? 'expected exactly one element, got none'
          : 'no root element: expected <policies> or <fragment>',
        text.length,
      );
    }
    throw error(reason, here, detected);
  });

  parser.write(text).close();
  return { masked, root, rootOffset, outside, offsets, error };
}

function attributeValue(masked: MaskedPolicy, value: string): Value {
  const e = masked.soleExpression(value, false);
  if (e) return new Expression(e.kind, e.code);
  return decodedValue(masked.unmask(value), false);
}

function textValue(masked: MaskedPolicy, content: string): Value {
  const e = masked.soleExpression(content, true);
  if (e) return new Expression(e.kind, e.code);
  return decodedValue(masked.unmask(content), true);
}

/**
 * A value that reads as a whole expression only once XML has decoded it (`<![CDATA[@(...)]]>`,
 * `&#64;(...)`) is one for APIM too, which sees the decoded text. Anything else is literal text.
 */
function decodedValue(value: string, trim: boolean): Value {
  const body = trim ? value.replace(BLANK_EDGES, '') : value;
  if (/^@[({]/.test(body)) {
    try {
      if (scanExpression(body, 0, 'rawxml', '', new SourceLines(body)).end === body.length) {
        return new Expression(body[1] === '(' ? 'single' : 'multi', body.slice(2, -1));
      }
    } catch (e) {
      if (!(e instanceof PolicyParseError)) throw e;
    }
  }
  return literal(value);
}

function show(text: string): string {
  return JSON.stringify(text.length > 40 ? `${text.slice(0, 37)}...` : text);
}

// ---------------------------------------------------------------------------------------------------
// From the tree to a document

interface ReadPolicy {
  readonly tree: Tree;
  readonly document: PolicyDocument | PolicyFragment;
  /** The node lists whose elements get locations, with the path of their parent. */
  readonly roots: readonly { nodes: readonly PolicyNode[]; path: string }[];
}

function toPolicy(tree: Tree): ReadPolicy {
  const root = tree.root!;
  const where = (node: PolicyNode): number => tree.offsets.get(node) ?? 0;
  const noAttributes = (node: ElementNode, what: string): void => {
    if (node.attributes.length > 0) {
      throw tree.error(`${what} takes no attributes, got ${node.attributes.map((a) => a.name).join(', ')}`, where(node));
    }
  };
  if (root.name === 'fragment') {
    noAttributes(root, '<fragment>');
    return { tree, document: { type: 'fragment', children: root.children }, roots: [{ nodes: root.children, path: 'fragment' }] };
  }
  if (root.name !== 'policies') {
    throw tree.error(
      `the root element must be <policies> (a policy document) or <fragment> (a policy fragment), got <${root.name}>`,
      tree.rootOffset,
    );
  }
  noAttributes(root, '<policies>');
  const sections: Record<Section, readonly PolicyNode[]> = { inbound: [], backend: [], outbound: [], 'on-error': [] };
  const seen = new Map<Section, ElementNode>();
  const roots: { nodes: readonly PolicyNode[]; path: string }[] = [];
  for (const child of root.children) {
    // Comments between sections have no place in the model and are dropped; text was refused while reading.
    if (child.type !== 'element') continue;
    const name = child.name as Section;
    if (!SECTIONS.includes(name)) {
      throw tree.error(`<${child.name}> is not a section: <policies> holds ${SECTIONS.map((s) => `<${s}>`).join(', ')}`, where(child));
    }
    const first = seen.get(name);
    if (first) {
      const p = tree.masked.positionOfMasked(where(first));
      throw tree.error(`a second <${name}> section (the first is at line ${p.line}, column ${p.column})`, where(child));
    }
    noAttributes(child, `<${name}>`);
    seen.set(name, child);
    sections[name] = child.children;
    roots.push({ nodes: child.children, path: `policies/${name}` });
  }
  return { tree, document: { type: 'policies', sections }, roots };
}

function soleElement(tree: Tree): ElementNode {
  // A comment beside the element would be lost: the element is all that raw() returns.
  const stray = tree.outside[0];
  if (stray) throw tree.error('expected exactly one element, got a comment besides it', tree.offsets.get(stray) ?? 0);
  return tree.root!;
}

function locate(nodes: readonly PolicyNode[], parentPath: string, tree: Tree, out: Map<ElementNode, ElementLocation>): void {
  const counts = new Map<string, number>();
  for (const n of nodes) if (n.type === 'element') counts.set(n.name, (counts.get(n.name) ?? 0) + 1);
  const seen = new Map<string, number>();
  for (const n of nodes) {
    if (n.type !== 'element') continue;
    const index = seen.get(n.name) ?? 0;
    seen.set(n.name, index + 1);
    const path = `${parentPath}/${n.name}${(counts.get(n.name) ?? 0) > 1 ? `[${index}]` : ''}`;
    const { line, column } = tree.masked.positionOfMasked(tree.offsets.get(n) ?? 0);
    out.set(n, { line, column, path });
    locate(n.children, path, tree, out);
  }
}
