import { LintOptions, lintPolicy } from '../../../lib/policy/lint';

/** A document with <base/> first in every section and the given statements after it. */
function doc(sections: { inbound?: string; backend?: string; outbound?: string; onError?: string }): string {
  const section = (name: string, body = ''): string => `    <${name}>\n        <base />\n${body}\n    </${name}>`;
  return [
    '<policies>',
    section('inbound', sections.inbound),
    section('backend', sections.backend),
    section('outbound', sections.outbound),
    section('on-error', sections.onError),
    '</policies>',
  ].join('\n');
}

/** The [rule id, path] of every finding. */
function findings(source: string, options?: LintOptions): [string, string | undefined][] {
  return lintPolicy(source, options).findings.map((f) => [f.ruleId, f.path]);
}

function messages(source: string, rule: string, options?: LintOptions): string[] {
  return lintPolicy(source, options)
    .findings.filter((f) => f.ruleId === rule)
    .map((f) => f.message);
}

const JWT = `<validate-jwt header-name="Authorization">
    <openid-config url="https://login.example.com/.well-known/openid-configuration" />
    <audiences><audience>api://mcp</audience></audiences>
</validate-jwt>`;

const ENTRA = `<validate-azure-ad-token tenant-id="{{tenant-id}}">
    <audiences><audience>api://mcp</audience></audiences>
</validate-azure-ad-token>`;

describe('unknown-element', () => {
  it('says where a policy child belongs when it stands in a section', () => {
    const source = doc({ inbound: '<set-url>https://example.com</set-url>' });
    expect(findings(source)).toEqual([['unknown-element', 'policies/inbound/set-url']]);
    expect(messages(source, 'unknown-element')[0]).toContain('belongs inside <send-request>');
  });

  it('reports a branch outside <choose> and a statement directly in <choose>', () => {
    const source = doc({
      inbound: '<when condition="@(true)" /><choose><set-header name="a"><value>b</value></set-header></choose>',
    });
    expect(findings(source)).toEqual([
      ['unknown-element', 'policies/inbound/when'],
      ['unknown-element', 'policies/inbound/choose/set-header'],
    ]);
  });

  it('checks statements inside retry, wait and limit-concurrency, but not the children of other policies', () => {
    const source = doc({
      inbound:
        '<retry condition="@(true)" count="2" interval="1"><set-heder name="a" /></retry>' +
        '<send-request mode="new" response-variable-name="r"><set-url>https://example.com</set-url><set-method>GET</set-method></send-request>',
    });
    expect(findings(source)).toEqual([['unknown-element', 'policies/inbound/retry/set-heder']]);
    expect(messages(source, 'unknown-element')[0]).toContain('did you mean <set-header>');
  });

  it('accepts documented policies that the section table does not list yet', () => {
    const source = doc({ inbound: '<llm-token-limit counter-key="@(context.Request.IpAddress)" tokens-per-minute="500" />' });
    expect(findings(source)).toEqual([]);
  });
});

describe('not-allowed-in-section', () => {
  it('reports a <base/> inside a container, and one in a fragment', () => {
    expect(findings(doc({ inbound: '<choose><when condition="@(true)"><base /></when></choose>' }))).toEqual([
      ['not-allowed-in-section', 'policies/inbound/choose/when/base'],
    ]);
    expect(findings('<fragment><base /></fragment>')).toEqual([['not-allowed-in-section', 'fragment/base']]);
  });

  it('does not check the sections of a fragment, which are only known where it is included', () => {
    expect(findings('<fragment><forward-request /></fragment>')).toEqual([]);
  });

  it('names the sections that allow the policy', () => {
    const source = doc({ inbound: '<forward-request />' });
    expect(messages(source, 'not-allowed-in-section')).toEqual([
      '<forward-request> is not allowed in <inbound>; APIM allows it in: backend',
    ]);
  });
});

describe('missing-base', () => {
  const noBase = '<policies><inbound /><backend><base /></backend><outbound><base /></outbound><on-error><base /></on-error></policies>';

  it('is quiet in the global scope, where there is nothing to inherit', () => {
    expect(findings(noBase, { scope: 'global' })).toEqual([]);
    expect(findings(noBase, { scope: 'product' })).toEqual([['missing-base', 'policies/inbound']]);
  });

  it('tells an absent section from an empty one', () => {
    const source = '<policies>\n  <inbound><base /></inbound>\n</policies>';
    const result = lintPolicy(source);
    expect(result.findings.map((f) => [f.path, f.line])).toEqual([
      // An absent section has no tag of its own: the finding points at <policies>.
      ['policies/backend', 1],
      ['policies/outbound', 1],
      ['policies/on-error', 1],
    ]);
    expect(result.findings[0].message).toContain('has no <backend> section');
  });

  it('is not checked for fragments', () => {
    expect(findings('<fragment><set-variable name="a" value="b" /></fragment>')).toEqual([]);
  });
});

