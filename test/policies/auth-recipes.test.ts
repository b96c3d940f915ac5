import { PolicyNode, attr, childElements } from '../../lib/policy/model';
import { entraTokenPolicy } from '../../policies/entra-token';
import {
  PRM_WELL_KNOWN,
  REQUEST_ORIGIN_CODE,
  bearerChallenge,
  protectedResourceMetadata,
  resourceLocation,
} from '../../policies/mcp-authorization';
import { oidcTokenPolicy } from '../../policies/oidc-token';
import { answers, bodyOf, descendants, expressionCode, headersOf, outline, raw } from './helpers';

const OIDC = { openidConfigUrl: 'https://login.example.com/.well-known/openid-configuration', audiences: ['https://gw.example.com/mcp'] };
const ENTRA = { tenantId: '00000000-0000-0000-0000-000000000001', audiences: ['api://mcp'] };

/** The on-error answers of a token policy: status, WWW-Authenticate, JSON error code. */
function errorAnswers(nodes: readonly PolicyNode[]) {
  return answers(nodes).map(({ status, node }) => ({
    status,
    challenge: headersOf(node.children)['WWW-Authenticate'],
    error: JSON.parse(bodyOf(node)).error,
  }));
}

describe('resourceLocation', () => {
  it('inserts the well-known segment between host and path of a given resource URL (RFC 9728 section 3.1)', () => {
    expect(resourceLocation('t', { resourceUrl: 'https://gw.example.com/weather/mcp' })).toEqual({
      resource: { literal: 'https://gw.example.com/weather/mcp' },
      metadata: { literal: `https://gw.example.com${PRM_WELL_KNOWN}/weather/mcp` },
    });
    expect(resourceLocation('t', { resourceUrl: 'https://gw.example.com:8443' }).metadata).toEqual({ literal: `https://gw.example.com:8443${PRM_WELL_KNOWN}` });
  });

  it('derives both from the request origin and the MCP path by default', () => {
    expect(resourceLocation('t', {})).toEqual({
      resource: { code: `${REQUEST_ORIGIN_CODE} + "/mcp"` },
      metadata: { code: `${REQUEST_ORIGIN_CODE} + "${PRM_WELL_KNOWN}/mcp"` },
    });
    expect(resourceLocation('t', { mcpPath: 'weather/mcp' }).metadata).toEqual({ code: `${REQUEST_ORIGIN_CODE} + "${PRM_WELL_KNOWN}/weather/mcp"` });
  });

  it('refuses http, fragments, queries, named values, bad paths and both options', () => {
    expect(() => resourceLocation('t', { resourceUrl: 'http://gw.example.com/mcp' })).toThrow(/option resourceUrl must be an https URL/);
    expect(() => resourceLocation('t', { resourceUrl: 'https://gw.example.com/mcp#x' })).toThrow(/without a fragment/);
    expect(() => resourceLocation('t', { resourceUrl: 'https://gw.example.com/mcp?a=1' })).toThrow(/must have no query/);
    expect(() => resourceLocation('t', { resourceUrl: '{{mcp-url}}' })).toThrow(/must be a literal https URL/);
    expect(() => resourceLocation('t', { mcpPath: '/mcp' })).toThrow(/option mcpPath must be a URL path without leading or trailing slash/);
    expect(() => resourceLocation('t', { mcpPath: 'a/../mcp' })).toThrow(/dot segments/);
    expect(() => resourceLocation('t', { mcpPath: 'mcp"x' })).toThrow(/quotes/);
    expect(() => resourceLocation('t', { resourceUrl: 'https://gw.example.com/mcp', mcpPath: 'mcp' })).toThrow(/give resourceUrl or mcpPath, not both/);
  });

  it('builds the challenge as literal text when the URL is known, as an escaped expression otherwise', () => {
    const known = resourceLocation('t', { resourceUrl: 'https://gw.example.com/mcp' });
    expect(bearerChallenge(known, { error: 'insufficient_scope', scope: 'a b' })).toBe(
      'Bearer error="insufficient_scope", scope="a b", resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp"',
    );
    expect(bearerChallenge(resourceLocation('t', {})).toString()).toBe(
      `@("Bearer resource_metadata=\\"" + ${REQUEST_ORIGIN_CODE} + "${PRM_WELL_KNOWN}/mcp" + "\\"")`,
    );
  });
});

