/**
 * Rate limiting after authentication, keyed on an identity the gateway vouches for:
 *
 * - per subscription (`rate-limit-by-key` on `context.Subscription.Id`, or APIM's `rate-limit`);
 * - per client IP (`context.Request.IpAddress`, the address the gateway sees);
 * - per validated token subject (a claim of the token that validate-jwt / validate-azure-ad-token stored);
 * - per MCP session (`Mcp-Session-Id`): a fairness limit only, since the caller chooses the header;
 *
 * optionally counting only JSON-RPC `tools/call` requests (the method is read from the request body, never
 * the response). Successful answers carry `X-RateLimit-Limit` and `X-RateLimit-Window`; a refused call is
 * answered 429 with `Retry-After`, the same two headers and a JSON error.
 *
 * Counter keys start with the API ID, so the same caller has separate budgets on separate MCP servers.
 */
import { rateLimit, rateLimitByKey } from '../lib/policy/builders/access';
import { choose } from '../lib/policy/builders/control';
import { setHeader } from '../lib/policy/builders/transform';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError } from '../lib/policy/errors';
import { code, csString, expr } from '../lib/policy/expressions';
import { Contribution, Part, composeParts } from './compose';
import {
  VARIABLES,
  checkOptions,
  isToolsCallCode,
  jsonError,
  jsonRpcMethodCapture,
  optBoolean,
  optEnum,
  optInteger,
  optString,
  optVariableName,
} from './common';

export type RateLimitKey = 'subscription' | 'client-ip' | 'jwt-subject' | 'session';
export const RATE_LIMIT_KEYS: readonly RateLimitKey[] = ['subscription', 'client-ip', 'jwt-subject', 'session'];

/** The MCP session header (streamable HTTP transport). */
export const MCP_SESSION_HEADER = 'Mcp-Session-Id';

export interface RateLimitOptions {
  /**
   * Calls allowed per key per window (at least 1: a limit of 0 would refuse everything).
   * @default 60
   */
  readonly calls?: number;
  /**
   * The sliding window in seconds, 1-300.
   * @default 60
   */
  readonly renewalPeriod?: number;
  /**
   * What a counter belongs to: `subscription`, `client-ip`, `jwt-subject` (needs token validation before it)
   * or `session` (`Mcp-Session-Id`; the caller picks it, so pair it with an identity limit elsewhere).
   * @default 'subscription'
   */
  readonly key?: RateLimitKey;
  /**
   * With key `subscription`, uses APIM's `rate-limit` policy (counted by APIM per subscription) instead of
   * `rate-limit-by-key`. It cannot count tool calls only.
   * @default false
   */
  readonly builtInPolicy?: boolean;
  /**
   * Counts only JSON-RPC `tools/call` requests. Once a key is over its budget, APIM refuses all of its
   * requests until the window frees up, not just tool calls.
   * @default false
   */
  readonly toolCallsOnly?: boolean;
  /**
   * With key `jwt-subject`: the variable token validation stored the token in.
   * @default 'mcp-token'
   */
  readonly tokenVariable?: string;
  /**
   * With key `jwt-subject`: the claim that identifies the caller (`sub`; `oid` for Entra users across apps).
   * @default 'sub'
   */
  readonly subjectClaim?: string;
}

const WHERE = 'rate-limit';
export const RATE_LIMIT_OPTION_KEYS = ['calls', 'renewalPeriod', 'key', 'builtInPolicy', 'toolCallsOnly', 'tokenVariable', 'subjectClaim'] as const;

export interface CheckedRateLimit {
  readonly calls: number;
  readonly renewalPeriod: number;
  readonly key: RateLimitKey;
  readonly builtInPolicy: boolean;
  readonly toolCallsOnly: boolean;
  readonly tokenVariable: string;
  readonly subjectClaim: string;
}

