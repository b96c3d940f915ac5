/**
 * Builders for the policies that talk to other services or to the gateway's telemetry: send-request,
 * send-one-way-request, the cache-*-value trio, emit-metric, trace and log-to-eventhub.
 *
 * Attribute order, defaults and which attributes take policy expressions follow Microsoft's APIM policy
 * reference (learn.microsoft.com/azure/api-management/<policy>-policy).
 */
import { PolicyError, show } from '../errors';
import { ElementNode, Policy, PolicyNode, element, policy, text } from '../model';
import { AllowedIn } from '../sections';
import { Expression, Literal, LiteralInput, Value, ValueInput, toLiteral, toValue } from '../value';
import {
  HTTP_TOKEN,
  INT32_MAX,
  IntRange,
  enumLiteral,
  enumValue,
  headerNameValue,
  intLiteral,
  intValue,
  opt,
  required,
  showInput,
  textLiteral,
  textValue,
} from './internal/inputs';

// ---------------------------------------------------------------------------------------------------------
// send-request / send-one-way-request

/** Whether the request starts empty (`new`) or with the current request's headers and body (`copy`). */
export type SendRequestMode = 'new' | 'copy';

/** A `<set-header>` inside a request policy. */
export interface SendRequestHeader {
  /** Header name. Policy expressions are allowed. */
  readonly name: ValueInput;
  /**
   * What to do when the header is already set. Policy expressions are allowed.
   * @default 'override'
   */
  readonly existsAction?: 'override' | 'skip' | 'append' | 'delete' | Expression;
  /**
   * One `<value>` element each. Policy expressions are allowed. Must be empty with `existsAction: 'delete'`.
   * @default - no value elements
   */
  readonly values?: readonly ValueInput[];
}

/**
 * The client certificate for the request (`<authentication-certificate>`): give exactly one of
 * `thumbprint`, `certificateId` or `body`. Policy expressions are allowed in all four attributes.
 */
export interface SendRequestCertificate {
  /** @default - not used */
  readonly thumbprint?: ValueInput;
  /** The certificate resource name in API Management. Prefer it for Key Vault certificates, whose thumbprint changes on rotation. @default - not used */
  readonly certificateId?: ValueInput;
  /** The certificate as a byte array (usually an expression). A named value or expression, never literal text. @default - not used */
  readonly body?: ValueInput;
  /** Password of the certificate in `body`. A named value or expression, never literal text. @default - no password */
  readonly password?: ValueInput;
}

/** Authenticates the request with the gateway's managed identity (`<authentication-managed-identity>`). */
export interface SendRequestManagedIdentity {
  /** Application ID URI of the target resource. Policy expressions are allowed. */
  readonly resource: ValueInput;
  /** Client ID of a user-assigned identity. Read literally. @default - the system-assigned identity */
  readonly clientId?: LiteralInput;
  /** Context variable that receives the token as a string. Read literally. @default - the token is not stored */
  readonly outputTokenVariableName?: LiteralInput;
  /** Continue when no token is obtained. @default false */
  readonly ignoreError?: boolean;
}

/** Routes the request through an HTTP proxy (`<proxy>`); only `http://` proxies are supported. */
export interface SendRequestProxy {
  /** `http://host:port`. Policy expressions are allowed. */
  readonly url: ValueInput;
  /** Policy expressions are allowed. @default - no proxy authentication */
  readonly username?: ValueInput;
  /** A named value or expression, never literal text. @default - no proxy authentication */
  readonly password?: ValueInput;
}

export interface SendOneWayRequestProps {
  /**
   * `new` starts an empty request; `copy` copies the current request's headers and body (in outbound the
   * body is not copied). Policy expressions are allowed.
   * @default 'new'
   */
  readonly mode?: SendRequestMode | Expression;
  /**
   * Seconds before the call fails, a whole number from 1. Policy expressions are allowed.
   * @default 60
   */
  readonly timeout?: ValueInput;
  /**
   * Absolute `http(s)` URL of the request (`<set-url>`). Policy expressions are allowed.
   * Required unless `mode` is `copy`.
   * @default - the current request's URL (mode copy only)
   */
  readonly url?: ValueInput;
  /**
   * HTTP method (`<set-method>`). Read literally. Required unless `mode` is `copy`.
   * @default - the current request's method (mode copy only)
   */
  readonly method?: LiteralInput;
  /** @default - no `<set-header>` elements */
  readonly headers?: readonly SendRequestHeader[];
  /** Request body (`<set-body>`). Policy expressions are allowed. @default - no body */
  readonly body?: ValueInput;
  /** @default - no client certificate */
  readonly authenticationCertificate?: SendRequestCertificate;
  /** @default - no managed identity token */
  readonly authenticationManagedIdentity?: SendRequestManagedIdentity;
  /** @default - no proxy */
  readonly proxy?: SendRequestProxy;
}

