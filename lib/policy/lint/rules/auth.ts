/**
 * Rules on authentication and the limits that depend on it.
 */
import { ElementNode, attr, childElements } from '../../model';
import { Expression } from '../../value';
import { descendants, elementText, literalAttr, requestHeaderReads, variableReads } from '../analysis';
import { DocumentRule, ElementInfo, LintContext, RuleReport } from '../types';

/** Request headers that carry a caller's credential. */
export const CREDENTIAL_HEADERS = ['authorization', 'ocp-apim-subscription-key', 'api-key', 'x-api-key'];

/** Policies that count or limit calls. */
export const LIMIT_POLICIES = [
  'rate-limit',
  'rate-limit-by-key',
  'quota',
  'quota-by-key',
  'llm-token-limit',
  'azure-openai-token-limit',
];

const TOKEN_VALIDATORS = ['validate-jwt', 'validate-azure-ad-token'];

/**
 * What authenticates the caller at this element, described for a message, or undefined:
 * token validation, a client certificate check, a check-header on a credential header, or a
 * `choose` that answers 401/403 when the subscription or a credential header is missing.
 */
export function authenticationAt(node: ElementNode): string | undefined {
  if (TOKEN_VALIDATORS.includes(node.name) || node.name === 'validate-client-certificate') return `<${node.name}>`;
  if (node.name === 'check-header') {
    const name = literalAttr(node, 'name');
    return name && CREDENTIAL_HEADERS.includes(name) ? `<check-header name="${attr(node, 'name')}">` : undefined;
  }
  if (node.name === 'choose') {
    for (const when of childElements(node, 'when')) {
      const condition = attr(when, 'condition');
      if (!(condition instanceof Expression) || !checksCredential(condition.code)) continue;
      const refuses = descendants(when, 'return-response', 'set-status').some((s) => ['401', '403'].includes(literalAttr(s, 'code') ?? ''));
      if (refuses) return '<choose> that refuses calls without credentials';
    }
  }
  return undefined;
}

function checksCredential(code: string): boolean {
  if (/context\s*\.\s*Subscription\b/.test(code)) return true;
  if (/context\s*\.\s*User\b/.test(code)) return true;
  return requestHeaderReads(code).some((r) => CREDENTIAL_HEADERS.includes(r.name));
}

function statementsBySection(ctx: LintContext): Map<string, ElementInfo[]> {
  const by = new Map<string, ElementInfo[]>();
  for (const info of ctx.elements) {
    if (!info.statement) continue;
    const key = info.section ?? 'fragment';
    const list = by.get(key) ?? [];
    list.push(info);
    by.set(key, list);
  }
  return by;
}

function where(info: ElementInfo): string {
  return info.line !== undefined ? `line ${info.line}` : info.path;
}

export const rateLimitBeforeAuth: DocumentRule = {
  kind: 'document',
  id: 'rate-limit-before-auth',
  severity: 'error',
  description:
    'A rate limit or quota that runs before the authentication of the same section (document order): anyone can ' +
    'exhaust it. Only this document is read; authentication inherited through <base/> is not seen.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const statements of statementsBySection(ctx).values()) {
      const auth = statements.find((s) => authenticationAt(s.node) !== undefined);
      if (!auth) continue;
      for (const limit of statements) {
        if (limit.order >= auth.order) break;
        if (!LIMIT_POLICIES.includes(limit.node.name)) continue;
        yield {
          node: limit.node,
          message:
            `<${limit.node.name}> runs before the authentication at ${where(auth)} (${authenticationAt(auth.node)}): ` +
            'unauthenticated callers can use up the limit for everyone; move it after the authentication',
        };
      }
    }
  },
};

/** The request headers a token validator or check-header vouches for once it has run. */
function validatedHeaders(node: ElementNode): string[] {
  if (node.name === 'check-header') {
    const name = literalAttr(node, 'name');
    return name ? [name] : [];
  }
  if (!TOKEN_VALIDATORS.includes(node.name)) return [];
  const header = literalAttr(node, 'header-name');
  if (header) return [header];
  const token = attr(node, 'token-value');
  if (token instanceof Expression) return requestHeaderReads(token.code).map((r) => r.name);
  return attr(node, 'query-parameter-name') === undefined ? ['authorization'] : [];
}

/** Request headers an expression depends on, directly or through variables set earlier. */
function headerSources(code: string, variables: ReadonlyMap<string, ReadonlyMap<string, string>>): Map<string, string> {
  const headers = new Map(requestHeaderReads(code).map((r) => [r.name, r.written]));
  for (const read of variableReads(code)) for (const [h, w] of variables.get(read.name) ?? []) if (!headers.has(h)) headers.set(h, w);
  return headers;
}

