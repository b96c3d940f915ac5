import {
  authenticationBasic,
  authenticationCertificate,
  authenticationManagedIdentity,
  validateAzureAdToken,
  validateJwt,
} from '../../lib/policy/builders/tokens';
import { policyDocument } from '../../lib/policy/document';
import { E, expr, namedValue } from '../../lib/policy/expressions';
import { samples } from '../conformance/tokens';
import { raw, smuggled, xml } from '../support/policy';
import { xsdErrors } from '../support/xsd';

const OPENID = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration';

describe('validateJwt', () => {
  it('writes attributes and children in the reference order', () => {
    const p = validateJwt({
      requiredClaims: [{ name: 'scp', match: 'any', separator: ' ', values: ['tools.call'] }],
      issuers: ['https://issuer.example.com/'],
      audiences: ['api://mcp', expr('"https://" + context.Request.OriginalUrl.Host')],
      issuerSigningKeys: [{ id: 'k1', n: 'mod', e: 'AQAB' }, { value: namedValue('jwt-key') }],
      openidConfigUrls: [OPENID],
      outputTokenVariableName: 'jwt',
      clockSkew: 30,
      requireScheme: 'Bearer',
      failedValidationHttpcode: 401,
      headerName: 'Authorization',
    });
    expect(raw(p)).toBe(
      [
        '<validate-jwt header-name="Authorization" failed-validation-httpcode="401" require-scheme="Bearer" clock-skew="30" output-token-variable-name="jwt">',
        `    <openid-config url="${OPENID}" />`,
        '    <issuer-signing-keys>',
        '        <key id="k1" n="mod" e="AQAB" />',
        '        <key>{{jwt-key}}</key>',
        '    </issuer-signing-keys>',
        '    <audiences>',
        '        <audience>api://mcp</audience>',
        '        <audience>@("https://" + context.Request.OriginalUrl.Host)</audience>',
        '    </audiences>',
        '    <issuers>',
        '        <issuer>https://issuer.example.com/</issuer>',
        '    </issuers>',
        '    <required-claims>',
        '        <claim name="scp" match="any" separator=" ">',
        '            <value>tools.call</value>',
        '        </claim>',
        '    </required-claims>',
        '</validate-jwt>',
      ].join('\n'),
    );
    // Only the expression's quotes change between the formats (in text, quotes need no escaping).
    expect(xml(p)).toBe(raw(p));
    const attr = validateJwt({ tokenValue: E.variable('t'), openidConfigUrls: [OPENID] });
    expect(xml(attr)).toContain('token-value="@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;t&quot;, &quot;&quot;))"');
    expect(raw(attr)).toContain('token-value="@(context.Variables.GetValueOrDefault<string>("t", ""))"');
  });

  it('allows leaving out audiences (the linter flags it) but refuses an empty list', () => {
    expect(raw(validateJwt({ headerName: 'Authorization', openidConfigUrls: [OPENID] }))).not.toContain('audiences');
    expect(() => validateJwt({ headerName: 'Authorization', openidConfigUrls: [OPENID], audiences: [] })).toThrow(/<validate-jwt> audiences is an empty list/);
  });

  it('needs exactly one place to read the token from', () => {
    expect(() => validateJwt({ openidConfigUrls: [OPENID] })).toThrow(/needs exactly one of headerName, queryParameterName or tokenValue, got 0/);
    expect(() => validateJwt({ headerName: 'Authorization', queryParameterName: 'token', openidConfigUrls: [OPENID] })).toThrow(
      /got 2 \(\{"headerName":"Authorization","queryParameterName":"token"\}\)/,
    );
  });

  it('needs signing keys or an OpenID configuration', () => {
    expect(() => validateJwt({ headerName: 'Authorization', audiences: ['api://mcp'] })).toThrow(/has no way to check signatures/);
    expect(() => validateJwt({ headerName: 'Authorization', issuerSigningKeys: [] })).toThrow(/issuerSigningKeys is an empty list/);
  });

  it('refuses require-scheme where APIM would ignore it', () => {
    expect(() => validateJwt({ headerName: 'X-Token', requireScheme: 'Bearer', openidConfigUrls: [OPENID] })).toThrow(
      /require-scheme "Bearer" only applies to the Authorization header; APIM ignores it with header-name "X-Token"/,
    );
    expect(() => validateJwt({ queryParameterName: 'token', requireScheme: 'Bearer', openidConfigUrls: [OPENID] })).toThrow(/a query parameter or token value/);
    expect(() => validateJwt({ headerName: 'authorization', requireScheme: 'Bearer', openidConfigUrls: [OPENID] })).not.toThrow();
  });

  it('checks each signing key has exactly one source', () => {
    expect(() => validateJwt({ headerName: 'Authorization', issuerSigningKeys: [{ n: 'mod' }] })).toThrow(/issuer-signing-key\[0\] needs both n \(modulus\) and e \(exponent\), got only n/);
    expect(() => validateJwt({ headerName: 'Authorization', issuerSigningKeys: [{ value: 'a2V5', certificateId: 'c' }] })).toThrow(
      /issuer-signing-key\[0\] needs exactly one of value, certificateId or the pair n \+ e, got 2/,
    );
    expect(() => validateJwt({ headerName: 'Authorization', issuerSigningKeys: [{ id: 'x' }] })).toThrow(/got 0/);
    expect(() => validateJwt({ headerName: 'Authorization', openidConfigUrls: [OPENID], decryptionKeys: [{ id: 'x' }] })).toThrow(
      /decryption-key\[0\] needs exactly one of value or certificateId/,
    );
  });

  it('refuses an OpenID configuration over plain http', () => {
    expect(() => validateJwt({ headerName: 'Authorization', openidConfigUrls: ['http://issuer.example.com/.well-known/openid-configuration'] })).toThrow(
      /openid-config\[0\] url must be an https URL, got "http:\/\/issuer.example.com/,
    );
  });

  it('checks numbers, claim match and the output variable', () => {
    const base = { headerName: 'Authorization', openidConfigUrls: [OPENID] } as const;
    expect(() => validateJwt({ ...base, clockSkew: -5 })).toThrow(/clock-skew must be an integer from 0 .* got -5/);
    expect(() => validateJwt({ ...base, failedValidationHttpcode: 302 })).toThrow(/failed-validation-httpcode must be an integer from 400 to 599, got 302/);
    expect(() => validateJwt({ ...base, requiredClaims: [{ name: 'roles', match: 'some' as 'any' }] })).toThrow(/claim\[0\] match must be one of "all", "any", got "some"/);
    expect(() => validateJwt({ ...base, requiredClaims: [{ name: 'roles', separator: '' }] })).toThrow(/claim\[0\] separator must not be empty/);
    expect(() => validateJwt({ ...base, outputTokenVariableName: 'my jwt' })).toThrow(/output-token-variable-name must be a context variable name .* got "my jwt"/);
    expect(() => validateJwt({ ...base, outputTokenVariableName: smuggled('"jwt"') })).toThrow(/output-token-variable-name does not accept a policy expression/);
  });
});