export function checkRateLimit(options: RateLimitOptions | undefined): CheckedRateLimit {
  const o = checkOptions(WHERE, options, RATE_LIMIT_OPTION_KEYS);
  if (o.calls === 0) throw new PolicyError(`${WHERE}: option calls must be at least 1, got 0: a limit of 0 calls would refuse every request`);
  const checked: CheckedRateLimit = {
    calls: optInteger(WHERE, 'calls', o.calls, 60, { min: 1, max: 2_147_483_647 }),
    renewalPeriod: optInteger(WHERE, 'renewalPeriod', o.renewalPeriod, 60, { min: 1, max: 300 }),
    key: optEnum(WHERE, 'key', o.key, RATE_LIMIT_KEYS, 'subscription'),
    builtInPolicy: optBoolean(WHERE, 'builtInPolicy', o.builtInPolicy, false),
    toolCallsOnly: optBoolean(WHERE, 'toolCallsOnly', o.toolCallsOnly, false),
    tokenVariable: optVariableName(WHERE, 'tokenVariable', o.tokenVariable, VARIABLES.token),
    subjectClaim: optString(WHERE, 'subjectClaim', o.subjectClaim, 'sub'),
  };
  if (checked.builtInPolicy && checked.key !== 'subscription') {
    throw new PolicyError(`${WHERE}: option builtInPolicy counts per subscription; it cannot be combined with key ${JSON.stringify(checked.key)}`);
  }
  if (checked.builtInPolicy && checked.toolCallsOnly) {
    throw new PolicyError(`${WHERE}: options builtInPolicy and toolCallsOnly exclude each other: APIM's rate-limit has no increment-condition`);
  }
  if (o.tokenVariable !== undefined && checked.key !== 'jwt-subject') {
    throw new PolicyError(`${WHERE}: option tokenVariable only applies to key "jwt-subject"`);
  }
  if (o.subjectClaim !== undefined && checked.key !== 'jwt-subject') {
    throw new PolicyError(`${WHERE}: option subjectClaim only applies to key "jwt-subject"`);
  }
  return checked;
}

function identityCode(r: CheckedRateLimit): string {
  switch (r.key) {
    case 'subscription':
      return code.subscriptionId();
    case 'client-ip':
      return code.clientIp();
    case 'jwt-subject':
      return code.jwtClaim(r.tokenVariable, r.subjectClaim);
    case 'session':
      return code.requestHeader(MCP_SESSION_HEADER);
  }
}

export function rateLimitPart(options: RateLimitOptions = {}): Part {
  const r = checkRateLimit(options);
  const limit = r.builtInPolicy
    ? rateLimit({
        calls: r.calls,
        renewalPeriod: r.renewalPeriod,
        retryAfterHeaderName: 'Retry-After',
        retryAfterVariableName: VARIABLES.retryAfter,
      })
    : rateLimitByKey({
        calls: r.calls,
        renewalPeriod: r.renewalPeriod,
        incrementCondition: r.toolCallsOnly ? expr(isToolsCallCode()) : undefined,
        counterKey: expr(`context.Api.Id + ${csString(`:${r.key}:`)} + ${identityCode(r)}`),
        retryAfterHeaderName: 'Retry-After',
        retryAfterVariableName: VARIABLES.retryAfter,
      });
  const classify: Contribution<'inbound'>[] = r.toolCallsOnly ? [jsonRpcMethodCapture()] : [];
  const windowHeaders = [
    { name: 'X-RateLimit-Limit', existsAction: 'override' as const, value: String(r.calls) },
    { name: 'X-RateLimit-Window', existsAction: 'override' as const, value: String(r.renewalPeriod) },
  ];
  const retryAfter = csString(VARIABLES.retryAfter);
  return {
    id: 'rate-limit',
    inbound: { classify, 'rate-limit': [limit] },
    outbound: { 'response-headers': windowHeaders.map((h) => setHeader(h)) },
    onError: {
      'rate-limit': [
        choose({
          when: [
            {
              // The documented reason of both rate-limit policies (Microsoft's predefined errors).
              condition: expr('context.LastError.Reason == "RateLimitExceeded"'),
              policies: [
                jsonError({
                  status: 429,
                  error: 'rate_limited',
                  description: 'Too many requests: retry after the number of seconds in Retry-After.',
                  headers: [
                    {
                      name: 'Retry-After',
                      existsAction: 'override',
                      // The variable holds a number; ToString() reads it whatever its exact type.
                      value: expr(
                        `context.Variables.ContainsKey(${retryAfter}) ? context.Variables[${retryAfter}].ToString() : ${csString(String(r.renewalPeriod))}`,
                      ),
                    },
                    ...windowHeaders,
                  ],
                }),
              ],
            },
          ],
        }),
      ],
    },
  };
}

/** The standalone policy. */
export function rateLimitPolicy(options: RateLimitOptions = {}): PolicyDocument {
  return composeParts([rateLimitPart(options)]);
}
