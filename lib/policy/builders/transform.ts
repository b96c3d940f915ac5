/**
 * Builders for APIM's transformation policies: headers, query parameters, body, variables, method, backend
 * routing, URL rewriting, forwarding and body format conversion.
 *
 * Attribute order, defaults and which attributes take policy expressions follow Microsoft's policy reference;
 * attribute names follow the schemas in shared/apim-xsd. Where the two disagree, a comment says so.
 */
import { PolicyError, show } from '../errors';
import { ElementNode, Policy, element, text } from '../model';
import { AllowedIn } from '../sections';
import { Expression, NamedValue, Value, ValueInput, toLiteral, toValue } from '../value';
import {
  booleanLiteral,
  booleanValue,
  checkVariableName,
  choiceValue,
  integerValue,
  known,
  nonEmpty,
  showInput,
} from './internal/attribute-input';

// ---------------------------------------------------------------------------------------------------------
// set-header, set-query-parameter

/** What `set-header` / `set-query-parameter` do when the header or parameter is already present. */
export type ExistsAction = 'override' | 'skip' | 'append' | 'delete';
export const EXISTS_ACTIONS: readonly ExistsAction[] = ['override', 'skip', 'append', 'delete'];

// RFC 9110 token characters: a header name is a token.
const HTTP_TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Headers set-header cannot append, override or delete (the docs' limitations); the gateway manages them. */
export const UNSETTABLE_HEADERS: readonly string[] = ['Connection', 'Content-Length', 'Keep-Alive', 'Transfer-Encoding'];

export interface SetHeaderProps {
  /** Header name. Policy expressions are allowed. */
  readonly name: ValueInput;
  /**
   * What to do when the header is already present.
   * @default - 'override' (APIM's default; the attribute is left out)
   */
  readonly existsAction?: ExistsAction | Expression;
  /**
   * The header value, or several values for a header that repeats (one `<value>` each). Policy expressions
   * are allowed. Required unless `existsAction` is 'delete' (or an expression).
   * @default - no value (only valid with existsAction 'delete')
   */
  readonly value?: ValueInput | readonly ValueInput[];
}

/** `<set-header>`: sets, appends, skips or deletes a request or response header. */
export function setHeader(props: SetHeaderProps): Policy<AllowedIn<'set-header'>> {
  const name = headerOrParameter(props.name, '<set-header> name');
  if (typeof name === 'string' && !HTTP_TOKEN.test(name)) {
    throw new PolicyError(`<set-header> name ${show(name)} is not a valid HTTP header name (an RFC 9110 token)`);
  }
  if (typeof name === 'string' && UNSETTABLE_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase())) {
    throw new PolicyError(
      `<set-header> cannot change ${show(name)}: APIM does not let set-header touch ${UNSETTABLE_HEADERS.join(', ')}`,
    );
  }
  return known(
    'set-header',
    [
      ['name', name],
      [
        'exists-action',
        choiceValue(props.existsAction, EXISTS_ACTIONS, '<set-header> exists-action', { expressions: true }),
      ],
    ],
    valueChildren('set-header', props.existsAction, props.value),
  );
}

export interface SetQueryParameterProps {
  /** Query parameter name. Policy expressions are allowed. */
  readonly name: ValueInput;
  /**
   * What to do when the parameter is already present.
   * @default - 'override' (APIM's default; the attribute is left out)
   */
  readonly existsAction?: ExistsAction | Expression;
  /**
   * The parameter value, or several values for a repeated parameter. Policy expressions are allowed.
   * Required unless `existsAction` is 'delete' (or an expression).
   * @default - no value (only valid with existsAction 'delete')
   */
  readonly value?: ValueInput | readonly ValueInput[];
}

/** `<set-query-parameter>`: sets, appends, skips or deletes a request query parameter. */
export function setQueryParameter(props: SetQueryParameterProps): Policy<AllowedIn<'set-query-parameter'>> {
  return known(
    'set-query-parameter',
    [
      ['name', headerOrParameter(props.name, '<set-query-parameter> name')],
      [
        'exists-action',
        choiceValue(props.existsAction, EXISTS_ACTIONS, '<set-query-parameter> exists-action', { expressions: true }),
      ],
    ],
    valueChildren('set-query-parameter', props.existsAction, props.value),
  );
}

