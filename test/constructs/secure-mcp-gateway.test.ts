import { TerraformStack } from 'cdktf';
import { AppServiceMcpBackend, FunctionMcpBackend } from '../../lib/constructs/backends';
import { ConstructValidationError } from '../../lib/constructs/errors';
import {
  GATEWAY_APP_ROLE,
  NSG_LOG_CATEGORIES,
  SecureMcpGateway,
  SecureMcpGatewayProps,
} from '../../lib/constructs/secure-mcp-gateway';
import { render } from '../../lib/policy/render';
import { mcpServerPolicy } from '../../policies/mcp-server';
import { Json, RG, caught, refused, resources, synthesize, testStack } from '../support/constructs';

const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';

function newStack(): TerraformStack {
  return testStack('azurerm', 'azuread', 'azapi', 'random');
}

function baseProps(props: Partial<SecureMcpGatewayProps> = {}): SecureMcpGatewayProps {
  return {
    namePrefix: 'contoso',
    location: 'westeurope',
    publisherName: 'Contoso',
    publisherEmail: 'apis@contoso.com',
    alertEmails: ['oncall@contoso.com'],
    tenantId: TENANT,
    ...props,
  };
}

interface Built {
  readonly stack: TerraformStack;
  readonly mcp: SecureMcpGateway;
  readonly json: Json;
}

/** The arrangement the tests look at: two Functions servers and two App Service servers. */
function buildFour(props: Partial<SecureMcpGatewayProps> = {}): Built {
  const stack = newStack();
  const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps(props));
  mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '22' });
  mcp.addAppServiceServer('tickets', { runtimeName: 'node', runtimeVersion: '22-lts' });
  mcp.addFunctionServer('weather-eu', { runtimeName: 'python', runtimeVersion: '3.12' });
  mcp.addAppServiceServer('docs', { runtimeName: 'python', runtimeVersion: '3.12', path: 'knowledge/docs' });
  // Validations on: the providers must be there and every App Service backend must allow the gateway.
  return { stack, mcp, json: synthesize(stack, true).json };
}

/** `${<type>.<logical id>.<attribute>}` of the resource that is `value` (found by identity in the plan). */
function refTo(json: Json, type: string, predicate: (r: Json) => boolean, attribute = 'id'): string {
  const found = Object.entries(resources(json, type)).filter(([, r]) => predicate(r));
  expect(found).toHaveLength(1);
  return `\${${type}.${found[0][0]}.${attribute}}`;
}

function all(json: Json): [string, string, Json][] {
  return Object.entries(json.resource as Record<string, Record<string, Json>>).flatMap(([type, byId]) =>
    Object.entries(byId).map(([id, r]) => [type, id, r] as [string, string, Json]),
  );
}