describe('rate-limit-before-auth', () => {
  it('counts a choose that refuses calls without a subscription as authentication', () => {
    const source = doc({
      inbound:
        '<quota calls="100" renewal-period="3600" />' +
        '<choose><when condition="@(context.Subscription == null)"><return-response><set-status code="401" /></return-response></when></choose>',
    });
    expect(findings(source)).toEqual([['rate-limit-before-auth', 'policies/inbound/quota']]);
  });

  it('counts check-header on the subscription key header, not on other headers', () => {
    const check = (header: string): string =>
      doc({ inbound: `<rate-limit calls="5" renewal-period="60" /><check-header name="${header}" failed-check-httpcode="401" />` });
    expect(findings(check('Ocp-Apim-Subscription-Key'))).toEqual([['rate-limit-before-auth', 'policies/inbound/rate-limit']]);
    expect(findings(check('Content-Type'))).toEqual([]);
  });

  it('reports a limit inside a branch that runs before the authentication', () => {
    const source = doc({
      inbound: `<choose><when condition="@(true)"><rate-limit calls="5" renewal-period="60" /></when></choose>${JWT}`,
    });
    expect(findings(source)).toEqual([['rate-limit-before-auth', 'policies/inbound/choose/when/rate-limit']]);
  });

  it('is quiet when the document has no authentication of its own', () => {
    expect(findings(doc({ inbound: '<rate-limit calls="5" renewal-period="60" />' }))).toEqual([]);
  });
});

describe('rate-limit-key-unvalidated', () => {
  const keyed = (key: string): string => `<rate-limit-by-key calls="5" renewal-period="60" counter-key="${key}" />`;

  it('accepts a key on the Authorization header once validate-jwt has checked it', () => {
    const key = '@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject)';
    expect(findings(doc({ inbound: `${JWT}${keyed(key)}` }))).toEqual([]);
  });

  it('follows the header through a variable', () => {
    const source = doc({
      inbound:
        '<set-variable name="tenant" value="@(context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;&quot;))" />' +
        keyed('@((string)context.Variables[&quot;tenant&quot;])'),
    });
    expect(findings(source)).toEqual([['rate-limit-key-unvalidated', 'policies/inbound/rate-limit-by-key']]);
    expect(messages(source, 'rate-limit-key-unvalidated')[0]).toContain('"X-Tenant"');
  });

  it('accepts a header that check-header validated first, and checks quota-by-key too', () => {
    const key = '@(context.Request.Headers.GetValueOrDefault(&quot;X-Tenant&quot;, &quot;&quot;))';
    const check = '<check-header name="X-Tenant" failed-check-httpcode="400"><value>contoso</value><value>fabrikam</value></check-header>';
    expect(findings(doc({ inbound: `${check}${keyed(key)}` }))).toEqual([]);
    const quota = `<quota-by-key calls="5" renewal-period="60" counter-key="${key}" />`;
    expect(findings(doc({ inbound: quota }))).toEqual([['rate-limit-key-unvalidated', 'policies/inbound/quota-by-key']]);
  });
});

describe('jwt-without-audience', () => {
  it('accepts validate-azure-ad-token with client application ids outside MCP, not in MCP', () => {
    const source = doc({
      inbound:
        '<validate-azure-ad-token tenant-id="{{tenant-id}}"><client-application-ids><application-id>{{client-id}}</application-id></client-application-ids></validate-azure-ad-token>',
    });
    expect(findings(source, { scope: 'api' })).toEqual([]);
    expect(findings(source, { scope: 'mcp' })).toEqual([['jwt-without-audience', 'policies/inbound/validate-azure-ad-token']]);
  });

  it('reports validate-azure-ad-token with neither audiences nor client ids, and an empty <audiences>', () => {
    const bare = doc({ inbound: '<validate-azure-ad-token tenant-id="{{tenant-id}}" />' });
    expect(findings(bare)).toEqual([['jwt-without-audience', 'policies/inbound/validate-azure-ad-token']]);
    const empty = doc({ inbound: '<validate-jwt header-name="Authorization"><audiences><audience> </audience></audiences></validate-jwt>' });
    expect(findings(empty)).toEqual([['jwt-without-audience', 'policies/inbound/validate-jwt']]);
  });

  it('accepts an audience given as an expression', () => {
    const source = doc({ inbound: '<validate-jwt header-name="Authorization"><audiences><audience>@(context.Request.OriginalUrl.Host)</audience></audiences></validate-jwt>' });
    expect(findings(source)).toEqual([]);
  });
});

