/**
 * MCP authorization (MCP specification 2025-06-18 and later) on the gateway:
 *
 * - the OAuth 2.0 Protected Resource Metadata document (RFC 9728) that MCP clients fetch to find the
 *   authorization server, served by an operation-scope policy at `/.well-known/oauth-protected-resource`
 *   and its path-suffixed form `/.well-known/oauth-protected-resource/<mcp path>`;
 * - the challenge on every refusal: `401` with `WWW-Authenticate: Bearer resource_metadata="<metadata URL>"`
 *   (with `error="invalid_token"` when a token was presented and refused), and `403` with
 *   `error="insufficient_scope"` when the token lacks a required scope or role.
 *
 * RFC 9728 section 3.1: the metadata URL inserts `/.well-known/oauth-protected-resource` between the host
 * and the path of the resource identifier, so `https://gw.example.com/weather/mcp` publishes its metadata at
 * `https://gw.example.com/.well-known/oauth-protected-resource/weather/mcp`.
 */
import { choose, returnResponse } from '../lib/policy/builders/control';
import { setHeader } from '../lib/policy/builders/transform';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { csString, expr } from '../lib/policy/expressions';
import { Expression } from '../lib/policy/value';
import { Part, composeParts } from './compose';
import {
  checkOptions,
  jsonError,
  optBoolean,
  optHttpsUrl,
  optInteger,
  optScopes,
  optString,
  optStringList,
} from './common';

/** The well-known path segment of RFC 9728. */
export const PRM_WELL_KNOWN = '/.well-known/oauth-protected-resource';

/** Where the MCP server is: its resource identifier, given or derived from the request. */
export interface ResourceOptions {
  /**
   * The MCP server's resource identifier: the https URL MCP clients connect to (no fragment). Give it
   * when a proxy (Front Door, Application Gateway) sits in front of the gateway or a custom domain is
   * used, so the metadata never depends on the request's Host. Give this or `mcpPath`, not both.
   * @default - derived from the request: `<scheme>://<host>[:port]/<mcpPath>`
   */
  readonly resourceUrl?: string;
  /**
   * Path of the MCP endpoint on the gateway, without leading or trailing slash (the API's path plus
   * `/mcp` for an APIM MCP server, e.g. `weather/mcp`). Used when `resourceUrl` is not given.
   * @default 'mcp'
   */
  readonly mcpPath?: string;
}

export const RESOURCE_OPTION_KEYS = ['resourceUrl', 'mcpPath'] as const;

/** A URL known when the policy is written (`literal`) or computed per request (`code`, a C# string expression). */
export type UrlValue = { readonly literal: string } | { readonly code: string };

/** The resource identifier and the metadata URL of an MCP server. */
export interface ResourceLocation {
  readonly resource: UrlValue;
  readonly metadata: UrlValue;
}

const URL_OF_REQUEST = 'context.Request.OriginalUrl';

/** C# for the origin the caller used (`https://host[:port]`, default ports left out). */
export const REQUEST_ORIGIN_CODE =
  `(${URL_OF_REQUEST}.Scheme + "://" + ${URL_OF_REQUEST}.Host + ` +
  `(((${URL_OF_REQUEST}.Scheme == "https" && ${URL_OF_REQUEST}.Port == 443) || (${URL_OF_REQUEST}.Scheme == "http" && ${URL_OF_REQUEST}.Port == 80)) ? "" : ":" + ${URL_OF_REQUEST}.Port))`;

const MCP_PATH = /^[A-Za-z0-9._~!$&'()*+,;=:@%-]+(\/[A-Za-z0-9._~!$&'()*+,;=:@%-]+)*$/;

/** Checks the resource options and says where the resource and its metadata are. */
export function resourceLocation(where: string, options: ResourceOptions): ResourceLocation {
  const resourceUrl = options.resourceUrl;
  if (resourceUrl !== undefined && options.mcpPath !== undefined) {
    throw new PolicyError(
      `${where}: give resourceUrl or mcpPath, not both (resourceUrl ${show(resourceUrl)} already names the path)`,
    );
  }
  if (resourceUrl !== undefined) {
    const text = optHttpsUrl(where, 'resourceUrl', resourceUrl) as string;
    if (text.startsWith('{{')) {
      throw new PolicyError(
        `${where}: option resourceUrl must be a literal https URL, got the named value ${show(text)}: the metadata URL is computed from it`,
      );
    }
    const url = new URL(text);
    if (url.search !== '') throw new PolicyError(`${where}: option resourceUrl must have no query (RFC 9728), got ${show(text)}`);
    const path = url.pathname === '/' ? '' : url.pathname;
    return { resource: { literal: text }, metadata: { literal: `${url.origin}${PRM_WELL_KNOWN}${path}` } };
  }
  const mcpPath = optString(where, 'mcpPath', options.mcpPath, 'mcp');
  if (!MCP_PATH.test(mcpPath) || mcpPath.split('/').some((s) => s === '.' || s === '..')) {
    throw new PolicyError(
      `${where}: option mcpPath must be a URL path without leading or trailing slash, quotes or dot segments (such as "weather/mcp"), got ${show(mcpPath)}`,
    );
  }
  return {
    resource: { code: `${REQUEST_ORIGIN_CODE} + ${csString(`/${mcpPath}`)}` },
    metadata: { code: `${REQUEST_ORIGIN_CODE} + ${csString(`${PRM_WELL_KNOWN}/${mcpPath}`)}` },
  };
}