export const rateLimitKeyUnvalidated: DocumentRule = {
  kind: 'document',
  id: 'rate-limit-key-unvalidated',
  severity: 'error',
  description:
    'A rate-limit-by-key or quota-by-key whose counter-key reads a request header that nothing validated before it ' +
    '(X-Forwarded-For, a raw Authorization header): callers pick their own counter.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    const validated = new Set<string>();
    // Variable name to the request headers (lower-cased to as written) its value came from.
    const variables = new Map<string, Map<string, string>>();
    for (const info of ctx.elements) {
      const { node } = info;
      for (const h of validatedHeaders(node)) validated.add(h);
      if (node.name === 'set-variable') {
        const name = attr(node, 'name');
        const value = attr(node, 'value');
        if (typeof name === 'string' && value instanceof Expression) variables.set(name, headerSources(value.code, variables));
        continue;
      }
      const key = attr(node, 'counter-key');
      if (!LIMIT_POLICIES.includes(node.name) || !(key instanceof Expression)) continue;
      const unvalidated = [...headerSources(key.code, variables)].filter(([h]) => !validated.has(h));
      if (unvalidated.length === 0) continue;
      const names = unvalidated.map(([, written]) => `"${written}"`).join(', ');
      const spoofable = unvalidated.some(([h]) => h === 'x-forwarded-for')
        ? ' (X-Forwarded-For is written by the caller; the gateway sees the address as context.Request.IpAddress)'
        : '';
      yield {
        node,
        message:
          `counter-key reads the request header ${names}, which nothing validated before this policy${spoofable}: ` +
          'a caller gets a fresh counter by changing it; key on a validated identity (a claim of the token that ' +
          'validate-jwt stored in output-token-variable-name, context.Subscription.Id) or on context.Request.IpAddress',
      };
    }
  },
};

function hasEntries(node: ElementNode, list: string, entry: string): boolean {
  return descendants(node, list, entry).some((e) => {
    const text = elementText(e);
    return text === undefined || text !== '';
  });
}

export const jwtWithoutAudience: DocumentRule = {
  kind: 'document',
  id: 'jwt-without-audience',
  severity: 'error',
  description:
    'A validate-jwt without <audiences>, or a validate-azure-ad-token with neither audiences nor client application ids ' +
    '(in MCP scope, without audiences): tokens issued for other APIs are accepted.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const { node } of ctx.elements) {
      if (node.name === 'validate-jwt' && !hasEntries(node, 'audiences', 'audience')) {
        yield {
          node,
          message:
            '<validate-jwt> has no <audiences>, so a token issued for any other API of the same issuer passes; ' +
            'add <audiences><audience>this API\'s identifier</audience></audiences>',
        };
      }
      if (node.name !== 'validate-azure-ad-token' || hasEntries(node, 'audiences', 'audience')) continue;
      if (!hasEntries(node, 'client-application-ids', 'application-id')) {
        yield {
          node,
          message:
            '<validate-azure-ad-token> has neither <audiences> nor <client-application-ids>, so any token of the tenant ' +
            'passes; add <audiences> with this API\'s application ID URI or client id',
        };
      } else if (ctx.scope === 'mcp') {
        yield {
          node,
          message:
            '<validate-azure-ad-token> checks the calling application but not the audience: an MCP server must only ' +
            'accept tokens issued for it (MCP authorization spec); add <audiences> with the MCP server\'s resource identifier',
        };
      }
    }
  },
};

export const jwtWeakValidation: DocumentRule = {
  kind: 'document',
  id: 'jwt-weak-validation',
  severity: 'error',
  description: 'A validate-jwt with require-signed-tokens="false" (unsigned tokens pass) or require-expiration-time="false" (tokens never expire).',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const { node } of ctx.elements) {
      if (node.name !== 'validate-jwt') continue;
      if (literalAttr(node, 'require-signed-tokens') === 'false') {
        yield { node, message: 'require-signed-tokens="false" accepts unsigned tokens that anyone can write; remove the attribute (default true)' };
      }
      if (literalAttr(node, 'require-expiration-time') === 'false') {
        yield { node, message: 'require-expiration-time="false" accepts tokens without an expiry, valid forever once leaked; remove the attribute (default true)' };
      }
    }
  },
};

export const corsAnyOriginWithCredentials: DocumentRule = {
  kind: 'document',
  id: 'cors-any-origin-with-credentials',
  severity: 'error',
  description: 'A <cors allow-credentials="true"> that allows the origin *: any web site can make credentialed calls.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const { node } of ctx.elements) {
      if (node.name !== 'cors' || literalAttr(node, 'allow-credentials') !== 'true') continue;
      for (const origin of descendants(node, 'allowed-origins', 'origin')) {
        if (elementText(origin) !== '*') continue;
        yield {
          node: origin,
          message:
            'allow-credentials="true" with the origin * lets any web site send credentialed requests; ' +
            'list the allowed origins explicitly, or set allow-credentials="false"',
        };
      }
    }
  },
};

export const mcpWithoutAuth: DocumentRule = {
  kind: 'document',
  id: 'mcp-without-auth',
  severity: 'warning',
  description:
    'An MCP-server policy whose inbound authenticates nothing (no validate-jwt, validate-azure-ad-token, client ' +
    'certificate, credential check-header or subscription check); authentication belongs at the MCP-server scope.',
  scopes: ['mcp'],
  *check(ctx: LintContext): Iterable<RuleReport> {
    const inbound = ctx.sections.find((s) => s.section === 'inbound');
    if (!inbound) return;
    if (ctx.elements.some((e) => e.section === 'inbound' && e.statement && authenticationAt(e.node) !== undefined)) return;
    yield {
      section: inbound,
      message:
        'this MCP server\'s inbound authenticates no caller; add validate-azure-ad-token or validate-jwt (with audiences) ' +
        'here rather than relying on an enclosing scope, and answer failures with 401 and WWW-Authenticate',
    };
  },
};

