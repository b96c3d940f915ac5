import {
  cacheLookupValue,
  cacheRemoveValue,
  cacheStoreValue,
  emitMetric,
  logToEventhub,
  sendOneWayRequest,
  sendRequest,
  trace,
} from '../../lib/policy/builders/messaging';
import { block, expr, namedValue } from '../../lib/policy/expressions';
import { ConformanceSample, sample } from './types';

export const samples: ConformanceSample[] = [
  // Every attribute and child element; the certificate by thumbprint (the other two forms follow).
  sample(
    'send-request/all-options',
    'inbound',
    sendRequest({
      mode: 'new',
      responseVariableName: 'introspection',
      timeout: 20,
      ignoreError: true,
      url: 'https://login.example.com/introspect',
      method: 'POST',
      headers: [
        { name: 'Content-Type', existsAction: 'override', values: ['application/x-www-form-urlencoded'] },
        { name: 'Accept', existsAction: 'append', values: ['application/json', 'text/plain'] },
        { name: 'X-Internal', existsAction: 'delete' },
      ],
      body: expr('$"token={(string)context.Variables["token"]}"'),
      authenticationCertificate: { thumbprint: namedValue('introspection-cert-thumbprint') },
      authenticationManagedIdentity: {
        resource: 'api://introspection',
        clientId: '00000000-0000-0000-0000-000000000001',
        outputTokenVariableName: 'introspection-token',
        ignoreError: false,
      },
      proxy: { url: 'http://10.0.0.4:8080', username: namedValue('proxy-user'), password: namedValue('proxy-password') },
    }),
  ),
  // Expressions where the docs allow them, and a certificate by resource name.
  sample(
    'send-request/expressions-certificate-id',
    'outbound',
    sendRequest({
      mode: expr('context.Variables.ContainsKey("copy") ? "copy" : "new"'),
      responseVariableName: expr('"audit-" + context.RequestId'),
      timeout: expr('10 + 5'),
      url: expr('"https://audit.example.com/" + context.Api.Id'),
      method: 'PUT',
      headers: [{ name: expr('"X-Trace-" + context.Deployment.Region'), existsAction: expr('"override"'), values: [expr('context.RequestId.ToString()')] }],
      authenticationCertificate: { certificateId: 'audit-client-cert' },
      proxy: { url: expr('"http://" + "10.0.0.4:8080"') },
    }),
  ),
  // mode copy needs neither url nor method; a certificate given as bytes with its password.
  sample(
    'send-request/copy-certificate-body',
    'backend',
    sendRequest({
      mode: 'copy',
      responseVariableName: 'mirror',
      authenticationCertificate: {
        body: expr('Convert.FromBase64String("{{mirror-cert}}")'),
        password: namedValue('mirror-cert-password'),
      },
    }),
  ),
  sample(
    'send-one-way-request/all-options',
    'on-error',
    sendOneWayRequest({
      mode: 'new',
      // A number: the docs allow an expression here, the XSD only xs:int (see send-request for expressions).
      timeout: 5,
      url: 'https://hooks.example.com/alerts',
      method: 'POST',
      headers: [{ name: 'Content-Type', existsAction: 'override', values: ['application/json'] }],
      body: block('return new JObject(new JProperty("status", context.Response.StatusCode)).ToString();'),
      authenticationCertificate: { thumbprint: 'A1B2C3D4E5F60718293A4B5C6D7E8F9012345678' },
      authenticationManagedIdentity: {
        resource: 'https://hooks.example.com',
        clientId: '00000000-0000-0000-0000-000000000002',
        outputTokenVariableName: 'hook-token',
        ignoreError: true,
      },
      proxy: { url: 'http://10.0.0.4:8080', username: 'alerts', password: namedValue('proxy-password') },
    }),
  ),
  sample(
    'send-one-way-request/copy-certificate-id',
    'outbound',
    sendOneWayRequest({
      mode: expr('"copy"'),
      authenticationCertificate: { certificateId: 'mirror-cert' },
    }),
  ),
  sample(
    'send-one-way-request/certificate-body',
    'backend',
    sendOneWayRequest({
      mode: 'copy',
      authenticationCertificate: { body: expr('context.Variables["cert-bytes"]'), password: expr('(string)context.Variables["cert-pass"]') },
    }),
  ),
  sample(
    'cache-lookup-value/all-options',
    'inbound',
    cacheLookupValue({
      key: expr('"profile-" + context.Variables["user-id"]'),
      defaultValue: 'none',
      variableName: 'profile',
      cachingType: 'prefer-external',
    }),
  ),
  sample(
    'cache-store-value/all-options',
    'outbound',
    cacheStoreValue({
      key: expr('"profile-" + context.Variables["user-id"]'),
      value: expr('(string)context.Variables["profile"]'),
      duration: 300,
      cachingType: 'internal',
    }),
  ),
  sample(
    'cache-store-value/duration-expression',
    'backend',
    cacheStoreValue({ key: 'static-key', value: 'v', duration: expr('60 * 5'), cachingType: 'external' }),
  ),
  sample(
    'cache-remove-value/all-options',
    'on-error',
    cacheRemoveValue({ key: expr('"profile-" + context.Variables["user-id"]'), cachingType: 'external' }),
  ),
  sample(
    'emit-metric/all-options',
    'inbound',
    emitMetric({
      name: 'mcp-tool-call',
      value: 1.5,
      namespace: 'mcp-gateway',
      dimensions: [
        { name: 'API ID' },
        { name: 'Client IP', value: expr('context.Request.IpAddress') },
        { name: expr('"Region"'), value: 'west' },
      ],
    }),
  ),
  sample(
    'emit-metric/value-expression',
    'on-error',
    emitMetric({ name: 'mcp-errors', value: expr('context.Response.StatusCode >= 500 ? 1 : 0'), dimensions: [{ name: 'Operation ID' }] }),
  ),
  sample(
    'trace/all-options',
    'outbound',
    trace({
      source: 'mcp-gateway',
      severity: 'information',
      message: expr('"status " + context.Response.StatusCode'),
      metadata: [
        { name: 'operation', value: expr('context.Operation.Id') },
        { name: 'stage', value: 'outbound' },
      ],
    }),
  ),
  // One sample in the third section trace allows, with a literal message.
  sample('trace/literal-message', 'backend', trace({ source: 'mcp-gateway', severity: 'verbose', message: 'forwarding' })),
  sample(
    'log-to-eventhub/partition-id',
    'inbound',
    logToEventhub({
      loggerId: 'mcp-audit',
      partitionId: 1,
      message: expr('string.Join(",", DateTime.UtcNow, context.RequestId, context.Operation.Name)'),
    }),
  ),
  sample(
    'log-to-eventhub/partition-key',
    'on-error',
    logToEventhub({ loggerId: 'mcp-audit', partitionKey: expr('context.Api.Id'), message: 'gateway error' }),
  ),
];