export interface SendRequestProps extends SendOneWayRequestProps {
  /** Context variable that receives the response object. Policy expressions are allowed. */
  readonly responseVariableName: ValueInput;
  /** When true, an error leaves the response variable null instead of failing the request. @default false */
  readonly ignoreError?: boolean;
}

/** `<send-request>`: sends a request and stores the response in a context variable. */
export function sendRequest(props: SendRequestProps): Policy<AllowedIn<'send-request'>> {
  const tag = '<send-request>';
  const mode = requestMode(props.mode, tag);
  return policy(
    element(
      'send-request',
      [
        ['mode', mode],
        ['response-variable-name', textValue(props.responseVariableName, `${tag} response-variable-name`)],
        ['timeout', opt(props.timeout, (v) => intValue(v, `${tag} timeout`, SECONDS))],
        ['ignore-error', flag(props.ignoreError, `${tag} ignore-error`)],
      ],
      requestChildren(props, tag, mode),
    ),
  );
}

/** `<send-one-way-request>`: sends a request without waiting for the response. */
export function sendOneWayRequest(props: SendOneWayRequestProps): Policy<AllowedIn<'send-one-way-request'>> {
  const tag = '<send-one-way-request>';
  const mode = requestMode(props.mode, tag);
  return policy(
    element(
      'send-one-way-request',
      [
        ['mode', mode],
        // The docs allow expressions here; the VS Code XSD types it xs:int. The gateway follows the docs.
        ['timeout', opt(props.timeout, (v) => intValue(v, `${tag} timeout`, SECONDS))],
      ],
      requestChildren(props, tag, mode),
    ),
  );
}

const SECONDS: IntRange = { min: 1, max: INT32_MAX, accepts: `a whole number from 1 to ${INT32_MAX} seconds` };

function requestMode(input: SendRequestMode | Expression | undefined, tag: string): Value | undefined {
  return opt(input, (v) => enumValue(v, `${tag} mode`, ['new', 'copy']));
}

function requestChildren(props: SendOneWayRequestProps, tag: string, mode: Value | undefined): PolicyNode[] {
  const children: PolicyNode[] = [];
  // With an expression the mode is known only at run time, so neither element can be demanded.
  const isNew = mode === undefined || mode === 'new';
  if (props.url === undefined && isNew) {
    throw new PolicyError(`${tag} needs a url (<set-url>) unless mode is "copy"`);
  }
  if (props.method === undefined && isNew) {
    throw new PolicyError(`${tag} needs a method (<set-method>) unless mode is "copy"`);
  }
  if (props.url !== undefined) {
    const url = toValue(props.url, `${tag} <set-url>`);
    if (typeof url === 'string' && !/^https?:\/\/[^\s/]+/i.test(url)) {
      throw new PolicyError(`${tag} <set-url> must be an absolute http:// or https:// URL, got ${show(url)}`);
    }
    children.push(element('set-url', [], [text(url)]));
  }
  if (props.method !== undefined) {
    const method = toLiteral(props.method, `${tag} <set-method>`);
    if (typeof method === 'string' && !HTTP_TOKEN.test(method)) {
      throw new PolicyError(`${tag} <set-method> must be an HTTP method such as "GET" or "POST", got ${show(method)}`);
    }
    children.push(element('set-method', [], [text(method)]));
  }
  (props.headers ?? []).forEach((header, index) => children.push(requestHeader(header, `${tag} headers[${index}]`)));
  if (props.body !== undefined) children.push(element('set-body', [], [text(toValue(props.body, `${tag} <set-body>`))]));
  if (props.authenticationCertificate !== undefined) {
    children.push(certificate(props.authenticationCertificate, `${tag} <authentication-certificate>`));
  }
  if (props.authenticationManagedIdentity !== undefined) {
    children.push(managedIdentity(props.authenticationManagedIdentity, `${tag} <authentication-managed-identity>`));
  }
  if (props.proxy !== undefined) children.push(proxy(props.proxy, `${tag} <proxy>`));
  return children;
}

function requestHeader(header: SendRequestHeader, where: string): ElementNode {
  const name = headerNameValue(header.name, `${where} name`);
  const existsAction = opt(header.existsAction, (v) =>
    enumValue(v, `${where} exists-action`, ['override', 'skip', 'append', 'delete']),
  );
  const values = (header.values ?? []).map((v, i) => toValue(v, `${where} values[${i}]`));
  if (existsAction === 'delete' && values.length > 0) {
    throw new PolicyError(`${where} deletes the header, so it takes no values (got ${values.length})`);
  }
  return element(
    'set-header',
    [
      ['name', name],
      ['exists-action', existsAction],
    ],
    values.map((v) => element('value', [], [text(v)])),
  );
}

