/**
 * Access restriction policies: check-header, ip-filter, cors, rate-limit, rate-limit-by-key, quota,
 * quota-by-key.
 *
 * Attribute order, expression support, defaults and ranges follow Microsoft's APIM policy reference;
 * element and attribute names follow the schemas in shared/apim-xsd where the two differ.
 */
import { isIP } from 'node:net';
import { PolicyError, show } from '../errors';
import { AllowedIn } from '../sections';
import { ElementNode, Policy, element, policy, text } from '../model';
import { Expression, Literal, LiteralInput, ValueInput, toLiteral, toValue } from '../value';
import {
  Attr,
  INT32_MAX,
  boolValue,
  countSet,
  enumValue,
  failureStatus,
  headerNameLiteral,
  headerNameValue,
  intLiteral,
  intValue,
  listElement,
  nonEmptyList,
  plainText,
  present,
  textLiteral,
  textValue,
  opt,
  variableName,
} from './internal/inputs';

// ---------------------------------------------------------------------------------------------------------
// check-header

export interface CheckHeaderProps {
  /** Name of the request header to check. Policy expressions are allowed. */
  readonly name: ValueInput;
  /** Status code answered when the header is missing or has a value not in `values` (400-599). */
  readonly failedCheckHttpcode: ValueInput;
  /** Response body text when the check fails. Policy expressions are allowed. */
  readonly failedCheckErrorMessage: ValueInput;
  /**
   * Whether values are compared case-insensitively. APIM requires the attribute, so it is always written.
   * @default false
   */
  readonly ignoreCase?: ValueInput;
  /**
   * Accepted header values; the check passes when any one matches.
   * @default - none: only the header's presence is checked
   */
  readonly values?: readonly LiteralInput[];
}

/** `<check-header>`: requires a request header, optionally with one of the given values. */
export function checkHeader(props: CheckHeaderProps): Policy<AllowedIn<'check-header'>> {
  const values = nonEmptyList(props.values, '<check-header> values', 'omit values to check only that the header is present');
  return policy(element(
    'check-header',
    [
      ['name', headerNameValue(props.name, '<check-header> name')],
      ['failed-check-httpcode', failureStatus(props.failedCheckHttpcode, '<check-header> failed-check-httpcode')],
      ['failed-check-error-message', toValue(props.failedCheckErrorMessage, '<check-header> failed-check-error-message')],
      ['ignore-case', boolValue(props.ignoreCase ?? false, '<check-header> ignore-case')],
    ],
    (values ?? []).map((v) => element('value', [], [text(toLiteral(v, '<check-header> value'))])),
  ));
}

// ---------------------------------------------------------------------------------------------------------
// ip-filter

export type IpFilterAction = 'allow' | 'forbid';

export interface IpAddressRange {
  /** First address of the range (IPv4 or IPv6). */
  readonly from: LiteralInput;
  /** Last address of the range, same family as `from` and not below it. */
  readonly to: LiteralInput;
}

export interface IpFilterProps {
  /** Whether the listed addresses are the only ones let through (`allow`) or the ones refused (`forbid`). */
  readonly action: IpFilterAction | Expression;
  /**
   * Single IPv4 or IPv6 addresses. Policy expressions are allowed.
   * @default - none (give at least one address or range)
   */
  readonly addresses?: readonly ValueInput[];
  /**
   * Address ranges. The docs do not allow expressions in `from` / `to` (the C# policy toolkit does); they
   * are taken literally here.
   * @default - none (give at least one address or range)
   */
  readonly addressRanges?: readonly IpAddressRange[];
}

