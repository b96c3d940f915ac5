/**
 * The recipe registry: name to description, scope, accepted options and builder. It drives the goldens
 * (bin/render-goldens.ts), the tests and the `apim-policy render <recipe> --options <json>` command, so
 * `build` takes JSON-able options (named values by name) and checks them at run time.
 */
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { BACKEND_AUTH_OPTION_KEYS, BackendAuthOptions, backendAuthPolicy } from './backend-auth';
import { CONTENT_SAFETY_OPTION_KEYS, ContentSafetyOptions, contentSafetyPolicy } from './content-safety';
import { CORS_OPTION_KEYS, CorsOptions, corsPolicy } from './cors';
import { ENTRA_TOKEN_OPTION_KEYS, EntraTokenOptions, entraTokenPolicy } from './entra-token';
import { IP_ALLOW_LIST_OPTION_KEYS, IpAllowListOptions, ipAllowListPolicy } from './ip-allow-list';
import { JwtForwardingOptions, jwtForwardingPolicy } from './jwt-forwarding';
import { PRM_OPTION_KEYS, ProtectedResourceMetadataOptions, protectedResourceMetadata } from './mcp-authorization';
import { MCP_SERVER_OPTION_KEYS, McpServerOptions, mcpServerPolicy } from './mcp-server';
import { OIDC_TOKEN_OPTION_KEYS, OidcTokenOptions, oidcTokenPolicy } from './oidc-token';
import { RATE_LIMIT_OPTION_KEYS, RateLimitOptions, rateLimitPolicy } from './rate-limit';
import { REQUEST_LIMITS_OPTION_KEYS, RequestLimitsOptions, requestLimitsPolicy } from './request-limits';
import { SUBSCRIPTION_ALLOW_LIST_OPTION_KEYS, SubscriptionAllowListOptions, subscriptionAllowListPolicy } from './subscription-allow-list';
import { SUBSCRIPTION_KEY_OPTION_KEYS, SubscriptionKeyOptions, subscriptionKeyPolicy } from './subscription-key';

/** Where a recipe's policy is attached: the MCP server (API) scope, or one operation. */
export type RecipeScope = 'mcp' | 'operation';

/** JSON-able options, as the command line and the goldens pass them. */
export type RecipeOptions = Readonly<Record<string, unknown>>;

export interface Recipe {
  readonly name: string;
  /** What the policy enforces, in one sentence. */
  readonly description: string;
  readonly scope: RecipeScope;
  /** The option names `build` accepts. */
  readonly optionKeys: readonly string[];
  /**
   * The options the golden is rendered with: `{}` when every option has a default, otherwise the minimal
   * documented set (the required options, with `{{named value}}` references where a deployment supplies them).
   */
  readonly goldenOptions: RecipeOptions;
  /** Further documented option sets, each with its own golden `<name>.<example>.xml`. @default - none */
  readonly examples?: Readonly<Record<string, RecipeOptions>>;
  /** Builds the policy; throws PolicyError naming the bad option, its value and what is accepted. */
  build(options?: RecipeOptions): PolicyDocument;
}

// The typed builders check their options at run time, so JSON from the command line goes through them as is.
const json = <T>(build: (options: T) => PolicyDocument) => (options: RecipeOptions = {}) => build(options as unknown as T);