describe('validateAzureAdToken', () => {
  it('writes attributes and children in the reference order, reading Authorization by default', () => {
    expect(
      raw(
        validateAzureAdToken({
          decryptionKeyCertificateIds: ['dec'],
          requiredClaims: [{ name: 'roles', values: ['Mcp.Invoke'] }],
          audiences: ['api://mcp'],
          backendApplicationIds: ['b'],
          clientApplicationIds: [namedValue('client-id')],
          outputTokenVariableName: 'jwt',
          failedValidationErrorMessage: 'denied',
          authenticationEndpoint: 'login.microsoftonline.us',
          tenantId: namedValue('tenant-id'),
        }),
      ),
    ).toBe(
      [
        '<validate-azure-ad-token tenant-id="{{tenant-id}}" authentication-endpoint="login.microsoftonline.us" failed-validation-error-message="denied" output-token-variable-name="jwt">',
        '    <client-application-ids>',
        '        <application-id>{{client-id}}</application-id>',
        '    </client-application-ids>',
        '    <backend-application-ids>',
        '        <application-id>b</application-id>',
        '    </backend-application-ids>',
        '    <audiences>',
        '        <audience>api://mcp</audience>',
        '    </audiences>',
        '    <required-claims>',
        '        <claim name="roles">',
        '            <value>Mcp.Invoke</value>',
        '        </claim>',
        '    </required-claims>',
        '    <decryption-keys>',
        '        <key certificate-id="dec" />',
        '    </decryption-keys>',
        '</validate-azure-ad-token>',
      ].join('\n'),
    );
  });

  it('needs a tenant, and client application IDs or audiences', () => {
    expect(() => validateAzureAdToken({ tenantId: '', audiences: ['api://mcp'] })).toThrow(/tenant-id must not be empty, got ""/);
    expect(() => validateAzureAdToken({ tenantId: 'common' })).toThrow(/needs clientApplicationIds or audiences/);
    expect(() => validateAzureAdToken({ tenantId: 'common', clientApplicationIds: [] })).toThrow(/clientApplicationIds is an empty list/);
  });

  it('takes at most one place to read the token from', () => {
    expect(() => validateAzureAdToken({ tenantId: 't', audiences: ['a'], headerName: 'Authorization', tokenValue: E.variable('t') })).toThrow(
      /at most one of headerName, queryParameterName or tokenValue, got 2/,
    );
  });

  it('takes client application IDs literally', () => {
    expect(() => validateAzureAdToken({ tenantId: 't', clientApplicationIds: [smuggled('"id"')] })).toThrow(/client application-id\[0\] does not accept a policy expression/);
  });
});

