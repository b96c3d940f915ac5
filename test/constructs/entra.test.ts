import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential';
import { ApplicationPreAuthorized } from '@cdktf/provider-azuread/lib/application-pre-authorized';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { TerraformOutput } from 'cdktf';
import { ConstructValidationError } from '../../lib/constructs/errors';
import {
  AZURE_CLI_CLIENT_ID,
  ENTRA_TOKEN_EXCHANGE_AUDIENCE,
  MCP_TOOLS_SCOPE,
  McpEntraApp,
  McpEntraAppProps,
  VS_CODE_CLIENT_ID,
  uuidV5,
} from '../../lib/constructs/entra';
import { Synthesized, only, refused, resources, synthesizeWith, testStack } from '../support/constructs';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
const MI_PRINCIPAL = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const OWNER = '9a1f3c52-7d64-4a8e-b0b5-1c2d3e4f5a6b';

function entra(props: Partial<McpEntraAppProps> = {}): Synthesized & { app: McpEntraApp } {
  let app: McpEntraApp | undefined;
  const result = synthesizeWith((stack) => {
    app = new McpEntraApp(stack, 'McpApi', { displayName: 'Weather MCP', ...props });
  });
  return { ...result, app: app as McpEntraApp };
}

/** Builds a McpEntraApp with `props` and returns the error; asserts nothing was created under it. */
function badApp(props: Partial<McpEntraAppProps>): ConstructValidationError {
  const stack = testStack();
  return refused(stack, 'Bad', () => new McpEntraApp(stack, 'Bad', { displayName: 'Bad MCP', ...props }));
}

