/**
 * CORS for browser-based MCP clients: explicit origins, the methods of the streamable HTTP transport, the
 * request headers MCP needs, and `Mcp-Session-Id` / `WWW-Authenticate` readable by the script. Requests
 * from any other origin are refused with 403, as the MCP transport specification asks servers to validate
 * `Origin` (DNS rebinding).
 */
import { cors } from '../lib/policy/builders/access';
import { choose } from '../lib/policy/builders/control';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { code, csString, expr } from '../lib/policy/expressions';
import { Contribution, Part, composeParts } from './compose';
import { checkOptions, jsonError, optBoolean, optInteger, optStringList } from './common';

/** Request headers an MCP client sends (streamable HTTP transport and authorization). */
export const MCP_REQUEST_HEADERS = ['Authorization', 'Content-Type', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID'] as const;
/** Response headers an MCP client in a browser must be able to read. */
export const MCP_EXPOSED_HEADERS = ['Mcp-Session-Id', 'WWW-Authenticate'] as const;
/** Methods of the streamable HTTP transport: POST messages, GET the event stream, DELETE the session. */
export const MCP_METHODS = ['GET', 'POST', 'DELETE'] as const;

export interface CorsOptions {
  /** Origins allowed to call (`https://app.example.com[:port]`); at least one, never `*`. */
  readonly allowedOrigins: readonly string[];
  /**
   * Request headers allowed besides the MCP ones (Authorization, Content-Type, Mcp-Session-Id,
   * Mcp-Protocol-Version, Last-Event-ID), e.g. `Ocp-Apim-Subscription-Key`.
   * @default - none
   */
  readonly extraAllowedHeaders?: readonly string[];
  /**
   * Response headers readable by the script besides Mcp-Session-Id and WWW-Authenticate.
   * @default - none
   */
  readonly extraExposedHeaders?: readonly string[];
  /**
   * Sends `Access-Control-Allow-Credentials: true` (cookies). Bearer tokens do not need it.
   * @default false
   */
  readonly allowCredentials?: boolean;
  /**
   * Seconds a browser may cache a preflight answer.
   * @default 600
   */
  readonly preflightMaxAge?: number;
  /**
   * Refuses (403) any request that carries an `Origin` header not in `allowedOrigins`.
   * @default true
   */
  readonly rejectOtherOrigins?: boolean;
}

const WHERE = 'cors';
export const CORS_OPTION_KEYS = [
  'allowedOrigins',
  'extraAllowedHeaders',
  'extraExposedHeaders',
  'allowCredentials',
  'preflightMaxAge',
  'rejectOtherOrigins',
] as const;

/** Browsers send origins in lower case without a trailing slash; configured ones are compared that way. */
function normalizeOrigin(origin: string): string {
  if (origin === '*') {
    throw new PolicyError(`${WHERE}: option allowedOrigins may not contain "*": list the origins of the MCP clients allowed to call`);
  }
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new PolicyError(`${WHERE}: option allowedOrigins must list origins such as "https://app.example.com", got ${show(origin)}`);
  }
  if (url.origin === 'null' || `${url.origin}/` !== url.href) {
    throw new PolicyError(`${WHERE}: option allowedOrigins must list origins (scheme, host and port only), got ${show(origin)}`);
  }
  return url.origin;
}

export function corsPart(options: CorsOptions): Part {
  const o = checkOptions(WHERE, options, CORS_OPTION_KEYS);
  const listed = optStringList(WHERE, 'allowedOrigins', o.allowedOrigins);
  if (listed === undefined) throw new PolicyError(`${WHERE}: option allowedOrigins is required: list the origins of the MCP clients allowed to call`);
  const origins = listed.map(normalizeOrigin);
  const extraHeaders = optStringList(WHERE, 'extraAllowedHeaders', o.extraAllowedHeaders) ?? [];
  const extraExposed = optStringList(WHERE, 'extraExposedHeaders', o.extraExposedHeaders) ?? [];
  const credentials = optBoolean(WHERE, 'allowCredentials', o.allowCredentials, false);
  const maxAge = optInteger(WHERE, 'preflightMaxAge', o.preflightMaxAge, 600, { min: 0, max: 86_400 });
  const reject = optBoolean(WHERE, 'rejectOtherOrigins', o.rejectOtherOrigins, true);

  const statements: Contribution<'inbound'>[] = [
    cors({
      allowCredentials: credentials,
      terminateUnmatchedRequest: true,
      allowedOrigins: origins,
      allowedMethods: [...MCP_METHODS],
      preflightResultMaxAge: maxAge,
      allowedHeaders: [...MCP_REQUEST_HEADERS, ...extraHeaders],
      exposeHeaders: [...MCP_EXPOSED_HEADERS, ...extraExposed],
    }),
  ];
  if (reject) {
    const origin = code.requestHeader('Origin');
    statements.push(
      choose({
        when: [
          {
            condition: expr(
              `context.Request.Headers.ContainsKey("Origin") && !new[] { ${origins.map((x) => csString(x)).join(', ')} }.Contains(${origin}.ToLowerInvariant())`,
            ),
            policies: [jsonError({ status: 403, error: 'origin_not_allowed', description: 'Requests from this origin are not allowed.' })],
          },
        ],
      }),
    );
  }
  return { id: 'cors', inbound: { cors: statements } };
}

/** The standalone policy. */
export function corsPolicy(options: CorsOptions): PolicyDocument {
  return composeParts([corsPart(options)]);
}
