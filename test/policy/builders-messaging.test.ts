import {
  EMIT_METRIC_MAX_DIMENSIONS,
  EmitMetricDimension,
  SendRequestProps,
  cacheLookupValue,
  cacheRemoveValue,
  cacheStoreValue,
  emitMetric,
  logToEventhub,
  sendOneWayRequest,
  sendRequest,
  trace,
} from '../../lib/policy/builders/messaging';
import { policyDocument } from '../../lib/policy/document';
import { block, expr, namedValue } from '../../lib/policy/expressions';
import { ElementNode } from '../../lib/policy/model';
import { attrNames, expectPolicyError, raw, xml } from '../support/policy';

const minimalRequest: SendRequestProps = { responseVariableName: 'r', url: 'https://api.example.com/x', method: 'GET' };

describe('sendRequest', () => {
  const full = () =>
    sendRequest({
      // Props deliberately out of document order: the builder fixes the order.
      ignoreError: true,
      proxy: { url: 'http://10.0.0.4:8080', username: 'u', password: namedValue('proxy-password') },
      timeout: 20,
      responseVariableName: 'tokenstate',
      mode: 'new',
      authenticationManagedIdentity: { ignoreError: false, resource: 'api://x', outputTokenVariableName: 't', clientId: 'c' },
      method: 'POST',
      url: 'https://login.example.com/introspect',
      headers: [{ name: 'Content-Type', existsAction: 'override', values: ['application/x-www-form-urlencoded'] }],
      body: expr('$"token={(string)context.Variables["token"]}"'),
      authenticationCertificate: { thumbprint: namedValue('cert-thumbprint') },
    });

  it('renders every attribute and child in the reference order, expressions verbatim in rawxml', () => {
    expect(raw(full())).toBe(
      [
        '<send-request mode="new" response-variable-name="tokenstate" timeout="20" ignore-error="true">',
        '    <set-url>https://login.example.com/introspect</set-url>',
        '    <set-method>POST</set-method>',
        '    <set-header name="Content-Type" exists-action="override">',
        '        <value>application/x-www-form-urlencoded</value>',
        '    </set-header>',
        '    <set-body>@($"token={(string)context.Variables["token"]}")</set-body>',
        '    <authentication-certificate thumbprint="{{cert-thumbprint}}" />',
        '    <authentication-managed-identity resource="api://x" client-id="c" output-token-variable-name="t" ignore-error="false" />',
        '    <proxy url="http://10.0.0.4:8080" username="u" password="{{proxy-password}}" />',
        '</send-request>',
      ].join('\n'),
    );
  });

  it('escapes expressions in the xml format', () => {
    const p = sendRequest({
      ...minimalRequest,
      mode: expr('context.Variables.ContainsKey("c") ? "copy" : "new"'),
      body: expr('x < 1 && y'),
    });
    expect(xml(p)).toBe(
      [
        '<send-request mode="@(context.Variables.ContainsKey(&quot;c&quot;) ? &quot;copy&quot; : &quot;new&quot;)" response-variable-name="r">',
        '    <set-url>https://api.example.com/x</set-url>',
        '    <set-method>GET</set-method>',
        '    <set-body>@(x &lt; 1 &amp;&amp; y)</set-body>',
        '</send-request>',
      ].join('\n'),
    );
  });

  it('leaves out absent optional attributes and children', () => {
    const p = sendRequest(minimalRequest);
    expect(attrNames(p)).toEqual(['response-variable-name']);
    expect(p.children.map((c) => (c as ElementNode).name)).toEqual(['set-url', 'set-method']);
  });

  it('allows mode copy without url and method, and an expression mode (known only at run time)', () => {
    expect(raw(sendRequest({ mode: 'copy', responseVariableName: 'r' }))).toBe('<send-request mode="copy" response-variable-name="r" />');
    expect(sendRequest({ mode: expr('"copy"'), responseVariableName: 'r' }).children).toEqual([]);
  });

  it('renders several headers with several values, and delete without values', () => {
    const p = sendRequest({
      ...minimalRequest,
      headers: [
        { name: 'Accept', existsAction: 'append', values: ['a', expr('context.RequestId.ToString()')] },
        { name: 'X-Drop', existsAction: 'delete' },
      ],
    });
    expect(raw(p)).toContain(
      [
        '    <set-header name="Accept" exists-action="append">',
        '        <value>a</value>',
        '        <value>@(context.RequestId.ToString())</value>',
        '    </set-header>',
        '    <set-header name="X-Drop" exists-action="delete" />',
      ].join('\n'),
    );
  });

  it('takes a certificate by id or by body with a password', () => {
    const byId = sendRequest({ ...minimalRequest, authenticationCertificate: { certificateId: 'client-cert' } });
    expect(raw(byId)).toContain('<authentication-certificate certificate-id="client-cert" />');
    const byBody = sendRequest({
      ...minimalRequest,
      authenticationCertificate: { password: namedValue('pfx-pass'), body: expr('(byte[])context.Variables["pfx"]') },
    });
    expect(raw(byBody)).toContain('<authentication-certificate body="@((byte[])context.Variables["pfx"])" password="{{pfx-pass}}" />');
  });

  it('rejects timeouts that are not whole seconds from 1, naming the value', () => {
    for (const timeout of [0, -1, 1.5, 'soon', '']) {
      expectPolicyError(() => sendRequest({ ...minimalRequest, timeout }), '<send-request> timeout', 'from 1 to 2147483647', JSON.stringify(timeout));
    }
    expect(attrNames(sendRequest({ ...minimalRequest, timeout: expr('5 * 2') }))).toContain('timeout');
    expect(attrNames(sendRequest({ ...minimalRequest, timeout: namedValue('timeout') }))).toContain('timeout');
  });

  it('rejects an unknown mode with the accepted ones', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, mode: 'clone' as 'new' }), '<send-request> mode', '"new", "copy"', '"clone"');
  });

  it('requires url and method unless mode is copy', () => {
    expectPolicyError(() => sendRequest({ responseVariableName: 'r', method: 'GET' }), 'needs a url', 'unless mode is "copy"');
    expectPolicyError(() => sendRequest({ responseVariableName: 'r', mode: 'new', url: 'https://x' }), 'needs a method');
  });

  it('requires a non-empty response variable name', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, responseVariableName: undefined as unknown as string }), 'response-variable-name is required');
    expectPolicyError(() => sendRequest({ ...minimalRequest, responseVariableName: ' ' }), 'response-variable-name must not be empty');
  });

  it('checks the url, the method and header names and actions', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, url: 'api.example.com/x' }), 'absolute http:// or https:// URL', '"api.example.com/x"');
    expect(raw(sendRequest({ ...minimalRequest, url: 'https://{{backend-host}}/x' }))).toContain('<set-url>https://{{backend-host}}/x</set-url>');
    expectPolicyError(() => sendRequest({ ...minimalRequest, method: 'GET POST' }), '<set-method>', '"GET POST"');
    expectPolicyError(() => sendRequest({ ...minimalRequest, headers: [{ name: 'Bad Name', values: ['x'] }] }), 'headers[0] name', '"Bad Name"');
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, headers: [{ name: 'A', existsAction: 'replace' as 'override' }] }),
      'exists-action',
      '"override", "skip", "append", "delete"',
      '"replace"',
    );
    expectPolicyError(() => sendRequest({ ...minimalRequest, headers: [{ name: 'A', existsAction: 'delete', values: ['x'] }] }), 'takes no values');
  });

  it('needs exactly one certificate source, and a password only with body', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, authenticationCertificate: {} }), 'exactly one of thumbprint, certificateId or body', 'got none');
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, authenticationCertificate: { thumbprint: 'AB', certificateId: 'c' } }),
      'got thumbprint and certificateId',
    );
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, authenticationCertificate: { thumbprint: 'AB', password: namedValue('p') } }),
      'password applies only to a certificate given in body',
    );
  });

  it('refuses secrets as literal text', () => {
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, proxy: { url: 'http://p:8080', username: 'u', password: 'hunter2' } }),
      '<proxy> password is a secret',
      'named value',
    );
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, authenticationCertificate: { body: expr('x'), password: 'hunter2' } }),
      '<authentication-certificate> password is a secret',
    );
    expectPolicyError(() => sendRequest({ ...minimalRequest, authenticationCertificate: { body: 'MIIK...' } }), 'body is a secret');
  });

  it('accepts only http:// proxies', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, proxy: { url: 'https://p:8443' } }), 'http://host:port', '"https://p:8443"');
  });

  it('requires the managed identity resource', () => {
    expectPolicyError(
      () => sendRequest({ ...minimalRequest, authenticationManagedIdentity: { resource: '' } }),
      '<authentication-managed-identity> resource must not be empty',
    );
  });

  it('refuses expressions in the attributes APIM reads literally', () => {
    // Each is a compile error (the prop's type has no Expression) and, for untyped callers, a run-time error.
    expectPolicyError(
      // @ts-expect-error set-method is literal-only
      () => sendRequest({ ...minimalRequest, method: expr('"GET"') }),
      '<set-method> does not accept a policy expression',
    );
    expectPolicyError(
      // @ts-expect-error ignore-error is literal-only
      () => sendRequest({ ...minimalRequest, ignoreError: expr('true') }),
      'ignore-error does not accept a policy expression',
    );
    expectPolicyError(
      // @ts-expect-error client-id is literal-only
      () => sendRequest({ ...minimalRequest, authenticationManagedIdentity: { resource: 'api://x', clientId: expr('"c"') } }),
      'client-id does not accept a policy expression',
    );
    // A string that reads as an expression is refused too, so rawxml never carries an unevaluated "@(...)".
    expectPolicyError(() => sendRequest({ ...minimalRequest, method: '@(x)' }), 'reads as a policy expression');
  });

  it('rejects a non-boolean ignore-error from untyped callers', () => {
    expectPolicyError(() => sendRequest({ ...minimalRequest, ignoreError: 'yes' as unknown as boolean }), 'ignore-error must be true or false', '"yes"');
  });
});