describe('authenticationManagedIdentity', () => {
  it('writes the attributes in the reference order', () => {
    expect(
      raw(
        authenticationManagedIdentity({
          ignoreError: true,
          outputTokenVariableName: 'msi',
          clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
          resource: 'https://cognitiveservices.azure.com',
        }),
      ),
    ).toBe(
      '<authentication-managed-identity resource="https://cognitiveservices.azure.com" client-id="00001111-aaaa-2222-bbbb-3333cccc4444" output-token-variable-name="msi" ignore-error="true" />',
    );
  });

  it('needs a resource and a GUID client ID', () => {
    expect(() => authenticationManagedIdentity({ resource: ' ' })).toThrow(/resource must not be empty/);
    expect(() => authenticationManagedIdentity({ resource: 'r', clientId: 'my-identity' })).toThrow(/client-id must be the identity's client ID, a GUID, got "my-identity"/);
  });

  it('refuses expressions in client-id and a non-boolean ignore-error', () => {
    expect(() => authenticationManagedIdentity({ resource: 'r', clientId: smuggled('"x"') })).toThrow(/client-id does not accept a policy expression/);
    expect(() => authenticationManagedIdentity({ resource: 'r', ignoreError: 'yes' })).toThrow(/ignore-error must be one of "true", "false", got "yes"/);
  });
});

describe('authenticationBasic', () => {
  it('writes username and password, a named value keeping the secret out of the XML', () => {
    expect(raw(authenticationBasic({ username: 'svc', password: namedValue('backend-password') }))).toBe(
      '<authentication-basic username="svc" password="{{backend-password}}" />',
    );
  });

  it('refuses a username with the Basic separator', () => {
    expect(() => authenticationBasic({ username: 'a:b', password: namedValue('p') })).toThrow(/username "a:b" contains ':'/);
  });
});

describe('authenticationCertificate', () => {
  it('writes one certificate source', () => {
    expect(raw(authenticationCertificate({ certificateId: 'backend-cert' }))).toBe('<authentication-certificate certificate-id="backend-cert" />');
    expect(raw(authenticationCertificate({ body: expr('(byte[])context.Variables["cert"]'), password: namedValue('cert-password') }))).toBe(
      '<authentication-certificate body="@((byte[])context.Variables["cert"])" password="{{cert-password}}" />',
    );
  });

  it('needs exactly one source, and a password only with a body', () => {
    expect(() => authenticationCertificate({})).toThrow(/needs exactly one of thumbprint, certificateId or body, got 0/);
    expect(() => authenticationCertificate({ thumbprint: 'CA06F56B258B7A0D4F2B05470939478651151984', certificateId: 'c' })).toThrow(/got 2/);
    expect(() => authenticationCertificate({ certificateId: 'c', password: namedValue('p') })).toThrow(/password only applies to a certificate given in body/);
  });

  it('checks a literal thumbprint', () => {
    expect(() => authenticationCertificate({ thumbprint: 'CA06F56B' })).toThrow(/thumbprint must be 40 hexadecimal digits \(SHA-1\), got "CA06F56B"/);
    expect(() => authenticationCertificate({ thumbprint: E.variable('thumb') })).not.toThrow();
  });
});

describe('section rules', () => {
  // tsc fails on each expect-error line below if the builder's return type stopped limiting its sections;
  // policyDocument() refuses the same placement at run time.
  it('keeps token validation and backend credentials in inbound', () => {
    const jwt = validateJwt({ headerName: 'Authorization', openidConfigUrls: [OPENID] });
    // @ts-expect-error validate-jwt is inbound-only
    expect(() => policyDocument({ outbound: [jwt] })).toThrow(/<validate-jwt> is not allowed in <outbound>/);
    // @ts-expect-error validate-azure-ad-token is inbound-only
    expect(() => policyDocument({ onError: [validateAzureAdToken({ tenantId: 't', audiences: ['a'] })] })).toThrow(/not allowed in <on-error>/);
    // @ts-expect-error authentication-managed-identity is inbound-only
    expect(() => policyDocument({ backend: [authenticationManagedIdentity({ resource: 'r' })] })).toThrow(/not allowed in <backend>/);
    // @ts-expect-error authentication-basic is inbound-only
    expect(() => policyDocument({ backend: [authenticationBasic({ username: 'u', password: namedValue('p') })] })).toThrow(/not allowed/);
    // @ts-expect-error authentication-certificate is inbound-only
    expect(() => policyDocument({ outbound: [authenticationCertificate({ certificateId: 'c' })] })).toThrow(/not allowed/);
    expect(() => policyDocument({ inbound: [jwt, authenticationManagedIdentity({ resource: 'r' })] })).not.toThrow();
  });
});

describe('conformance samples', () => {
  it('are valid against the APIM schemas', async () => {
    expect(await xsdErrors(samples)).toEqual([]);
  }, 60_000);
});
