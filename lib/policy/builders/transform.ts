/**
 * Builders for APIM's transformation policies: headers, query parameters, body, variables, method, backend
 * routing, URL rewriting, forwarding and body format conversion.
 *
 * Attribute order, defaults and which attributes take policy expressions follow Microsoft's policy reference;
 * attribute names follow the schemas in shared/apim-xsd. Where the two disagree, a comment says so.
 */
import { PolicyError, show } from '../errors';
import { ElementNode, Policy, element, policy, text } from '../model';
import { AllowedIn } from '../sections';
import { Expression, NamedValue, ValueInput, toValue } from '../value';
import {
  boolLiteral,
  boolValue,
  enumLiteral,
  enumValue,
  headerNameValue,
  intValue,
  opt,
  showInput,
  textValue,
  variableName,
} from './internal/inputs';

// ---------------------------------------------------------------------------------------------------------
// set-header, set-query-parameter

/** What `set-header` / `set-query-parameter` do when the header or parameter is already present. */
export type ExistsAction = 'override' | 'skip' | 'append' | 'delete';
export const EXISTS_ACTIONS: readonly ExistsAction[] = ['override', 'skip', 'append', 'delete'];

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
  const name = headerNameValue(props.name, '<set-header> name');
  if (typeof name === 'string' && UNSETTABLE_HEADERS.some((h) => h.toLowerCase() === name.toLowerCase())) {
    throw new PolicyError(
      `<set-header> cannot change ${show(name)}: APIM does not let set-header touch ${UNSETTABLE_HEADERS.join(', ')}`,
    );
  }
  return policy(element(
    'set-header',
    [
      ['name', name],
      ['exists-action', opt(props.existsAction, (v) => enumValue(v, '<set-header> exists-action', EXISTS_ACTIONS))],
    ],
    valueChildren('set-header', props.existsAction, props.value),
  ));
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
  return policy(element(
    'set-query-parameter',
    [
      ['name', textValue(props.name, '<set-query-parameter> name')],
      [
        'exists-action',
        opt(props.existsAction, (v) => enumValue(v, '<set-query-parameter> exists-action', EXISTS_ACTIONS)),
      ],
    ],
    valueChildren('set-query-parameter', props.existsAction, props.value),
  ));
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
  const template = opt(props.template, (v) => enumLiteral(v, '<set-body> template', ['liquid']));
  if (props.template === 'liquid' && props.value instanceof Expression) {
    throw new PolicyError(
      `<set-body> with template "liquid" takes the template as literal text, ` +
        `got the expression ${props.value.toString()}`,
    );
  }
  return policy(element(
    'set-body',
    [
      ['template', template],
      ['xsi-nil', opt(props.xsiNil, (v) => enumLiteral(v, '<set-body> xsi-nil', ['blank', 'null']))],
      ['parse-date', opt(props.parseDate, (v) => boolLiteral(v, '<set-body> parse-date'))],
    ],
    [text(toValue(props.value, '<set-body> body'))],
  ));
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
  const name = variableName(props.name, '<set-variable> name');
  if (props.value === undefined) throw new PolicyError(`<set-variable> ${showInput(name)} needs a value`);
  return policy(element('set-variable', [
    ['name', name],
    ['value', toValue(props.value, '<set-variable> value')],
  ]));
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
  return policy(element('set-method', [], [text(value)]));
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
  const baseUrl = opt(props.baseUrl, (v) => toValue(v, `${where} base-url`));
  if (typeof baseUrl === 'string' && !/^https?:\/\/[^\s/?#]+/i.test(baseUrl)) {
    throw new PolicyError(`${where} base-url ${show(baseUrl)} must be an absolute http or https URL`);
  }
  const backendId = opt(props.backendId, (v) => textValue(v, `${where} backend-id`));
  if (backendId === 'dapr') {
    throw new PolicyError(`${where} backend-id "dapr" selects the Dapr variant: use setBackendServiceDapr()`);
  }
  if (props.sfListenerName !== undefined && backendId === undefined) {
    throw new PolicyError(`${where} sf-listener-name only applies to a backend given by backendId`);
  }
  return policy(element('set-backend-service', [
    ['base-url', baseUrl],
    ['backend-id', backendId],
    ['sf-resolve-condition', opt(props.sfResolveCondition, (v) => boolValue(v, `${where} sf-resolve-condition`))],
    ['sf-service-instance-name', opt(props.sfServiceInstanceName, (v) => toValue(v, `${where} sf-service-instance-name`))],
    ['sf-partition-key', opt(props.sfPartitionKey, (v) => toValue(v, `${where} sf-partition-key`))],
    ['sf-replica-type', opt(props.sfReplicaType, (v) => enumValue(v, `${where} sf-replica-type`, ['primary', 'secondary']))],
    ['sf-listener-name', opt(props.sfListenerName, (v) => toValue(v, `${where} sf-listener-name`))],
  ]));
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
  return policy(element('set-backend-service', [
    ['backend-id', 'dapr'],
    ['dapr-app-id', textValue(props.appId, `${where} dapr-app-id`)],
    ['dapr-method', textValue(props.method, `${where} dapr-method`)],
    ['dapr-namespace', opt(props.namespace, (v) => toValue(v, `${where} dapr-namespace`))],
  ]));
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
  return policy(element('rewrite-uri', [
    ['template', textValue(props.template, '<rewrite-uri> template')],
    ['copy-unmatched-params', opt(props.copyUnmatchedParams, (v) => boolValue(v, '<rewrite-uri> copy-unmatched-params'))],
  ]));
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
  return policy(element('forward-request', [
    ['timeout', opt(props.timeout, (v) => intValue(v, `${where} timeout`, { min: 0 }))],
    ['timeout-ms', opt(props.timeoutMs, (v) => intValue(v, `${where} timeout-ms`, { min: 0 }))],
    ['continue-timeout', opt(props.continueTimeout, (v) => intValue(v, `${where} continue-timeout`, { min: 0 }))],
    ['http-version', opt(props.httpVersion, (v) => enumLiteral(v, `${where} http-version`, ['1', '2', '2or1']))],
    ['follow-redirects', opt(props.followRedirects, (v) => boolValue(v, `${where} follow-redirects`))],
    ['buffer-request-body', opt(props.bufferRequestBody, (v) => boolLiteral(v, `${where} buffer-request-body`))],
    ['buffer-response', opt(props.bufferResponse, (v) => boolLiteral(v, `${where} buffer-response`))],
    [
      'fail-on-error-status-code',
      opt(props.failOnErrorStatusCode, (v) => boolLiteral(v, `${where} fail-on-error-status-code`)),
    ],
  ]));
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
  const from = toValue(props.from, '<find-and-replace> from');
  // Not textValue: blank text (a run of spaces) is something to find; only the empty string is refused.
  if (from === '') throw new PolicyError('<find-and-replace> from must not be empty');
  return policy(element('find-and-replace', [
    ['from', from],
    ['to', toValue(props.to, '<find-and-replace> to')],
  ]));
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
  const separator = opt(props.namespaceSeparator, (v) => toValue(v, `${where} namespace-separator`));
  if (typeof separator === 'string' && [...separator].length !== 1) {
    throw new PolicyError(`${where} namespace-separator must be a single character, got ${show(separator)}`);
  }
  return policy(element('json-to-xml', [
    ['apply', enumValue(props.apply, `${where} apply`, ['always', 'content-type-json'])],
    ['consider-accept-header', opt(props.considerAcceptHeader, (v) => boolValue(v, `${where} consider-accept-header`))],
    ['parse-date', opt(props.parseDate, (v) => boolLiteral(v, `${where} parse-date`))],
    ['namespace-separator', separator],
    ['namespace-prefix', opt(props.namespacePrefix, (v) => textValue(v, `${where} namespace-prefix`))],
    ['attribute-block-name', opt(props.attributeBlockName, (v) => textValue(v, `${where} attribute-block-name`))],
  ]));
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
  return policy(element('xml-to-json', [
    ['kind', enumValue(props.kind, `${where} kind`, ['javascript-friendly', 'direct'])],
    ['apply', enumValue(props.apply, `${where} apply`, ['always', 'content-type-xml'])],
    ['consider-accept-header', opt(props.considerAcceptHeader, (v) => boolValue(v, `${where} consider-accept-header`))],
    [
      'always-array-child-elements',
      opt(props.alwaysArrayChildElements, (v) => boolValue(v, `${where} always-array-child-elements`)),
    ],
  ]));
}