describe('sendOneWayRequest', () => {
  it('renders mode and timeout and the request children', () => {
    const p = sendOneWayRequest({
      timeout: 5,
      mode: 'new',
      url: 'https://hooks.example.com/a',
      method: 'POST',
      body: block('return 1 < 2 ? "a" : "b";'),
      authenticationManagedIdentity: { resource: 'https://hooks.example.com' },
    });
    expect(raw(p)).toBe(
      [
        '<send-one-way-request mode="new" timeout="5">',
        '    <set-url>https://hooks.example.com/a</set-url>',
        '    <set-method>POST</set-method>',
        '    <set-body>@{return 1 < 2 ? "a" : "b";}</set-body>',
        '    <authentication-managed-identity resource="https://hooks.example.com" />',
        '</send-one-way-request>',
      ].join('\n'),
    );
    // Text escapes <, & and >, not quotes.
    expect(xml(p)).toContain('<set-body>@{return 1 &lt; 2 ? "a" : "b";}</set-body>');
  });

  it('has no response variable or ignore-error, and checks its timeout', () => {
    expect(attrNames(sendOneWayRequest({ mode: 'copy' }))).toEqual(['mode']);
    expectPolicyError(() => sendOneWayRequest({ mode: 'copy', timeout: 0 }), '<send-one-way-request> timeout', 'got 0');
  });
});