describe('SecureMcpGateway: the secure arrangement', () => {
  let phase1: Built;
  let locked: Built;
  beforeAll(() => {
    phase1 = buildFour();
    locked = buildFour({ lockDown: true });
  });

  test('after lockDown the gateway is the only resource with public network access', () => {
    const open = all(locked.json).filter(([, , r]) => r.public_network_access_enabled === true).map(([type]) => type);
    expect(open).toEqual(['azurerm_api_management']);
    const [, , apim] = all(locked.json).find(([type]) => type === 'azurerm_api_management')!;
    // Outbound integration: the gateway reaches the backends through the network, and no private endpoint hides it.
    expect(apim.virtual_network_type).toBe('External');
    expect(Object.values(resources(locked.json, 'azurerm_private_endpoint')).map((pe) => pe.private_service_connection.subresource_names)).not.toContainEqual(['Gateway']);
  });

  test('before lockDown the apps keep public access for code deployment only: the main site refuses everyone', () => {
    const apps = [...Object.values(resources(phase1.json, 'azurerm_function_app_flex_consumption')), ...Object.values(resources(phase1.json, 'azurerm_linux_web_app'))];
    expect(apps).toHaveLength(4);
    for (const app of apps) {
      expect(app.public_network_access_enabled).toBe(true);
      expect(app.site_config.ip_restriction_default_action).toBe('Deny');
    }
    const lockedApps = [...Object.values(resources(locked.json, 'azurerm_function_app_flex_consumption')), ...Object.values(resources(locked.json, 'azurerm_linux_web_app'))];
    expect(lockedApps.map((a) => [a.public_network_access_enabled, a.site_config.scm_ip_restriction_default_action])).toEqual(Array(4).fill([false, 'Deny']));
  });

  test('the vault and the storage accounts have no public access in either phase', () => {
    for (const { json } of [phase1, locked]) {
      const [vault] = Object.values(resources(json, 'azurerm_key_vault'));
      expect(vault).toMatchObject({
        public_network_access_enabled: false,
        rbac_authorization_enabled: true,
        purge_protection_enabled: true,
        network_acls: { default_action: 'Deny' },
      });
      const accounts = Object.values(resources(json, 'azurerm_storage_account'));
      expect(accounts).toHaveLength(2);
      for (const account of accounts) {
        expect(account).toMatchObject({ public_network_access_enabled: false, shared_access_key_enabled: false, network_rules: { default_action: 'Deny' } });
      }
    }
  });

  test('every secret lives in Key Vault: the Functions keys, read by the gateway through Key Vault-backed named values', () => {
    const { json } = phase1;
    const secretValues = Object.values(resources(json, 'azurerm_api_management_named_value')).filter((nv) => nv.secret);
    expect(secretValues.map((nv) => nv.name).sort()).toEqual(['weather-eu-functions-key', 'weather-functions-key']);
    for (const nv of secretValues) {
      expect(nv.value).toBeUndefined();
      const secretName = nv.name === 'weather-functions-key' ? 'contoso-weather-mcp-extension-key' : 'contoso-weather-eu-mcp-extension-key';
      expect(nv.value_from_key_vault.secret_id).toBe(refTo(json, 'azapi_resource', (r) => r.name === secretName, 'output.properties.secretUri'));
    }
    // The gateway's identity may read the vault's secrets, granted once on the vault itself.
    const vaultId = refTo(json, 'azurerm_key_vault', () => true);
    const gatewayPrincipal = refTo(json, 'azurerm_api_management', () => true, 'identity[0].principal_id');
    const grants = Object.values(resources(json, 'azurerm_role_assignment')).filter((a) => a.scope === vaultId);
    expect(grants).toEqual([expect.objectContaining({ role_definition_name: 'Key Vault Secrets User', principal_id: gatewayPrincipal })]);
    // No client secret, password or literal secret value anywhere.
    expect(resources(json, 'azuread_application_password')).toEqual({});
    expect(Object.values(resources(json, 'azapi_resource')).filter((r) => r.type.startsWith('Microsoft.KeyVault/vaults/secrets')).every((r) => r.body.properties.value === undefined)).toBe(true);
  });

  test('each component reports to the workspace', () => {
    const { json } = phase1;
    const workspace = refTo(json, 'azurerm_log_analytics_workspace', () => true);
    const settings = Object.values(resources(json, 'azurerm_monitor_diagnostic_setting'));
    expect(settings.every((s) => s.log_analytics_workspace_id === workspace)).toBe(true);
    const targets = new Set(settings.map((s) => s.target_resource_id));
    const ids = (type: string) => Object.keys(resources(json, type)).map((id) => `\${${type}.${id}.id}`);
    const components = [
      ...ids('azurerm_api_management'),
      ...ids('azurerm_key_vault'),
      ...ids('azurerm_virtual_network'),
      ...ids('azurerm_network_security_group'),
      ...ids('azurerm_function_app_flex_consumption'),
      ...ids('azurerm_linux_web_app'),
      ...ids('azurerm_storage_account'),
      ...ids('azurerm_service_plan').filter((id) => id.includes('AppService')),
    ];
    // 1 gateway, 1 vault, 1 network, 2 + 4 security groups, 2 + 2 apps, 2 storage accounts, 2 App Service plans.
    expect(components).toHaveLength(17);
    expect(components.filter((c) => !targets.has(c))).toEqual([]);
    // The construct's own: the vault, the network and its 6 security groups (the rest are the components').
    expect(phase1.mcp.diagnostics).toHaveLength(8);
    const nsgSettings = settings.filter((s) => s.target_resource_id.startsWith('${azurerm_network_security_group.'));
    expect(nsgSettings.map((s) => s.enabled_log.map((l: Json) => l.category))).toEqual(Array(6).fill([...NSG_LOG_CATEGORIES]));
  });

  test('the four MCP alerts watch the workspace and e-mail the alert address', () => {
    const { json } = phase1;
    const alerts = Object.values(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2'));
    expect(alerts.map((a) => a.name).sort()).toEqual(['contoso-mcp-auth-failures', 'contoso-mcp-backend-5xx', 'contoso-mcp-rate-limited', 'contoso-mcp-tool-calls']);
    const workspace = refTo(json, 'azurerm_log_analytics_workspace', () => true);
    const actionGroup = refTo(json, 'azurerm_monitor_action_group', () => true);
    for (const alert of alerts) {
      expect(alert.scopes).toEqual([workspace]);
      expect(alert.action.action_groups).toEqual([actionGroup]);
    }
    const [group] = Object.values(resources(json, 'azurerm_monitor_action_group'));
    expect(group.email_receiver).toEqual([expect.objectContaining({ email_address: 'oncall@contoso.com' })]);
  });

  test('two servers of each kind: own subnets of the right delegation, names from the prefix', () => {
    const { json, mcp } = phase1;
    expect(mcp.servers.map((s) => [s.name, s.kind])).toEqual([
      ['weather', 'functions'],
      ['tickets', 'app-service'],
      ['weather-eu', 'functions'],
      ['docs', 'app-service'],
    ]);
    const subnets = Object.values(resources(json, 'azurerm_subnet'));
    const delegation = (name: string) => subnets.find((s) => s.name === name)?.delegation?.[0]?.service_delegation.name;
    expect(['weather', 'weather-eu'].map((n) => delegation(`snet-apps-${n}`))).toEqual(['Microsoft.App/environments', 'Microsoft.App/environments']);
    expect(['tickets', 'docs'].map((n) => delegation(`snet-apps-${n}`))).toEqual(['Microsoft.Web/serverFarms', 'Microsoft.Web/serverFarms']);
    // Each app joins its own subnet.
    const apps = [...Object.values(resources(json, 'azurerm_function_app_flex_consumption')), ...Object.values(resources(json, 'azurerm_linux_web_app'))];
    expect(new Set(apps.map((a) => a.virtual_network_subnet_id)).size).toBe(4);
    for (const server of mcp.servers) expect(server.backend.baseName).toBe(`contoso-${server.name}`);
    expect(Object.values(resources(json, 'azurerm_resource_group'))).toEqual([expect.objectContaining({ name: 'rg-contoso', location: 'westeurope' })]);
    expect(Object.values(resources(json, 'azurerm_storage_account')).map((a) => a.name).sort()).toEqual([
      expect.stringMatching(/^stcontosoweather\$\{random_string\./),
      expect.stringMatching(/^stcontosoweathereu\$\{random_string\./),
    ]);
    expect(mcp.server('docs')?.mcpServer.path).toBe('knowledge/docs');
  });

  test('no empty default apps subnet: only the servers’ own, allocated from the block it would have taken', () => {
    const { json, mcp } = phase1;
    expect(mcp.network.defaultAppsSubnet).toBe(false);
    const subnets = Object.values(resources(json, 'azurerm_subnet')).map((s) => [s.address_prefixes[0], s.name]);
    expect(subnets.sort()).toEqual([
      ['10.60.0.0/24', 'snet-gateway'],
      ['10.60.1.0/26', 'snet-apps-weather'],
      ['10.60.1.128/26', 'snet-apps-weather-eu'],
      ['10.60.1.192/26', 'snet-apps-docs'],
      ['10.60.1.64/26', 'snet-apps-tickets'],
      ['10.60.2.0/24', 'snet-private-endpoints'],
    ]);
    expect(mcp.network.appsSubnets).toEqual(mcp.servers.map((s) => s.subnet));
    // One security group and one association per subnet, none for a subnet that is not there.
    expect(Object.values(resources(json, 'azurerm_network_security_group')).map((n) => n.name).filter((n) => n.endsWith('-apps'))).toEqual([]);
    expect(Object.keys(resources(json, 'azurerm_network_security_group'))).toHaveLength(6);
    expect(Object.keys(resources(json, 'azurerm_subnet_network_security_group_association'))).toHaveLength(6);
  });

  test('each API: Entra token for the shared app and a subscription key, rate-limited per token subject, from the catalog', () => {
    const { mcp } = phase1;
    for (const server of mcp.servers) {
      const options = server.mcpServer.policyOptions;
      expect(options.subscriptionKey).toEqual({ forwardToBackend: false });
      expect(options.token).toMatchObject({ provider: 'entra', tenantId: `{{${server.name}-entra-tenant-id}}`, audiences: [`{{${server.name}-entra-client-id}}`], requiredScopes: ['mcp.tools'] });
      expect(options.rateLimit).toEqual({ key: 'jwt-subject' });
      expect(server.mcpServer.policyXml).toBe(render(mcpServerPolicy(options), { format: 'rawxml' }));
      expect(server.protectedResourceMetadataUrl).toBe(server.mcpServer.protectedResourceMetadataUrl);
      expect(server.protectedResourceMetadataUrl).toBeDefined();
    }
    expect(mcp.servers.map((s) => s.mcpServer.policyOptions.backendAuth)).toEqual([
      { type: 'functions-key', namedValue: 'weather-functions-key' },
      { type: 'managed-identity', resource: '{{tickets-backend-audience}}' },
      { type: 'functions-key', namedValue: 'weather-eu-functions-key' },
      { type: 'managed-identity', resource: '{{docs-backend-audience}}' },
    ]);
  });

  test('App Service backends admit only the gateway identity, which holds the app role the assignment-required app asks for', () => {
    const { json, mcp } = phase1;
    const gatewayPrincipal = refTo(json, 'azurerm_api_management', () => true, 'identity[0].principal_id');
    for (const app of Object.values(resources(json, 'azurerm_linux_web_app'))) {
      expect(app.auth_settings_v2.active_directory_v2.allowed_identities).toEqual([gatewayPrincipal]);
      expect(app.auth_settings_v2.require_authentication).toBe(true);
    }
    const [application] = Object.values(resources(json, 'azuread_application'));
    const role = application.app_role.find((r: Json) => r.value === GATEWAY_APP_ROLE.value);
    expect(role).toMatchObject({ allowed_member_types: ['Application'], enabled: true });
    // One assignment, however many App Service servers.
    expect(Object.values(resources(json, 'azuread_app_role_assignment'))).toEqual([
      {
        app_role_id: role.id,
        principal_object_id: gatewayPrincipal,
        resource_object_id: refTo(json, 'azuread_service_principal', () => true, 'object_id'),
      },
    ]);
    expect(mcp.gatewayAppRoleAssignment).toBeDefined();
    const [sp] = Object.values(resources(json, 'azuread_service_principal'));
    expect(sp.app_role_assignment_required).toBe(true);
  });
});

describe('SecureMcpGateway: options', () => {
  test('an existing resource group is used as it is, and tokenAuth: false leaves a server to subscription keys', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps({ location: undefined, resourceGroup: RG }));
    const server = mcp.addFunctionServer('keys-only', { runtimeName: 'node', runtimeVersion: '22', tokenAuth: false });
    const { json } = synthesize(stack, true);
    expect(resources(json, 'azurerm_resource_group')).toEqual({});
    expect(mcp.resourceGroup).toBe(RG);
    expect(server.mcpServer.policyOptions.token).toBeUndefined();
    expect(server.mcpServer.policyOptions.subscriptionKey).toEqual({ forwardToBackend: false });
    // The recipe's default: per subscription, since there is no token subject.
    expect(server.mcpServer.policyOptions.rateLimit).toBeUndefined();
    expect(server.mcpServer.policyXml).not.toContain('validate-azure-ad-token');
    expect(server.protectedResourceMetadataUrl).toBeUndefined();
  });

  test('server options reach the gateway and the backend: rate limit, subnet prefix, app settings, tags', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps({ tags: { env: 'test' } }));
    const server = mcp.addFunctionServer('weather', {
      runtimeName: 'node',
      runtimeVersion: '22',
      rateLimit: { calls: 10, toolCallsOnly: true },
      subnetPrefix: '10.60.200.0/26',
      appSettings: { WEATHER_REGION: 'eu' },
      tags: { team: 'weather' },
    });
    const { json } = synthesize(stack, true);
    expect(server.mcpServer.policyOptions.rateLimit).toEqual({ key: 'jwt-subject', calls: 10, toolCallsOnly: true });
    expect(server.subnet.prefix).toBe('10.60.200.0/26');
    const [app] = Object.values(resources(json, 'azurerm_function_app_flex_consumption'));
    expect(app.app_settings.WEATHER_REGION).toBe('eu');
    expect(app.tags).toEqual({ env: 'test', team: 'weather' });
    expect(Object.values(resources(json, 'azurerm_key_vault'))[0].tags).toEqual({ env: 'test' });
  });

  test('two Functions servers whose names differ only by a hyphen get distinct storage accounts', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps());
    mcp.addFunctionServer('web-1', { runtimeName: 'node', runtimeVersion: '22' });
    mcp.addFunctionServer('web1', { runtimeName: 'node', runtimeVersion: '22' });
    const { json } = synthesize(stack, true);
    const names = Object.values(resources(json, 'azurerm_storage_account')).map((a) => a.name.replace(/\$\{.*$/, ''));
    expect(new Set(names).size).toBe(2);
    expect(names[0]).toBe('stcontosoweb1');
    expect(names[1]).toMatch(/^stcontosoweb[0-9a-f]{6}$/);
  });
});

