/**
 * The production policy of an MCP server (MCP-server scope), composed from the recipes, each switchable.
 * The order is fixed by the composition phases, whatever order the options are written in:
 *
 * inbound, before `<base/>`: CORS, IP allow-list, credential capture (missing subscription key, the key when
 * forwarded and `Authorization` stored); `<base/>`; after it: authentication (subscription validity, token
 * validation), request size limits, the JSON-RPC method read from the request body, rate limit, subscription
 * allow-list, content safety, headers for the backend (the subscription key deleted or re-injected,
 * `Authorization` re-injected), backend credentials.
 * outbound: `<base/>`, rate-limit headers, the challenge on any 401.
 * on-error: `<base/>`, 429 answers, 401/403 answers with the MCP authorization challenge.
 *
 * It never reads `context.Response.Body` (that would buffer MCP's streamed answers) and never writes a key
 * or token to a trace or a response header.
 */
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { Part, composeParts } from './compose';
import { checkOptions, optBoolean, optEnum, optSwitch, OptionsInput, VARIABLES } from './common';
import { BackendAuthOptions, backendAuthPart } from './backend-auth';
import { ContentSafetyOptions, contentSafetyPart } from './content-safety';
import { CorsOptions, corsPart } from './cors';
import { EntraTokenOptions, entraTokenValidation } from './entra-token';
import { IpAllowListOptions, ipAllowListPart } from './ip-allow-list';
import { jwtForwardingPart } from './jwt-forwarding';
import { ResourceLocation, challengePart, resourceLocation } from './mcp-authorization';
import { OidcTokenOptions, oidcTokenValidation } from './oidc-token';
import { RateLimitOptions, rateLimitPart } from './rate-limit';
import { RequestLimitsOptions, requestLimitsPart } from './request-limits';
import { SubscriptionAllowListOptions, subscriptionAllowListPart } from './subscription-allow-list';
import { SubscriptionKeyOptions, subscriptionKeyPart } from './subscription-key';
import { TokenValidation } from './token-common';

/** Token validation in `mcp-server`: the options of `entra-token-validation` or `oidc-token-validation`, and which. */
export type McpServerTokenOptions = ({ readonly provider: 'entra' } & EntraTokenOptions) | ({ readonly provider: 'oidc' } & OidcTokenOptions);

export interface McpServerOptions {
  /**
   * CORS for browser-based MCP clients (see the `cors` recipe).
   * @default false
   */
  readonly cors?: CorsOptions | false;
  /**
   * IP allow-list (see `ip-allow-list`).
   * @default false
   */
  readonly ipAllowList?: IpAllowListOptions | false;
  /**
   * Subscription-key authentication (see `subscription-key`). At least one of `subscriptionKey` and `token`
   * must be on.
   * @default true
   */
  readonly subscriptionKey?: SubscriptionKeyOptions | boolean;
  /**
   * OAuth token validation, with `provider: "entra"` or `"oidc"` and that recipe's options. Its
   * `mcpAuthorization` (default true) adds the MCP authorization challenge to every 401, including the
   * subscription key's.
   * @default false
   */
  readonly token?: McpServerTokenOptions | false;
  /**
   * Rate limit (see `rate-limit`).
   * @default true, keyed per subscription when subscriptionKey is on, else per token subject
   */
  readonly rateLimit?: RateLimitOptions | boolean;
  /**
   * Subscription allow-list (see `subscription-allow-list`); needs subscriptionKey.
   * @default false
   */
  readonly subscriptionAllowList?: SubscriptionAllowListOptions | false;
  /**
   * Request size limits (see `request-limits`).
   * @default true
   */
  readonly requestLimits?: RequestLimitsOptions | boolean;
  /**
   * Content safety on tool-call arguments (see `content-safety`); needs the Content Safety backend.
   * @default false
   */
  readonly contentSafety?: ContentSafetyOptions | boolean;
  /**
   * Forwards the caller's Authorization header to the backend (see `jwt-forwarding`). That is token
   * passthrough, which the MCP specification forbids unless the backend is the resource the token was
   * issued for: it is refused without `acknowledgeTokenPassthrough`.
   * @default false
   */
  readonly jwtForwarding?: boolean;
  /**
   * Confirms that the backend is the resource the MCP client's token was issued for, so `jwtForwarding`
   * may pass it on.
   * @default false
   */
  readonly acknowledgeTokenPassthrough?: boolean;
  /**
   * Credentials for the backend (see `backend-auth`).
   * @default false
   */
  readonly backendAuth?: BackendAuthOptions | boolean;
}