describe('cache value policies', () => {
  const key = expr('"profile-" + context.Variables["user-id"]');

  it('cacheLookupValue renders in the reference order in both formats', () => {
    const p = cacheLookupValue({ cachingType: 'internal', variableName: 'profile', defaultValue: 'none', key });
    expect(raw(p)).toBe(
      '<cache-lookup-value key="@("profile-" + context.Variables["user-id"])" default-value="none" variable-name="profile" caching-type="internal" />',
    );
    expect(xml(p)).toBe(
      '<cache-lookup-value key="@(&quot;profile-&quot; + context.Variables[&quot;user-id&quot;])" default-value="none" variable-name="profile" caching-type="internal" />',
    );
  });

  it('cacheStoreValue renders key, value, duration, caching-type', () => {
    const p = cacheStoreValue({ duration: 300, value: expr('(string)context.Variables["p"]'), key: 'k', cachingType: 'external' });
    expect(attrNames(p)).toEqual(['key', 'value', 'duration', 'caching-type']);
    expect(raw(p)).toBe('<cache-store-value key="k" value="@((string)context.Variables["p"])" duration="300" caching-type="external" />');
  });

  it('cacheRemoveValue renders key and caching-type', () => {
    expect(raw(cacheRemoveValue({ key: 'k' }))).toBe('<cache-remove-value key="k" />');
    expect(attrNames(cacheRemoveValue({ cachingType: 'prefer-external', key: 'k' }))).toEqual(['key', 'caching-type']);
  });

  it('rejects an unknown caching type with the accepted ones', () => {
    expectPolicyError(
      () => cacheRemoveValue({ key: 'k', cachingType: 'redis' as 'external' }),
      '<cache-remove-value> caching-type',
      '"prefer-external", "external", "internal"',
      '"redis"',
    );
  });

  it('requires keys, variable names and durations, and checks the duration', () => {
    expectPolicyError(() => cacheLookupValue({ key: '', variableName: 'v' }), '<cache-lookup-value> key must not be empty');
    expectPolicyError(() => cacheLookupValue({ key: 'k', variableName: undefined as unknown as string }), 'variable-name is required');
    expectPolicyError(() => cacheStoreValue({ key: 'k', value: 'v', duration: undefined as unknown as number }), 'duration is required');
    expectPolicyError(() => cacheStoreValue({ key: 'k', value: 'v', duration: 0 }), '<cache-store-value> duration', 'from 1');
    expect(raw(cacheStoreValue({ key: 'k', value: 'v', duration: expr('60 * 5') }))).toContain('duration="@(60 * 5)"');
  });

  it('refuses expressions where the docs say the attribute is literal', () => {
    expectPolicyError(
      // @ts-expect-error variable-name is literal-only
      () => cacheLookupValue({ key: 'k', variableName: expr('"v"') }),
      'variable-name does not accept a policy expression',
    );
    expectPolicyError(
      // @ts-expect-error caching-type is literal-only
      () => cacheStoreValue({ key: 'k', value: 'v', duration: 1, cachingType: expr('"internal"') }),
      'caching-type does not accept a policy expression',
    );
  });
});

