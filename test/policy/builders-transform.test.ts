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
import { policyDocument } from '../../lib/policy/document';
import { PolicyError } from '../../lib/policy/errors';
import { E, block, expr, lit, namedValue } from '../../lib/policy/expressions';
import { element, untypedPolicy } from '../../lib/policy/model';
import { samples } from '../conformance/transform';
import { attrNames, expectPolicyError, raw, xml } from '../support/policy';
import { xsdErrors } from '../support/xsd';

describe('setHeader', () => {
  it('renders name, exists-action and one <value> per value, expressions verbatim in rawxml', () => {
    const p = setHeader({
      name: 'X-Client',
      existsAction: 'append',
      value: ['gw', expr('context.Request.Headers.GetValueOrDefault("A", "")'), lit`Bearer ${namedValue('tok')}`],
    });
    expect(raw(p)).toBe(
      [
        '<set-header name="X-Client" exists-action="append">',
        '    <value>gw</value>',
        '    <value>@(context.Request.Headers.GetValueOrDefault("A", ""))</value>',
        '    <value>Bearer {{tok}}</value>',
        '</set-header>',
      ].join('\n'),
    );
  });

  it('entity-escapes expressions in attributes in the xml format', () => {
    const p = setHeader({ name: expr('"X-" + "Id"'), value: 'v' });
    expect(xml(p)).toContain('name="@(&quot;X-&quot; + &quot;Id&quot;)"');
    expect(raw(p)).toContain('name="@("X-" + "Id")"');
  });

  it('leaves exists-action out by default (APIM overrides)', () => {
    expect(attrNames(setHeader({ name: 'X-A', value: '1' }))).toEqual(['name']);
  });

  it('takes a single value without an array', () => {
    expect(raw(setHeader({ name: 'X-A', value: 1 }))).toContain('<value>1</value>');
  });

  it('renders a delete without values', () => {
    expect(raw(setHeader({ name: 'Server', existsAction: 'delete' }))).toBe('<set-header name="Server" exists-action="delete" />');
  });

  it('refuses an unknown exists-action, naming it and the accepted ones', () => {
    expectPolicyError(
      () => setHeader({ name: 'X', existsAction: 'replace' as never, value: '1' }),
      '"replace"',
      '"override", "skip", "append", "delete"',
    );
  });

  it('refuses values on a delete, and no values otherwise', () => {
    expectPolicyError(() => setHeader({ name: 'X', existsAction: 'delete', value: 'a' }), 'delete', 'takes no value');
    expectPolicyError(() => setHeader({ name: 'X' }), 'needs at least one value', '"override"');
  });

  it('allows no values when exists-action is an expression (it may be delete at run time)', () => {
    expect(setHeader({ name: 'X', existsAction: expr('"delete"') }).children).toEqual([]);
  });

  it('refuses a header name that is not an HTTP token, and an empty one', () => {
    expectPolicyError(() => setHeader({ name: 'X Bad', value: '1' }), '"X Bad"', 'HTTP header name');
    expectPolicyError(() => setHeader({ name: '', value: '1' }), 'name must not be empty');
  });

  it('refuses the headers APIM does not let set-header change', () => {
    expectPolicyError(() => setHeader({ name: 'content-length', value: '0' }), '"content-length"', 'Transfer-Encoding');
  });

  it('refuses a string that looks like an expression', () => {
    expectPolicyError(() => setHeader({ name: 'X', value: '@(context.User.Id)' }), 'value[0]', 'expr()');
  });
});

describe('setQueryParameter', () => {
  it('renders like set-header', () => {
    expect(raw(setQueryParameter({ name: 'api-version', existsAction: 'skip', value: '2024-05-01' }))).toBe(
      ['<set-query-parameter name="api-version" exists-action="skip">', '    <value>2024-05-01</value>', '</set-query-parameter>'].join('\n'),
    );
  });

  it('refuses values on delete and a missing value otherwise', () => {
    expectPolicyError(() => setQueryParameter({ name: 'k', existsAction: 'delete', value: ['x'] }), 'set-query-parameter', 'takes no value');
    expectPolicyError(() => setQueryParameter({ name: 'k', existsAction: 'append' }), 'needs at least one value', '"append"');
  });
});