const WHERE = 'mcp-server';
export const MCP_SERVER_OPTION_KEYS = [
  'cors',
  'ipAllowList',
  'subscriptionKey',
  'token',
  'rateLimit',
  'subscriptionAllowList',
  'requestLimits',
  'contentSafety',
  'jwtForwarding',
  'acknowledgeTokenPassthrough',
  'backendAuth',
] as const;

/** Runs a part's builder, prefixing its errors with the option that holds its options. */
function within<T>(key: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof PolicyError) throw new PolicyError(`${WHERE}.${key}: ${e.message}`);
    throw e;
  }
}

interface TokenSetup {
  readonly validation: TokenValidation;
  readonly tokenVariable: string;
  readonly location?: ResourceLocation;
}

function tokenSetup(value: unknown): TokenSetup | undefined {
  const options = optSwitch(WHERE, 'token', value, false);
  if (options === false) return undefined;
  if (value === true) {
    throw new PolicyError(`${WHERE}: option token needs the provider and its options, such as {"provider": "entra", "tenantId": ..., "audiences": [...]}`);
  }
  const { provider, ...rest } = options as Readonly<Record<string, unknown>>;
  if (provider === undefined) throw new PolicyError(`${WHERE}.token: option provider is required: "entra" or "oidc"`);
  const which = optEnum(`${WHERE}.token`, 'provider', provider, ['entra', 'oidc'], 'entra');
  return within('token', () => {
    const validation = which === 'entra' ? entraTokenValidation(rest as unknown as EntraTokenOptions) : oidcTokenValidation(rest as unknown as OidcTokenOptions);
    const mcpAuthorization = optBoolean(`${which}-token-validation`, 'mcpAuthorization', rest.mcpAuthorization, true);
    const location = mcpAuthorization
      ? resourceLocation(`${which}-token-validation`, { resourceUrl: rest.resourceUrl as string | undefined, mcpPath: rest.mcpPath as string | undefined })
      : undefined;
    return { validation, tokenVariable: (rest.tokenVariable as string | undefined) ?? VARIABLES.token, location };
  });
}

function rateLimitOptions(value: OptionsInput, subscriptionKey: boolean, token: TokenSetup | undefined): RateLimitOptions {
  const given = (value ?? {}) as RateLimitOptions;
  const key = given.key ?? (subscriptionKey ? 'subscription' : 'jwt-subject');
  if (key === 'subscription' && !subscriptionKey) {
    throw new PolicyError(
      `${WHERE}.rateLimit: key "subscription" needs subscriptionKey on; without subscription keys every caller would share one counter. Use key "jwt-subject"`,
    );
  }
  if (key === 'jwt-subject') {
    if (!token) throw new PolicyError(`${WHERE}.rateLimit: key "jwt-subject" needs token validation (option token)`);
    if (given.tokenVariable !== undefined && given.tokenVariable !== token.tokenVariable) {
      throw new PolicyError(
        `${WHERE}.rateLimit: tokenVariable ${show(given.tokenVariable)} is not the variable token validation stores the token in (${show(token.tokenVariable)})`,
      );
    }
    return { ...given, key, tokenVariable: token.tokenVariable };
  }
  return { ...given, key };
}