describe('emitMetric', () => {
  it('renders name, value, namespace and dimensions in both formats', () => {
    const p = emitMetric({
      namespace: 'mcp',
      dimensions: [{ name: 'API ID' }, { name: 'Client IP', value: expr('context.Request.IpAddress') }, { name: 'Tag', value: 'a"b' }],
      value: 2.5,
      name: 'tool-calls',
    });
    expect(raw(p)).toBe(
      [
        '<emit-metric name="tool-calls" value="2.5" namespace="mcp">',
        '    <dimension name="API ID" />',
        '    <dimension name="Client IP" value="@(context.Request.IpAddress)" />',
        '    <dimension name="Tag" value="a&quot;b" />',
        '</emit-metric>',
      ].join('\n'),
    );
    expect(xml(p)).toContain('<dimension name="Tag" value="a&quot;b" />');
  });

  it('takes 1 to 10 dimensions', () => {
    expectPolicyError(() => emitMetric({ name: 'm', dimensions: [] }), 'takes 1 to 10 dimensions, got 0');
    const eleven: EmitMetricDimension[] = Array.from({ length: EMIT_METRIC_MAX_DIMENSIONS + 1 }, (_, i) => ({ name: `d${i}`, value: 'x' }));
    expectPolicyError(() => emitMetric({ name: 'm', dimensions: eleven }), 'takes 1 to 10 dimensions, got 11');
    expect(emitMetric({ name: 'm', dimensions: eleven.slice(0, 10) }).children).toHaveLength(10);
  });

  it('leaves out a dimension value only for the default dimensions', () => {
    expectPolicyError(() => emitMetric({ name: 'm', dimensions: [{ name: 'Tenant' }] }), '"Tenant" needs a value', '"API ID"', '"Gateway ID"');
    expectPolicyError(() => emitMetric({ name: 'm', dimensions: [{ name: expr('"API ID"') }] }), '@("API ID") needs a value');
  });

  it('rejects a repeated dimension name and a value that is not a number', () => {
    expectPolicyError(() => emitMetric({ name: 'm', dimensions: [{ name: 'API ID' }, { name: 'API ID' }] }), 'dimensions[1] repeats the dimension name "API ID"');
    expectPolicyError(() => emitMetric({ name: 'm', value: 'lots', dimensions: [{ name: 'API ID' }] }), '<emit-metric> value must be a number', '"lots"');
    expect(attrNames(emitMetric({ name: 'm', value: expr('1'), dimensions: [{ name: 'API ID' }] }))).toEqual(['name', 'value']);
  });

  it('refuses expressions in name and namespace', () => {
    expectPolicyError(
      // @ts-expect-error name is literal-only
      () => emitMetric({ name: expr('"m"'), dimensions: [{ name: 'API ID' }] }),
      '<emit-metric> name does not accept a policy expression',
    );
    expectPolicyError(
      // @ts-expect-error namespace is literal-only
      () => emitMetric({ name: 'm', namespace: expr('"n"'), dimensions: [{ name: 'API ID' }] }),
      '<emit-metric> namespace does not accept a policy expression',
    );
  });
});