describe('setBody', () => {
  it('renders template, xsi-nil, parse-date in the docs order and the body as text', () => {
    const p = setBody({ parseDate: false, xsiNil: 'null', template: 'liquid', value: '{"id": "{{body.id}}"}' });
    expect(attrNames(p)).toEqual(['template', 'xsi-nil', 'parse-date']);
    expect(raw(p)).toBe('<set-body template="liquid" xsi-nil="null" parse-date="false">{"id": "{{body.id}}"}</set-body>');
  });

  it('renders an expression body verbatim in rawxml and escaped in xml', () => {
    const p = setBody({ value: block('return context.Request.Body.As<string>() + "&";') });
    expect(raw(p)).toBe('<set-body>@{return context.Request.Body.As<string>() + "&";}</set-body>');
    expect(xml(p)).toBe('<set-body>@{return context.Request.Body.As&lt;string&gt;() + "&amp;";}</set-body>');
  });

  it('has no attributes by default', () => {
    expect(attrNames(setBody({ value: 'hello' }))).toEqual([]);
  });

  it('refuses a Liquid template given as an expression', () => {
    expectPolicyError(() => setBody({ template: 'liquid', value: expr('"x"') }), 'liquid', '@("x")');
  });

  it('refuses an unknown xsi-nil', () => {
    expectPolicyError(() => setBody({ value: 'x', xsiNil: 'empty' as never }), '"empty"', '"blank", "null"');
  });

  it('refuses an expression for parse-date, which APIM reads literally', () => {
    // @ts-expect-error parse-date is literal-only, so an expression does not compile either
    expectPolicyError(() => setBody({ value: 'x', parseDate: expr('true') }), '<set-body> parse-date', 'does not accept a policy expression');
  });
});

describe('setVariable', () => {
  it('renders name and value; literals become strings', () => {
    expect(raw(setVariable({ name: 'isMobile', value: expr('context.Request.Headers.ContainsKey("X")') }))).toBe(
      '<set-variable name="isMobile" value="@(context.Request.Headers.ContainsKey("X"))" />',
    );
    expect(raw(setVariable({ name: 'n', value: 3 }))).toBe('<set-variable name="n" value="3" />');
  });

  it('refuses an invalid name, naming it', () => {
    expectPolicyError(() => setVariable({ name: 'has space', value: 1 }), '"has space"', 'variable name');
    expectPolicyError(() => setVariable({ name: '', value: 1 }), 'variable name');
  });

  it('refuses an expression as name, which APIM reads literally', () => {
    expectPolicyError(
      // @ts-expect-error the name is literal-only
      () => setVariable({ name: expr('"v"'), value: 1 }),
      '<set-variable> name',
      'does not accept a policy expression',
    );
  });
});

describe('setMethod', () => {
  it('renders the method as text', () => {
    expect(raw(setMethod({ method: 'POST' }))).toBe('<set-method>POST</set-method>');
    expect(raw(setMethod({ method: 'PROPFIND' }))).toBe('<set-method>PROPFIND</set-method>');
    expect(raw(setMethod({ method: expr('context.Request.Method') }))).toBe('<set-method>@(context.Request.Method)</set-method>');
  });

  it('refuses a method that is not an upper-case token', () => {
    expectPolicyError(() => setMethod({ method: 'get' }), '"get"', 'upper-case');
    expectPolicyError(() => setMethod({ method: 'GET /x' }), '"GET /x"');
    expectPolicyError(() => setMethod({ method: '' }), '""');
  });
});