describe('SecureMcpGateway: errors name the construct path and the bad value', () => {
  test.each([
    ['Contoso', 'upper case'],
    ['c', 'one character'],
    ['contoso-platform', 'longer than 12'],
    ['con--toso', 'consecutive hyphens'],
    ['contoso-', 'trailing hyphen'],
    ['1contoso', 'starting with a digit'],
  ])('namePrefix %j (%s)', (prefix) => {
    const stack = newStack();
    const error = caught(() => new SecureMcpGateway(stack, 'Mcp', baseProps({ namePrefix: prefix })));
    expect(error.message).toContain('TestStack/Mcp: invalid namePrefix');
    expect(error.message).toContain(JSON.stringify(prefix));
    // Checked before anything is created.
    expect(stack.node.tryFindChild('Mcp')?.node.children ?? []).toHaveLength(0);
  });

  test('content safety without a Content Safety backend, before the server gets a subnet', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps());
    const error = caught(() => mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '22', contentSafety: true }));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp', property: 'server weather contentSafety', value: 'content-safety' });
    expect(error.message).toContain('gateway.addContentSafetyBackend');
    expect(mcp.network.appsSubnets).toHaveLength(0);

    mcp.gateway.addContentSafetyBackend({
      endpoint: 'https://cs-mcp.cognitiveservices.azure.com',
      resourceId: '/subscriptions/0000/resourceGroups/rg-ai/providers/Microsoft.CognitiveServices/accounts/cs-mcp',
    });
    expect(mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '22', contentSafety: true }).mcpServer.policyXml).toContain(
      '<llm-content-safety backend-id="content-safety"',
    );
  });

  test('a tier that cannot reach private backends', () => {
    const stack = newStack();
    const error = caught(() => new SecureMcpGateway(stack, 'Mcp', baseProps({ gatewayTier: 'BasicV2' })));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp', property: 'gatewayTier', value: 'BasicV2' });
    expect(error.message).toContain('StandardV2 or PremiumV2');
  });

  test('location: required without a resource group, refused with one, a region name', () => {
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ location: undefined }))).property).toBe('location');
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ resourceGroup: RG }))).message).toContain('no value together with resourceGroup');
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ location: 'West Europe' }))).value).toBe('West Europe');
  });

  test('alert e-mails and the publisher e-mail', () => {
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ alertEmails: ['oncall'] }))).value).toBe('oncall');
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ alertEmails: ['a@b.io', 'A@b.io'] }))).value).toBe('A@b.io');
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ publisherEmail: 'apis' }))).property).toBe('publisherEmail');
  });

  test('an invalid API Management name is refused by the gateway, under its own path', () => {
    const error = caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ gatewayName: '1-apim' })));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp/Gateway', property: 'name', value: '1-apim' });
  });

  test('a duplicate server name, of either kind, before its subnet or backend exists', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps());
    mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '22' });
    const subnets = mcp.network.appsSubnets.length;
    const error = caught(() => mcp.addAppServiceServer('weather', { runtimeName: 'node', runtimeVersion: '22-lts' }));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp', property: 'server name', value: 'weather' });
    expect(mcp.network.appsSubnets).toHaveLength(subnets);
    expect(mcp.node.tryFindChild('AppService-weather')).toBeUndefined();
  });

  test('a duplicate path', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps());
    mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '22' });
    const error = caught(() => mcp.addFunctionServer('forecast', { runtimeName: 'node', runtimeVersion: '22', path: 'Weather' }));
    // The path check comes first: upper case is not a path at all.
    expect(error.property).toBe('addMcpServer path');
    const clash = caught(() => mcp.addFunctionServer('forecast', { runtimeName: 'node', runtimeVersion: '22', path: 'weather' }));
    expect(clash).toMatchObject({ constructPath: 'TestStack/Mcp', property: 'server forecast path', value: 'weather' });
    expect(clash.message).toContain('weather uses it');
  });

  test('a server name the gateway would refuse', () => {
    const error = caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps()).addFunctionServer('Weather_1', { runtimeName: 'node', runtimeVersion: '22' }));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp', property: 'addMcpServer name', value: 'Weather_1' });
  });

  test('a rate limit without authentication is refused by the gateway under the server path', () => {
    const mcp = new SecureMcpGateway(newStack(), 'Mcp', baseProps());
    const error = caught(() => mcp.addFunctionServer('open', { runtimeName: 'node', runtimeVersion: '22', tokenAuth: false, subscriptionKey: false }));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp/Gateway/McpServer-open', property: 'rateLimit' });
    expect(error.message).toContain('authentication first');
  });

  test("a backend's own checks surface with the backend's path", () => {
    const mcp = new SecureMcpGateway(newStack(), 'Mcp', baseProps());
    const error = caught(() => mcp.addFunctionServer('weather', { runtimeName: 'node', runtimeVersion: '18' }));
    expect(error).toMatchObject({ constructPath: 'TestStack/Mcp/Functions-weather', property: 'runtimeVersion', value: '18' });
    const locked = new SecureMcpGateway(newStack(), 'Mcp', baseProps({ lockDown: true }));
    const deployer = caught(() => locked.addAppServiceServer('docs', { runtimeName: 'node', runtimeVersion: '22-lts', deployerIpRanges: ['203.0.113.7/32'] }));
    expect(deployer).toMatchObject({ constructPath: 'TestStack/Mcp/AppService-docs', property: 'deployerIpRanges' });
  });

  test('a backend added beside the construct without a subnet: no default apps subnet to fall back on', () => {
    const stack = newStack();
    const mcp = new SecureMcpGateway(stack, 'Mcp', baseProps());
    const wired = { resourceGroup: mcp.resourceGroup, network: mcp.network, monitoring: mcp.monitoring };
    const fn = refused(stack, 'Extra', () => new FunctionMcpBackend(stack, 'Extra', { ...wired, keyVault: mcp.keyVault, runtimeName: 'node', runtimeVersion: '22' }));
    expect(fn.message).toBe(
      "TestStack/Extra: invalid subnet undefined: an apps subnet from addAppsSubnet(id, { backendKind: 'FlexConsumption' }) on the network TestStack/Mcp/Network: " +
        'it was built with defaultAppsSubnet: false, so it has no default apps subnet (network.apps) to fall back on',
    );
    const web = refused(stack, 'ExtraWeb', () => new AppServiceMcpBackend(stack, 'ExtraWeb', { ...wired, entraApp: mcp.entraApp, runtimeName: 'node', runtimeVersion: '22-lts' }));
    expect(web).toMatchObject({ constructPath: 'TestStack/ExtraWeb', property: 'subnet' });
    expect(web.message).toContain("addAppsSubnet(id, { backendKind: 'AppService' })");
    // With a subnet of its own it is accepted.
    const subnet = mcp.network.addAppsSubnet('extra', { backendKind: 'FlexConsumption' });
    expect(new FunctionMcpBackend(stack, 'Extra2', { ...wired, subnet, keyVault: mcp.keyVault, runtimeName: 'node', runtimeVersion: '22' }).node.children.length).toBeGreaterThan(0);
  });

  test('errors are ConstructValidationErrors, so the reference app prints them without a stack trace', () => {
    expect(caught(() => new SecureMcpGateway(newStack(), 'Mcp', baseProps({ lockDown: 'yes' as unknown as boolean })))).toBeInstanceOf(ConstructValidationError);
  });
});