describe('protected-resource-metadata', () => {
  const options = {
    resourceUrl: 'https://gw.example.com/weather/mcp',
    authorizationServers: ['https://login.microsoftonline.com/{{entra-tenant-id}}/v2.0'],
    scopesSupported: ['api://weather/mcp.tools'],
    resourceName: 'Weather',
    resourceDocumentation: 'https://docs.example.com/weather',
  };

  it('answers before <base/>, so no enclosing scope can ask for credentials', () => {
    const doc = protectedResourceMetadata(options);
    expect(outline(doc, 'inbound')).toEqual(['return-response', 'base']);
  });

  it('serves the RFC 9728 members as JSON, with caching and CORS headers', () => {
    const [answer] = answers(protectedResourceMetadata(options).sections.inbound);
    expect(answer.status).toBe('200');
    expect(headersOf(answer.node.children)).toEqual({
      'Content-Type': ['application/json'],
      'Cache-Control': ['public, max-age=3600'],
      'Access-Control-Allow-Origin': ['*'],
    });
    expect(JSON.parse(bodyOf(answer.node))).toEqual({
      resource: 'https://gw.example.com/weather/mcp',
      authorization_servers: ['https://login.microsoftonline.com/{{entra-tenant-id}}/v2.0'],
      scopes_supported: ['api://weather/mcp.tools'],
      bearer_methods_supported: ['header'],
      resource_name: 'Weather',
      resource_documentation: 'https://docs.example.com/weather',
    });
  });

  it('derives the resource from the request with JObject, so the host is JSON-escaped', () => {
    const doc = protectedResourceMetadata({ authorizationServers: ['https://as.example.com'], cacheMaxAge: 0, allowAnyOrigin: false });
    const [answer] = answers(doc.sections.inbound);
    expect(headersOf(answer.node.children)).toEqual({ 'Content-Type': ['application/json'], 'Cache-Control': ['no-store'] });
    expect(expressionCode(doc)).toEqual([
      `new JObject(new JProperty("resource", ${REQUEST_ORIGIN_CODE} + "/mcp"), new JProperty("authorization_servers", new JArray("https://as.example.com")), ` +
        'new JProperty("bearer_methods_supported", new JArray("header"))).ToString(Newtonsoft.Json.Formatting.None)',
    ]);
  });

  it('requires an authorization server and checks the URLs and scopes', () => {
    expect(() => protectedResourceMetadata({} as never)).toThrow(/option authorizationServers is required: the MCP specification requires/);
    expect(() => protectedResourceMetadata({ authorizationServers: [] })).toThrow(/is an empty list/);
    expect(() => protectedResourceMetadata({ authorizationServers: ['http://as.example.com'] })).toThrow(/authorizationServers\[0\] must be an https URL/);
    expect(() => protectedResourceMetadata({ authorizationServers: ['https://as'], scopesSupported: ['a b'] })).toThrow(/OAuth scope values/);
    expect(() => protectedResourceMetadata({ authorizationServers: ['https://as'], cacheMaxAge: -1 })).toThrow(/option cacheMaxAge must be an integer from 0/);
  });
});

describe('oidc-token-validation', () => {
  it('validates the Bearer token after <base/> against the OpenID configuration and audiences, storing it', () => {
    const doc = oidcTokenPolicy({ ...OIDC, issuers: ['https://login.example.com/'], requiredScopes: ['mcp.tools'], clockSkew: 30 });
    expect(outline(doc, 'inbound')).toEqual(['base', 'validate-jwt']);
    expect(raw(doc)).toContain(
      [
        '<validate-jwt header-name="Authorization" failed-validation-httpcode="401" failed-validation-error-message="Unauthorized" require-scheme="Bearer" clock-skew="30" output-token-variable-name="mcp-token">',
        '            <openid-config url="https://login.example.com/.well-known/openid-configuration" />',
        '            <audiences>',
        '                <audience>https://gw.example.com/mcp</audience>',
        '            </audiences>',
        '            <issuers>',
        '                <issuer>https://login.example.com/</issuer>',
        '            </issuers>',
        '            <required-claims>',
        '                <claim name="scp" match="all" separator=" ">',
        '                    <value>mcp.tools</value>',
        '                </claim>',
        '            </required-claims>',
        '        </validate-jwt>',
      ].join('\n'),
    );
  });

  it('answers refusals with the MCP authorization challenge: 403 for scopes, 401 without and with error="invalid_token"', () => {
    const doc = oidcTokenPolicy({ ...OIDC, requiredScopes: ['mcp.tools', 'mcp.read'], resourceUrl: 'https://gw.example.com/mcp' });
    expect(outline(doc, 'on-error')).toEqual(['base', 'choose']);
    const prm = 'resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp"';
    expect(errorAnswers(doc.sections['on-error'])).toEqual([
      { status: '403', challenge: [`Bearer error="insufficient_scope", scope="mcp.tools mcp.read", ${prm}`], error: 'insufficient_scope' },
      { status: '401', challenge: [`Bearer ${prm}`], error: 'unauthorized' },
      { status: '401', challenge: [`Bearer error="invalid_token", ${prm}`], error: 'invalid_token' },
    ]);
    // The branches tell refusals apart by context.LastError alone.
    const conditions = descendants(doc.sections['on-error']).filter((n) => n.name === 'when').map((w) => String(attr(w, 'condition')));
    expect(conditions[0]).toContain('context.LastError.Reason == "TokenClaimNotFound" || context.LastError.Reason == "TokenClaimValueNotAllowed"');
    expect(conditions[1]).toContain('context.LastError.Reason == "TokenNotPresent"');
    // Any other 401 leaving the gateway gets the challenge unless it has one.
    expect(outline(doc, 'outbound')).toEqual(['base', 'choose']);
    expect(raw(doc)).toContain(`<set-header name="WWW-Authenticate" exists-action="skip">\n                    <value>Bearer ${prm}</value>`);
  });

  it('names challengeScopes (what clients request) in the 403 challenge, checking requiredScopes in the claim', () => {
    const doc = oidcTokenPolicy({ ...OIDC, requiredScopes: ['mcp.tools'], challengeScopes: ['https://gw.example.com/mcp.tools'], resourceUrl: 'https://gw.example.com/mcp' });
    expect(errorAnswers(doc.sections['on-error'])[0].challenge).toEqual([
      'Bearer error="insufficient_scope", scope="https://gw.example.com/mcp.tools", resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/mcp"',
    ]);
    expect(raw(doc)).toContain('<claim name="scp" match="all" separator=" ">\n                    <value>mcp.tools</value>');
    expect(() => oidcTokenPolicy({ ...OIDC, challengeScopes: ['a'] })).toThrow(/oidc-token-validation: option challengeScopes needs requiredScopes/);
    expect(() => oidcTokenPolicy({ ...OIDC, requiredScopes: ['a'], challengeScopes: ['a b'] })).toThrow(/option challengeScopes must be OAuth scope values/);
  });

  it('has no 403 branch when no scope is required, and no challenge when mcpAuthorization is off', () => {
    expect(errorAnswers(oidcTokenPolicy(OIDC).sections['on-error']).map((a) => a.status)).toEqual(['401', '401']);
    const off = oidcTokenPolicy({ ...OIDC, mcpAuthorization: false });
    expect(outline(off, 'on-error')).toEqual(['base']);
    expect(outline(off, 'outbound')).toEqual(['base']);
  });

  it('requires audiences and the OpenID configuration', () => {
    expect(() => oidcTokenPolicy({ openidConfigUrl: OIDC.openidConfigUrl } as never)).toThrow(
      /oidc-token-validation: option audiences is required: without it any token of the issuer passes/,
    );
    expect(() => oidcTokenPolicy({ ...OIDC, audiences: [] })).toThrow(/option audiences is an empty list/);
    expect(() => oidcTokenPolicy({ audiences: ['x'] } as never)).toThrow(/option openidConfigUrl is required/);
    expect(() => oidcTokenPolicy({ ...OIDC, openidConfigUrl: 'http://login.example.com' })).toThrow(/must be an https URL/);
    expect(() => oidcTokenPolicy({ ...OIDC, clockSkew: 600 })).toThrow(/option clockSkew must be an integer from 0 to 300/);
  });
});

