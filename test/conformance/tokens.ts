import {
  authenticationBasic,
  authenticationCertificate,
  authenticationManagedIdentity,
  validateAzureAdToken,
  validateJwt,
} from '../../lib/policy/builders/tokens';
import { E, expr, namedValue } from '../../lib/policy/expressions';
import { ConformanceSample, sample } from './types';

const ENTRA = 'https://login.microsoftonline.com/contoso.onmicrosoft.com/v2.0/.well-known/openid-configuration';

export const samples: ConformanceSample[] = [
  // Every attribute and child element, the token from a header; every signing-key form.
  sample(
    'validate-jwt/all-options',
    'inbound',
    validateJwt({
      headerName: 'Authorization',
      failedValidationHttpcode: 401,
      failedValidationErrorMessage: 'Unauthorized. Access token is missing or invalid.',
      requireExpirationTime: true,
      requireScheme: 'Bearer',
      requireSignedTokens: true,
      clockSkew: 30,
      outputTokenVariableName: 'jwt',
      openidConfigUrls: [ENTRA, 'https://login.example.com/.well-known/openid-configuration'],
      issuerSigningKeys: [
        { id: 'sym-1', value: namedValue('jwt-signing-key') },
        { id: 'cert-1', certificateId: 'my-rsa-cert' },
        { id: 'rsa-1', n: 'sXchrC9ynNVx', e: 'AQAB' },
      ],
      decryptionKeys: [{ id: 'enc-1', value: namedValue('jwt-decryption-key') }, { certificateId: 'my-enc-cert' }],
      audiences: ['api://mcp-weather', expr('"https://" + context.Request.OriginalUrl.Host')],
      issuers: ['https://login.microsoftonline.com/00000000-0000-0000-0000-000000000000/v2.0'],
      requiredClaims: [
        { name: 'scp', match: 'any', separator: ' ', values: ['tools.read', 'tools.call'] },
        { name: 'roles', match: 'all', values: ['Mcp.Invoke'] },
        { name: 'tid' },
      ],
    }),
  ),
  // The token from a query parameter; expressions in the attributes that take them.
  sample(
    'validate-jwt/query-parameter',
    'inbound',
    validateJwt({
      queryParameterName: 'access_token',
      failedValidationHttpcode: expr('401'),
      failedValidationErrorMessage: expr('"invalid token for " + context.Api.Name'),
      requireExpirationTime: expr('true'),
      requireSignedTokens: expr('true'),
      clockSkew: expr('60'),
      openidConfigUrls: [ENTRA],
      audiences: ['api://mcp-weather'],
      requiredClaims: [{ name: expr('"azp"'), match: expr('"any"'), separator: expr('","'), values: [expr('"client-a"')] }],
    }),
  ),
  // The token from an expression.
  sample(
    'validate-jwt/token-value',
    'inbound',
    validateJwt({
      tokenValue: E.variable('forwarded-token'),
      issuerSigningKeys: [{ certificateId: 'my-rsa-cert' }],
      audiences: ['api://mcp-weather'],
    }),
  ),

  // Every attribute and child element, the token from a header.
  sample(
    'validate-azure-ad-token/all-options',
    'inbound',
    validateAzureAdToken({
      tenantId: namedValue('entra-tenant-id'),
      headerName: 'Authorization',
      authenticationEndpoint: 'https://login.microsoftonline.us',
      failedValidationHttpcode: 401,
      failedValidationErrorMessage: 'Unauthorized',
      outputTokenVariableName: 'jwt',
      clientApplicationIds: [namedValue('mcp-client-app-id'), '11112222-bbbb-3333-cccc-4444dddd5555'],
      backendApplicationIds: ['00001111-aaaa-2222-bbbb-3333cccc4444'],
      audiences: ['api://mcp-weather', expr('context.Request.OriginalUrl.Host')],
      requiredClaims: [{ name: 'roles', match: 'any', separator: ',', values: ['Mcp.Invoke', 'Mcp.Admin'] }],
      decryptionKeyCertificateIds: ['token-decryption-cert'],
    }),
  ),
  sample(
    'validate-azure-ad-token/query-parameter',
    'inbound',
    validateAzureAdToken({
      tenantId: expr('"organizations"'),
      queryParameterName: 'access_token',
      failedValidationHttpcode: expr('403'),
      failedValidationErrorMessage: expr('"forbidden"'),
      audiences: ['api://mcp-weather'],
    }),
  ),
  sample(
    'validate-azure-ad-token/token-value',
    'inbound',
    validateAzureAdToken({
      tenantId: '00000000-0000-0000-0000-000000000000',
      tokenValue: E.variable('forwarded-token'),
      clientApplicationIds: ['11112222-bbbb-3333-cccc-4444dddd5555'],
    }),
  ),

  sample(
    'authentication-managed-identity/all-options',
    'inbound',
    authenticationManagedIdentity({
      resource: 'https://cognitiveservices.azure.com',
      clientId: '00001111-aaaa-2222-bbbb-3333cccc4444',
      outputTokenVariableName: 'msi-access-token',
      ignoreError: false,
    }),
  ),
  sample(
    'authentication-managed-identity/resource-expression',
    'inbound',
    authenticationManagedIdentity({ resource: E.variable('backend-app-id') }),
  ),

  sample(
    'authentication-basic/all-options',
    'inbound',
    authenticationBasic({ username: 'mcp-gateway', password: namedValue('backend-basic-password') }),
  ),
  sample(
    'authentication-basic/expressions',
    'inbound',
    authenticationBasic({ username: E.variable('backend-user'), password: E.variable('backend-password') }),
  ),

  // The three certificate sources are mutually exclusive: one sample each.
  sample(
    'authentication-certificate/thumbprint',
    'inbound',
    authenticationCertificate({ thumbprint: 'CA06F56B258B7A0D4F2B05470939478651151984' }),
  ),
  sample('authentication-certificate/certificate-id', 'inbound', authenticationCertificate({ certificateId: 'backend-client-cert' })),
  sample(
    'authentication-certificate/body-and-password',
    'inbound',
    authenticationCertificate({
      body: expr('context.Variables.GetValueOrDefault<byte[]>("byteCertificate")'),
      password: namedValue('client-cert-password'),
    }),
  ),
];
