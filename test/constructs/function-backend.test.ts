import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { Testing, TerraformLocal, TerraformStack } from 'cdktf';
import { FLEX_RUNTIMES, FunctionMcpBackend, FunctionMcpBackendProps } from '../../lib/constructs/backends';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { McpKeyVault } from '../../lib/constructs/key-vault';
import { McpMonitoring } from '../../lib/constructs/monitoring';
import { BackendKind, McpNetwork } from '../../lib/constructs/network';
import { RG, Synthesized, only, ref, refused, resources, subnetId, synthesize, testStack } from '../support/constructs';

const TENANT = '11111111-2222-3333-4444-555555555555';

interface Env {
  readonly stack: TerraformStack;
  readonly network: McpNetwork;
  readonly keyVault: McpKeyVault;
  readonly monitoring: McpMonitoring;
}

function env(backendKind: BackendKind = 'FlexConsumption'): Env {
  const stack = testStack('azurerm', 'azapi', 'random');
  const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'StandardV2', backendKind });
  // No suffix on the vault: the only random_string is then the backend's.
  const keyVault = new McpKeyVault(stack, 'Vault', { resourceGroup: RG, network, name: 'kv-mcp', tenantId: TENANT, uniqueSuffix: false });
  const monitoring = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
  return { stack, network, keyVault, monitoring };
}

function props(e: Env, extra: Partial<FunctionMcpBackendProps> = {}): FunctionMcpBackendProps {
  return {
    resourceGroup: RG,
    network: e.network,
    keyVault: e.keyVault,
    monitoring: e.monitoring,
    runtimeName: 'node',
    runtimeVersion: '22',
    name: 'weather',
    ...extra,
  };
}

function build(
  extra: Partial<FunctionMcpBackendProps> = {},
  after?: (backend: FunctionMcpBackend, stack: TerraformStack) => void,
): Synthesized & { backend: FunctionMcpBackend } {
  const e = env();
  const backend = new FunctionMcpBackend(e.stack, 'Weather', props(e, extra));
  after?.(backend, e.stack);
  // Validations on: the providers the backend needs must be in the stack.
  return { ...synthesize(e.stack, true), backend };
}

/** A backend that fails validation; the error must name the construct path, and nothing may have been created. */
function bad(extra: Partial<FunctionMcpBackendProps>, backendKind: BackendKind = 'FlexConsumption'): ConstructValidationError {
  const e = env(backendKind);
  return refused(e.stack, 'Bad', () => new FunctionMcpBackend(e.stack, 'Bad', props(e, extra)));
}