function headerOrParameter(input: ValueInput, where: string): Value {
  return nonEmpty(toValue(input, where), where);
}

function valueChildren(
  policyName: 'set-header' | 'set-query-parameter',
  existsAction: ExistsAction | Expression | undefined,
  value: ValueInput | readonly ValueInput[] | undefined,
): ElementNode[] {
  const values: readonly ValueInput[] = value === undefined ? [] : Array.isArray(value) ? value : [value as ValueInput];
  if (existsAction === 'delete' && values.length > 0) {
    // APIM ignores the values of a delete; refusing them keeps the document saying what it does.
    throw new PolicyError(`<${policyName}> with exists-action "delete" takes no value, got ${values.length}`);
  }
  if (values.length === 0 && existsAction !== 'delete' && !(existsAction instanceof Expression)) {
    throw new PolicyError(
      `<${policyName}> needs at least one value unless exists-action is "delete" ` +
        `(exists-action: ${show(existsAction ?? 'override')})`,
    );
  }
  // `<value>` is a child element of the policy, not a policy of its own.
  return values.map((v, i) => element('value', [], [text(toValue(v, `<${policyName}> value[${i}]`))]));
}

// ---------------------------------------------------------------------------------------------------------
// set-body

export interface SetBodyProps {
  /**
   * The new body: literal text (a Liquid template when `template` is 'liquid') or a policy expression that
   * returns it.
   */
  readonly value: ValueInput;
  /**
   * Runs the body through the Liquid template engine. The schema also allows 'none', which is the same as
   * leaving the attribute out.
   * @default - no templating
   */
  readonly template?: 'liquid';
  /**
   * How elements marked `xsi:nil="true"` are represented in XML payloads. Policy expressions aren't allowed.
   * @default - 'blank' (APIM's default; the attribute is left out)
   */
  readonly xsiNil?: 'blank' | 'null';
  /**
   * Whether date-formatted strings are parsed to `System.DateTime`. Policy expressions aren't allowed.
   * @default - true (APIM's default; the attribute is left out)
   */
  readonly parseDate?: boolean;
}

/** `<set-body>`: replaces the request or response body. */
export function setBody(props: SetBodyProps): Policy<AllowedIn<'set-body'>> {
  const template = choiceValue(props.template, ['liquid'], '<set-body> template', { expressions: false });
  if (props.template === 'liquid' && props.value instanceof Expression) {
    throw new PolicyError(
      `<set-body> with template "liquid" takes the template as literal text, ` +
        `got the expression ${props.value.toString()}`,
    );
  }
  return known(
    'set-body',
    [
      ['template', template],
      ['xsi-nil', choiceValue(props.xsiNil, ['blank', 'null'], '<set-body> xsi-nil', { expressions: false })],
      ['parse-date', booleanLiteral(props.parseDate, '<set-body> parse-date')],
    ],
    [text(toValue(props.value, '<set-body> body'))],
  );
}

// ---------------------------------------------------------------------------------------------------------
// set-variable

export interface SetVariableProps {
  /** Variable name: 1-128 letters, digits, '_', '.' or '-'. Policy expressions aren't allowed. */
  readonly name: string;
  /** The value: a literal (stored as a string) or a policy expression returning one of APIM's allowed types. */
  readonly value: ValueInput;
}

