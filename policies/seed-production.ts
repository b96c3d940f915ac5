/**
 * The seed-style production policy: the arrangement the public MCP-on-APIM samples hand-write, expressed with
 * builders alone. It is the policy language's first proof; the catalog's `mcp-server` recipe supersedes it for
 * real deployments (it adds the MCP authorization challenge and switchable parts).
 */
import {
  E,
  PolicyDocument,
  base,
  choose,
  code,
  cors,
  csString,
  expr,
  policyDocument,
  rateLimit,
  returnResponse,
  setHeader,
  setVariable,
  validateJwt,
} from '../lib/policy';

export interface SeedProductionOptions {
  /** @default - ['https://vscode.dev'] */
  readonly allowedOrigins?: readonly string[];
  /** OpenID Connect discovery document of the token issuer. @default - Entra's common v2.0 endpoint */
  readonly openidConfigUrl?: string;
  /** @default 'api://mcp-server' */
  readonly audience?: string;
  /** Scope a token must carry in `scp`. @default 'mcp.tools' */
  readonly requiredScope?: string;
  /** @default 60 */
  readonly callsPerWindow?: number;
  /** Seconds. @default 60 */
  readonly windowSeconds?: number;
  /** Subscription ids admitted; others get 403. @default - ['mcp-clients'] */
  readonly allowedSubscriptionIds?: readonly string[];
}

const KEY_HEADER = 'Ocp-Apim-Subscription-Key';
const KEY_VARIABLE = 'subscription-key';
const AUTH_VARIABLE = 'authorization';

export function seedProductionPolicy(options: SeedProductionOptions = {}): PolicyDocument {
  const calls = options.callsPerWindow ?? 60;
  const window = options.windowSeconds ?? 60;
  const allowed = options.allowedSubscriptionIds ?? ['mcp-clients'];
  const allowList = `new[] { ${allowed.map(csString).join(', ')} }`;
  const jsonError = (status: number, message: string) =>
    returnResponse({
      status: { code: status },
      headers: [{ name: 'Content-Type', existsAction: 'override', value: 'application/json' }],
      body: { value: JSON.stringify({ error: message }) },
    });

  return policyDocument({
    inbound: [
      cors({
        allowedOrigins: options.allowedOrigins ?? ['https://vscode.dev'],
        allowedMethods: ['GET', 'POST', 'DELETE', 'OPTIONS'],
        allowedHeaders: ['Content-Type', 'Authorization', KEY_HEADER, 'Mcp-Session-Id', 'Mcp-Protocol-Version'],
        exposeHeaders: ['Mcp-Session-Id'],
      }),
      choose({
        when: [{ condition: expr(`${code.requestHeader(KEY_HEADER)} == ""`), policies: [jsonError(401, 'missing subscription key')] }],
      }),
      // <base/> may strip these headers; keep them to re-inject after it.
      setVariable({ name: KEY_VARIABLE, value: E.requestHeader(KEY_HEADER) }),
      setVariable({ name: AUTH_VARIABLE, value: E.requestHeader('Authorization') }),
      base(),
      validateJwt({
        headerName: 'Authorization',
        failedValidationHttpcode: 401,
        failedValidationErrorMessage: 'Unauthorized',
        openidConfigUrls: [options.openidConfigUrl ?? 'https://login.microsoftonline.com/common/v2.0/.well-known/openid-configuration'],
        audiences: [options.audience ?? 'api://mcp-server'],
        requiredClaims: [{ name: 'scp', match: 'any', separator: ' ', values: [options.requiredScope ?? 'mcp.tools'] }],
      }),
      rateLimit({ calls, renewalPeriod: window, retryAfterHeaderName: 'Retry-After' }),
      choose({
        when: [
          {
            condition: expr(`!${allowList}.Contains(${code.subscriptionId()})`),
            policies: [jsonError(403, 'subscription not allowed')],
          },
        ],
      }),
      setHeader({ name: KEY_HEADER, existsAction: 'override', value: E.variable(KEY_VARIABLE) }),
      setHeader({ name: 'Authorization', existsAction: 'override', value: E.variable(AUTH_VARIABLE) }),
    ],
    backend: [base()],
    outbound: [
      base(),
      setHeader({ name: 'X-RateLimit-Limit', existsAction: 'override', value: calls }),
      setHeader({ name: 'X-RateLimit-Window', existsAction: 'override', value: window }),
    ],
    onError: [base()],
  });
}