describe('setBackendService', () => {
  it('renders base-url', () => {
    expect(raw(setBackendService({ baseUrl: 'https://api.example.com/v1' }))).toBe(
      '<set-backend-service base-url="https://api.example.com/v1" />',
    );
  });

  it('renders backend-id and the Service Fabric attributes in the docs order', () => {
    const p = setBackendService({
      sfListenerName: 'http',
      sfReplicaType: 'secondary',
      sfPartitionKey: expr('context.Request.Url.Query.GetValueOrDefault("u", "")'),
      sfServiceInstanceName: 'fabric:/app/svc',
      sfResolveCondition: false,
      backendId: 'sf-backend',
    });
    expect(attrNames(p)).toEqual([
      'backend-id',
      'sf-resolve-condition',
      'sf-service-instance-name',
      'sf-partition-key',
      'sf-replica-type',
      'sf-listener-name',
    ]);
  });

  it('needs exactly one of baseUrl and backendId', () => {
    expectPolicyError(() => setBackendService({}), 'exactly one of baseUrl and backendId', 'neither');
    expectPolicyError(() => setBackendService({ baseUrl: 'https://a.example', backendId: 'b' }), 'both');
  });

  it('refuses a literal base-url that is not an absolute http(s) URL', () => {
    expectPolicyError(() => setBackendService({ baseUrl: 'api.example.com' }), '"api.example.com"', 'absolute http or https URL');
    // A named value is substituted by APIM, so it is not checked here.
    expect(raw(setBackendService({ baseUrl: namedValue('backend-url') }))).toContain('base-url="{{backend-url}}"');
  });

  it('sends Dapr users to setBackendServiceDapr and refuses sf-listener-name without backendId', () => {
    expectPolicyError(() => setBackendService({ backendId: 'dapr' }), 'setBackendServiceDapr');
    expectPolicyError(() => setBackendService({ baseUrl: 'https://a.example', sfListenerName: 'l' }), 'sf-listener-name', 'backendId');
  });

  it('refuses an unknown sf-replica-type', () => {
    expectPolicyError(() => setBackendService({ backendId: 'b', sfReplicaType: 'tertiary' as never }), '"tertiary"', '"primary", "secondary"');
  });

  it('renders the Dapr variant', () => {
    expect(raw(setBackendServiceDapr({ appId: 'echo', method: 'back', namespace: 'ns' }))).toBe(
      '<set-backend-service backend-id="dapr" dapr-app-id="echo" dapr-method="back" dapr-namespace="ns" />',
    );
    expect(attrNames(setBackendServiceDapr({ appId: 'echo', method: 'back' }))).toEqual(['backend-id', 'dapr-app-id', 'dapr-method']);
  });
});

describe('rewriteUri', () => {
  it('renders template and copy-unmatched-params', () => {
    expect(raw(rewriteUri({ template: '/v2/{id}?a=b', copyUnmatchedParams: false }))).toBe(
      '<rewrite-uri template="/v2/{id}?a=b" copy-unmatched-params="false" />',
    );
    expect(xml(rewriteUri({ template: '/x?a=1&b=2' }))).toBe('<rewrite-uri template="/x?a=1&amp;b=2" />');
  });

  it('refuses an empty template', () => {
    expectPolicyError(() => rewriteUri({ template: '' }), '<rewrite-uri> template must not be empty');
  });
});

describe('forwardRequest', () => {
  it('renders nothing by default (APIM defaults)', () => {
    expect(raw(forwardRequest())).toBe('<forward-request />');
  });

  it('renders every attribute in the docs order', () => {
    const p = forwardRequest({
      failOnErrorStatusCode: true,
      bufferResponse: false,
      bufferRequestBody: true,
      followRedirects: expr('true'),
      httpVersion: '2',
      continueTimeout: 5,
      timeout: 0,
    });
    expect(raw(p)).toBe(
      '<forward-request timeout="0" continue-timeout="5" http-version="2" follow-redirects="@(true)" buffer-request-body="true" buffer-response="false" fail-on-error-status-code="true" />',
    );
  });

  it('takes timeout or timeout-ms, not both', () => {
    expectPolicyError(() => forwardRequest({ timeout: 10, timeoutMs: 10_000 }), 'timeout or timeout-ms, not both', '10000');
    expect(attrNames(forwardRequest({ timeoutMs: 250 }))).toEqual(['timeout-ms']);
  });

  it('refuses negative and fractional timeouts, naming the value', () => {
    expectPolicyError(() => forwardRequest({ timeout: -1 }), '<forward-request> timeout', 'integer >= 0', '-1');
    expectPolicyError(() => forwardRequest({ timeoutMs: 1.5 }), 'timeout-ms', '1.5');
    expectPolicyError(() => forwardRequest({ continueTimeout: 2 ** 31 }), 'continue-timeout', 'at most 2147483647', '2147483648');
  });

  it('refuses an unknown http-version', () => {
    expectPolicyError(() => forwardRequest({ httpVersion: '3' as never }), '"3"', '"1", "2", "2or1"');
  });

  it('refuses an expression for buffer-response, which APIM reads literally', () => {
    // @ts-expect-error buffer-response is literal-only
    expectPolicyError(() => forwardRequest({ bufferResponse: expr('false') }), '<forward-request> buffer-response', 'does not accept');
  });
});

