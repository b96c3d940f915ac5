/**
 * Rules on the shape of a document: element names, the sections they stand in, `<base/>`.
 */
import { ElementNode } from '../../model';
import { SECTION_TABLE, sectionsOf } from '../../sections';
import { CHILD_OF, OTHER_DOCUMENTED_POLICIES, branchesOf, closestNames, isPolicyName } from '../known';
import { DocumentRule, ElementInfo, LintContext, RuleReport } from '../types';

const POLICY_NAMES = [...Object.keys(SECTION_TABLE), ...OTHER_DOCUMENTED_POLICIES];

function parentOf(info: ElementInfo): ElementNode | undefined {
  return info.ancestors[info.ancestors.length - 1];
}

export const unknownElement: DocumentRule = {
  kind: 'document',
  id: 'unknown-element',
  severity: 'error',
  description:
    'An element where a policy is expected (in a section, a fragment, or a choose/retry/wait/limit-concurrency) ' +
    'that is not an APIM policy; APIM refuses the document.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const info of ctx.elements) {
      const { node } = info;
      const parent = parentOf(info);
      const branches = parent ? branchesOf(parent.name) : undefined;
      if (parent && branches && branches.length > 0 && ctx.info(parent).statement) {
        // A direct child of <choose>: only its branches may stand there.
        if (!branches.includes(node.name)) {
          yield {
            node,
            message: `<${parent.name}> holds only ${branches.map((b) => `<${b}>`).join(' and ')}, not <${node.name}>; put the policy inside a branch`,
          };
        }
        continue;
      }
      if (!info.statement || isPolicyName(node.name)) continue;
      yield { node, message: unknownMessage(node.name) };
    }
  },
};

function unknownMessage(name: string): string {
  const owners = CHILD_OF[name];
  if (owners) {
    return `<${name}> is not a policy: it belongs inside ${owners.map((o) => `<${o}>`).join(' or ')}`;
  }
  const near = closestNames(name, POLICY_NAMES);
  const hint = near.length ? `; did you mean ${near.map((n) => `<${n}>`).join(' or ')}?` : '; APIM refuses unknown elements';
  return `<${name}> is not an APIM policy${hint}`;
}

export const notAllowedInSection: DocumentRule = {
  kind: 'document',
  id: 'not-allowed-in-section',
  severity: 'error',
  description:
    'A policy in a section that does not allow it (per SECTION_TABLE), also inside choose/retry/wait/limit-concurrency, ' +
    'or a <base/> that is not directly in a section.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const info of ctx.elements) {
      if (!info.statement) continue;
      const { node } = info;
      if (node.name === 'base') {
        if (!info.topLevel || info.section === undefined) {
          yield {
            node,
            message:
              info.section === undefined
                ? '<base/> cannot stand in a policy fragment; put it in the section of the document that includes the fragment'
                : `<base/> may only stand directly in <${info.section}>, not inside <${parentOf(info)?.name}>; move it to the section`,
          };
        }
        continue;
      }
      // Sections of a fragment are only known where it is included.
      if (info.section === undefined) continue;
      const allowed = sectionsOf(node.name);
      if (allowed && !allowed.includes(info.section)) {
        yield {
          node,
          message: `<${node.name}> is not allowed in <${info.section}>; APIM allows it in: ${allowed.join(', ')}`,
        };
      }
    }
  },
};

export const duplicateBase: DocumentRule = {
  kind: 'document',
  id: 'duplicate-base',
  severity: 'error',
  description: 'More than one <base/> in a section; a section holds at most one, and where it stands decides what runs first.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const section of ctx.sections) {
      const bases = section.nodes.filter((n) => n.name === 'base');
      for (const extra of bases.slice(1)) {
        yield {
          node: extra,
          message: `a second <base/> in <${section.section}>: keep one, where the enclosing scope's policies should run`,
        };
      }
    }
  },
};

export const missingBase: DocumentRule = {
  kind: 'document',
  id: 'missing-base',
  severity: 'warning',
  description:
    'A section without <base/> below the global scope: the policies of the enclosing scopes (global, product, API) ' +
    'do not run there. Not checked for fragments.',
  scopes: ['product', 'api', 'mcp', 'operation'],
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const section of ctx.sections) {
      if (section.nodes.some((n) => n.name === 'base')) continue;
      yield {
        section,
        message: section.present
          ? `<${section.section}> has no <base/>, so the policies of the enclosing scopes do not run in it; ` +
            'add <base/> where they should run (usually first)'
          : `the document has no <${section.section}> section, so the policies of the enclosing scopes do not run there; ` +
            `add <${section.section}><base /></${section.section}>`,
      };
    }
  },
};
