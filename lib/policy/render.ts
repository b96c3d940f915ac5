import { create } from 'xmlbuilder2';
import type { XMLBuilder } from 'xmlbuilder2/lib/interfaces';
import { PolicyDocument, PolicyFragment } from './document';
import { PolicyNode } from './model';
import { SECTIONS } from './sections';
import { Expression, Value } from './value';

/**
 * The two text formats APIM accepts.
 * - `rawxml`: C# expressions verbatim (`condition="@(x == "a")"`); what the azurerm policy resources send.
 *   Not well-formed XML.
 * - `xml`: well-formed; every `"`, `<`, `&` inside an expression is entity-escaped.
 */
export type PolicyFormat = 'rawxml' | 'xml';
export const POLICY_FORMATS: readonly PolicyFormat[] = ['rawxml', 'xml'];

export interface RenderOptions {
  /** @default 'rawxml' */
  readonly format?: PolicyFormat;
  /** Indentation of one level. @default four spaces */
  readonly indent?: string;
}

// Values go through xmlbuilder2 as opaque tokens and are substituted afterwards, so each format's
// escaping is ours alone (xmlbuilder2 would escape expressions in rawxml, and it leaves `&amp;`-like
// text unescaped). The token characters are private-use code points that never occur in names.
const TOKEN_OPEN = '\uE000';
const TOKEN_CLOSE = '\uE001';
const TOKEN = /\uE000(\d+)\uE001/g;

/** Renders a document, fragment or single node. The same input always gives the same text. */
export function render(input: PolicyDocument | PolicyFragment | PolicyNode, options: RenderOptions = {}): string {
  const format = options.format ?? 'rawxml';
  // A document node cannot hold text or a comment at its root, so these are written directly.
  if ('type' in input && input.type === 'text') return renderValue(input.value, format, 'text');
  if ('type' in input && input.type === 'comment') return `<!--${input.text}-->`;
  const values: string[] = [];
  const token = (rendered: string): string => {
    values.push(rendered);
    return `${TOKEN_OPEN}${values.length - 1}${TOKEN_CLOSE}`;
  };

  const root = create();
  const write = (parent: XMLBuilder, node: PolicyNode): void => {
    switch (node.type) {
      case 'element': {
        const el = parent.ele(node.name);
        for (const a of node.attributes) el.att(a.name, token(renderValue(a.value, format, 'attribute')));
        for (const child of node.children) write(el, child);
        return;
      }
      case 'text':
        parent.txt(token(renderValue(node.value, format, 'text')));
        return;
      case 'comment':
        parent.com(token(node.text));
        return;
    }
  };

  if ('type' in input && input.type === 'policies') {
    const policies = root.ele('policies');
    for (const section of SECTIONS) {
      const el = policies.ele(section);
      for (const node of input.sections[section]) write(el, node);
    }
  } else if ('type' in input && input.type === 'fragment') {
    const fragment = root.ele('fragment');
    for (const node of input.children) write(fragment, node);
  } else {
    write(root, input as PolicyNode);
  }

  const serialized = root.end({ headless: true, prettyPrint: true, indent: options.indent ?? '    ', spaceBeforeSlash: true });
  return serialized.replace(TOKEN, (_, index: string) => values[Number(index)]);
}

/** The text of one value as it appears in the given format and place. */
export function renderValue(value: Value, format: PolicyFormat, place: 'attribute' | 'text'): string {
  const raw = value.toString();
  if (value instanceof Expression && format === 'rawxml') return raw;
  return place === 'attribute' ? escapeAttribute(raw) : escapeText(raw);
}

export function escapeText(raw: string): string {
  return raw.replace(/[&<>\r]/g, (c) => ESCAPES[c]);
}

export function escapeAttribute(raw: string): string {
  return raw.replace(/[&<>"\r\n\t]/g, (c) => ESCAPES[c]);
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\r': '&#xD;',
  '\n': '&#xA;',
  '\t': '&#x9;',
};
