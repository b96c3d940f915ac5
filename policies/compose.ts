/**
 * Ordered composition of recipe parts into one policy document.
 *
 * A recipe contributes statements to named phases; the phases (not the caller) fix the order, and `<base/>`
 * is written exactly once per section, at the place the phase table gives it. Standalone recipes and the
 * `mcp-server` composition go through the same function, so a recipe renders the same statements whether it
 * stands alone or is composed with others.
 */
import { base } from '../lib/policy/builders/control';
import { PolicyDocument, policyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { ElementNode, PolicyNode, Statement, attr } from '../lib/policy/model';
import { render } from '../lib/policy/render';
import { Section } from '../lib/policy/sections';

/**
 * Inbound phases in the order they run. `answer`, `cors`, `network` and `capture` run before `<base/>`: a
 * public document (the protected-resource metadata) is answered before any scope can ask for credentials,
 * CORS must answer preflights before anything asks for credentials, the IP filter is cheap and needs no
 * identity, and headers that the enclosing scopes (or APIM) may strip are captured before they run.
 * Everything that needs an authenticated caller comes after authentication. The size limits come before
 * `classify`, the first phase that reads the request body, so an oversized body is never parsed.
 */
export const INBOUND_PHASES = [
  'answer',
  'cors',
  'network',
  'capture',
  'authenticate',
  'request-limits',
  'classify',
  'rate-limit',
  'authorize',
  'content-safety',
  'forward',
  'backend-credentials',
] as const;
export type InboundPhase = (typeof INBOUND_PHASES)[number];

/** The inbound phases that stand before `<base/>`. */
export const INBOUND_BEFORE_BASE: readonly InboundPhase[] = ['answer', 'cors', 'network', 'capture'];

/** Outbound phases, all after `<base/>`: response headers, then the authentication challenge on 401s. */
export const OUTBOUND_PHASES = ['response-headers', 'challenge'] as const;
export type OutboundPhase = (typeof OUTBOUND_PHASES)[number];

/**
 * On-error phases, all after `<base/>` so that the enclosing scopes' error handling (logging) still runs
 * before the recipe shapes the answer.
 */
export const ON_ERROR_PHASES = ['rate-limit', 'challenge'] as const;
export type OnErrorPhase = (typeof ON_ERROR_PHASES)[number];

/**
 * The parts a composition may hold, in the order they take within a phase. A part appears at most once.
 */
export const PART_ORDER = [
  'cors',
  'ip-allow-list',
  'subscription-key',
  'token-validation',
  'rate-limit',
  'subscription-allow-list',
  'request-limits',
  'content-safety',
  'jwt-forwarding',
  'backend-auth',
  'mcp-authorization',
  'protected-resource-metadata',
] as const;
export type PartId = (typeof PART_ORDER)[number];

/** A statement several parts need (such as reading the JSON-RPC method), written once under its key. */
export interface Shared<S extends Section> {
  readonly shared: string;
  readonly statement: Statement<S>;
}

export type Contribution<S extends Section> = Statement<S> | Shared<S>;

export type PhaseStatements<P extends string, S extends Section> = { readonly [K in P]?: readonly Contribution<S>[] };

/** What one recipe contributes to a document. */
export interface Part {
  readonly id: PartId;
  readonly inbound?: PhaseStatements<InboundPhase, 'inbound'>;
  readonly outbound?: PhaseStatements<OutboundPhase, 'outbound'>;
  readonly onError?: PhaseStatements<OnErrorPhase, 'on-error'>;
}

/** Marks a statement as shared under `key`: when several parts contribute it, it is written once. */
export function shared<S extends Section>(key: string, statement: Statement<S>): Shared<S> {
  return { shared: key, statement };
}

function isShared<S extends Section>(c: Contribution<S>): c is Shared<S> {
  return (c as Shared<S>).shared !== undefined;
}

interface Placed {
  readonly part: PartId;
  readonly node: PolicyNode;
}

/**
 * Composes parts into a policy document: each section holds its phases in the fixed order, parts within
 * a phase in {@link PART_ORDER}, and one `<base/>`.
 * @throws PolicyError for a part given twice, a shared statement contributed with different content, or two
 *   parts that write the same request header for the backend
 */
export function composeParts(parts: readonly Part[]): PolicyDocument {
  const ids = new Set<PartId>();
  for (const part of parts) {
    if (!PART_ORDER.includes(part.id)) {
      throw new PolicyError(`unknown part ${show(part.id)}; parts are: ${PART_ORDER.join(', ')}`);
    }
    if (ids.has(part.id)) throw new PolicyError(`the part ${show(part.id)} is given twice; a composition holds each part once`);
    ids.add(part.id);
  }
  const ordered = [...parts].sort((a, b) => PART_ORDER.indexOf(a.id) - PART_ORDER.indexOf(b.id));
  const seenShared = new Map<string, string>();

  const collect = <P extends string, S extends Section>(
    phases: readonly P[],
    pick: (part: Part) => PhaseStatements<P, S> | undefined,
  ): Map<P, Placed[]> => {
    const byPhase = new Map<P, Placed[]>(phases.map((p) => [p, []]));
    for (const part of ordered) {
      const contributions = pick(part);
      if (!contributions) continue;
      for (const phase of Object.keys(contributions) as P[]) {
        if (!phases.includes(phase)) throw new PolicyError(`part ${show(part.id)} uses unknown phase ${show(phase)}`);
        for (const c of contributions[phase] ?? []) {
          if (isShared(c)) {
            const text = render(c.statement);
            const before = seenShared.get(c.shared);
            if (before !== undefined) {
              if (before !== text) {
                throw new PolicyError(`shared statement ${show(c.shared)} is contributed with different content by part ${show(part.id)}`);
              }
              continue;
            }
            seenShared.set(c.shared, text);
            byPhase.get(phase)!.push({ part: part.id, node: c.statement });
          } else {
            byPhase.get(phase)!.push({ part: part.id, node: c });
          }
        }
      }
    }
    return byPhase;
  };

  const inbound = collect(INBOUND_PHASES, (p) => p.inbound);
  const outbound = collect(OUTBOUND_PHASES, (p) => p.outbound);
  const onError = collect(ON_ERROR_PHASES, (p) => p.onError);

  checkRequestHeaderWriters([...inbound.values()].flat());

  const inboundNodes: PolicyNode[] = [];
  for (const phase of INBOUND_PHASES) {
    if (!INBOUND_BEFORE_BASE.includes(phase) && !inboundNodes.some(isBase)) inboundNodes.push(base());
    inboundNodes.push(...inbound.get(phase)!.map((p) => p.node));
  }

  const after = <P extends string>(phases: readonly P[], placed: Map<P, Placed[]>): PolicyNode[] => [
    base(),
    ...phases.flatMap((phase) => placed.get(phase)!.map((p) => p.node)),
  ];

  // The statements were typed per section by the parts; policyDocument re-checks the sections at run time.
  return policyDocument({
    inbound: inboundNodes as Statement<'inbound'>[],
    backend: [base()],
    outbound: after(OUTBOUND_PHASES, outbound) as Statement<'outbound'>[],
    onError: after(ON_ERROR_PHASES, onError) as Statement<'on-error'>[],
  });
}

function isBase(node: PolicyNode): boolean {
  return node.type === 'element' && node.name === 'base';
}

/**
 * Request headers a statement sets for the backend (lower-cased), looking inside `choose` branches:
 * `set-header` with a literal name (not a delete), and the authentication policies that write
 * `Authorization`.
 */
export function requestHeadersWritten(node: PolicyNode): string[] {
  if (node.type !== 'element') return [];
  const own: string[] = [];
  if (node.name === 'set-header') {
    const name = attr(node, 'name');
    if (typeof name === 'string' && attr(node, 'exists-action') !== 'delete') own.push(name.toLowerCase());
  } else if (node.name === 'authentication-managed-identity' && attr(node, 'output-token-variable-name') === undefined) {
    own.push('authorization');
  } else if (node.name === 'authentication-basic') {
    own.push('authorization');
  }
  // return-response builds a response, so its headers are not request headers.
  if (node.name === 'return-response') return own;
  return [...own, ...node.children.flatMap((c) => (c.type === 'element' ? descendantsWritten(c) : []))];
}

function descendantsWritten(node: ElementNode): string[] {
  if (node.name === 'when' || node.name === 'otherwise') return node.children.flatMap(requestHeadersWritten);
  return requestHeadersWritten(node);
}

function checkRequestHeaderWriters(placed: readonly Placed[]): void {
  const writers = new Map<string, PartId>();
  for (const { part, node } of placed) {
    for (const header of new Set(requestHeadersWritten(node))) {
      const other = writers.get(header);
      if (other !== undefined && other !== part) {
        throw new PolicyError(
          `parts ${show(other)} and ${show(part)} both write the request header ${show(header)} for the backend; ` +
            'the later one would silently replace the other: switch one of them off',
        );
      }
      writers.set(header, part);
    }
  }
}