const list: readonly Recipe[] = [
  {
    name: 'subscription-key',
    description:
      'Requires Ocp-Apim-Subscription-Key: 401 with a JSON error when it is missing (before <base/>) or identifies no subscription (after <base/>); removes the key from the backend request (forwardToBackend re-injects it).',
    scope: 'mcp',
    optionKeys: SUBSCRIPTION_KEY_OPTION_KEYS,
    goldenOptions: {},
    build: json<SubscriptionKeyOptions>(subscriptionKeyPolicy),
  },
  {
    name: 'subscription-allow-list',
    description: 'Lets only listed subscriptions (by ID, or by a name pattern) call; others get 403 with a JSON error.',
    scope: 'mcp',
    optionKeys: SUBSCRIPTION_ALLOW_LIST_OPTION_KEYS,
    goldenOptions: { subscriptionIds: ['mcp-client-a', 'mcp-client-b'] },
    build: json<SubscriptionAllowListOptions>(subscriptionAllowListPolicy),
  },
  {
    name: 'rate-limit',
    description:
      'Limits calls per subscription, client IP, token subject or MCP session (optionally tools/call only); X-RateLimit-Limit/-Window headers, 429 with Retry-After.',
    scope: 'mcp',
    optionKeys: RATE_LIMIT_OPTION_KEYS,
    goldenOptions: {},
    examples: { 'jwt-subject-tool-calls': { key: 'jwt-subject', toolCallsOnly: true, calls: 20 } },
    build: json<RateLimitOptions>(rateLimitPolicy),
  },
  {
    name: 'jwt-forwarding',
    description: 'Stores the Authorization header before <base/> and re-injects it for the backend after it.',
    scope: 'mcp',
    optionKeys: [],
    goldenOptions: {},
    build: json<JwtForwardingOptions>(jwtForwardingPolicy),
  },
  {
    name: 'oidc-token-validation',
    description:
      'validate-jwt against an OpenID Connect issuer: audiences required, optional issuers and required scopes; stores the token; 401/403 with the MCP authorization challenge.',
    scope: 'mcp',
    optionKeys: OIDC_TOKEN_OPTION_KEYS,
    goldenOptions: {
      openidConfigUrl: 'https://login.example.com/.well-known/openid-configuration',
      audiences: ['https://gateway.example.com/mcp'],
    },
    build: json<OidcTokenOptions>(oidcTokenPolicy),
  },
  {
    name: 'entra-token-validation',
    description:
      'validate-azure-ad-token for a Microsoft Entra tenant: audiences required, optional client applications, scopes and app roles; stores the token; 401/403 with the MCP authorization challenge.',
    scope: 'mcp',
    optionKeys: ENTRA_TOKEN_OPTION_KEYS,
    goldenOptions: { tenantId: '{{entra-tenant-id}}', audiences: ['{{mcp-audience}}'] },
    build: json<EntraTokenOptions>(entraTokenPolicy),
  },
  {
    name: 'protected-resource-metadata',
    description:
      'Serves the RFC 9728 protected-resource metadata (resource, authorization_servers, scopes_supported, bearer_methods_supported) at /.well-known/oauth-protected-resource[/<path>], anonymously.',
    scope: 'operation',
    optionKeys: PRM_OPTION_KEYS,
    goldenOptions: { authorizationServers: ['https://login.microsoftonline.com/{{entra-tenant-id}}/v2.0'] },
    examples: {
      'resource-url': {
        resourceUrl: 'https://mcp.contoso.com/weather/mcp',
        authorizationServers: ['https://login.microsoftonline.com/{{entra-tenant-id}}/v2.0'],
        scopesSupported: ['api://contoso-weather-mcp/mcp.tools'],
        resourceName: 'Contoso weather MCP server',
      },
    },
    build: json<ProtectedResourceMetadataOptions>(protectedResourceMetadata),
  },
  {
    name: 'cors',
    description:
      'CORS for browser MCP clients: listed origins only, GET/POST/DELETE, the MCP request headers, Mcp-Session-Id and WWW-Authenticate exposed; other origins get 403.',
    scope: 'mcp',
    optionKeys: CORS_OPTION_KEYS,
    goldenOptions: { allowedOrigins: ['https://app.example.com'] },
    build: json<CorsOptions>(corsPolicy),
  },
  {
    name: 'backend-auth',
    description:
      'Credentials for the backend: an x-functions-key from a named value, a gateway token header from a secret named value, or a managed-identity token for the backend audience.',
    scope: 'mcp',
    optionKeys: BACKEND_AUTH_OPTION_KEYS,
    goldenOptions: {},
    examples: {
      'gateway-token': { type: 'gateway-token' },
      'managed-identity': { type: 'managed-identity', resource: '{{mcp-backend-audience}}' },
    },
    build: json<BackendAuthOptions>(backendAuthPolicy),
  },
  {
    name: 'request-limits',
    description: 'Refuses bodies over a size limit (413) and bodies without Content-Length (411), from the header alone.',
    scope: 'mcp',
    optionKeys: REQUEST_LIMITS_OPTION_KEYS,
    goldenOptions: {},
    build: json<RequestLimitsOptions>(requestLimitsPolicy),
  },
  {
    name: 'ip-allow-list',
    description: 'Lets only listed addresses and CIDR blocks call (ip-filter), before authentication.',
    scope: 'mcp',
    optionKeys: IP_ALLOW_LIST_OPTION_KEYS,
    goldenOptions: { addresses: ['203.0.113.0/24', '198.51.100.7'] },
    build: json<IpAllowListOptions>(ipAllowListPolicy),
  },
  {
    name: 'content-safety',
    description:
      'Azure AI Content Safety Prompt Shields (llm-content-safety) on JSON-RPC tools/call requests, failing closed; needs a Content Safety backend.',
    scope: 'mcp',
    optionKeys: CONTENT_SAFETY_OPTION_KEYS,
    goldenOptions: {},
    build: json<ContentSafetyOptions>(contentSafetyPolicy),
  },
  {
    name: 'mcp-server',
    description:
      'The production MCP server policy composed from the recipes above, each switchable, in a fixed safe order.',
    scope: 'mcp',
    optionKeys: MCP_SERVER_OPTION_KEYS,
    goldenOptions: {},
    examples: {
      oauth: {
        cors: { allowedOrigins: ['https://app.example.com'] },
        subscriptionKey: false,
        token: {
          provider: 'entra',
          tenantId: '{{entra-tenant-id}}',
          audiences: ['{{mcp-audience}}'],
          requiredScopes: ['mcp.tools'],
          challengeScopes: ['api://contoso-weather-mcp/mcp.tools'],
          resourceUrl: 'https://mcp.contoso.com/weather/mcp',
        },
        rateLimit: { key: 'jwt-subject', toolCallsOnly: true, calls: 30 },
        contentSafety: true,
        backendAuth: { type: 'managed-identity', resource: '{{mcp-backend-audience}}' },
      },
    },
    build: json<McpServerOptions>(mcpServerPolicy),
  },
];