/**
 * The `WWW-Authenticate` value `Bearer [error="...", ][scope="...", ]resource_metadata="<metadata URL>"`:
 * literal text when the metadata URL is known, an expression when it is derived from the request.
 */
export function bearerChallenge(location: ResourceLocation, params: { readonly error?: string; readonly scope?: string } = {}): string | Expression {
  const prefix =
    'Bearer ' +
    (params.error ? `error="${params.error}", ` : '') +
    (params.scope ? `scope="${params.scope}", ` : '') +
    'resource_metadata="';
  const metadata = location.metadata;
  if ('literal' in metadata) return `${prefix}${metadata.literal}"`;
  return expr(`${csString(prefix)} + ${metadata.code} + "\\""`);
}

/** The token validators whose failures the challenge answers. */
const TOKEN_ERROR = '(context.LastError.Source == "validate-jwt" || context.LastError.Source == "validate-azure-ad-token")';
/** validate-jwt's documented reasons for a token without a required claim or claim value. */
const CLAIM_REASONS = '(context.LastError.Reason == "TokenClaimNotFound" || context.LastError.Reason == "TokenClaimValueNotAllowed")';

export interface ChallengeConfig {
  readonly location: ResourceLocation;
  /**
   * Scopes the token validation requires, as clients request them: a refusal for a missing claim is
   * answered 403 insufficient_scope naming them. `'roles'` when only app roles are required (403 without a scope parameter).
   * @default - no claims are required: every token refusal is a 401
   */
  readonly requiredScopes?: readonly string[] | 'roles';
}

/**
 * The challenge part: on-error answers for token validation failures, and `WWW-Authenticate` added to any
 * other 401 leaving the gateway (a backend's 401, say) that has none. Reads only the status code and
 * `context.LastError`, never a body.
 */
export function challengePart(config: ChallengeConfig): Part {
  const { location, requiredScopes } = config;
  const when = [];
  if (requiredScopes !== undefined) {
    const scope = requiredScopes === 'roles' ? undefined : requiredScopes.join(' ');
    when.push({
      condition: expr(`${TOKEN_ERROR} && ${CLAIM_REASONS}`),
      policies: [
        jsonError({
          status: 403,
          error: 'insufficient_scope',
          description: 'The access token does not grant the scope or role this MCP server requires.',
          headers: [{ name: 'WWW-Authenticate', existsAction: 'override', value: bearerChallenge(location, { error: 'insufficient_scope', scope }) }],
        }),
      ],
    });
  }
  when.push(
    {
      condition: expr(`${TOKEN_ERROR} && context.LastError.Reason == "TokenNotPresent"`),
      policies: [
        jsonError({
          status: 401,
          error: 'unauthorized',
          description: 'This MCP server needs an access token: see WWW-Authenticate for where to get one.',
          headers: [{ name: 'WWW-Authenticate', existsAction: 'override', value: bearerChallenge(location) }],
        }),
      ],
    },
    {
      condition: expr(TOKEN_ERROR),
      policies: [
        jsonError({
          status: 401,
          error: 'invalid_token',
          description: 'The access token is expired, malformed or not issued for this MCP server.',
          headers: [{ name: 'WWW-Authenticate', existsAction: 'override', value: bearerChallenge(location, { error: 'invalid_token' }) }],
        }),
      ],
    },
  );
  return {
    id: 'mcp-authorization',
    outbound: {
      challenge: [
        choose({
          when: [
            {
              condition: expr('context.Response.StatusCode == 401'),
              // skip: a 401 that already carries a challenge keeps it.
              policies: [setHeader({ name: 'WWW-Authenticate', existsAction: 'skip', value: bearerChallenge(location) })],
            },
          ],
        }),
      ],
    },
    onError: { challenge: [choose({ when })] },
  };
}

// ---------------------------------------------------------------------------------------------------------
// The protected-resource metadata endpoint

