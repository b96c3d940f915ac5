import { PolicyError } from './errors';
import { CommentNode, ElementNode, PolicyNode, Statement } from './model';
import { POLICY_CONTAINERS, SECTIONS, Section, sectionsOf } from './sections';

/** A policy document: `<policies>` with the four sections, each a list of statements in order. */
export interface PolicyDocument {
  readonly type: 'policies';
  readonly sections: { readonly [S in Section]: readonly PolicyNode[] };
}

/** A policy fragment: `<fragment>` holding statements that `include-fragment` pastes into a section. */
export interface PolicyFragment {
  readonly type: 'fragment';
  readonly children: readonly PolicyNode[];
}

export interface PolicyDocumentProps {
  /** @default - an empty section */
  readonly inbound?: readonly Statement<'inbound'>[];
  /** @default - an empty section */
  readonly backend?: readonly Statement<'backend'>[];
  /** @default - an empty section */
  readonly outbound?: readonly Statement<'outbound'>[];
  /** @default - an empty section */
  readonly onError?: readonly Statement<'on-error'>[];
}

/**
 * Builds a policy document. Besides the compile-time section types, it checks at run time what the
 * types cannot see: a policy a section forbids (from raw or parsed nodes) and more than one `<base/>`.
 */
export function policyDocument(props: PolicyDocumentProps = {}): PolicyDocument {
  const sections = {
    inbound: [...(props.inbound ?? [])],
    backend: [...(props.backend ?? [])],
    outbound: [...(props.outbound ?? [])],
    'on-error': [...(props.onError ?? [])],
  };
  return checkDocument({ type: 'policies', sections });
}

/**
 * Builds a policy fragment. `sections` lists where the fragment will be included, so its policies can
 * be checked against each of them.
 * @param sections default - every section (only policies allowed everywhere pass)
 */
export function policyFragment<S extends Section>(
  statements: readonly Statement<S>[],
  sections: readonly S[] = SECTIONS as unknown as readonly S[],
): PolicyFragment {
  const fragment: PolicyFragment = { type: 'fragment', children: [...statements] };
  for (const section of sections) checkStatements(fragment.children, section, 'fragment', { allowBase: false });
  return fragment;
}

/** Re-checks a document (for instance one that was parsed): section rules and the single `<base/>`. */
export function checkDocument(doc: PolicyDocument): PolicyDocument {
  for (const section of SECTIONS) {
    checkStatements(doc.sections[section], section, section, { allowBase: true });
  }
  return doc;
}

function checkStatements(
  nodes: readonly PolicyNode[],
  section: Section,
  path: string,
  opts: { allowBase: boolean },
): void {
  let bases = 0;
  nodes.forEach((node, index) => {
    if (node.type !== 'element') return;
    const here = `${path}/${node.name}${countSuffix(nodes, index)}`;
    if (node.name === 'base') {
      if (!opts.allowBase) throw new PolicyError('<base/> may only stand directly in a section', here);
      bases += 1;
      if (bases > 1) {
        throw new PolicyError(
          `a second <base/> in <${section}>: a section holds at most one, and where it stands decides what runs first`,
          here,
        );
      }
      return;
    }
    const allowed = sectionsOf(node.name);
    if (allowed && !allowed.includes(section)) {
      throw new PolicyError(
        `<${node.name}> is not allowed in <${section}>; APIM allows it in: ${allowed.join(', ')}`,
        here,
      );
    }
    checkContainer(node, section, here);
  });
}

function checkContainer(node: ElementNode, section: Section, path: string): void {
  const branches = POLICY_CONTAINERS[node.name];
  if (!branches) return;
  if (branches.length === 0) {
    checkStatements(node.children, section, path, { allowBase: false });
    return;
  }
  node.children.forEach((child, index) => {
    if (child.type === 'element' && branches.includes(child.name)) {
      checkStatements(child.children, section, `${path}/${child.name}${countSuffix(node.children, index)}`, {
        allowBase: false,
      });
    }
  });
}

function countSuffix(nodes: readonly PolicyNode[], index: number): string {
  const node = nodes[index] as ElementNode;
  const same = nodes.filter((n) => n.type === 'element' && n.name === node.name);
  if (same.length < 2) return '';
  return `[${same.indexOf(node)}]`;
}

export type { CommentNode };