function index(recipes: readonly Recipe[]): Readonly<Record<string, Recipe>> {
  const out: Record<string, Recipe> = {};
  for (const r of recipes) {
    if (out[r.name]) throw new Error(`recipe ${r.name} is registered twice`);
    out[r.name] = r;
  }
  return Object.freeze(out);
}

/** Every recipe by name, in the order the README lists them. */
export const RECIPES: Readonly<Record<string, Recipe>> = index(list);

/** The recipe names, in catalog order. */
export function recipeNames(): string[] {
  return Object.keys(RECIPES);
}

/** The recipe with the name; a PolicyError lists the names when there is none. */
export function recipe(name: string): Recipe {
  const found = Object.prototype.hasOwnProperty.call(RECIPES, name) ? RECIPES[name] : undefined;
  if (!found) throw new PolicyError(`no recipe named ${show(name)}; recipes: ${Object.keys(RECIPES).join(', ')}`);
  return found;
}

/** One golden file: its base name (without format folder and extension), recipe and options. */
export interface GoldenCase {
  readonly file: string;
  readonly recipe: Recipe;
  readonly options: RecipeOptions;
}

/** The goldens the catalog defines: each recipe with its golden options, then each of its examples. */
export function goldenCases(): GoldenCase[] {
  return Object.values(RECIPES).flatMap((r) => [
    { file: r.name, recipe: r, options: r.goldenOptions },
    ...Object.entries(r.examples ?? {}).map(([example, options]) => ({ file: `${r.name}.${example}`, recipe: r, options })),
  ]);
}