/** `<ip-filter>`: allows or refuses callers by IP address. */
export function ipFilter(props: IpFilterProps): Policy<AllowedIn<'ip-filter'>> {
  const addresses = props.addresses ?? [];
  const ranges = props.addressRanges ?? [];
  if (addresses.length + ranges.length === 0) {
    throw new PolicyError('<ip-filter> needs at least one address or address range: an empty filter matches no caller');
  }
  const children: ElementNode[] = [
    ...addresses.map((a, i) => {
      const where = `<ip-filter> address[${i}]`;
      checkIpAddress(a, where);
      return element('address', [], [text(toValue(a, where))]);
    }),
    ...ranges.map((r, i) => {
      const where = `<ip-filter> address-range[${i}]`;
      const from = toLiteral(r.from, `${where} from`);
      const to = toLiteral(r.to, `${where} to`);
      checkIpRange(r, where);
      return element('address-range', [
        ['from', from],
        ['to', to],
      ]);
    }),
  ];
  const action = enumValue(props.action, '<ip-filter> action', ['allow', 'forbid']);
  return policy(element('ip-filter', [['action', action]], children));
}

function checkIpAddress(input: ValueInput, where: string): number {
  const plain = plainText(input);
  if (plain === undefined) return 0;
  const family = isIP(plain);
  if (family === 0) {
    const hint = plain.includes('/') ? ' (CIDR blocks are not accepted: use an address range)' : '';
    throw new PolicyError(`${where} must be a single IPv4 or IPv6 address, got ${show(input)}${hint}`);
  }
  return family;
}

function checkIpRange(range: IpAddressRange, where: string): void {
  const fromFamily = checkIpAddress(range.from, `${where} from`);
  const toFamily = checkIpAddress(range.to, `${where} to`);
  if (fromFamily === 0 || toFamily === 0) return;
  const from = plainText(range.from) as string;
  const to = plainText(range.to) as string;
  if (fromFamily !== toFamily) {
    throw new PolicyError(`${where} mixes IPv${fromFamily} ${show(from)} with IPv${toFamily} ${show(to)}`);
  }
  if (ipNumber(from) > ipNumber(to)) {
    throw new PolicyError(`${where} runs backwards: from ${show(from)} is above to ${show(to)}`);
  }
}

/** The address as a number, for ordering; the input is a valid IPv4 or IPv6 address. */
function ipNumber(address: string): bigint {
  if (isIP(address) === 4) {
    return address.split('.').reduce((acc, part) => (acc << 8n) | BigInt(Number(part)), 0n);
  }
  let text6 = address.split('%')[0];
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text6);
  if (v4) {
    const n = ipNumber(v4[1]);
    text6 = text6.slice(0, v4.index) + ((n >> 16n) & 0xffffn).toString(16) + ':' + (n & 0xffffn).toString(16);
  }
  const [head, tail] = text6.includes('::') ? text6.split('::') : [text6, undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail ? tail.split(':') : [];
  const zeros = tail === undefined ? [] : Array<string>(8 - headParts.length - tailParts.length).fill('0');
  return [...headParts, ...zeros, ...tailParts].reduce((acc, part) => (acc << 16n) | BigInt(parseInt(part, 16)), 0n);
}

// ---------------------------------------------------------------------------------------------------------
// cors

export interface CorsProps {
  /**
   * Sets `Access-Control-Allow-Credentials`. Refused together with the `*` origin: browsers reject that
   * combination, and answering any origin with credentials would expose the caller's session.
   * @default false
   */
  readonly allowCredentials?: ValueInput;
  /**
   * Whether cross-origin requests that match no setting end with an empty `200 OK` (`true`) or fall
   * through to other `cors` policies or the backend without CORS headers (`false`). Policy expressions
   * are allowed.
   * @default - not written; APIM's default (the reference's table says false, its usage notes and newer
   *   versions say true)
   */
  readonly terminateUnmatchedRequest?: ValueInput;
  /**
   * Origins allowed to call: `*` alone, or one or more `scheme://host[:port]` URIs.
   */
  readonly allowedOrigins: readonly LiteralInput[];
  /**
   * HTTP methods allowed cross-origin (`*` for any). Policy expressions are allowed.
   * @default - no allowed-methods element: GET and POST only
   */
  readonly allowedMethods?: readonly ValueInput[];
  /**
   * Seconds a browser may cache the preflight answer (`Access-Control-Max-Age`); written on
   * allowed-methods, so it needs `allowedMethods`. Policy expressions are allowed.
   * @default - 0 (not cached)
   */
  readonly preflightResultMaxAge?: ValueInput;
  /**
   * Request headers allowed cross-origin (`*` for any). MCP clients in a browser need at least
   * `Authorization`, `Content-Type` and `Mcp-Session-Id`.
   * @default - no allowed-headers element
   */
  readonly allowedHeaders?: readonly LiteralInput[];
  /**
   * Response headers readable by the calling script.
   * @default - no expose-headers element
   */
  readonly exposeHeaders?: readonly LiteralInput[];
}

