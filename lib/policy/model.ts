import { PolicyError, show } from './errors';
import { AllowedIn, KnownPolicyName, Section } from './sections';
import { Value } from './value';

/** An attribute in document order. */
export interface Attribute {
  readonly name: string;
  readonly value: Value;
}

export interface ElementNode {
  readonly type: 'element';
  readonly name: string;
  readonly attributes: readonly Attribute[];
  readonly children: readonly PolicyNode[];
}

export interface TextNode {
  readonly type: 'text';
  readonly value: Value;
}

export interface CommentNode {
  readonly type: 'comment';
  readonly text: string;
}

export type PolicyNode = ElementNode | TextNode | CommentNode;

declare const allowedIn: unique symbol;

/**
 * A policy statement that may stand in the sections `S`.
 *
 * The phantom member is contravariant in `S`, so a policy allowed in `inbound | outbound` fits where an
 * `inbound` policy is expected, and a container such as `choose` infers the sections all of its children
 * share. Putting a policy where APIM does not allow it is a compile error.
 */
export interface Policy<S extends Section = Section> extends ElementNode {
  readonly [allowedIn]?: (section: S) => void;
}

/** What a section (or a container inside one) holds: policies and comments. */
export type Statement<S extends Section> = Policy<S> | CommentNode;

const XML_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

function checkName(name: string, what: string): void {
  if (!XML_NAME.test(name)) throw new PolicyError(`invalid ${what} name ${show(name)}`);
}

/** Builds an element node; attributes whose value is undefined are left out. */
export function element<N extends string>(
  name: N,
  attributes: readonly (readonly [string, Value | undefined])[] = [],
  children: readonly PolicyNode[] = [],
): ElementNode & { readonly name: N } {
  checkName(name, 'element');
  const attrs: Attribute[] = [];
  const seen = new Set<string>();
  for (const [attrName, value] of attributes) {
    if (value === undefined) continue;
    checkName(attrName, 'attribute');
    if (seen.has(attrName)) throw new PolicyError(`duplicate attribute ${show(attrName)} on <${name}>`);
    seen.add(attrName);
    attrs.push({ name: attrName, value });
  }
  // Empty text renders as nothing and reads back as no child, so it is not kept as a node at all.
  const kept = children.filter((c) => !(c.type === 'text' && c.value === ''));
  return { type: 'element', name, attributes: attrs, children: kept };
}

export function text(value: Value): TextNode {
  return { type: 'text', value };
}

/** An XML comment; kept through parse and render. */
export function comment(content: string): CommentNode {
  if (content.includes('--') || content.endsWith('-')) {
    throw new PolicyError(`comment text ${show(content)} may not contain "--" or end with "-"`);
  }
  // XML turns a carriage return in a comment into a line feed and comments have no escapes.
  if (content.includes('\r')) throw new PolicyError(`comment text ${show(content)} may not contain a carriage return`);
  return { type: 'comment', text: content };
}

/** Brands a known policy element with the sections the table allows for it. */
export function policy<N extends KnownPolicyName>(node: ElementNode & { readonly name: N }): Policy<AllowedIn<N>> {
  return node as Policy<AllowedIn<N>>;
}

/**
 * Brands an element that is not in the section table (a raw or newer policy). Its sections are only
 * checked at run time, where unknown elements are accepted in any section.
 */
export function untypedPolicy(node: ElementNode): Policy<Section> {
  return node as Policy<Section>;
}

export function isElement(node: PolicyNode): node is ElementNode {
  return node.type === 'element';
}

/** The attribute's value, or undefined. */
export function attr(node: ElementNode, name: string): Value | undefined {
  return node.attributes.find((a) => a.name === name)?.value;
}

/** Child elements with the given name. */
export function childElements(node: ElementNode, name?: string): ElementNode[] {
  return node.children.filter((c): c is ElementNode => c.type === 'element' && (name === undefined || c.name === name));
}