describe('trace', () => {
  it('renders source, severity, message and metadata in both formats', () => {
    const p = trace({
      metadata: [{ name: 'op', value: expr('context.Operation.Id') }],
      message: expr('context.Response.StatusCode < 500 ? "ok" : "failed"'),
      severity: 'error',
      source: 'gateway',
    });
    expect(raw(p)).toBe(
      [
        '<trace source="gateway" severity="error">',
        '    <message>@(context.Response.StatusCode < 500 ? "ok" : "failed")</message>',
        '    <metadata name="op" value="@(context.Operation.Id)" />',
        '</trace>',
      ].join('\n'),
    );
    expect(xml(p)).toContain('<message>@(context.Response.StatusCode &lt; 500 ? "ok" : "failed")</message>');
  });

  it('rejects an unknown severity and a missing message', () => {
    expectPolicyError(() => trace({ source: 's', severity: 'warning' as 'error', message: 'm' }), '<trace> severity', '"verbose", "information", "error"', '"warning"');
    expectPolicyError(() => trace({ source: 's', message: undefined as unknown as string }), '<trace> message is required');
    expectPolicyError(() => trace({ source: 's', message: '' }), '<trace> message must not be empty');
    expectPolicyError(() => trace({ source: 's', message: 'm', metadata: [{ name: '', value: 'v' }] }), 'metadata[0] name must not be empty');
  });

  it('refuses an expression as source', () => {
    expectPolicyError(
      // @ts-expect-error source is literal-only
      () => trace({ source: expr('"s"'), message: 'm' }),
      '<trace> source does not accept a policy expression',
    );
  });

  it('is not allowed in on-error: a compile error and a run-time error', () => {
    const t = trace({ source: 's', message: 'm' });
    // @ts-expect-error the docs allow trace in inbound, outbound and backend only
    expect(() => policyDocument({ onError: [t] })).toThrow('<trace> is not allowed in <on-error>');
    expect(() => policyDocument({ backend: [t] })).not.toThrow();
  });
});

describe('logToEventhub', () => {
  it('renders logger-id, partition-id and the message in both formats', () => {
    const p = logToEventhub({ partitionId: 2, message: expr('string.Join(",", context.RequestId, "<x>")'), loggerId: 'audit' });
    expect(raw(p)).toBe('<log-to-eventhub logger-id="audit" partition-id="2">@(string.Join(",", context.RequestId, "<x>"))</log-to-eventhub>');
    expect(xml(p)).toBe('<log-to-eventhub logger-id="audit" partition-id="2">@(string.Join(",", context.RequestId, "&lt;x&gt;"))</log-to-eventhub>');
  });

  it('renders a partition key expression', () => {
    expect(raw(logToEventhub({ loggerId: 'audit', partitionKey: expr('context.Api.Id'), message: 'm' }))).toBe(
      '<log-to-eventhub logger-id="audit" partition-key="@(context.Api.Id)">m</log-to-eventhub>',
    );
  });

  it('takes a partition id or a partition key, not both', () => {
    expectPolicyError(() => logToEventhub({ loggerId: 'a', partitionId: 1, partitionKey: 'k', message: 'm' }), 'partitionId or partitionKey, not both');
  });

  it('checks the partition id and the message', () => {
    expectPolicyError(() => logToEventhub({ loggerId: 'a', partitionId: -1, message: 'm' }), 'partition-id must be a whole number from 0', '-1');
    expectPolicyError(() => logToEventhub({ loggerId: 'a', message: '' }), '<log-to-eventhub> message must not be empty');
  });

  it('refuses expressions in logger-id and partition-id', () => {
    expectPolicyError(
      // @ts-expect-error logger-id is literal-only
      () => logToEventhub({ loggerId: expr('"a"'), message: 'm' }),
      'logger-id does not accept a policy expression',
    );
    expectPolicyError(
      // @ts-expect-error partition-id is literal-only
      () => logToEventhub({ loggerId: 'a', partitionId: expr('1'), message: 'm' }),
      'partition-id does not accept a policy expression',
    );
  });
});