describe('findAndReplace', () => {
  it('renders from and to; an empty replacement removes the text', () => {
    expect(raw(findAndReplace({ from: 'a&b', to: '' }))).toBe('<find-and-replace from="a&amp;b" to="" />');
  });

  it('refuses an empty search string', () => {
    expectPolicyError(() => findAndReplace({ from: '', to: 'x' }), '<find-and-replace> from must not be empty');
  });
});

describe('jsonToXml', () => {
  it('renders the attributes in the docs order', () => {
    const p = jsonToXml({
      attributeBlockName: '#attrs',
      namespacePrefix: 'xmlns',
      namespaceSeparator: ':',
      parseDate: false,
      considerAcceptHeader: false,
      apply: 'always',
    });
    expect(attrNames(p)).toEqual([
      'apply',
      'consider-accept-header',
      'parse-date',
      'namespace-separator',
      'namespace-prefix',
      'attribute-block-name',
    ]);
    expect(raw(jsonToXml({ apply: expr('"always"') }))).toBe('<json-to-xml apply="@("always")" />');
  });

  it('refuses an unknown apply and a separator longer than one character', () => {
    expectPolicyError(() => jsonToXml({ apply: 'content-type-xml' as never }), '"content-type-xml"', '"always", "content-type-json"');
    expectPolicyError(() => jsonToXml({ apply: 'always', namespaceSeparator: '::' }), '"::"', 'single character');
  });
});

describe('xmlToJson', () => {
  it('renders kind, apply, consider-accept-header, always-array-child-elements', () => {
    expect(raw(xmlToJson({ kind: 'javascript-friendly', apply: 'always', considerAcceptHeader: true, alwaysArrayChildElements: false }))).toBe(
      '<xml-to-json kind="javascript-friendly" apply="always" consider-accept-header="true" always-array-child-elements="false" />',
    );
  });

  it('refuses an unknown kind', () => {
    expectPolicyError(() => xmlToJson({ kind: 'friendly' as never, apply: 'always' }), '"friendly"', '"javascript-friendly", "direct"');
  });
});

describe('section rules for transform policies', () => {
  it('are checked at compile time', () => {
    // Each line fails to compile when its @ts-expect-error is not needed any more: the section types hold.
    // @ts-expect-error set-backend-service is not allowed in outbound
    expect(() => policyDocument({ outbound: [setBackendService({ backendId: 'b' })] })).toThrow(PolicyError);
    // @ts-expect-error forward-request is only allowed in backend
    expect(() => policyDocument({ inbound: [forwardRequest()] })).toThrow(PolicyError);
    // @ts-expect-error the Dapr variant is inbound-only, although set-backend-service also allows backend
    policyDocument({ backend: [setBackendServiceDapr({ appId: 'a', method: 'm' })] });
    // @ts-expect-error set-method is not allowed in outbound
    expect(() => policyDocument({ outbound: [setMethod({ method: 'GET' })] })).toThrow(PolicyError);
    expect(policyDocument({ inbound: [setBackendService({ backendId: 'b' }), setHeader({ name: 'X', value: E.clientIp() })] }).sections.inbound).toHaveLength(2);
  });

  it('are checked at run time for raw elements the types cannot see', () => {
    const rawBackend = untypedPolicy(element('set-backend-service', [['backend-id', 'b']]));
    expect(() => policyDocument({ outbound: [rawBackend] })).toThrow(
      'outbound/set-backend-service: <set-backend-service> is not allowed in <outbound>; APIM allows it in: inbound, backend',
    );
    expect(() => policyDocument({ inbound: [rawBackend] })).not.toThrow();
  });
});

describe('transform conformance samples', () => {
  // libxml2 in WebAssembly compiles the ~70 schema files per call.
  jest.setTimeout(60_000);

  it('are valid against the APIM schemas, one document per section', async () => {
    expect(await xsdErrors(samples)).toEqual([]);
  });

  it('cover every transform builder at section top level', () => {
    const elements = new Set(samples.map((s) => s.policy.name));
    for (const name of [
      'set-header',
      'set-query-parameter',
      'set-body',
      'set-variable',
      'set-method',
      'set-backend-service',
      'rewrite-uri',
      'forward-request',
      'find-and-replace',
      'json-to-xml',
      'xml-to-json',
    ]) {
      expect(elements).toContain(name);
    }
    // The Dapr variant is a separate builder of the same element.
    expect(samples.some((s) => s.policy.attributes.some((a) => a.name === 'dapr-app-id'))).toBe(true);
  });
});