/** `<cors>`: answers CORS preflights and adds CORS headers for the allowed origins. */
export function cors(props: CorsProps): Policy<AllowedIn<'cors'>> {
  const origins =
    nonEmptyList(props.allowedOrigins, '<cors> allowedOrigins', "list the origins allowed to call, or '*' for any") ?? [];
  const originValues = origins.map((o, i) => {
    const where = `<cors> allowed origin[${i}]`;
    const value = toLiteral(o, where);
    checkOrigin(o, where);
    return value;
  });
  const anyOrigin = origins.some((o) => plainText(o) === '*');
  if (anyOrigin && origins.length > 1) {
    throw new PolicyError(`<cors> allowed origin '*' must stand alone, got ${show(origins.map(String))}`);
  }
  const credentials = props.allowCredentials;
  if (anyOrigin && credentials !== undefined && plainText(credentials) !== 'false') {
    throw new PolicyError(
    `<cors> allow-credentials ${show(String(credentials))} with the '*' origin: browsers refuse credentials for a wildcard ` +
      'origin, and allowing any site to call with the user\'s credentials is unsafe; list the trusted origins instead',
  );
  }
  if (props.preflightResultMaxAge !== undefined && props.allowedMethods === undefined) {
    throw new PolicyError(
      '<cors> preflightResultMaxAge is an attribute of allowed-methods: give allowedMethods too ' +
        '(["GET", "POST"] keeps the default)',
    );
  }
  const methods = nonEmptyList(props.allowedMethods, '<cors> allowedMethods', 'omit it to allow GET and POST only');
  const headers = nonEmptyList(props.allowedHeaders, '<cors> allowedHeaders', 'omit it to allow no extra request headers');
  const expose = nonEmptyList(props.exposeHeaders, '<cors> exposeHeaders', 'omit it to expose no extra response headers');
  const maxAge = opt(props.preflightResultMaxAge, (v) =>
    intValue(v, '<cors> preflight-result-max-age', { min: 0, max: 4_294_967_295 }),
  );
  const children = present([
    listElement('allowed-origins', 'origin', originValues),
    methods &&
      element(
        'allowed-methods',
        [['preflight-result-max-age', maxAge]],
        methods.map((m, i) => element('method', [], [text(textValue(m, `<cors> allowed method[${i}]`))])),
      ),
    listElement(
      'allowed-headers',
      'header',
      headers?.map((h, i) => headerNameLiteral(h, `<cors> allowed header[${i}]`, { allowStar: true })),
    ),
    listElement('expose-headers', 'header', expose?.map((h, i) => headerNameLiteral(h, `<cors> expose header[${i}]`))),
  ]);
  return policy(element(
    'cors',
    [
      ['allow-credentials', opt(credentials, (v) => boolValue(v, '<cors> allow-credentials'))],
      [
        'terminate-unmatched-request',
        opt(props.terminateUnmatchedRequest, (v) => boolValue(v, '<cors> terminate-unmatched-request')),
      ],
    ],
    children,
  ));
}