/** `<set-variable>`: stores a value in `context.Variables`. */
export function setVariable(props: SetVariableProps): Policy<AllowedIn<'set-variable'>> {
  const where = '<set-variable> name';
  // An expression gets toLiteral's explanation rather than "not a valid name".
  if ((props.name as unknown) instanceof Expression) toLiteral(props.name as unknown as Expression, where);
  const name = checkVariableName(props.name, where);
  if (props.value === undefined) throw new PolicyError(`<set-variable> ${show(name)} needs a value`);
  return known('set-variable', [
    ['name', name],
    ['value', toValue(props.value, '<set-variable> value')],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// set-method

/** The standard HTTP methods; `setMethod` also accepts other upper-case method tokens (WebDAV and the like). */
export type HttpMethod = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS' | 'TRACE' | 'CONNECT';

// Methods are case-sensitive tokens; requiring upper case catches 'get' typos.
const METHOD = /^[A-Z][A-Z0-9_-]*$/;

export interface SetMethodProps {
  /** The HTTP method: an upper-case method token (GET, POST, ...) or a policy expression. */
  readonly method: HttpMethod | (string & NonNullable<unknown>) | NamedValue | Expression;
}

/** `<set-method>`: changes the HTTP method of the request. */
export function setMethod(props: SetMethodProps): Policy<AllowedIn<'set-method'>> {
  const value = toValue(props.method, '<set-method> method');
  if (typeof value === 'string' && !METHOD.test(value)) {
    throw new PolicyError(
      `<set-method> method ${show(value)} is not an HTTP method: ` +
        'give an upper-case method such as "GET" or "POST", or an expression',
    );
  }
  return known('set-method', [], [text(value)]);
}

// ---------------------------------------------------------------------------------------------------------
// set-backend-service

export interface SetBackendServiceProps {
  /**
   * New backend base URL (absolute http or https when literal). Give exactly one of `baseUrl` and
   * `backendId`. Policy expressions are allowed.
   * @default - none; use backendId
   */
  readonly baseUrl?: ValueInput;
  /**
   * Name of a backend entity. Give exactly one of `baseUrl` and `backendId`. Policy expressions are allowed.
   * For Dapr use {@link setBackendServiceDapr}.
   * @default - none; use baseUrl
   */
  readonly backendId?: ValueInput;
  /**
   * Service Fabric: condition for repeating the call with a new resolution. Policy expressions are allowed.
   * @default - not set
   */
  readonly sfResolveCondition?: boolean | Expression;
  /**
   * Service Fabric: changes the service instance at run time. Policy expressions are allowed.
   * @default - not set
   */
  readonly sfServiceInstanceName?: ValueInput;
  /**
   * Service Fabric: the partition key. Policy expressions are allowed.
   * @default - not set
   */
  readonly sfPartitionKey?: ValueInput;
  /**
   * Service Fabric: the replica to route to. In the schema (which allows expressions) and the docs'
   * example, not in the docs' attribute table.
   * @default - not set
   */
  readonly sfReplicaType?: 'primary' | 'secondary' | Expression;
  /**
   * Service Fabric: the listener of a Reliable Service with several listeners; needs `backendId`. Policy
   * expressions are allowed.
   * @default - the unnamed listener
   */
  readonly sfListenerName?: ValueInput;
}

/** `<set-backend-service>`: routes the request to another base URL or backend entity. */
export function setBackendService(props: SetBackendServiceProps): Policy<AllowedIn<'set-backend-service'>> {
  const where = '<set-backend-service>';
  if ((props.baseUrl === undefined) === (props.backendId === undefined)) {
    throw new PolicyError(
      `${where} needs exactly one of baseUrl and backendId, got ${props.baseUrl === undefined ? 'neither' : 'both'}`,
    );
  }
  const baseUrl = props.baseUrl === undefined ? undefined : toValue(props.baseUrl, `${where} base-url`);
  if (typeof baseUrl === 'string' && !/^https?:\/\/[^\s/?#]+/i.test(baseUrl)) {
    throw new PolicyError(`${where} base-url ${show(baseUrl)} must be an absolute http or https URL`);
  }
  const backendId = optionalNonEmpty(props.backendId, `${where} backend-id`);
  if (backendId === 'dapr') {
    throw new PolicyError(`${where} backend-id "dapr" selects the Dapr variant: use setBackendServiceDapr()`);
  }
  if (props.sfListenerName !== undefined && backendId === undefined) {
    throw new PolicyError(`${where} sf-listener-name only applies to a backend given by backendId`);
  }
  return known('set-backend-service', [
    ['base-url', baseUrl],
    ['backend-id', backendId],
    ['sf-resolve-condition', booleanValue(props.sfResolveCondition, `${where} sf-resolve-condition`)],
    ['sf-service-instance-name', optionalValue(props.sfServiceInstanceName, `${where} sf-service-instance-name`)],
    ['sf-partition-key', optionalValue(props.sfPartitionKey, `${where} sf-partition-key`)],
    [
      'sf-replica-type',
      choiceValue(props.sfReplicaType, ['primary', 'secondary'], `${where} sf-replica-type`, { expressions: true }),
    ],
    ['sf-listener-name', optionalValue(props.sfListenerName, `${where} sf-listener-name`)],
  ]);
}

export interface SetBackendServiceDaprProps {
  /** Name of the target microservice (Dapr's appId). Policy expressions are allowed. */
  readonly appId: ValueInput;
  /** Method name or URL to invoke on the microservice. Policy expressions are allowed. */
  readonly method: ValueInput;
  /**
   * Namespace of the microservice. Policy expressions are allowed.
   * @default - Dapr's default namespace
   */
  readonly namespace?: ValueInput;
}

/**
 * `<set-backend-service backend-id="dapr">`: sends the request to a Dapr sidecar (self-hosted gateway only).
 * The docs allow this variant only in inbound, so its type is narrower than set-backend-service's.
 */
export function setBackendServiceDapr(props: SetBackendServiceDaprProps): Policy<'inbound'> {
  const where = '<set-backend-service> (dapr)';
  return known('set-backend-service', [
    ['backend-id', 'dapr'],
    ['dapr-app-id', nonEmpty(toValue(props.appId, `${where} dapr-app-id`), `${where} dapr-app-id`)],
    ['dapr-method', nonEmpty(toValue(props.method, `${where} dapr-method`), `${where} dapr-method`)],
    ['dapr-namespace', optionalValue(props.namespace, `${where} dapr-namespace`)],
  ]);
}

function optionalValue(input: ValueInput | undefined, where: string): Value | undefined {
  return input === undefined ? undefined : toValue(input, where);
}

// ---------------------------------------------------------------------------------------------------------
// rewrite-uri

export interface RewriteUriProps {
  /**
   * The backend URL template (path and query, with `{parameter}` references). Policy expressions are
   * allowed; the whole value must then be one expression.
   */
  readonly template: ValueInput;
  /**
   * Whether query parameters of the request that the operation template does not match are copied to the
   * rewritten URL. The docs allow expressions, the schema types it xs:boolean (an expression there fails
   * schema validation but is what the docs describe).
   * @default - true (the docs' default; the schema declares false. The attribute is left out)
   */
  readonly copyUnmatchedParams?: boolean | Expression;
}

/** `<rewrite-uri>`: rewrites the request URL into the form the backend expects. */
export function rewriteUri(props: RewriteUriProps): Policy<AllowedIn<'rewrite-uri'>> {
  return known('rewrite-uri', [
    ['template', nonEmpty(toValue(props.template, '<rewrite-uri> template'), '<rewrite-uri> template')],
    ['copy-unmatched-params', booleanValue(props.copyUnmatchedParams, '<rewrite-uri> copy-unmatched-params')],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// forward-request

export interface ForwardRequestProps {
  /**
   * Seconds to wait for the backend's response headers (0 or more; the docs warn that more than 240 may not
   * be honoured). Give at most one of `timeout` and `timeoutMs`. Policy expressions are allowed.
   * @default - 300 seconds (APIM's default; the attribute is left out)
   */
  readonly timeout?: number | NamedValue | Expression;
  /**
   * Milliseconds to wait for the backend's response headers (0 or more). Give at most one of `timeout` and
   * `timeoutMs`. Policy expressions are allowed.
   * @default - not set (timeout applies)
   */
  readonly timeoutMs?: number | NamedValue | Expression;
  /**
   * Seconds to wait for a `100 Continue` from the backend. Policy expressions are allowed.
   * @default - not set
   */
  readonly continueTimeout?: number | NamedValue | Expression;
  /**
   * HTTP version towards the backend: '1', '2', or '2or1' (prefer HTTP/2, fall back to HTTP/1).
   * @default - '1' (APIM's default; the attribute is left out)
   */
  readonly httpVersion?: '1' | '2' | '2or1';
  /**
   * Whether the gateway follows backend redirects instead of returning them. Policy expressions are allowed.
   * @default - false (APIM's default; the attribute is left out)
   */
  readonly followRedirects?: boolean | Expression;
  /**
   * Buffers the request body so a `retry` can send it again. Read literally (schema: xs:boolean).
   * @default - false (APIM's default; the attribute is left out)
   */
  readonly bufferRequestBody?: boolean;
  /**
   * Buffers chunked responses; set false for streaming backends (server-sent events, MCP). Policy
   * expressions aren't allowed.
   * @default - true (APIM's default; the attribute is left out)
   */
  readonly bufferResponse?: boolean;
  /**
   * Runs on-error for backend status codes 400-599. Policy expressions aren't allowed.
   * @default - false (APIM's default; the attribute is left out)
   */
  readonly failOnErrorStatusCode?: boolean;
}

/** `<forward-request>`: sends the request to the backend. */
export function forwardRequest(props: ForwardRequestProps = {}): Policy<AllowedIn<'forward-request'>> {
  const where = '<forward-request>';
  if (props.timeout !== undefined && props.timeoutMs !== undefined) {
    throw new PolicyError(
      `${where} takes timeout or timeout-ms, not both ` +
        `(got ${showInput(props.timeout)} and ${showInput(props.timeoutMs)})`,
    );
  }
  return known('forward-request', [
    ['timeout', integerValue(props.timeout, `${where} timeout`, { min: 0 })],
    ['timeout-ms', integerValue(props.timeoutMs, `${where} timeout-ms`, { min: 0 })],
    ['continue-timeout', integerValue(props.continueTimeout, `${where} continue-timeout`, { min: 0 })],
    [
      'http-version',
      choiceValue(props.httpVersion, ['1', '2', '2or1'], `${where} http-version`, { expressions: false }),
    ],
    ['follow-redirects', booleanValue(props.followRedirects, `${where} follow-redirects`)],
    ['buffer-request-body', booleanLiteral(props.bufferRequestBody, `${where} buffer-request-body`)],
    ['buffer-response', booleanLiteral(props.bufferResponse, `${where} buffer-response`)],
    ['fail-on-error-status-code', booleanLiteral(props.failOnErrorStatusCode, `${where} fail-on-error-status-code`)],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// find-and-replace

export interface FindAndReplaceProps {
  /** The text to search for in the body (not empty). Policy expressions are allowed. */
  readonly from: ValueInput;
  /** The replacement; '' removes the text. Policy expressions are allowed. */
  readonly to: ValueInput;
}

/** `<find-and-replace>`: replaces a substring of the request or response body. */
export function findAndReplace(props: FindAndReplaceProps): Policy<AllowedIn<'find-and-replace'>> {
  return known('find-and-replace', [
    ['from', nonEmpty(toValue(props.from, '<find-and-replace> from'), '<find-and-replace> from')],
    ['to', toValue(props.to, '<find-and-replace> to')],
  ]);
}

// ---------------------------------------------------------------------------------------------------------
// json-to-xml, xml-to-json

export interface JsonToXmlProps {
  /** 'always', or 'content-type-json' to convert only JSON content. Policy expressions are allowed. */
  readonly apply: 'always' | 'content-type-json' | Expression;
  /**
   * Convert only when the request's Accept header asks for XML. Policy expressions are allowed.
   * @default - true (APIM's default; the attribute is left out)
   */
  readonly considerAcceptHeader?: boolean | Expression;
  /**
   * Parse date values; false copies them unchanged. Policy expressions aren't allowed.
   * @default - true (APIM's default; the attribute is left out)
   */
  readonly parseDate?: boolean;
  /**
   * The one character used as namespace separator. Policy expressions are allowed.
   * @default - '_' (APIM's default; the attribute is left out)
   */
  readonly namespaceSeparator?: ValueInput;
  /**
   * Property-name prefix that marks namespace declarations, usually 'xmlns'. Policy expressions are allowed.
   * @default - not set
   */
  readonly namespacePrefix?: ValueInput;
  /**
   * Name of the property whose members become XML attributes. Policy expressions are allowed.
   * @default - not set
   */
  readonly attributeBlockName?: ValueInput;
}

/** `<json-to-xml>`: converts a JSON body to XML. */
export function jsonToXml(props: JsonToXmlProps): Policy<AllowedIn<'json-to-xml'>> {
  const where = '<json-to-xml>';
  const separator = optionalValue(props.namespaceSeparator, `${where} namespace-separator`);
  if (typeof separator === 'string' && [...separator].length !== 1) {
    throw new PolicyError(`${where} namespace-separator must be a single character, got ${show(separator)}`);
  }
  return known('json-to-xml', [
    ['apply', requiredChoice(props.apply, ['always', 'content-type-json'], `${where} apply`)],
    ['consider-accept-header', booleanValue(props.considerAcceptHeader, `${where} consider-accept-header`)],
    ['parse-date', booleanLiteral(props.parseDate, `${where} parse-date`)],
    ['namespace-separator', separator],
    ['namespace-prefix', optionalNonEmpty(props.namespacePrefix, `${where} namespace-prefix`)],
    ['attribute-block-name', optionalNonEmpty(props.attributeBlockName, `${where} attribute-block-name`)],
  ]);
}

export interface XmlToJsonProps {
  /**
   * 'javascript-friendly' (a JSON shape friendly to JavaScript) or 'direct' (mirrors the XML structure).
   * Policy expressions are allowed.
   */
  readonly kind: 'javascript-friendly' | 'direct' | Expression;
  /** 'always', or 'content-type-xml' to convert only XML content. Policy expressions are allowed. */
  readonly apply: 'always' | 'content-type-xml' | Expression;
  /**
   * Convert only when the request's Accept header asks for JSON. Policy expressions are allowed.
   * @default - true (APIM's default; the attribute is left out)
   */
  readonly considerAcceptHeader?: boolean | Expression;
  /**
   * Always turn child elements into a JSON array, even a single one. Policy expressions are allowed.
   * (One localized copy of the docs calls it `always-array-children`; the schema and the other copies use
   * `always-array-child-elements`.)
   * @default - false (APIM's default; the attribute is left out)
   */
  readonly alwaysArrayChildElements?: boolean | Expression;
}

/** `<xml-to-json>`: converts an XML body to JSON. */
export function xmlToJson(props: XmlToJsonProps): Policy<AllowedIn<'xml-to-json'>> {
  const where = '<xml-to-json>';
  return known('xml-to-json', [
    ['kind', requiredChoice(props.kind, ['javascript-friendly', 'direct'], `${where} kind`)],
    ['apply', requiredChoice(props.apply, ['always', 'content-type-xml'], `${where} apply`)],
    ['consider-accept-header', booleanValue(props.considerAcceptHeader, `${where} consider-accept-header`)],
    [
      'always-array-child-elements',
      booleanValue(props.alwaysArrayChildElements, `${where} always-array-child-elements`),
    ],
  ]);
}

function requiredChoice<T extends string>(input: T | Expression, allowed: readonly T[], where: string): Value {
  const value = choiceValue(input, allowed, where, { expressions: true });
  if (value === undefined) {
    throw new PolicyError(`${where} is required: one of ${allowed.map((a) => show(a)).join(', ')} or an expression`);
  }
  return value;
}

function optionalNonEmpty(input: ValueInput | undefined, where: string): Value | undefined {
  return input === undefined ? undefined : nonEmpty(toValue(input, where), where);
}
