import {
  findAndReplace,
  forwardRequest,
  jsonToXml,
  rewriteUri,
  setBackendService,
  setBackendServiceDapr,
  setBody,
  setHeader,
  setMethod,
  setQueryParameter,
  setVariable,
  xmlToJson,
} from '../../lib/policy/builders/transform';
import { E, block, code, expr, lit, namedValue } from '../../lib/policy/expressions';
import { ConformanceSample, sample } from './types';

/**
 * Every transform builder with every option, each at the top level of a section that allows it. Options
 * that exclude each other (base-url / backend-id / Dapr, timeout / timeout-ms) get one sample each.
 */
export const samples: ConformanceSample[] = [
  sample(
    'set-header/all-options',
    'inbound',
    setHeader({
      name: 'X-Forwarded-Client',
      existsAction: 'append',
      value: ['gateway', E.clientIp(), lit`Bearer ${namedValue('backend-token')}`],
    }),
  ),
  sample('set-header/delete', 'outbound', setHeader({ name: 'X-Powered-By', existsAction: 'delete' })),
  sample(
    'set-header/expressions',
    'backend',
    setHeader({ name: expr('"X-" + "Trace"'), existsAction: expr('"override"'), value: expr('context.RequestId.ToString()') }),
  ),
  sample(
    'set-query-parameter/all-options',
    'backend',
    setQueryParameter({ name: 'api-version', existsAction: 'skip', value: ['2024-05-01', E.variable('version')] }),
  ),
  sample(
    'set-query-parameter/delete',
    'inbound',
    setQueryParameter({ name: 'subscription-key', existsAction: 'delete' }),
  ),
  sample(
    'set-body/all-options',
    'outbound',
    setBody({
      template: 'liquid',
      xsiNil: 'null',
      parseDate: false,
      value: '{"id": "{{body.customer.id}}", "summary": "{{body.customer.summary}}"}',
    }),
  ),
  sample(
    'set-body/expression',
    'inbound',
    setBody({ value: block('var body = context.Request.Body.As<string>(preserveContent: true);\nreturn body.Trim();') }),
  ),
  sample(
    'set-variable/all-options',
    'inbound',
    setVariable({ name: 'isMobile', value: expr(`${code.requestHeader('User-Agent')}.Contains("iPhone")`) }),
  ),
  sample('set-variable/literal', 'on-error', setVariable({ name: 'failed', value: true })),
  sample('set-method/all-options', 'inbound', setMethod({ method: 'POST' })),
  sample(
    'set-method/expression',
    'on-error',
    setMethod({ method: expr('context.Request.Method == "HEAD" ? "GET" : context.Request.Method') }),
  ),
  sample(
    'set-backend-service/base-url',
    'inbound',
    setBackendService({ baseUrl: 'https://mcp.internal.example.com/api' }),
  ),
  sample(
    'set-backend-service/all-options',
    'backend',
    setBackendService({
      backendId: 'orders-fabric',
      sfResolveCondition: expr('context.LastError?.Message.Contains("Unable to connect") == true'),
      sfServiceInstanceName: 'fabric:/orders/api',
      sfPartitionKey: expr('context.Request.Url.Query.GetValueOrDefault("userId", "")'),
      sfReplicaType: 'primary',
      sfListenerName: 'http',
    }),
  ),
  sample(
    'set-backend-service/dapr',
    'inbound',
    setBackendServiceDapr({ appId: 'echo', method: 'back', namespace: 'echo-app' }),
  ),
  sample(
    'rewrite-uri/all-options',
    'inbound',
    rewriteUri({ template: '/v2/orders/{orderId}?source=gateway', copyUnmatchedParams: false }),
  ),
  sample(
    'forward-request/all-options',
    'backend',
    forwardRequest({
      timeout: 60,
      continueTimeout: 5,
      httpVersion: '2or1',
      followRedirects: false,
      bufferRequestBody: false,
      bufferResponse: false,
      failOnErrorStatusCode: true,
    }),
  ),
  sample(
    'forward-request/timeout-ms',
    'backend',
    forwardRequest({ timeoutMs: 1500, followRedirects: expr('context.Request.Method == "GET"') }),
  ),
  sample(
    'find-and-replace/all-options',
    'outbound',
    findAndReplace({ from: 'internal.example.com', to: expr('context.Request.OriginalUrl.Host') }),
  ),
  sample(
    'json-to-xml/all-options',
    'outbound',
    jsonToXml({
      apply: 'content-type-json',
      considerAcceptHeader: false,
      parseDate: false,
      namespaceSeparator: ':',
      namespacePrefix: 'xmlns',
      attributeBlockName: '#attrs',
    }),
  ),
  sample(
    'xml-to-json/all-options',
    'on-error',
    xmlToJson({
      kind: 'direct',
      apply: 'content-type-xml',
      considerAcceptHeader: expr('true'),
      alwaysArrayChildElements: true,
    }),
  ),
];