describe('entra-token-validation', () => {
  it('validates tenant, audiences, client apps, scopes and roles, storing the token', () => {
    const doc = entraTokenPolicy({
      ...ENTRA,
      clientApplicationIds: ['00000000-0000-0000-0000-00000000000a'],
      requiredScopes: ['mcp.tools'],
      scopeMatch: 'any',
      requiredRoles: ['Mcp.Call'],
      tokenVariable: 'jwt',
    });
    expect(outline(doc, 'inbound')).toEqual(['base', 'validate-azure-ad-token']);
    const [validator] = descendants(doc.sections.inbound).filter((n) => n.name === 'validate-azure-ad-token');
    expect(attr(validator, 'tenant-id')).toBe(ENTRA.tenantId);
    expect(attr(validator, 'output-token-variable-name')).toBe('jwt');
    expect(childElements(validator).map((c) => c.name)).toEqual(['client-application-ids', 'audiences', 'required-claims']);
    const claims = descendants(validator.children).filter((n) => n.name === 'claim');
    expect(claims.map((c) => [attr(c, 'name'), attr(c, 'match'), attr(c, 'separator')])).toEqual([
      ['scp', 'any', ' '],
      ['roles', 'any', undefined],
    ]);
  });

  it('answers a missing role with 403 insufficient_scope without a scope parameter', () => {
    const doc = entraTokenPolicy({ ...ENTRA, requiredRoles: ['Mcp.Call'] });
    const [forbidden] = errorAnswers(doc.sections['on-error']);
    expect(forbidden.status).toBe('403');
    expect(forbidden.challenge[0]).toMatch(/^@\("Bearer error=\\"insufficient_scope\\", resource_metadata=\\""/);
  });

  it('refuses multi-tenant endpoints, bad tenants and client IDs, and a missing audience', () => {
    expect(() => entraTokenPolicy({ ...ENTRA, tenantId: 'common' })).toThrow(/multi-tenant endpoints would accept tokens of any tenant/);
    expect(() => entraTokenPolicy({ ...ENTRA, tenantId: 'not a tenant' })).toThrow(/option tenantId must be a tenant ID \(GUID\)/);
    expect(() => entraTokenPolicy({ ...ENTRA, clientApplicationIds: ['app'] })).toThrow(/must list client IDs \(GUIDs\)/);
    expect(() => entraTokenPolicy({ tenantId: ENTRA.tenantId } as never)).toThrow(/option audiences is required/);
    expect(() => entraTokenPolicy({ audiences: ['x'] } as never)).toThrow(/option tenantId is required/);
    expect(() => entraTokenPolicy({ ...ENTRA, roleMatch: 'some' as never })).toThrow(/option roleMatch must be one of "all", "any", got "some"/);
  });
});