/** The parts of an MCP server's policy, for callers that add their own. */
export function mcpServerParts(options: McpServerOptions = {}): Part[] {
  const o = checkOptions(WHERE, options, MCP_SERVER_OPTION_KEYS);
  const token = tokenSetup(o.token);
  const subscription = optSwitch(WHERE, 'subscriptionKey', o.subscriptionKey, true);
  if (subscription === false && token === undefined) {
    throw new PolicyError(
      `${WHERE}: an MCP server needs authentication: keep subscriptionKey on, or give token (OAuth with MCP authorization)`,
    );
  }
  const parts: Part[] = [];
  const cors = optSwitch(WHERE, 'cors', o.cors, false);
  if (cors !== false) parts.push(within('cors', () => corsPart(cors as unknown as CorsOptions)));
  const ip = optSwitch(WHERE, 'ipAllowList', o.ipAllowList, false);
  if (ip !== false) parts.push(within('ipAllowList', () => ipAllowListPart(ip as unknown as IpAllowListOptions)));
  if (subscription !== false) {
    parts.push(within('subscriptionKey', () => subscriptionKeyPart(subscription as SubscriptionKeyOptions, token?.location)));
  }
  if (token) {
    parts.push(token.validation.part);
    if (token.location) parts.push(challengePart({ location: token.location, ...token.validation.challenge }));
  }
  const rate = optSwitch(WHERE, 'rateLimit', o.rateLimit, true);
  if (rate !== false) parts.push(within('rateLimit', () => rateLimitPart(rateLimitOptions(rate, subscription !== false, token))));
  const allow = optSwitch(WHERE, 'subscriptionAllowList', o.subscriptionAllowList, false);
  if (allow !== false) {
    if (subscription === false) throw new PolicyError(`${WHERE}.subscriptionAllowList: needs subscriptionKey on: without it no caller has a subscription`);
    parts.push(within('subscriptionAllowList', () => subscriptionAllowListPart(allow as SubscriptionAllowListOptions)));
  }
  const limits = optSwitch(WHERE, 'requestLimits', o.requestLimits, true);
  if (limits !== false) parts.push(within('requestLimits', () => requestLimitsPart(limits as RequestLimitsOptions)));
  const safety = optSwitch(WHERE, 'contentSafety', o.contentSafety, false);
  if (safety !== false) parts.push(within('contentSafety', () => contentSafetyPart(safety as ContentSafetyOptions)));
  const backend = optSwitch(WHERE, 'backendAuth', o.backendAuth, false);
  const jwtForwarding = optBoolean(WHERE, 'jwtForwarding', o.jwtForwarding, false);
  const acknowledged = optBoolean(WHERE, 'acknowledgeTokenPassthrough', o.acknowledgeTokenPassthrough, false);
  if (acknowledged && !jwtForwarding) {
    throw new PolicyError(`${WHERE}: option acknowledgeTokenPassthrough only applies with jwtForwarding on`);
  }
  // With a managed-identity backend credential the composition refuses the pair: both write Authorization.
  const managedIdentity = backend !== false && (backend as Readonly<Record<string, unknown>>).type === 'managed-identity';
  if (jwtForwarding && !managedIdentity && !acknowledged) {
    throw new PolicyError(
      `${WHERE}: option jwtForwarding passes the MCP client's access token on to the backend (token passthrough, which the MCP ` +
        'specification forbids); accepted: jwtForwarding false (give the backend its own credential with backendAuth), or ' +
        'acknowledgeTokenPassthrough true when the backend is the resource the token was issued for',
    );
  }
  if (jwtForwarding) parts.push(jwtForwardingPart());
  if (backend !== false) parts.push(within('backendAuth', () => backendAuthPart(backend as BackendAuthOptions)));
  return parts;
}

/** The MCP server's policy document. */
export function mcpServerPolicy(options: McpServerOptions = {}): PolicyDocument {
  const parts = mcpServerParts(options);
  return within('composition', () => composeParts(parts));
}