describe('FunctionMcpBackend storage', () => {
  it('locks the storage account down: HTTPS, TLS 1.2, no shared keys, no public blobs, no public network', () => {
    const { text, json } = build();
    expect(text).toHaveResourceWithProperties(StorageAccount, {
      account_kind: 'StorageV2',
      account_tier: 'Standard',
      account_replication_type: 'LRS',
      https_traffic_only_enabled: true,
      min_tls_version: 'TLS1_2',
      shared_access_key_enabled: false,
      default_to_oauth_authentication: true,
      allow_nested_items_to_be_public: false,
      public_network_access_enabled: false,
      network_rules: { default_action: 'Deny', bypass: ['None'] },
      cross_tenant_replication_enabled: false,
      local_user_enabled: false,
    });
    // The name is the base plus the random suffix kept in state.
    const [suffixId] = only(json, 'random_string');
    expect(only(json, 'azurerm_storage_account')[1].name).toBe(`stweather\${random_string.${suffixId}.result}`);
  });

  it('creates the deployment container through the control plane, private', () => {
    const { text, json } = build();
    expect(text).toHaveResourceWithProperties(StorageContainer, {
      name: 'app-package',
      storage_account_id: ref(json, 'azurerm_storage_account', 'id'),
      container_access_type: 'private',
    });
    // storage_account_name would go through the data plane, which the account refuses.
    expect(only(json, 'azurerm_storage_container')[1]).not.toHaveProperty('storage_account_name');
  });

  it('reaches blob and queue through private endpoints in the network', () => {
    const { json } = build();
    const endpoints = Object.values(resources(json, 'azurerm_private_endpoint')).filter(
      (p) => p.private_service_connection.private_connection_resource_id === ref(json, 'azurerm_storage_account', 'id'),
    );
    expect(endpoints.map((p) => p.private_service_connection.subresource_names[0]).sort()).toEqual(['blob', 'queue']);
    for (const p of endpoints) expect(p.subnet_id).toBe(subnetId(json, 'snet-private-endpoints'));
  });

  it('takes the replication type and a storage name base from props', () => {
    const { json } = build({ storageReplicationType: 'ZRS', storageAccountName: 'stmcpweather' });
    const [, storage] = only(json, 'azurerm_storage_account');
    expect(storage.account_replication_type).toBe('ZRS');
    expect(storage.name).toMatch(/^stmcpweather\$\{random_string\./);
  });
});

describe('FunctionMcpBackend identity and roles', () => {
  it('gives the user-assigned identity exactly three roles, each on its own resource', () => {
    const { json } = build();
    const principal = ref(json, 'azurerm_user_assigned_identity', 'principal_id');
    const assignments = Object.values(resources(json, 'azurerm_role_assignment'));
    // Every assignment in the stack belongs to the identity: nothing else is granted.
    expect(assignments.every((a) => a.principal_id === principal && a.principal_type === 'ServicePrincipal')).toBe(true);
    const granted = assignments.map((a) => [a.role_definition_name, a.scope]).sort();
    expect(granted).toEqual(
      [
        ['Monitoring Metrics Publisher', ref(json, 'azurerm_application_insights', 'id')],
        ['Storage Blob Data Owner', ref(json, 'azurerm_storage_account', 'id')],
        ['Storage Queue Data Contributor', ref(json, 'azurerm_storage_account', 'id')],
      ].sort(),
    );
    // Role names, not ids, and never the resource group or subscription as scope.
    expect(assignments.some((a) => 'role_definition_id' in a || String(a.scope).startsWith('/subscriptions'))).toBe(false);
  });

  it('uses only the user-assigned identity on the app, also for deployment storage', () => {
    const { text, json } = build();
    const identityId = ref(json, 'azurerm_user_assigned_identity', 'id');
    expect(text).toHaveResourceWithProperties(FunctionAppFlexConsumption, {
      identity: { type: 'UserAssigned', identity_ids: [identityId] },
      storage_container_type: 'blobContainer',
      storage_authentication_type: 'UserAssignedIdentity',
      storage_user_assigned_identity_id: identityId,
      storage_container_endpoint: `${ref(json, 'azurerm_storage_account', 'primary_blob_endpoint')}${ref(json, 'azurerm_storage_container', 'name')}`,
    });
    // A connection string would need the account keys the storage account refuses.
    expect(only(json, 'azurerm_function_app_flex_consumption')[1]).not.toHaveProperty('storage_access_key');
  });
});

describe('FunctionMcpBackend app', () => {
  it('runs on an FC1 Linux plan with the given runtime and scale', () => {
    const { text, json } = build({ runtimeName: 'python', runtimeVersion: '3.11', instanceMemoryMb: 4096, maximumInstanceCount: 40 });
    expect(text).toHaveResourceWithProperties(ServicePlan, { sku_name: 'FC1', os_type: 'Linux' });
    expect(text).toHaveResourceWithProperties(FunctionAppFlexConsumption, {
      service_plan_id: ref(json, 'azurerm_service_plan', 'id'),
      runtime_name: 'python',
      runtime_version: '3.11',
      instance_memory_in_mb: 4096,
      maximum_instance_count: 40,
    });
  });

  it('is HTTPS only with TLS 1.2, HTTP/2, no remote debugging, no basic-auth publishing, no client certificates', () => {
    const { text } = build();
    expect(text).toHaveResourceWithProperties(FunctionAppFlexConsumption, {
      https_only: true,
      webdeploy_publish_basic_authentication_enabled: false,
      client_certificate_enabled: false,
      // Nested blocks compare exactly unless wrapped.
      site_config: expect.objectContaining({
        minimum_tls_version: '1.2',
        scm_minimum_tls_version: '1.2',
        http2_enabled: true,
        remote_debugging_enabled: false,
        scm_use_main_ip_restriction: false,
      }),
    });
  });

  it('joins the delegated apps subnet and routes all outbound traffic through it', () => {
    const { json } = build();
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    expect(app.virtual_network_subnet_id).toBe(subnetId(json, 'snet-apps'));
    expect(app.site_config.vnet_route_all_enabled).toBe(true);
    const apps = Object.values(resources(json, 'azurerm_subnet')).find((s) => s.name === 'snet-apps')!;
    expect(apps.delegation[0].service_delegation.name).toBe('Microsoft.App/environments');
  });

  it('uses identity-based host storage and Entra-authenticated telemetry, with no credential in app settings', () => {
    const { json } = build({ appSettings: { MCP_SERVER_NAME: 'weather' } });
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    const clientId = ref(json, 'azurerm_user_assigned_identity', 'client_id');
    expect(app.app_settings).toEqual({
      MCP_SERVER_NAME: 'weather',
      // Replaces the key-based value azurerm injects (see the construct).
      AzureWebJobsStorage: '',
      AzureWebJobsStorage__accountName: ref(json, 'azurerm_storage_account', 'name'),
      AzureWebJobsStorage__credential: 'managedidentity',
      AzureWebJobsStorage__clientId: clientId,
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${clientId};Authorization=AAD`,
    });
    expect(app.site_config.application_insights_connection_string).toBe(ref(json, 'azurerm_application_insights', 'connection_string'));
    expect(app.site_config).not.toHaveProperty('application_insights_key');
  });

  it('starts after its roles and storage endpoints exist', () => {
    const { json } = build();
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    const roleIds = Object.keys(resources(json, 'azurerm_role_assignment')).map((id) => `azurerm_role_assignment.${id}`);
    const storageEndpoints = Object.entries(resources(json, 'azurerm_private_endpoint'))
      .filter(([, p]) => p.private_service_connection.private_connection_resource_id === ref(json, 'azurerm_storage_account', 'id'))
      .map(([id]) => `azurerm_private_endpoint.${id}`);
    expect([...app.depends_on].sort()).toEqual([...roleIds, ...storageEndpoints].sort());
  });

  it('gets a sites private endpoint, the gateway way in', () => {
    const { json } = build();
    const sites = Object.values(resources(json, 'azurerm_private_endpoint')).filter(
      (p) => p.private_service_connection.subresource_names[0] === 'sites',
    );
    expect(sites).toHaveLength(1);
    expect(sites[0]).toMatchObject({
      name: 'pe-weather-sites',
      subnet_id: subnetId(json, 'snet-private-endpoints'),
      private_service_connection: { private_connection_resource_id: ref(json, 'azurerm_function_app_flex_consumption', 'id') },
    });
  });

  it('sends the app and storage logs and metrics to the workspace', () => {
    const { json } = build();
    const storageId = ref(json, 'azurerm_storage_account', 'id');
    const settings = Object.values(resources(json, 'azurerm_monitor_diagnostic_setting'));
    expect(settings.map((s) => s.target_resource_id).sort()).toEqual(
      [
        ref(json, 'azurerm_function_app_flex_consumption', 'id'),
        storageId,
        `${storageId}/blobServices/default`,
        `${storageId}/queueServices/default`,
      ].sort(),
    );
    for (const s of settings) expect(s.log_analytics_workspace_id).toBe(ref(json, 'azurerm_log_analytics_workspace', 'id'));
    // The account itself has no log categories, only metrics.
    const account = settings.find((s) => s.target_resource_id === storageId)!;
    expect(account.enabled_log ?? []).toEqual([]);
    expect(account.enabled_metric).toEqual([{ category: 'Transaction' }]);
  });
});

describe('FunctionMcpBackend key for the gateway', () => {
  it('creates the MCP extension system key, then reads it with listkeys as a sensitive value', () => {
    const { json } = build();
    const actions = resources(json, 'azapi_resource_action');
    const hostId = `${ref(json, 'azurerm_function_app_flex_consumption', 'id')}/host/default`;
    const [putId, put] = Object.entries(actions).find(([, a]) => a.method === 'PUT')!;
    expect(put).toEqual({
      type: 'Microsoft.Web/sites/host@2024-04-01',
      resource_id: hostId,
      action: 'systemKeys/mcp_extension',
      method: 'PUT',
      // No value: the host generates the key, so none is written in the plan.
      body: { properties: { name: 'mcp_extension' } },
    });
    const [, list] = Object.entries(actions).find(([, a]) => a.action === 'listkeys')!;
    expect(list).toEqual({
      type: 'Microsoft.Web/sites/host@2024-04-01',
      resource_id: hostId,
      action: 'listkeys',
      method: 'POST',
      sensitive_response_export_values: ['systemKeys.mcp_extension'],
      depends_on: [`azapi_resource_action.${putId}`],
    });
    // Neither the master key nor the whole response is kept.
    expect(JSON.stringify(actions)).not.toMatch(/masterKey|response_export_values"?: ?\["\*"\]/);
  });

  it('stores the key in Key Vault through the control plane, never as a literal', () => {
    const { json } = build();
    const [listId] = Object.entries(resources(json, 'azapi_resource_action')).find(([, a]) => a.action === 'listkeys')!;
    const keyRef = `azapi_resource_action.${listId}.sensitive_output.systemKeys.mcp_extension`;
    const [, secret] = only(json, 'azapi_resource');
    expect(secret).toEqual({
      type: 'Microsoft.KeyVault/vaults/secrets@2024-11-01',
      name: 'weather-mcp-extension-key',
      parent_id: ref(json, 'azurerm_key_vault', 'id'),
      body: { properties: { contentType: 'text/plain', attributes: { enabled: true } } },
      sensitive_body: { properties: { value: `\${${keyRef}}` } },
      // A new key (new app, rotation) changes the version, so the write-only value is sent again.
      sensitive_body_version: { 'properties.value': `\${sha256(${keyRef})}` },
      response_export_values: ['properties.secretUri'],
    });
  });

  it('hands the gateway the functions-key credential and the extension paths', () => {
    // A local resolves the endpoint's tokens into the references the gateway will write.
    const { json } = build({}, (backend, stack) => new TerraformLocal(stack, 'endpoint', backend.endpoint));
    const [secretId] = only(json, 'azapi_resource');
    expect(json.locals.endpoint).toEqual({
      name: 'weather',
      baseUrl: `https://${ref(json, 'azurerm_function_app_flex_consumption', 'default_hostname')}`,
      mcpPath: '/runtime/webhooks/mcp',
      ssePath: '/runtime/webhooks/mcp/sse',
      credential: { kind: 'functions-key', keyVaultSecretUri: `\${azapi_resource.${secretId}.output.properties.secretUri}` },
      resourceId: ref(json, 'azurerm_function_app_flex_consumption', 'id'),
    });
  });

  it('takes the secret name from props', () => {
    const { json } = build({ keySecretName: 'weather-key' });
    expect(only(json, 'azapi_resource')[1].name).toBe('weather-key');
  });

  it('adds no provider and no output of its own', () => {
    const { json } = build();
    expect(json.output).toBeUndefined();
    // Only the providers the test stack declared.
    expect(Object.keys(json.provider).sort()).toEqual(['azapi', 'azurerm', 'random']);
  });
});

describe('FunctionMcpBackend lock-down', () => {
  it('phase 1 keeps public access for deployment only: the main site refuses the internet, SCM accepts it', () => {
    const { json, backend } = build();
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    expect(backend.lockedDown).toBe(false);
    expect(app.public_network_access_enabled).toBe(true);
    expect(app.site_config.ip_restriction_default_action).toBe('Deny');
    expect(app.site_config.scm_ip_restriction_default_action).toBe('Allow');
    expect(app.site_config).not.toHaveProperty('scm_ip_restriction');
  });

  it('phase 1 narrows the deployment site to the deployer ranges when given', () => {
    const { json } = build({ deployerIpRanges: ['203.0.113.7/32', '198.51.100.0/24'] });
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    expect(app.site_config.scm_ip_restriction_default_action).toBe('Deny');
    expect(app.site_config.scm_ip_restriction).toEqual([
      expect.objectContaining({ ip_address: '203.0.113.7/32', action: 'Allow', priority: 100 }),
      expect.objectContaining({ ip_address: '198.51.100.0/24', action: 'Allow', priority: 101 }),
    ]);
  });

  it('phase 2 turns public network access off for the site and SCM', () => {
    const { json, backend } = build({ lockDown: true });
    const [, app] = only(json, 'azurerm_function_app_flex_consumption');
    expect(backend.lockedDown).toBe(true);
    expect(app.public_network_access_enabled).toBe(false);
    expect(app.site_config.ip_restriction_default_action).toBe('Deny');
    expect(app.site_config.scm_ip_restriction_default_action).toBe('Deny');
    expect(app.site_config).not.toHaveProperty('scm_ip_restriction');
    // The private endpoint stays: it is how the gateway gets in.
    expect(Object.values(resources(json, 'azurerm_private_endpoint')).some((p) => p.private_service_connection.subresource_names[0] === 'sites')).toBe(true);
  });

  it('refuses deployer ranges in phase 2 and ranges that are not CIDR blocks', () => {
    expect(bad({ lockDown: true, deployerIpRanges: ['203.0.113.7/32'] }).property).toBe('deployerIpRanges');
    expect(bad({ deployerIpRanges: ['203.0.113.7'] }).message).toContain('"203.0.113.7"');
    expect(bad({ deployerIpRanges: ['0.0.0.0/0'] }).message).toContain('"0.0.0.0/0"');
    expect(bad({ deployerIpRanges: [] }).property).toBe('deployerIpRanges');
  });
});

describe('FunctionMcpBackend two in one stack', () => {
  it('synthesizes two backends without name or id collisions', () => {
    const e = env();
    new FunctionMcpBackend(e.stack, 'Weather', props(e, { name: 'weather' }));
    new FunctionMcpBackend(e.stack, 'Tickets', props(e, { name: 'tickets', runtimeName: 'dotnet-isolated', runtimeVersion: '8.0' }));
    const { json } = synthesize(e.stack, true);
    for (const type of [
      'azurerm_function_app_flex_consumption',
      'azurerm_storage_account',
      'azurerm_service_plan',
      'azurerm_user_assigned_identity',
      'azurerm_private_endpoint',
      'azapi_resource',
    ]) {
      const names = Object.values(resources(json, type)).map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(Object.keys(resources(json, 'azurerm_function_app_flex_consumption'))).toHaveLength(2);
    expect(Object.keys(resources(json, 'random_string'))).toHaveLength(2); // one per backend
  });

  it('uses default names from the construct path when none is given', () => {
    const e = env();
    const a = new FunctionMcpBackend(e.stack, 'Weather', props(e, { name: undefined }));
    const b = new FunctionMcpBackend(e.stack, 'Tickets', props(e, { name: undefined }));
    expect(a.baseName).toMatch(/^func-weather-[0-9a-f]{6}$/);
    expect(b.baseName).toMatch(/^func-tickets-[0-9a-f]{6}$/);
    expect(() => Testing.synth(e.stack, true)).not.toThrow();
  });
});

describe('FunctionMcpBackend on an added apps subnet', () => {
  it('joins the subnet it is given, and refuses one delegated to App Service', () => {
    const e = env('AppService');
    const own = e.network.addAppsSubnet('weather', { backendKind: 'FlexConsumption' });
    const backend = new FunctionMcpBackend(e.stack, 'Weather', props(e, { subnet: own }));
    const { json } = synthesize(e.stack);
    const app = Object.values(resources(json, 'azurerm_function_app_flex_consumption'))[0];
    expect(app.virtual_network_subnet_id).toBe(subnetId(json, 'snet-apps-weather'));
    expect(backend.endpoint.mcpPath).toBe('/runtime/webhooks/mcp');
    const web = e.network.addAppsSubnet('web', { backendKind: 'AppService' });
    expect(() => new FunctionMcpBackend(e.stack, 'Wrong', props(e, { subnet: web }))).toThrow(
      /TestStack\/Wrong: invalid subnet "AppService": an apps subnet of kind 'FlexConsumption'/,
    );
  });
});

describe('FunctionMcpBackend validation', () => {
  it('refuses a network built for App Service, naming its kind', () => {
    const error = bad({}, 'AppService');
    expect(error.property).toBe('network');
    expect(error.message).toContain('"AppService"');
    expect(error.message).toContain('Microsoft.App/environments');
  });

  it.each<[Partial<FunctionMcpBackendProps>, string, string]>([
    [{ runtimeName: 'powershell' as never, runtimeVersion: '7.4' }, 'runtimeName', '"powershell"'],
    [{ runtimeName: 'node', runtimeVersion: '18' }, 'runtimeVersion', '"18"'],
    [{ runtimeName: 'python', runtimeVersion: '3.9' }, 'runtimeVersion', '"3.9"'],
    [{ runtimeName: 'dotnet-isolated', runtimeVersion: '6.0' }, 'runtimeVersion', '"6.0"'],
    [{ instanceMemoryMb: 1024 }, 'instanceMemoryMb', '1024'],
    [{ maximumInstanceCount: 0 }, 'maximumInstanceCount', '0'],
    [{ storageReplicationType: 'PREMIUM' as never }, 'storageReplicationType', '"PREMIUM"'],
  ])('refuses %j', (extra, property, shown) => {
    const error = bad(extra);
    expect(error.property).toBe(property);
    expect(error.message).toContain(shown);
  });

  it('lists the documented runtime versions in the error', () => {
    expect(bad({ runtimeName: 'node', runtimeVersion: '18' }).message).toContain(FLEX_RUNTIMES.node.join(', '));
  });

  it.each<[Partial<FunctionMcpBackendProps>, string, string]>([
    [{ name: 'Weather' }, 'name', 'lower-case letters, digits and hyphens'],
    [{ name: 'w'.repeat(54) }, 'name', '1-53 characters'],
    [{ name: 'w'.repeat(61), uniqueSuffix: false }, 'name', '2-60 characters'],
    [{ name: '-weather' }, 'name', 'start with a letter or digit'],
    [{ storageAccountName: 'St-Weather' }, 'storageAccountName', 'lower-case letters and digits'],
    [{ storageAccountName: 's'.repeat(19) }, 'storageAccountName', '1-18 characters'],
    [{ storageAccountName: 'st', uniqueSuffix: false }, 'storageAccountName', '3-24 characters'],
    [{ keySecretName: 'bad_name' }, 'keySecretName', 'letters, digits and hyphens'],
  ])('refuses the name in %j', (extra, property, accepted) => {
    const error = bad(extra);
    expect(error.property).toBe(property);
    expect(error.message).toContain(accepted);
    expect(error.message).toContain(JSON.stringify(Object.values(extra)[0]));
  });

  it('refuses a name that is a token: it names the endpoint and the private endpoints', () => {
    const e = env();
    const token = e.network.virtualNetworkName;
    expect(() => new FunctionMcpBackend(e.stack, 'Bad', props(e, { name: token }))).toThrow(/TestStack\/Bad: invalid name/);
  });

  it('refuses app settings the construct owns and values that look like credentials, without echoing them', () => {
    expect(bad({ appSettings: { AzureWebJobsStorage__accountName: 'x' } }).message).toContain('"AzureWebJobsStorage__accountName"');
    expect(bad({ appSettings: { FUNCTIONS_WORKER_RUNTIME: 'node' } }).property).toBe('appSettings');
    // App Service setting names allow letters, digits, "." and "_" only.
    expect(bad({ appSettings: { 'MCP-NAME': 'weather' } }).message).toContain('"MCP-NAME"');
    const leaked = 'DefaultEndpointsProtocol=https;AccountName=x;AccountKey=c2VjcmV0';
    const error = bad({ appSettings: { BLOBS: leaked } });
    expect(error.property).toBe('appSettings.BLOBS');
    expect(error.message).not.toContain('c2VjcmV0');
  });
});

describe('FunctionMcpBackend snapshot', () => {
  it('matches the reviewed plan (complements the assertions above)', () => {
    const { text } = build({ tags: { env: 'test' }, deployerIpRanges: ['203.0.113.7/32'] });
    expect(text).toMatchSnapshot();
  });
});
