/**
 * Readings of recipe documents that the recipe tests share: element names in order, set-status codes,
 * header names and values, the code of every expression.
 */
import { PolicyDocument } from '../../lib/policy/document';
import { ElementNode, PolicyNode, attr, childElements } from '../../lib/policy/model';
import { render } from '../../lib/policy/render';
import { SECTIONS, Section } from '../../lib/policy/sections';
import { Expression, NamedValue, Template, Value } from '../../lib/policy/value';

export function elementsOf(nodes: readonly PolicyNode[]): ElementNode[] {
  return nodes.filter((n): n is ElementNode => n.type === 'element');
}

/** The names of the statements directly in a section, in order. */
export function outline(doc: PolicyDocument, section: Section): string[] {
  return elementsOf(doc.sections[section]).map((n) => n.name);
}

/** Every element below the nodes (and the nodes), in document order. */
export function descendants(nodes: readonly PolicyNode[]): ElementNode[] {
  const out: ElementNode[] = [];
  const walk = (list: readonly PolicyNode[]): void => {
    for (const n of elementsOf(list)) {
      out.push(n);
      walk(n.children);
    }
  };
  walk(nodes);
  return out;
}

/** Every element of the document, section by section. */
export function allElements(doc: PolicyDocument): ElementNode[] {
  return SECTIONS.flatMap((s) => descendants(doc.sections[s]));
}

/** Every value (attributes and text) of the document. */
export function allValues(doc: PolicyDocument): Value[] {
  return allElements(doc).flatMap((e) => [
    ...e.attributes.map((a) => a.value),
    ...e.children.filter((c) => c.type === 'text').map((c) => (c as { value: Value }).value),
  ]);
}

/** The C# code of every expression in the document. */
export function expressionCode(doc: PolicyDocument): string[] {
  return allValues(doc)
    .filter((v): v is Expression => v instanceof Expression)
    .map((v) => v.code);
}

/** The status codes set below the nodes, in order. */
export function statusCodes(nodes: readonly PolicyNode[]): string[] {
  return descendants(nodes)
    .filter((n) => n.name === 'set-status')
    .map((n) => String(attr(n, 'code')));
}

/** The text of a value: literal text, `{{name}}` for named values, `@(code)` for expressions. */
export function valueText(value: Value | undefined): string {
  if (value === undefined) return '';
  if (typeof value === 'string' || value instanceof NamedValue || value instanceof Template || value instanceof Expression) return value.toString();
  return String(value);
}

/** The values of a set-header, as text. */
export function headerValues(node: ElementNode): string[] {
  return childElements(node, 'value').map((v) => v.children.map((c) => (c.type === 'text' ? valueText(c.value) : '')).join(''));
}

/** `name: value | value` for each set-header directly in a return-response (or a list of statements). */
export function headersOf(nodes: readonly PolicyNode[]): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const n of elementsOf(nodes).filter((e) => e.name === 'set-header')) out[String(attr(n, 'name'))] = headerValues(n);
  return out;
}

/** The return-response elements below the nodes, with their status code. */
export function answers(nodes: readonly PolicyNode[]): { status: string; node: ElementNode }[] {
  return descendants(nodes)
    .filter((n) => n.name === 'return-response')
    .map((node) => ({ status: statusCodes(node.children)[0], node }));
}

/** The body text of a return-response. */
export function bodyOf(node: ElementNode): string {
  const body = childElements(node, 'set-body')[0];
  return body ? body.children.map((c) => (c.type === 'text' ? valueText(c.value) : '')).join('') : '';
}

export const raw = (doc: PolicyDocument) => render(doc, { format: 'rawxml' });