describe('jwt-weak-validation', () => {
  it('reports require-expiration-time="false"', () => {
    const source = doc({ inbound: JWT.replace('header-name="Authorization"', 'header-name="Authorization" require-expiration-time="false"') });
    expect(messages(source, 'jwt-weak-validation')).toHaveLength(1);
    expect(messages(source, 'jwt-weak-validation')[0]).toContain('require-expiration-time');
  });
});

describe('cors-any-origin-with-credentials', () => {
  it('accepts the origin * without credentials', () => {
    const source = doc({ inbound: '<cors allow-credentials="false"><allowed-origins><origin>*</origin></allowed-origins></cors>' });
    expect(findings(source)).toEqual([]);
  });
});

describe('secret-leak', () => {
  it('reports the subscription key written to a response header in outbound', () => {
    const source = doc({ outbound: '<set-header name="x-key"><value>@(context.Subscription.PrimaryKey)</value></set-header>' });
    expect(findings(source)).toEqual([['secret-leak', 'policies/outbound/set-header']]);
  });

  it('does not count headers sent to the backend or to another service', () => {
    const source = doc({
      inbound: '<set-header name="x-user-token" exists-action="override"><value>@(context.Request.Headers.GetValueOrDefault("Authorization",""))</value></set-header>',
      outbound:
        '<send-request mode="new" response-variable-name="r"><set-url>https://audit.example.com</set-url>' +
        '<set-header name="Authorization"><value>@(context.Request.Headers.GetValueOrDefault("Authorization",""))</value></set-header></send-request>',
    });
    expect(findings(source)).toEqual([]);
  });

  it('does not count a claim read from the token', () => {
    const source = doc({
      inbound: `${JWT}<trace source="a"><message>@(context.Request.Headers.GetValueOrDefault("Authorization","").AsJwt()?.Subject)</message></trace>`,
    });
    expect(findings(source)).toEqual([]);
  });

  it('reports secrets in a returned body, in Event Hubs, and a credential access token', () => {
    const source = doc({
      inbound:
        '<return-response><set-status code="200" /><set-body>{{backend-api-key}}</set-body></return-response>' +
        '<log-to-eventhub logger-id="l">@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key",""))</log-to-eventhub>' +
        '<get-authorization-context provider-id="github" authorization-id="a" context-variable-name="auth" identity-type="managed" />' +
        '<trace source="a"><message>@(((Authorization)context.Variables.GetValueOrDefault("auth"))?.AccessToken)</message></trace>',
    });
    expect(findings(source)).toEqual([
      ['secret-leak', 'policies/inbound/return-response/set-body'],
      ['secret-leak', 'policies/inbound/log-to-eventhub'],
      ['secret-leak', 'policies/inbound/trace'],
    ]);
  });
});

describe('literal-secret', () => {
  const cases: [string, string][] = [
    ['authentication-basic password', '<authentication-basic username="svc" password="P@ssw0rd!" />'],
    ['a bearer token', '<set-header name="Authorization"><value>Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc</value></set-header>'],
    ['a JWT in any header', '<set-header name="x-upstream"><value>eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.abc</value></set-header>'],
    ['a random value in a token-like header', '<set-header name="X-Api-Token"><value>a8f5f167f44f4964e6c998dee827110c</value></set-header>'],
    ['a code query parameter', '<set-query-parameter name="code"><value>aGVsbG8td29ybGQ=</value></set-query-parameter>'],
    ['a key in a backend URL', '<set-backend-service base-url="https://fn.azurewebsites.net/api?code=abc123" />'],
    ['a signing key', '<validate-jwt header-name="Authorization"><issuer-signing-keys><key>c2VjcmV0</key></issuer-signing-keys><audiences><audience>a</audience></audiences></validate-jwt>'],
  ];
  it.each(cases)('reports %s', (_, statement) => {
    expect(findings(doc({ inbound: statement })).map(([rule]) => rule)).toEqual(['literal-secret']);
  });

  const quiet: [string, string][] = [
    ['a named value password', '<authentication-basic username="svc" password="{{svc-password}}" />'],
    ['a scheme and a named value', '<set-header name="Authorization"><value>Bearer {{backend-token}}</value></set-header>'],
    ['an expression', '<set-header name="Authorization"><value>@("Bearer " + (string)context.Variables["t"])</value></set-header>'],
    ['deleting the header', '<set-header name="Authorization" exists-action="delete" />'],
    ['an ordinary header', '<set-header name="x-correlation-source"><value>apim-gateway-westeurope-01</value></set-header>'],
    ['a named value in the URL', '<set-backend-service base-url="https://fn.azurewebsites.net/api?code={{fn-key}}" />'],
  ];
  it.each(quiet)('accepts %s', (_, statement) => {
    expect(findings(doc({ inbound: statement }))).toEqual([]);
  });
});