function checkOrigin(input: LiteralInput, where: string): void {
  const plain = plainText(input);
  if (plain === undefined || plain === '*') return;
  const fail = (why: string): never => {
    throw new PolicyError(`${where} must be '*' or an origin like "https://app.example.com[:port]" (${why}), got ${show(plain)}`);
  };
  let url: URL;
  try {
    url = new URL(plain);
  } catch {
    return fail('not a URI');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') fail('scheme must be http or https');
  if (url.username || url.password) fail('no user information');
  if (url.pathname !== '/' || url.search || url.hash) fail('no path, query or fragment');
}

// ---------------------------------------------------------------------------------------------------------
// rate-limit

/** Both rate-limit windows are sliding windows of at most 300 s. */
const RATE_LIMIT_PERIOD = { min: 1, max: 300, hint: 'APIM allows a renewal period of 1 to 300 seconds' };
const CALLS = { min: 1, max: INT32_MAX, hint: 'a limit of 0 calls would refuse every request' };

export interface RateLimitOperation {
  /** Operation name; give `name` or `id`, not both (APIM ignores the name when an id is set). */
  readonly name?: LiteralInput;
  /** Operation id; give `name` or `id`, not both. */
  readonly id?: LiteralInput;
  /** Calls allowed per `renewalPeriod` for this operation. */
  readonly calls: LiteralInput;
  /** Sliding window in seconds, 1-300. */
  readonly renewalPeriod: LiteralInput;
}

export interface RateLimitApi extends RateLimitOperation {
  /**
   * Limits for single operations of this API, applied independently of the API's own limit.
   * @default - none
   */
  readonly operations?: readonly RateLimitOperation[];
}

export interface RateLimitProps {
  /** Calls a subscription may make per `renewalPeriod` (at least 1). Literal only. */
  readonly calls: LiteralInput;
  /** Sliding window in seconds, 1-300. Literal only. */
  readonly renewalPeriod: LiteralInput;
  /**
   * Response header carrying the retry interval once the limit is hit.
   * @default 'Retry-After'
   */
  readonly retryAfterHeaderName?: LiteralInput;
  /**
   * Context variable that receives the retry interval once the limit is hit.
   * @default - not stored
   */
  readonly retryAfterVariableName?: LiteralInput;
  /**
   * Response header carrying the calls left in the window.
   * @default - not sent
   */
  readonly remainingCallsHeaderName?: LiteralInput;
  /**
   * Context variable that receives the calls left in the window.
   * @default - not stored
   */
  readonly remainingCallsVariableName?: LiteralInput;
  /**
   * Response header carrying the `calls` value.
   * @default - not sent
   */
  readonly totalCallsHeaderName?: LiteralInput;
  /**
   * Per-API limits (with optional per-operation limits), applied independently of the product limit.
   * @default - none
   */
  readonly apis?: readonly RateLimitApi[];
}

/** `<rate-limit>`: limits the call rate per subscription (product, API or operation scope). */
export function rateLimit(props: RateLimitProps): Policy<AllowedIn<'rate-limit'>> {
  const apis = nonEmptyList(props.apis, '<rate-limit> apis', 'omit it when there are no per-API limits') ?? [];
  return policy(element(
    'rate-limit',
    [
      ['calls', intLiteral(props.calls, '<rate-limit> calls', CALLS)],
      ['renewal-period', intLiteral(props.renewalPeriod, '<rate-limit> renewal-period', RATE_LIMIT_PERIOD)],
      ...counterHeaders('rate-limit', props),
    ],
    apis.map((api, i) => {
      const where = `<rate-limit> api[${i}]`;
      const operations = nonEmptyList(api.operations, `${where} operations`, 'omit it without per-operation limits') ?? [];
      return element(
        'api',
        rateTarget(api, where),
        operations.map((op, j) => element('operation', rateTarget(op, `${where} operation[${j}]`))),
      );
    }),
  ));
}

function targetRef(target: { readonly name?: LiteralInput; readonly id?: LiteralInput }, where: string): Attr[] {
  const set = countSet([target.name, target.id]);
  if (set !== 1) {
    throw new PolicyError(
      set === 0
        ? `${where} needs a name or an id`
        : `${where} has both name ${show(String(target.name))} and id ${show(String(target.id))}: ` +
          'APIM ignores the name when an id is set; give one',
    );
  }
  return [
    ['name', opt(target.name, (v) => textLiteral(v, `${where} name`))],
    ['id', opt(target.id, (v) => textLiteral(v, `${where} id`))],
  ];
}

function rateTarget(target: RateLimitOperation, where: string): Attr[] {
  return [
    ...targetRef(target, where),
    ['calls', intLiteral(target.calls, `${where} calls`, CALLS)],
    ['renewal-period', intLiteral(target.renewalPeriod, `${where} renewal-period`, RATE_LIMIT_PERIOD)],
  ];
}

interface CounterHeaderProps {
  readonly retryAfterHeaderName?: LiteralInput;
  readonly retryAfterVariableName?: LiteralInput;
  readonly remainingCallsHeaderName?: LiteralInput;
  readonly remainingCallsVariableName?: LiteralInput;
  readonly totalCallsHeaderName?: LiteralInput;
}

function counterHeaders(policyName: string, props: CounterHeaderProps): Attr[] {
  const header = (input: LiteralInput | undefined, attr: string) =>
    opt(input, (v) => headerNameLiteral(v, `<${policyName}> ${attr}`));
  const variable = (input: LiteralInput | undefined, attr: string) =>
    opt(input, (v) => variableName(v, `<${policyName}> ${attr}`));
  return [
    ['retry-after-header-name', header(props.retryAfterHeaderName, 'retry-after-header-name')],
    ['retry-after-variable-name', variable(props.retryAfterVariableName, 'retry-after-variable-name')],
    ['remaining-calls-header-name', header(props.remainingCallsHeaderName, 'remaining-calls-header-name')],
    ['remaining-calls-variable-name', variable(props.remainingCallsVariableName, 'remaining-calls-variable-name')],
    ['total-calls-header-name', header(props.totalCallsHeaderName, 'total-calls-header-name')],
  ];
}

// ---------------------------------------------------------------------------------------------------------
// rate-limit-by-key

const INCREMENT_COUNT = { min: 1, max: INT32_MAX, hint: 'use incrementCondition to leave a request uncounted' };

export interface RateLimitByKeyProps {
  /** Calls allowed per key per `renewalPeriod` (at least 1). Policy expressions are allowed. */
  readonly calls: ValueInput;
  /** Sliding window in seconds, 1-300. Policy expressions are allowed. */
  readonly renewalPeriod: ValueInput;
  /**
   * Whether a request counts towards the limit (a boolean expression). APIM evaluates it at the end of
   * the outbound pipeline, so it can read the response.
   * @default - every request counts
   */
  readonly incrementCondition?: ValueInput;
  /**
   * How much a request adds to the counter (at least 1). Policy expressions are allowed.
   * @default 1
   */
  readonly incrementCount?: ValueInput;
  /**
   * The key that selects the counter, usually an expression over a validated identity (a JWT claim), not
   * a header the caller chooses freely.
   */
  readonly counterKey: ValueInput;
  /**
   * Response header carrying the retry interval once the limit is hit.
   * @default 'Retry-After'
   */
  readonly retryAfterHeaderName?: LiteralInput;
  /**
   * Context variable that receives the retry interval once the limit is hit.
   * @default - not stored
   */
  readonly retryAfterVariableName?: LiteralInput;
  /**
   * Response header carrying the calls left for the key in the window.
   * @default - not sent
   */
  readonly remainingCallsHeaderName?: LiteralInput;
  /**
   * Context variable that receives the calls left for the key in the window.
   * @default - not stored
   */
  readonly remainingCallsVariableName?: LiteralInput;
  /**
   * Response header carrying the `calls` value.
   * @default - not sent
   */
  readonly totalCallsHeaderName?: LiteralInput;
}

/**
 * `<rate-limit-by-key>`: limits the call rate per key.
 *
 * The schema also has `increment-after-response` and `flexible-retry-window`, which Microsoft's reference
 * does not document; they are not offered.
 */
export function rateLimitByKey(props: RateLimitByKeyProps): Policy<AllowedIn<'rate-limit-by-key'>> {
  const w = (attr: string) => `<rate-limit-by-key> ${attr}`;
  return policy(element('rate-limit-by-key', [
    ['calls', intValue(props.calls, w('calls'), CALLS)],
    ['renewal-period', intValue(props.renewalPeriod, w('renewal-period'), RATE_LIMIT_PERIOD)],
    ['increment-condition', opt(props.incrementCondition, (v) => boolValue(v, w('increment-condition')))],
    ['increment-count', opt(props.incrementCount, (v) => intValue(v, w('increment-count'), INCREMENT_COUNT))],
    ['counter-key', textValue(props.counterKey, w('counter-key'))],
    ...counterHeaders('rate-limit-by-key', props),
  ]));
}

// ---------------------------------------------------------------------------------------------------------
// quota

const QUOTA_CALLS = { min: 1, max: INT32_MAX, hint: 'a quota of 0 calls would refuse every request' };
// xs:long in the schema; beyond 2^53 a JavaScript number is no longer exact.
const BANDWIDTH = { min: 1, max: Number.MAX_SAFE_INTEGER, hint: 'a quota of 0 kilobytes would refuse every request' };

export interface QuotaOperation {
  /** Operation name; give `name` or `id`, not both (APIM ignores the name when an id is set). */
  readonly name?: LiteralInput;
  /** Operation id; give `name` or `id`, not both. */
  readonly id?: LiteralInput;
  /**
   * Calls allowed per renewal period; give `calls`, `bandwidth` or both.
   * @default - no call quota
   */
  readonly calls?: LiteralInput;
  /**
   * Kilobytes allowed per renewal period; give `calls`, `bandwidth` or both.
   * @default - no bandwidth quota
   */
  readonly bandwidth?: LiteralInput;
}

export interface QuotaApi extends QuotaOperation {
  /**
   * Quotas for single operations of this API, applied independently of the API's own quota.
   * @default - none
   */
  readonly operations?: readonly QuotaOperation[];
}

export interface QuotaProps {
  /**
   * Calls a subscription may make per renewal period; give `calls`, `bandwidth` or both. Literal only.
   * @default - no call quota
   */
  readonly calls?: LiteralInput;
  /**
   * Kilobytes a subscription may transfer per renewal period. Literal only.
   * @default - no bandwidth quota
   */
  readonly bandwidth?: LiteralInput;
  /** Fixed window in seconds after which the quota resets; 0 means it never resets. Literal only. */
  readonly renewalPeriod: LiteralInput;
  /**
   * Per-API quotas (with optional per-operation quotas). The reference also lists `renewal-period` on
   * them, but the schema does not allow it there: they share the policy's period.
   * @default - none
   */
  readonly apis?: readonly QuotaApi[];
}

/** `<quota>`: a renewable or lifetime call and/or bandwidth quota per subscription (product scope). */
export function quota(props: QuotaProps): Policy<AllowedIn<'quota'>> {
  const apis = nonEmptyList(props.apis, '<quota> apis', 'omit it when there are no per-API quotas') ?? [];
  return policy(element(
    'quota',
    [
      ...quotaAmounts(props, '<quota>'),
      ['renewal-period', intLiteral(props.renewalPeriod, '<quota> renewal-period', { min: 0, max: INT32_MAX })],
    ],
    apis.map((api, i) => {
      const where = `<quota> api[${i}]`;
      const operations = nonEmptyList(api.operations, `${where} operations`, 'omit it without per-operation quotas') ?? [];
      return element(
        'api',
        [...targetRef(api, where), ...quotaAmounts(api, where)],
        operations.map((op, j) => {
          const opWhere = `${where} operation[${j}]`;
          return element('operation', [...targetRef(op, opWhere), ...quotaAmounts(op, opWhere)]);
        }),
      );
    }),
  ));
}

function quotaAmounts(props: { readonly calls?: LiteralInput; readonly bandwidth?: LiteralInput }, where: string): Attr[] {
  if (props.calls === undefined && props.bandwidth === undefined) {
    throw new PolicyError(`${where} needs calls, bandwidth or both: a quota without either limits nothing`);
  }
  return [
    ['calls', opt(props.calls, (v) => intLiteral(v, `${where} calls`, QUOTA_CALLS))],
    ['bandwidth', opt(props.bandwidth, (v) => intLiteral(v, `${where} bandwidth`, BANDWIDTH))],
  ];
}

// ---------------------------------------------------------------------------------------------------------
// quota-by-key

export interface QuotaByKeyProps {
  /**
   * Calls allowed per key per renewal period; give `calls`, `bandwidth` or both. Literal only.
   * @default - no call quota
   */
  readonly calls?: LiteralInput;
  /**
   * Kilobytes allowed per key per renewal period. Literal only.
   * @default - no bandwidth quota
   */
  readonly bandwidth?: LiteralInput;
  /** Fixed window in seconds: 0 (the quota never resets) or at least 300. Literal only. */
  readonly renewalPeriod: LiteralInput;
  /**
   * Whether a request counts towards the quota (a boolean expression).
   * @default - every request counts
   */
  readonly incrementCondition?: ValueInput;
  /**
   * How much a request adds to the counter (at least 1). Policy expressions are allowed.
   * @default 1
   */
  readonly incrementCount?: ValueInput;
  /** The key that selects the counter, usually an expression over a validated identity. */
  readonly counterKey: ValueInput;
  /**
   * Start of the first renewal period: a `Date` or `yyyy-MM-ddTHH:mm:ssZ`. Literal only.
   * @default '0001-01-01T00:00:00Z'
   */
  readonly firstPeriodStart?: LiteralInput | Date;
}

/** `<quota-by-key>`: a renewable or lifetime call and/or bandwidth quota per key. */
export function quotaByKey(props: QuotaByKeyProps): Policy<AllowedIn<'quota-by-key'>> {
  const w = (attr: string) => `<quota-by-key> ${attr}`;
  const period = intLiteral(props.renewalPeriod, w('renewal-period'), { min: 0, max: INT32_MAX });
  const periodText = plainText(props.renewalPeriod);
  if (periodText !== undefined && Number(periodText) > 0 && Number(periodText) < 300) {
    throw new PolicyError(
      `${w('renewal-period')} must be 0 (never resets) or at least 300 seconds, got ${show(props.renewalPeriod)}`,
    );
  }
  return policy(element('quota-by-key', [
    ...quotaAmounts(props, '<quota-by-key>'),
    ['renewal-period', period],
    ['increment-condition', opt(props.incrementCondition, (v) => boolValue(v, w('increment-condition')))],
    ['increment-count', opt(props.incrementCount, (v) => intValue(v, w('increment-count'), INCREMENT_COUNT))],
    ['counter-key', textValue(props.counterKey, w('counter-key'))],
    ['first-period-start', opt(props.firstPeriodStart, (v) => periodStart(v, w('first-period-start')))],
  ]));
}

function periodStart(input: LiteralInput | Date, where: string): Literal {
  if (input instanceof Date) {
    if (Number.isNaN(input.getTime())) throw new PolicyError(`${where} is an invalid Date`);
    return input.toISOString().replace(/\.\d{3}Z$/, 'Z');
  }
  const value = toLiteral(input, where);
  const plain = plainText(input);
  if (plain !== undefined) {
    // The round trip refuses dates that do not exist (2025-02-30), which Date.parse would roll over.
    const parsed = new Date(plain);
    const ok =
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/.test(plain) &&
      !Number.isNaN(parsed.getTime()) &&
      parsed.toISOString().replace(/\.\d{3}Z$/, 'Z') === plain;
    if (!ok) throw new PolicyError(`${where} must be a UTC date-time such as "2025-01-01T00:00:00Z", got ${show(input)}`);
  }
  return value;
}