export interface ProtectedResourceMetadataOptions extends ResourceOptions {
  /**
   * Issuer URLs of the authorization servers that issue tokens for this MCP server (at least one; the MCP
   * specification requires it), such as `https://login.microsoftonline.com/<tenant id>/v2.0` for Microsoft
   * Entra ID. A `{{named value}}` reference is substituted by APIM.
   */
  readonly authorizationServers: readonly string[];
  /**
   * The scopes clients may request (`scopes_supported`).
   * @default - not published
   */
  readonly scopesSupported?: readonly string[];
  /**
   * Human-readable name of the MCP server (`resource_name`).
   * @default - not published
   */
  readonly resourceName?: string;
  /**
   * https URL of documentation for developers (`resource_documentation`).
   * @default - not published
   */
  readonly resourceDocumentation?: string;
  /**
   * Seconds clients and shared caches may keep the document (`Cache-Control: public, max-age=N`); 0 sends
   * `no-store`.
   * @default 3600
   */
  readonly cacheMaxAge?: number;
  /**
   * Sends `Access-Control-Allow-Origin: *` so browser-based MCP clients can read the document; it is public
   * and sent without credentials.
   * @default true
   */
  readonly allowAnyOrigin?: boolean;
}

const PRM = 'protected-resource-metadata';
export const PRM_OPTION_KEYS = [
  ...RESOURCE_OPTION_KEYS,
  'authorizationServers',
  'scopesSupported',
  'resourceName',
  'resourceDocumentation',
  'cacheMaxAge',
  'allowAnyOrigin',
] as const;

/** The part that answers the metadata request before `<base/>`, so no enclosing scope asks for credentials. */
export function protectedResourceMetadataPart(options: ProtectedResourceMetadataOptions): Part {
  const o = checkOptions(PRM, options, PRM_OPTION_KEYS);
  const location = resourceLocation(PRM, o as ResourceOptions);
  const servers = optStringList(PRM, 'authorizationServers', o.authorizationServers);
  if (servers === undefined) {
    throw new PolicyError(
      `${PRM}: option authorizationServers is required: the MCP specification requires at least one authorization server in the metadata`,
    );
  }
  servers.forEach((s, i) => optHttpsUrl(PRM, `authorizationServers[${i}]`, s));
  const scopes = optScopes(PRM, 'scopesSupported', o.scopesSupported);
  const name = optString(PRM, 'resourceName', o.resourceName);
  const documentation = optHttpsUrl(PRM, 'resourceDocumentation', o.resourceDocumentation);
  const maxAge = optInteger(PRM, 'cacheMaxAge', o.cacheMaxAge, 3600, { min: 0, max: 31_536_000 });
  const anyOrigin = optBoolean(PRM, 'allowAnyOrigin', o.allowAnyOrigin, true);

  // Member order follows RFC 9728 section 2.
  const members: [string, string | readonly string[]][] = [
    ['authorization_servers', servers],
    ...(scopes ? [['scopes_supported', scopes] as [string, readonly string[]]] : []),
    ['bearer_methods_supported', ['header']],
    ...(name ? [['resource_name', name] as [string, string]] : []),
    ...(documentation ? [['resource_documentation', documentation] as [string, string]] : []),
  ];
  let body: string | Expression;
  if ('literal' in location.resource) {
    body = JSON.stringify(Object.fromEntries([['resource', location.resource.literal], ...members]));
  } else {
    const json = (v: string | readonly string[]): string =>
      typeof v === 'string' ? csString(v) : `new JArray(${v.map((s) => csString(s)).join(', ')})`;
    body = expr(
      `new JObject(new JProperty("resource", ${location.resource.code}), ` +
        members.map(([k, v]) => `new JProperty(${csString(k)}, ${json(v)})`).join(', ') +
        ').ToString(Newtonsoft.Json.Formatting.None)',
    );
  }
  return {
    id: 'protected-resource-metadata',
    inbound: {
      answer: [
        returnResponse({
          status: { code: 200 },
          headers: [
            { name: 'Content-Type', existsAction: 'override', value: 'application/json' },
            { name: 'Cache-Control', existsAction: 'override', value: maxAge === 0 ? 'no-store' : `public, max-age=${maxAge}` },
            ...(anyOrigin ? [{ name: 'Access-Control-Allow-Origin', existsAction: 'override' as const, value: '*' }] : []),
          ],
          body: { value: body },
        }),
      ],
    },
  };
}

/**
 * The operation-scope policy of the metadata endpoint: attach it to `GET /.well-known/oauth-protected-resource`
 * and `GET /.well-known/oauth-protected-resource/<mcp path>` (an API at the gateway root, anonymous: no
 * subscription required). It answers before `<base/>`, so nothing inherited can demand credentials for a
 * document whose purpose is to say where to get them.
 */
export function protectedResourceMetadata(options: ProtectedResourceMetadataOptions): PolicyDocument {
  return composeParts([protectedResourceMetadataPart(options)]);
}