function certificate(cert: SendRequestCertificate, where: string): ElementNode {
  const given = (['thumbprint', 'certificateId', 'body'] as const).filter((k) => cert[k] !== undefined);
  if (given.length !== 1) {
    throw new PolicyError(
      `${where} needs exactly one of thumbprint, certificateId or body, got ${given.length === 0 ? 'none' : given.join(' and ')}`,
    );
  }
  if (cert.password !== undefined && cert.body === undefined) {
    throw new PolicyError(`${where} password applies only to a certificate given in body`);
  }
  return element('authentication-certificate', [
    ['thumbprint', opt(cert.thumbprint, (v) => toValue(v, `${where} thumbprint`))],
    ['certificate-id', opt(cert.certificateId, (v) => toValue(v, `${where} certificate-id`))],
    ['body', secret(cert.body, `${where} body`)],
    ['password', secret(cert.password, `${where} password`)],
  ]);
}

function managedIdentity(identity: SendRequestManagedIdentity, where: string): ElementNode {
  return element('authentication-managed-identity', [
    ['resource', textValue(identity.resource, `${where} resource`)],
    ['client-id', opt(identity.clientId, (v) => textLiteral(v, `${where} client-id`))],
    [
      'output-token-variable-name',
      opt(identity.outputTokenVariableName, (v) => textLiteral(v, `${where} output-token-variable-name`)),
    ],
    ['ignore-error', flag(identity.ignoreError, `${where} ignore-error`)],
  ]);
}