describe('uuidV5', () => {
  test('matches the RFC 4122 version 5 reference value', () => {
    // Python: uuid.uuid5(uuid.NAMESPACE_DNS, 'www.example.com')
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  test('refuses a namespace that is not a UUID', () => {
    expect(() => uuidV5('x', 'not-a-uuid')).toThrow('uuidV5: namespace "not-a-uuid" is not a UUID');
  });
});

describe('well-known clients', () => {
  test('VS Code and Azure CLI client ids are the published first-party ids', () => {
    expect(VS_CODE_CLIENT_ID).toBe('aebc6443-996d-45c2-90f0-388ff96faa56');
    expect(AZURE_CLI_CLIENT_ID).toBe('04b07795-8ddb-461a-bbee-02f9e1bf7b46');
    expect(ENTRA_TOKEN_EXCHANGE_AUDIENCE).toBe('api://AzureADTokenExchange');
  });
});

describe('McpEntraApp defaults', () => {
  const { text, json, app } = entra();
  const [appKey, application] = only(json, 'azuread_application');

  test('access tokens are v2, the app is single-tenant and exposes mcp.tools with admin consent', () => {
    expect(text).toHaveResourceWithProperties(Application, {
      display_name: 'Weather MCP',
      sign_in_audience: 'AzureADMyOrg',
      // The jest matcher compares nested objects exactly unless they are wrapped in objectContaining.
      api: {
        requested_access_token_version: 2,
        oauth2_permission_scope: [
          expect.objectContaining({
            value: 'mcp.tools',
            type: 'Admin',
            enabled: true,
            admin_consent_display_name: 'Call MCP tools',
            user_consent_display_name: 'Call MCP tools',
          }),
        ],
      },
    });
    expect(application.app_role).toBeUndefined();
    expect(application.public_client).toBeUndefined();
  });

  test('the identifier URI is api://<client id>, set by its own resource', () => {
    const [, uri] = only(json, 'azuread_application_identifier_uri');
    expect(uri).toEqual({
      application_id: `\${azuread_application.${appKey}.id}`,
      identifier_uri: `api://\${azuread_application.${appKey}.client_id}`,
    });
    // The application must not remove the URI the other resource adds.
    expect(application.lifecycle).toEqual({ ignore_changes: ['identifier_uris'] });
    expect(application.identifier_uris).toBeUndefined();
  });

  test('the service principal requires assignment', () => {
    expect(text).toHaveResourceWithProperties(ServicePrincipal, {
      client_id: `\${azuread_application.${appKey}.client_id}`,
      app_role_assignment_required: true,
    });
  });

  test('no secret or certificate exists', () => {
    expect(application.password).toBeUndefined();
    for (const type of [
      'azuread_application_password',
      'azuread_service_principal_password',
      'azuread_application_certificate',
      'azuread_service_principal_certificate',
    ]) {
      expect(resources(json, type)).toEqual({});
    }
  });

  test('no pre-authorized client, owner or federated credential unless asked', () => {
    expect(resources(json, 'azuread_application_pre_authorized')).toEqual({});
    expect(resources(json, 'azuread_application_federated_identity_credential')).toEqual({});
    expect(application.owners).toBeUndefined();
  });

  test('the tenant comes from the azuread provider', () => {
    expect(text).toHaveDataSourceWithProperties(DataAzureadClientConfig, {});
  });

  test('the scope id is a UUID v5 of the construct path and value', () => {
    const scope = application.api.oauth2_permission_scope[0];
    expect(scope.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(app.scopeIds).toEqual({ 'mcp.tools': scope.id });
  });

  test('outputs give what token validation needs', () => {
    const out = synthesizeWith((stack) => {
      const a = new McpEntraApp(stack, 'McpApi', { displayName: 'Weather MCP' });
      new TerraformOutput(stack, 'aud', { value: a.audience });
      new TerraformOutput(stack, 'client', { value: a.clientId });
      new TerraformOutput(stack, 'sp', { value: a.servicePrincipalObjectId });
      new TerraformOutput(stack, 'object', { value: a.applicationObjectId });
      new TerraformOutput(stack, 'resource', { value: a.applicationResourceId });
      new TerraformOutput(stack, 'scope', { value: a.scopes[0] });
      new TerraformOutput(stack, 'scopeFor', { value: a.scopeFor('mcp.tools') });
      new TerraformOutput(stack, 'issuer', { value: a.issuer });
      new TerraformOutput(stack, 'uri', { value: a.identifierUri });
    }).json;
    const [key] = only(out, 'azuread_application');
    const [spKey] = only(out, 'azuread_service_principal');
    const config = Object.keys(out.data.azuread_client_config)[0];
    expect(out.output.aud.value).toBe(`\${azuread_application.${key}.client_id}`);
    expect(out.output.client.value).toBe(`\${azuread_application.${key}.client_id}`);
    expect(out.output.sp.value).toBe(`\${azuread_service_principal.${spKey}.object_id}`);
    expect(out.output.object.value).toBe(`\${azuread_application.${key}.object_id}`);
    expect(out.output.resource.value).toBe(`\${azuread_application.${key}.id}`);
    expect(out.output.uri.value).toBe(`api://\${azuread_application.${key}.client_id}`);
    expect(out.output.scope.value).toBe(`api://\${azuread_application.${key}.client_id}/mcp.tools`);
    expect(out.output.scopeFor.value).toBe(out.output.scope.value);
    expect(out.output.issuer.value).toBe(`https://login.microsoftonline.com/\${data.azuread_client_config.${config}.tenant_id}/v2.0`);
  });

  test('the construct creates no provider and no output', () => {
    expect(json.provider).toBeUndefined();
    expect(json.output).toBeUndefined();
  });

  test('synth is byte-for-byte stable', () => {
    expect(entra().text).toBe(text);
  });

  test('snapshot of the default plan', () => {
    expect(json).toMatchSnapshot();
  });
});

describe('McpEntraApp props', () => {
  test('pre-authorized clients get every delegated scope', () => {
    const { text, json, app } = entra({
      scopes: [MCP_TOOLS_SCOPE, { value: 'mcp.resources', adminConsentDisplayName: 'Read', adminConsentDescription: 'Read resources' }],
      preAuthorizedClientIds: [VS_CODE_CLIENT_ID, AZURE_CLI_CLIENT_ID],
    });
    const [appKey] = only(json, 'azuread_application');
    const ids = [app.scopeIds['mcp.tools'], app.scopeIds['mcp.resources']];
    expect(new Set(ids).size).toBe(2);
    for (const client of [VS_CODE_CLIENT_ID, AZURE_CLI_CLIENT_ID]) {
      expect(text).toHaveResourceWithProperties(ApplicationPreAuthorized, {
        application_id: `\${azuread_application.${appKey}.id}`,
        authorized_client_id: client,
        permission_ids: ids,
      });
    }
  });

  test('public-client redirect URIs for PKCE are set on the application', () => {
    const uris = ['http://127.0.0.1:33418', 'http://localhost/callback', 'https://vscode.dev/redirect'];
    const { text } = entra({ publicClientRedirectUris: uris });
    expect(text).toHaveResourceWithProperties(Application, { public_client: { redirect_uris: uris } });
  });

  test('a managed identity becomes a federated credential with the documented issuer, subject and audience', () => {
    const { text, json } = entra({ managedIdentityCredential: { principalId: MI_PRINCIPAL }, tenantId: TENANT });
    const [appKey] = only(json, 'azuread_application');
    expect(text).toHaveResourceWithProperties(ApplicationFederatedIdentityCredential, {
      application_id: `\${azuread_application.${appKey}.id}`,
      display_name: 'mcp-managed-identity',
      issuer: `https://login.microsoftonline.com/${TENANT}/v2.0`,
      subject: MI_PRINCIPAL,
      audiences: ['api://AzureADTokenExchange'],
    });
    // With the tenant given no data source is read.
    expect(json.data).toBeUndefined();
  });

  test('the federated credential uses the provider tenant when none is given', () => {
    const { json } = entra({ managedIdentityCredential: { principalId: MI_PRINCIPAL, name: 'apim-gateway' } });
    const [, credential] = only(json, 'azuread_application_federated_identity_credential');
    const config = Object.keys(json.data.azuread_client_config)[0];
    expect(credential.display_name).toBe('apim-gateway');
    expect(credential.issuer).toBe(`https://login.microsoftonline.com/\${data.azuread_client_config.${config}.tenant_id}/v2.0`);
  });

  test('app roles for app-only callers get stable ids and default to Application members', () => {
    const { json, app } = entra({
      scopes: [],
      appRoles: [{ value: 'Mcp.Tools.Invoke', displayName: 'Invoke MCP tools', description: 'App-only tool calls' }],
    });
    const [, application] = only(json, 'azuread_application');
    expect(application.api.oauth2_permission_scope).toBeUndefined();
    expect(application.app_role).toEqual([
      {
        id: app.appRoleIds['Mcp.Tools.Invoke'],
        value: 'Mcp.Tools.Invoke',
        display_name: 'Invoke MCP tools',
        description: 'App-only tool calls',
        allowed_member_types: ['Application'],
        enabled: true,
      },
    ]);
    expect(app.scopes).toEqual([]);
  });

  test('an explicit identifier URI is set inline and used in the scope strings', () => {
    const uri = `api://${TENANT}/weather-mcp`;
    const { json, app } = entra({ identifierUri: uri });
    const [, application] = only(json, 'azuread_application');
    expect(application.identifier_uris).toEqual([uri]);
    expect(application.lifecycle).toBeUndefined();
    expect(resources(json, 'azuread_application_identifier_uri')).toEqual({});
    expect(app.scopes).toEqual([`${uri}/mcp.tools`]);
  });

  test('explicit scope ids, owners and the assignment opt-out are honoured', () => {
    const pinned = '0f8fad5b-d9cb-469f-a165-70867728950e';
    const { text, json } = entra({
      scopes: [{ ...MCP_TOOLS_SCOPE, id: pinned, consentType: 'User' }],
      owners: [OWNER],
      appRoleAssignmentRequired: false,
    });
    const [, application] = only(json, 'azuread_application');
    expect(application.api.oauth2_permission_scope[0]).toMatchObject({ id: pinned, type: 'User' });
    expect(application.owners).toEqual([OWNER]);
    expect(text).toHaveResourceWithProperties(ServicePrincipal, { app_role_assignment_required: false, owners: [OWNER] });
  });
});

describe('McpEntraApp validation', () => {
  test('an app with neither scopes nor roles is refused', () => {
    const error = badApp({ scopes: [], appRoles: [] });
    expect(error.constructPath).toBe('TestStack/Bad');
    expect(error.message).toBe('TestStack/Bad: invalid scopes []: at least one delegated scope or one app role (appRoles), or the API accepts nobody');
  });

  test('a scope value used twice is refused', () => {
    expect(badApp({ scopes: [MCP_TOOLS_SCOPE, MCP_TOOLS_SCOPE] }).message).toBe(
      'TestStack/Bad: invalid scopes.value "mcp.tools": a value not used by another scope or role of this app',
    );
  });

  test('a role may not reuse a scope value (one namespace in Entra)', () => {
    const error = badApp({ appRoles: [{ value: 'mcp.tools', displayName: 'x', description: 'y' }] });
    expect(error.message).toContain('invalid appRoles.value "mcp.tools": a value not used by another scope or role');
  });

  test.each([['mcp tools'], ['.mcp'], [''], ['x'.repeat(121)], ['mcp"tools']])('scope value %j is refused', (value) => {
    const error = badApp({ scopes: [{ ...MCP_TOOLS_SCOPE, value }] });
    expect(error.message).toMatch(/^TestStack\/Bad: invalid scopes\.value .*no spaces, not starting with '\.'$/);
    expect(error.value).toBe(value);
  });

  test('a duplicate or malformed permission id is refused', () => {
    const id = '0f8fad5b-d9cb-469f-a165-70867728950e';
    expect(
      badApp({ scopes: [{ ...MCP_TOOLS_SCOPE, id }], appRoles: [{ value: 'r', displayName: 'r', description: 'r', id }] }).message,
    ).toContain(`invalid appRoles.id "${id}"`);
    expect(badApp({ scopes: [{ ...MCP_TOOLS_SCOPE, id: 'scope-1' }] }).message).toContain('invalid scopes.id "scope-1"');
  });

  test('an app role without member types is refused', () => {
    const error = badApp({ appRoles: [{ value: 'r', displayName: 'r', description: 'r', allowedMemberTypes: [] }] });
    expect(error.message).toContain('invalid appRoles.allowedMemberTypes []');
  });

  test.each([
    ['http://example.com/callback'],
    ['https://*.example.com/callback'],
    ['https://example.com/callback#frag'],
    ['http://[::1]:8080/'],
    ['ms-appx-web://microsoft.aad.brokerplugin/x'],
    ['ftp://127.0.0.1/callback'],
    ['https://user:pw@example.com/cb'],
    ['not a uri'],
    [`https://example.com/${'a'.repeat(240)}`],
  ])('redirect URI %s is refused', (uri) => {
    const error = badApp({ publicClientRedirectUris: [uri] });
    expect(error.message).toMatch(/^TestStack\/Bad: invalid publicClientRedirectUris ".*": https:\/\/<host>/);
  });

  test('loopback redirect URIs that differ only by port are refused', () => {
    const error = badApp({ publicClientRedirectUris: ['http://127.0.0.1:33418/', 'http://127.0.0.1:8400/'] });
    expect(error.message).toBe(
      'TestStack/Bad: invalid publicClientRedirectUris "http://127.0.0.1:8400/": distinct URIs (the port of a loopback URI is ignored)',
    );
  });

  test.each([['api://weather-mcp'], ['http://example.com/api'], ['api://'], ['https://localhost']])(
    'identifier URI %s is refused',
    (uri) => {
      expect(badApp({ identifierUri: uri }).message).toMatch(/^TestStack\/Bad: invalid identifierUri ".*": api:\/\/<tenant id>\/<name>/);
    },
  );

  test.each([
    [`api://${TENANT}/weather`],
    [`api://weather/${TENANT}`],
    ['api://contoso.com/weather'],
    ['https://mcp.contoso.com'],
  ])('identifier URI %s is accepted', (uri) => {
    expect(() => entra({ identifierUri: uri })).not.toThrow();
  });

  test.each([
    ['owners', { owners: ['someone@example.com'] }, '"someone@example.com"'],
    ['preAuthorizedClientIds', { preAuthorizedClientIds: ['vscode'] }, '"vscode"'],
    ['preAuthorizedClientIds', { preAuthorizedClientIds: [VS_CODE_CLIENT_ID, VS_CODE_CLIENT_ID.toUpperCase()] }, `"${VS_CODE_CLIENT_ID.toUpperCase()}"`],
    ['tenantId', { tenantId: 'contoso.onmicrosoft.com' }, '"contoso.onmicrosoft.com"'],
    ['managedIdentityCredential.principalId', { managedIdentityCredential: { principalId: 'my-identity' } }, '"my-identity"'],
    ['managedIdentityCredential.name', { managedIdentityCredential: { principalId: MI_PRINCIPAL, name: '-x' } }, '"-x"'],
    ['displayName', { displayName: '  ' }, '"  "'],
  ] as [string, Partial<McpEntraAppProps>, string][])('bad %s is refused', (prop, props, shown) => {
    expect(badApp(props).message).toContain(`TestStack/Bad: invalid ${prop} ${shown}: `);
  });

  test('pre-authorizing a client needs a delegated scope', () => {
    const error = badApp({
      scopes: [],
      appRoles: [{ value: 'r', displayName: 'r', description: 'r' }],
      preAuthorizedClientIds: [VS_CODE_CLIENT_ID],
    });
    expect(error.message).toContain('invalid preAuthorizedClientIds ["aebc6443-996d-45c2-90f0-388ff96faa56"]');
  });

  test('asking for a scope the app does not expose is refused', () => {
    const { app } = entra();
    expect(() => app.scopeFor('mcp.admin')).toThrow('TestStack/McpApi: invalid scopeFor value "mcp.admin": one of the app\'s scopes: mcp.tools');
  });
});

describe('two McpEntraApp in one stack', () => {
  test('synthesize without collisions and with different permission ids', () => {
    let a: McpEntraApp | undefined;
    let b: McpEntraApp | undefined;
    const { json } = synthesizeWith((stack) => {
      a = new McpEntraApp(stack, 'Weather', { displayName: 'Weather MCP', preAuthorizedClientIds: [VS_CODE_CLIENT_ID] });
      b = new McpEntraApp(stack, 'Crm', { displayName: 'CRM MCP', preAuthorizedClientIds: [VS_CODE_CLIENT_ID] });
    });
    expect(Object.keys(resources(json, 'azuread_application'))).toHaveLength(2);
    expect(Object.keys(resources(json, 'azuread_service_principal'))).toHaveLength(2);
    expect(Object.keys(resources(json, 'azuread_application_identifier_uri'))).toHaveLength(2);
    expect(Object.keys(resources(json, 'azuread_application_pre_authorized'))).toHaveLength(2);
    expect(Object.keys(json.data.azuread_client_config)).toHaveLength(2);
    // Ids are derived from the construct path, so the two apps' scopes differ.
    expect(a?.scopeIds['mcp.tools']).not.toBe(b?.scopeIds['mcp.tools']);
    const preAuth = Object.values(resources(json, 'azuread_application_pre_authorized'));
    expect(new Set(preAuth.map((p) => p.application_id)).size).toBe(2);
  });
});