describe('undeclared-named-value', () => {
  const source = doc({ inbound: '<set-header name="x-env"><value>{{Environment}}</value></set-header>' });

  it('is only checked when named values are given, and compares names without regard to case', () => {
    expect(findings(source)).toEqual([]);
    expect(findings(source, { namedValues: ['environment'] })).toEqual([]);
    expect(findings(source, { namedValues: [] })).toEqual([['undeclared-named-value', 'policies/inbound/set-header/value']]);
  });
});

describe('response-body-in-mcp', () => {
  const reads = doc({ outbound: '<set-header name="x-size"><value>@(context.Response.Body.As<string>(preserveContent: true).Length.ToString())</value></set-header>' });

  it('fires in the mcp scope and not in the api scope', () => {
    expect(findings(reads, { scope: 'mcp' }).filter(([r]) => r === 'response-body-in-mcp')).toHaveLength(1);
    expect(findings(reads, { scope: 'api' })).toEqual([]);
  });

  it('reports a body-rewriting policy in outbound, not in inbound', () => {
    const rewrite = '<find-and-replace from="internal.contoso.com" to="api.contoso.com" />';
    expect(findings(doc({ inbound: ENTRA, outbound: rewrite }), { scope: 'mcp' })).toEqual([
      ['response-body-in-mcp', 'policies/outbound/find-and-replace'],
    ]);
    expect(findings(doc({ inbound: `${ENTRA}${rewrite}` }), { scope: 'mcp' })).toEqual([]);
  });
});

describe('unauthenticated-401-in-mcp', () => {
  const onError = (header: string): string =>
    doc({ inbound: ENTRA, onError: `<set-status code="401" reason="Unauthorized" />${header}` });

  it('accepts a set-status 401 with a WWW-Authenticate beside it', () => {
    const header = '<set-header name="www-authenticate"><value>Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource"</value></set-header>';
    expect(findings(onError(header), { scope: 'mcp' })).toEqual([]);
  });

  it('reports a challenge without resource_metadata, and accepts one built by an expression', () => {
    const plain = '<set-header name="WWW-Authenticate"><value>Bearer realm="example"</value></set-header>';
    expect(messages(onError(plain), 'unauthenticated-401-in-mcp', { scope: 'mcp' })[0]).toContain('no resource_metadata');
    const built = '<set-header name="WWW-Authenticate"><value>@((string)context.Variables["challenge"])</value></set-header>';
    expect(findings(onError(built), { scope: 'mcp' })).toEqual([]);
  });

  it('reports a bare 401 in mcp only', () => {
    expect(findings(onError(''), { scope: 'mcp' })).toEqual([['unauthenticated-401-in-mcp', 'policies/on-error/set-status']]);
    expect(findings(onError(''), { scope: 'api' })).toEqual([]);
  });

  it('accepts a key challenge where no token is validated, but not a Bearer one without resource_metadata', () => {
    const keyOnly = (challenge: string): string =>
      doc({
        inbound:
          '<choose><when condition="@(context.Subscription == null)"><return-response><set-status code="401" reason="Unauthorized" />' +
          `<set-header name="WWW-Authenticate" exists-action="override"><value>${challenge}</value></set-header>` +
          '</return-response></when></choose>',
      });
    expect(findings(keyOnly('AzureApiManagementKey name="Ocp-Apim-Subscription-Key", type="header"'), { scope: 'mcp' })).toEqual([]);
    expect(findings(keyOnly('Bearer error="invalid_token"'), { scope: 'mcp' })).toEqual([
      ['unauthenticated-401-in-mcp', 'policies/inbound/choose/when/return-response/set-status'],
    ]);
  });
});

describe('mcp-without-auth', () => {
  it('counts a subscription check as authentication', () => {
    const source = doc({
      inbound:
        '<choose><when condition="@(context.Subscription == null)"><return-response><set-status code="403" /></return-response></when></choose>',
    });
    expect(findings(source, { scope: 'mcp' })).toEqual([]);
    expect(findings(doc({}), { scope: 'mcp' })).toEqual([['mcp-without-auth', 'policies/inbound']]);
  });
});

describe('unreadable sources', () => {
  it('reports an xml-format expression that does not close as unbalanced-expression', () => {
    const source = '<policies>\n  <inbound>\n    <set-variable name="a" value="@(foo(&quot;x&quot;)" />\n  </inbound>\n</policies>';
    const result = lintPolicy(source, { format: 'xml' });
    expect(result.findings.map((f) => [f.ruleId, f.line, f.column])).toEqual([['unbalanced-expression', 3, 35]]);
    expect(result.format).toBeUndefined();
  });

  it('reports a wrong root element as parse-error', () => {
    const result = lintPolicy('<policy><inbound /></policy>');
    expect(result.findings.map((f) => [f.ruleId, f.line, f.column, f.path])).toEqual([['parse-error', 1, 1, undefined]]);
    expect(result.findings[0].message).toContain('<policies>');
  });
});