function proxy(props: SendRequestProxy, where: string): ElementNode {
  const url = toValue(required(props.url, `${where} url`), `${where} url`);
  // The gateway talks plain HTTP to the proxy; an https:// proxy URL fails at run time.
  if (typeof url === 'string' && !/^http:\/\/[^\s/]+/i.test(url)) {
    throw new PolicyError(`${where} url must have the form http://host:port (only HTTP proxies are supported), got ${show(url)}`);
  }
  return element('proxy', [
    ['url', url],
    ['username', opt(props.username, (v) => toValue(v, `${where} username`))],
    ['password', secret(props.password, `${where} password`)],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// cache-lookup-value / cache-store-value / cache-remove-value

/** Which cache a cache-*-value policy uses. */
export type CacheValueCachingType = 'prefer-external' | 'external' | 'internal';

export interface CacheLookupValueProps {
  /** Cache key. Policy expressions are allowed. */
  readonly key: ValueInput;
  /** Assigned to the variable on a miss. Policy expressions are allowed. @default - the variable is not set on a miss */
  readonly defaultValue?: ValueInput;
  /** Context variable that receives the value. Read literally. */
  readonly variableName: LiteralInput;
  /** Read literally. @default 'prefer-external' */
  readonly cachingType?: CacheValueCachingType;
}

/** `<cache-lookup-value>`: reads a value from the cache into a context variable. */
export function cacheLookupValue(props: CacheLookupValueProps): Policy<AllowedIn<'cache-lookup-value'>> {
  const tag = '<cache-lookup-value>';
  return policy(
    element('cache-lookup-value', [
      ['key', textValue(props.key, `${tag} key`)],
      ['default-value', opt(props.defaultValue, (v) => toValue(v, `${tag} default-value`))],
      ['variable-name', textLiteral(props.variableName, `${tag} variable-name`)],
      ['caching-type', cachingType(props.cachingType, tag)],
    ]),
  );
}

export interface CacheStoreValueProps {
  /** Cache key. Policy expressions are allowed. */
  readonly key: ValueInput;
  /** The value to cache. Policy expressions are allowed. */
  readonly value: ValueInput;
  /** Seconds to keep the value, a whole number from 1. Policy expressions are allowed. */
  readonly duration: ValueInput;
  /** Read literally. @default 'prefer-external' */
  readonly cachingType?: CacheValueCachingType;
}

/** `<cache-store-value>`: stores a value in the cache under a key. */
export function cacheStoreValue(props: CacheStoreValueProps): Policy<AllowedIn<'cache-store-value'>> {
  const tag = '<cache-store-value>';
  return policy(
    element('cache-store-value', [
      ['key', textValue(props.key, `${tag} key`)],
      ['value', toValue(required(props.value, `${tag} value`), `${tag} value`)],
      ['duration', intValue(props.duration, `${tag} duration`, SECONDS)],
      ['caching-type', cachingType(props.cachingType, tag)],
    ]),
  );
}

export interface CacheRemoveValueProps {
  /** Key of the cached value to remove. Policy expressions are allowed. */
  readonly key: ValueInput;
  /** Read literally. @default 'prefer-external' */
  readonly cachingType?: CacheValueCachingType;
}

/** `<cache-remove-value>`: removes a cached value by key. */
export function cacheRemoveValue(props: CacheRemoveValueProps): Policy<AllowedIn<'cache-remove-value'>> {
  const tag = '<cache-remove-value>';
  return policy(
    element('cache-remove-value', [
      ['key', textValue(props.key, `${tag} key`)],
      ['caching-type', cachingType(props.cachingType, tag)],
    ]),
  );
}

function cachingType(input: CacheValueCachingType | undefined, tag: string): Value | undefined {
  return opt(input, (v) => enumLiteral(v, `${tag} caching-type`, ['prefer-external', 'external', 'internal']));
}

// ---------------------------------------------------------------------------------------------------------
// emit-metric

/** A `<dimension>` of a custom metric. */
export interface EmitMetricDimension {
  /** Dimension name. Policy expressions are allowed. */
  readonly name: ValueInput;
  /**
   * Dimension value. Policy expressions are allowed. May be left out only for the default dimensions
   * (`API ID`, `Operation ID`, `Product ID`, `User ID`, `Subscription ID`, `Location`, `Gateway ID`,
   * and `Backend ID` in outbound), whose value the gateway fills in.
   * @default - the gateway's value for a default dimension
   */
  readonly value?: ValueInput;
}

/** Dimension names whose value the gateway supplies when `value` is left out. */
export const EMIT_METRIC_DEFAULT_DIMENSIONS: readonly string[] = [
  'API ID',
  'Operation ID',
  'Product ID',
  'User ID',
  'Subscription ID',
  'Location',
  'Gateway ID',
  'Backend ID',
];

/** Custom dimensions one emit-metric may carry (Azure Monitor's limit of dimension keys per metric). */
export const EMIT_METRIC_MAX_DIMENSIONS = 10;

export interface EmitMetricProps {
  /** Name of the custom metric. Read literally. */
  readonly name: LiteralInput;
  /** Value of the metric, a double. Policy expressions are allowed. @default 1 */
  readonly value?: ValueInput;
  /** Namespace of the metric. Read literally. @default 'API Management' */
  readonly namespace?: LiteralInput;
  /** 1 to 10 dimensions, each name at most once. */
  readonly dimensions: readonly EmitMetricDimension[];
}

/** `<emit-metric>`: sends a custom metric to Application Insights. */
export function emitMetric(props: EmitMetricProps): Policy<AllowedIn<'emit-metric'>> {
  const tag = '<emit-metric>';
  const dimensions = required(props.dimensions, `${tag} dimensions`);
  if (dimensions.length < 1 || dimensions.length > EMIT_METRIC_MAX_DIMENSIONS) {
    throw new PolicyError(
      `${tag} takes 1 to ${EMIT_METRIC_MAX_DIMENSIONS} dimensions, got ${dimensions.length}`,
    );
  }
  const seen = new Set<string>();
  const children = dimensions.map((dimension, index) => {
    const where = `${tag} dimensions[${index}]`;
    const name = textValue(dimension.name, `${where} name`);
    if (typeof name === 'string') {
      if (seen.has(name)) throw new PolicyError(`${where} repeats the dimension name ${show(name)}`);
      seen.add(name);
    }
    if (dimension.value === undefined && !(typeof name === 'string' && EMIT_METRIC_DEFAULT_DIMENSIONS.includes(name))) {
      throw new PolicyError(
        `${where} ${showInput(name)} needs a value: only the default dimensions may leave it out ` +
          `(${EMIT_METRIC_DEFAULT_DIMENSIONS.map((d) => show(d)).join(', ')})`,
      );
    }
    return element('dimension', [
      ['name', name],
      ['value', opt(dimension.value, (v) => toValue(v, `${where} value`))],
    ]);
  });
  return policy(
    element(
      'emit-metric',
      [
        ['name', textLiteral(props.name, `${tag} name`)],
        ['value', opt(props.value, (v) => double(v, `${tag} value`))],
        ['namespace', opt(props.namespace, (v) => textLiteral(v, `${tag} namespace`))],
      ],
      children,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// trace

export type TraceSeverity = 'verbose' | 'information' | 'error';

/** A `<metadata>` property added to the Application Insights trace telemetry. */
export interface TraceMetadata {
  /** Policy expressions are allowed. */
  readonly name: ValueInput;
  /** Policy expressions are allowed. */
  readonly value: ValueInput;
}

export interface TraceProps {
  /** Source of the message, meaningful to the trace viewer. Read literally. */
  readonly source: LiteralInput;
  /** Read literally. @default 'verbose' */
  readonly severity?: TraceSeverity;
  /** The text to trace (`<message>`). Policy expressions are allowed. */
  readonly message: ValueInput;
  /** @default - no `<metadata>` elements */
  readonly metadata?: readonly TraceMetadata[];
}

/** `<trace>`: adds a custom trace to request tracing, Application Insights and resource logs. */
export function trace(props: TraceProps): Policy<AllowedIn<'trace'>> {
  const tag = '<trace>';
  const children: PolicyNode[] = [element('message', [], [text(textValue(props.message, `${tag} message`))])];
  (props.metadata ?? []).forEach((m, i) => {
    const where = `${tag} metadata[${i}]`;
    children.push(
      element('metadata', [
        ['name', textValue(m.name, `${where} name`)],
        ['value', toValue(required(m.value, `${where} value`), `${where} value`)],
      ]),
    );
  });
  return policy(
    element(
      'trace',
      [
        ['source', textLiteral(props.source, `${tag} source`)],
        ['severity', opt(props.severity, (v) => enumLiteral(v, `${tag} severity`, ['verbose', 'information', 'error']))],
      ],
      children,
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// log-to-eventhub

export interface LogToEventhubProps {
  /** ID of the Logger entity registered in API Management. Read literally. */
  readonly loggerId: LiteralInput;
  /** Index of the partition to send to, a whole number from 0. Read literally. Not with `partitionKey`. @default - Event Hubs picks the partition */
  readonly partitionId?: LiteralInput;
  /** Value for partition assignment. Policy expressions are allowed. Not with `partitionId`. @default - Event Hubs picks the partition */
  readonly partitionKey?: ValueInput;
  /** The string to log, usually an expression. Messages over 200 KB are truncated by the gateway. */
  readonly message: ValueInput;
}

const PARTITION_INDEX: IntRange = { min: 0, max: INT32_MAX, accepts: `a whole number from 0 to ${INT32_MAX} (a partition index)` };

/** `<log-to-eventhub>`: sends a message to an event hub through a Logger. */
export function logToEventhub(props: LogToEventhubProps): Policy<AllowedIn<'log-to-eventhub'>> {
  const tag = '<log-to-eventhub>';
  if (props.partitionId !== undefined && props.partitionKey !== undefined) {
    throw new PolicyError(`${tag} takes partitionId or partitionKey, not both`);
  }
  const message = textValue(props.message, `${tag} message`);
  return policy(
    element(
      'log-to-eventhub',
      [
        ['logger-id', textLiteral(props.loggerId, `${tag} logger-id`)],
        ['partition-id', opt(props.partitionId, (v) => intLiteral(v, `${tag} partition-id`, PARTITION_INDEX))],
        ['partition-key', opt(props.partitionKey, (v) => textValue(v, `${tag} partition-key`))],
      ],
      [text(message)],
    ),
  );
}

// ---------------------------------------------------------------------------------------------------------
// checks only these policies need

/** A literal attribute whose prop is a boolean: stricter than boolLiteral, which also takes the text 'true'. */
function flag(input: boolean | undefined, where: string): Literal | undefined {
  if (input === undefined) return undefined;
  if (typeof input !== 'boolean') {
    // Reached from JavaScript callers; toLiteral names an expression precisely.
    if ((input as unknown) instanceof Expression) toLiteral(input as unknown as Expression, where);
    throw new PolicyError(`${where} must be true or false, got ${show(input)}`);
  }
  return toLiteral(input, where);
}

const DOUBLE = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function double(input: ValueInput, where: string): Value {
  const value = toValue(input, where);
  if (typeof value === 'string' && !(DOUBLE.test(value) && Number.isFinite(Number(value)))) {
    throw new PolicyError(`${where} must be a number, got ${show(input)}`);
  }
  return value;
}

/**
 * A secret attribute: policy XML is stored and shown in the portal, so literal text is refused; a named
 * value (backed by Key Vault) or an expression keeps the secret out of it.
 */
function secret(input: ValueInput | undefined, where: string): Value | undefined {
  if (input === undefined) return undefined;
  const value = toValue(input, where);
  if (typeof value === 'string') {
    throw new PolicyError(
      `${where} is a secret and may not be literal text: use a named value backed by Key Vault ` +
        `(namedValue('...')) or a policy expression`,
    );
  }
  return value;
}
