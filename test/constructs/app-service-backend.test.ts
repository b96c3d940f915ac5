import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { LinuxWebApp } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { Testing, TerraformLocal, TerraformStack } from 'cdktf';
import { APP_SERVICE_SKUS, AppServiceMcpBackend, AppServiceMcpBackendProps, FunctionMcpBackend } from '../../lib/constructs/backends';
import { McpEntraApp } from '../../lib/constructs/entra';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { McpKeyVault } from '../../lib/constructs/key-vault';
import { McpMonitoring } from '../../lib/constructs/monitoring';
import { BackendKind, McpNetwork } from '../../lib/constructs/network';
import { Json, RG, Synthesized, only, ref, refused, resources, subnetId, synthesize, testStack } from '../support/constructs';

const TENANT = '11111111-2222-3333-4444-555555555555';
const GATEWAY = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';
const OTHER_GATEWAY = '9a1f3c52-7d64-4a8e-b0b5-1c2d3e4f5a6b';

interface Env {
  readonly stack: TerraformStack;
  readonly network: McpNetwork;
  readonly keyVault: McpKeyVault;
  readonly monitoring: McpMonitoring;
  readonly entraApp: McpEntraApp;
}

function env(backendKind: BackendKind = 'AppService'): Env {
  const stack = testStack('azurerm', 'azapi', 'random', 'azuread');
  const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'StandardV2', backendKind });
  // No suffix on the vault: the only random_string is then the backend's.
  const keyVault = new McpKeyVault(stack, 'Vault', { resourceGroup: RG, network, name: 'kv-mcp', tenantId: TENANT, uniqueSuffix: false });
  const monitoring = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
  const entraApp = new McpEntraApp(stack, 'TicketsApi', { displayName: 'Tickets MCP', tenantId: TENANT });
  return { stack, network, keyVault, monitoring, entraApp };
}

function props(e: Env, extra: Partial<AppServiceMcpBackendProps> = {}): AppServiceMcpBackendProps {
  return {
    resourceGroup: RG,
    network: e.network,
    monitoring: e.monitoring,
    entraApp: e.entraApp,
    runtimeName: 'node',
    runtimeVersion: '22-lts',
    name: 'tickets',
    allowedGatewayPrincipalIds: [GATEWAY],
    ...extra,
  };
}

function build(
  extra: Partial<AppServiceMcpBackendProps> | ((e: Env) => Partial<AppServiceMcpBackendProps>) = {},
  after?: (backend: AppServiceMcpBackend, e: Env) => void,
): Synthesized & { backend: AppServiceMcpBackend } {
  const e = env();
  const backend = new AppServiceMcpBackend(e.stack, 'Tickets', props(e, typeof extra === 'function' ? extra(e) : extra));
  after?.(backend, e);
  // Validations on: the providers must be in the stack and Easy Auth must allow the gateway.
  return { ...synthesize(e.stack, true), backend };
}

function app(json: Json): Json {
  return only(json, 'azurerm_linux_web_app')[1];
}

function sitesEndpoints(json: Json): Json[] {
  return Object.values(resources(json, 'azurerm_private_endpoint')).filter((p) => p.private_service_connection.subresource_names[0] === 'sites');
}

/** A backend that fails validation in its constructor; the error must name the construct path, and nothing may exist under it. */
function bad(
  extra: Partial<AppServiceMcpBackendProps> | ((e: Env) => Partial<AppServiceMcpBackendProps>),
  backendKind: BackendKind = 'AppService',
): ConstructValidationError {
  const e = env(backendKind);
  return refused(e.stack, 'Bad', () => new AppServiceMcpBackend(e.stack, 'Bad', props(e, typeof extra === 'function' ? extra(e) : extra)));
}

describe('AppServiceMcpBackend plan and app', () => {
  it('puts the app on a Linux P1v3 plan by default', () => {
    const { text, json } = build();
    expect(text).toHaveResourceWithProperties(ServicePlan, { os_type: 'Linux', sku_name: 'P1v3' });
    expect(app(json).service_plan_id).toBe(ref(json, 'azurerm_service_plan', 'id'));
  });

  it('takes another SKU that supports VNet integration and private endpoints', () => {
    const { text } = build({ skuName: 'B1' });
    expect(text).toHaveResourceWithProperties(ServicePlan, { sku_name: 'B1' });
  });

  it('hardens the web app: system identity, HTTPS only, no basic-auth publishing, no client certificates', () => {
    const { text } = build();
    expect(text).toHaveResourceWithProperties(LinuxWebApp, {
      identity: { type: 'SystemAssigned' },
      https_only: true,
      ftp_publish_basic_authentication_enabled: false,
      webdeploy_publish_basic_authentication_enabled: false,
      client_certificate_enabled: false,
    });
  });

  it('sets the secure site config: TLS 1.2, FTPS off, HTTP/2, always on, health check, no remote debugging', () => {
    const { json } = build({ startupCommand: 'node dist/server.js' });
    expect(app(json).site_config).toEqual({
      application_stack: { node_version: '22-lts' },
      app_command_line: 'node dist/server.js',
      always_on: true,
      http2_enabled: true,
      ftps_state: 'Disabled',
      minimum_tls_version: '1.2',
      scm_minimum_tls_version: '1.2',
      remote_debugging_enabled: false,
      health_check_path: '/healthz',
      health_check_eviction_time_in_min: 10,
      vnet_route_all_enabled: true,
      ip_restriction_default_action: 'Deny',
      scm_ip_restriction_default_action: 'Allow',
      scm_use_main_ip_restriction: false,
    });
  });

  it.each<[AppServiceMcpBackendProps['runtimeName'], string, Json]>([
    ['python', '3.12', { python_version: '3.12' }],
    ['dotnet', '8.0', { dotnet_version: '8.0' }],
  ])('maps the %s runtime to its application stack', (runtimeName, runtimeVersion, stack) => {
    const { json } = build({ runtimeName, runtimeVersion });
    expect(app(json).site_config.application_stack).toEqual(stack);
  });

  it('takes the health check path and eviction time from props', () => {
    const { json } = build({ healthCheckPath: '/health/ready', healthCheckEvictionTimeInMin: 2 });
    expect(app(json).site_config).toMatchObject({ health_check_path: '/health/ready', health_check_eviction_time_in_min: 2 });
  });

  it('joins the delegated apps subnet with all outbound traffic routed through it', () => {
    const { json } = build();
    expect(app(json).virtual_network_subnet_id).toBe(subnetId(json, 'snet-apps'));
    expect(app(json).site_config.vnet_route_all_enabled).toBe(true);
    const apps = Object.values(resources(json, 'azurerm_subnet')).find((s) => s.name === 'snet-apps')!;
    expect(apps.delegation[0].service_delegation.name).toBe('Microsoft.Web/serverFarms');
  });

  it('gets a sites private endpoint, the gateway way in', () => {
    const { json } = build();
    // The vault's endpoint is in the stack too.
    const endpoints = sitesEndpoints(json);
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      name: 'pe-tickets-sites',
      subnet_id: subnetId(json, 'snet-private-endpoints'),
      private_service_connection: {
        private_connection_resource_id: ref(json, 'azurerm_linux_web_app', 'id'),
        subresource_names: ['sites'],
      },
    });
  });

  it('sends the app and plan telemetry to the workspace and publishes traces with Entra', () => {
    const { json } = build();
    const settings = Object.values(resources(json, 'azurerm_monitor_diagnostic_setting'));
    expect(settings.map((s) => s.target_resource_id).sort()).toEqual(
      [ref(json, 'azurerm_linux_web_app', 'id'), ref(json, 'azurerm_service_plan', 'id')].sort(),
    );
    const appSettings = app(json).app_settings;
    expect(appSettings.APPLICATIONINSIGHTS_CONNECTION_STRING).toBe(ref(json, 'azurerm_application_insights', 'connection_string'));
    expect(appSettings.APPLICATIONINSIGHTS_AUTHENTICATION_STRING).toBe('Authorization=AAD');
  });
});

describe('AppServiceMcpBackend roles', () => {
  it('grants the app identity Monitoring Metrics Publisher on Application Insights and nothing else without secrets', () => {
    const { json } = build();
    const assignments = Object.values(resources(json, 'azurerm_role_assignment'));
    expect(assignments).toEqual([
      {
        role_definition_name: 'Monitoring Metrics Publisher',
        scope: ref(json, 'azurerm_application_insights', 'id'),
        principal_id: `\${azurerm_linux_web_app.${only(json, 'azurerm_linux_web_app')[0]}.identity[0].principal_id}`,
        principal_type: 'ServicePrincipal',
      },
    ]);
  });

  it('reads secrets through Key Vault references and grants Key Vault Secrets User on that vault only', () => {
    const { json, backend } = build((e) => ({
      keyVault: e.keyVault,
      secretSettings: {
        TICKETS_API_KEY: e.keyVault.addSecret('tickets-api-key', { generate: { length: 48 } }),
        UPSTREAM_TOKEN: 'https://kv-mcp.vault.azure.net/secrets/upstream-token',
      },
      appSettings: { LOG_LEVEL: 'info' },
    }));
    const [secretId] = only(json, 'azapi_resource');
    const settings = app(json).app_settings;
    expect(settings.TICKETS_API_KEY).toBe(`@Microsoft.KeyVault(SecretUri=\${azapi_resource.${secretId}.output.properties.secretUri})`);
    expect(settings.UPSTREAM_TOKEN).toBe('@Microsoft.KeyVault(SecretUri=https://kv-mcp.vault.azure.net/secrets/upstream-token)');
    expect(settings.LOG_LEVEL).toBe('info');
    const principal = `\${azurerm_linux_web_app.${only(json, 'azurerm_linux_web_app')[0]}.identity[0].principal_id}`;
    const kv = Object.values(resources(json, 'azurerm_role_assignment')).filter((a) => a.role_definition_name === 'Key Vault Secrets User');
    expect(kv).toEqual([
      { role_definition_name: 'Key Vault Secrets User', scope: ref(json, 'azurerm_key_vault', 'id'), principal_id: principal, principal_type: 'ServicePrincipal' },
    ]);
    expect(backend.secretsRoleAssignment).toBeDefined();
  });

  it('writes no secret value into app settings: every non-reference value is one we know', () => {
    const { json } = build((e) => ({
      keyVault: e.keyVault,
      secretSettings: { TICKETS_API_KEY: e.keyVault.addSecret('tickets-api-key', { generate: { length: 48 } }) },
    }));
    const settings: Record<string, string> = app(json).app_settings;
    for (const [name, value] of Object.entries(settings)) {
      if (value.startsWith('@Microsoft.KeyVault(')) continue;
      expect(['APPLICATIONINSIGHTS_CONNECTION_STRING', 'APPLICATIONINSIGHTS_AUTHENTICATION_STRING', 'WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES']).toContain(name);
    }
    // The generated value is only referenced, never inlined.
    expect(JSON.stringify(settings)).not.toContain('random_password');
  });
});

describe('AppServiceMcpBackend Easy Auth', () => {
  it('requires an Entra token from an allowed identity and answers 401, with no token store', () => {
    const { json } = build();
    const clientId = ref(json, 'azuread_application', 'client_id');
    expect(app(json).auth_settings_v2).toEqual({
      auth_enabled: true,
      require_authentication: true,
      unauthenticated_action: 'Return401',
      require_https: true,
      active_directory_v2: {
        client_id: clientId,
        tenant_auth_endpoint: `https://login.microsoftonline.com/${TENANT}/v2.0`,
        allowed_audiences: [clientId, `api://${clientId}`],
        allowed_identities: [GATEWAY],
      },
      login: { token_store_enabled: false },
    });
  });

  it('publishes the Entra app scopes as protected-resource metadata', () => {
    const { json } = build();
    const clientId = ref(json, 'azuread_application', 'client_id');
    expect(app(json).app_settings.WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES).toBe(`api://${clientId}/mcp.tools`);
  });

  it('joins given scopes with commas', () => {
    const { json } = build({ protectedResourceScopes: ['api://tickets/mcp.tools', 'api://tickets/mcp.admin'] });
    expect(app(json).app_settings.WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES).toBe('api://tickets/mcp.tools,api://tickets/mcp.admin');
  });

  it('adds gateways allowed after construction, once each', () => {
    const { json } = build({ allowedGatewayPrincipalIds: undefined }, (backend) => {
      backend.allowGateway(GATEWAY).allowGateway(OTHER_GATEWAY).allowGateway(GATEWAY);
    });
    expect(app(json).auth_settings_v2.active_directory_v2.allowed_identities).toEqual([GATEWAY, OTHER_GATEWAY]);
  });

  it('refuses to synthesize while Easy Auth allows nobody, naming the construct', () => {
    const e = env();
    new AppServiceMcpBackend(e.stack, 'Tickets', props(e, { allowedGatewayPrincipalIds: undefined }));
    // Without an allowed identity any principal with a token for the app would get in.
    expect(() => Testing.synth(e.stack, true)).toThrow(/TestStack\/Tickets: invalid allowGateway \[\]/);
  });

  it('refuses an Entra app that is missing, Easy Auth or not', () => {
    const missing = undefined as unknown as McpEntraApp;
    const withAuth = bad({ entraApp: missing });
    expect(withAuth.property).toBe('entraApp');
    expect(withAuth.message).toContain('Easy Auth');
    const withoutAuth = bad({ entraApp: missing, easyAuth: false, allowedGatewayPrincipalIds: undefined });
    expect(withoutAuth.property).toBe('entraApp');
    expect(withoutAuth.message).toContain('managed-identity token');
  });

  it('leaves Easy Auth and the metadata out when turned off, and refuses what only Easy Auth enforces', () => {
    const { json, backend } = build({ easyAuth: false, allowedGatewayPrincipalIds: undefined });
    expect(app(json)).not.toHaveProperty('auth_settings_v2');
    expect(app(json).app_settings).not.toHaveProperty('WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES');
    expect(() => backend.allowGateway(GATEWAY)).toThrow(/TestStack\/Tickets: invalid allowGateway/);
    expect(bad({ easyAuth: false }).property).toBe('allowedGatewayPrincipalIds');
    expect(bad({ easyAuth: false, allowedGatewayPrincipalIds: undefined, protectedResourceScopes: ['x'] }).property).toBe('protectedResourceScopes');
  });

  it('refuses an allowed identity that is not a GUID and scopes it cannot publish', () => {
    expect(bad({ allowedGatewayPrincipalIds: ['gateway'] }).message).toContain('"gateway"');
    expect(bad({ protectedResourceScopes: ['a,b'] }).property).toBe('protectedResourceScopes');
    expect(bad({ protectedResourceScopes: [] }).property).toBe('protectedResourceScopes');
  });

  it('refuses to default the metadata scopes from an Entra app without delegated scopes', () => {
    const error = bad((e) => ({
      entraApp: new McpEntraApp(e.stack, 'RolesOnly', {
        displayName: 'Roles only',
        tenantId: TENANT,
        scopes: [],
        appRoles: [{ value: 'mcp.invoke', displayName: 'Invoke', description: 'Invoke MCP tools' }],
      }),
    }));
    expect(error.property).toBe('protectedResourceScopes');
    expect(error.message).toContain('[]');
  });
});

describe('AppServiceMcpBackend gateway endpoint', () => {
  it('hands the gateway a managed-identity credential for the Entra audience and the MCP path', () => {
    const { json } = build({}, (backend, e) => new TerraformLocal(e.stack, 'endpoint', backend.endpoint));
    expect(json.locals.endpoint).toEqual({
      name: 'tickets',
      baseUrl: `https://${ref(json, 'azurerm_linux_web_app', 'default_hostname')}`,
      mcpPath: '/mcp',
      credential: { kind: 'managed-identity', audience: ref(json, 'azuread_application', 'client_id') },
      resourceId: ref(json, 'azurerm_linux_web_app', 'id'),
    });
  });

  it('takes the MCP and SSE paths from props', () => {
    const { backend } = build({ mcpPath: '/api/mcp', ssePath: '/api/sse' });
    expect(backend.endpoint.mcpPath).toBe('/api/mcp');
    expect(backend.endpoint.ssePath).toBe('/api/sse');
  });
});

describe('AppServiceMcpBackend lock-down', () => {
  it('phase 1 keeps public access for deployment only: the main site refuses the internet, SCM accepts it', () => {
    const { json, backend } = build();
    expect(backend.lockedDown).toBe(false);
    expect(app(json).public_network_access_enabled).toBe(true);
    expect(app(json).site_config).toMatchObject({ ip_restriction_default_action: 'Deny', scm_ip_restriction_default_action: 'Allow' });
    expect(app(json).site_config).not.toHaveProperty('scm_ip_restriction');
  });

  it('phase 1 narrows the deployment site to the deployer ranges when given', () => {
    const { json } = build({ deployerIpRanges: ['203.0.113.7/32'] });
    expect(app(json).site_config.scm_ip_restriction_default_action).toBe('Deny');
    expect(app(json).site_config.scm_ip_restriction).toEqual([
      { name: 'deployer-1', ip_address: '203.0.113.7/32', action: 'Allow', priority: 100, description: 'Code deployment from a workstation before lockDown' },
    ]);
  });

  it('phase 2 turns public network access off for the site and SCM, keeping the private endpoint', () => {
    const { json, backend } = build({ lockDown: true });
    expect(backend.lockedDown).toBe(true);
    expect(app(json).public_network_access_enabled).toBe(false);
    expect(app(json).site_config).toMatchObject({ ip_restriction_default_action: 'Deny', scm_ip_restriction_default_action: 'Deny' });
    expect(app(json).site_config).not.toHaveProperty('scm_ip_restriction');
    expect(sitesEndpoints(json)).toHaveLength(1);
  });

  it('refuses deployer ranges in phase 2', () => {
    const error = bad({ lockDown: true, deployerIpRanges: ['203.0.113.7/32'] });
    expect(error.property).toBe('deployerIpRanges');
    expect(error.message).toContain('lockDown: true');
  });
});

describe('AppServiceMcpBackend two in one stack', () => {
  it('synthesizes two backends without name or id collisions', () => {
    const e = env();
    new AppServiceMcpBackend(e.stack, 'Tickets', props(e, { name: 'tickets' }));
    const second = new McpEntraApp(e.stack, 'WikiApi', { displayName: 'Wiki MCP', tenantId: TENANT });
    new AppServiceMcpBackend(e.stack, 'Wiki', props(e, { name: 'wiki', entraApp: second, runtimeName: 'python', runtimeVersion: '3.12' }));
    const { json } = synthesize(e.stack, true);
    for (const type of ['azurerm_linux_web_app', 'azurerm_service_plan', 'azurerm_private_endpoint', 'azurerm_monitor_diagnostic_setting']) {
      const names = Object.values(resources(json, type)).map((r) => `${r.name}|${r.target_resource_id ?? ''}`);
      expect(new Set(names).size).toBe(names.length);
    }
    expect(Object.keys(resources(json, 'azurerm_linux_web_app'))).toHaveLength(2);
  });
});

describe('Backends of both kinds in one stack', () => {
  it('synthesizes two Function and two App Service backends without name or id collisions', () => {
    const e = env();
    const flex = new McpNetwork(e.stack, 'FlexNetwork', { resourceGroup: RG, gatewayTier: 'StandardV2', backendKind: 'FlexConsumption' });
    const common = { resourceGroup: RG, network: flex, keyVault: e.keyVault, monitoring: e.monitoring };
    new FunctionMcpBackend(e.stack, 'Weather', { ...common, name: 'weather', runtimeName: 'node', runtimeVersion: '22' });
    new FunctionMcpBackend(e.stack, 'Forecast', { ...common, runtimeName: 'python', runtimeVersion: '3.12' });
    new AppServiceMcpBackend(e.stack, 'Tickets', props(e, { name: 'tickets' }));
    const wikiApi = new McpEntraApp(e.stack, 'WikiApi', { displayName: 'Wiki MCP', tenantId: TENANT });
    new AppServiceMcpBackend(e.stack, 'Wiki', props(e, { name: undefined, entraApp: wikiApi }));
    const { json } = synthesize(e.stack, true);
    // Azure names are unique per type within their parent (resource group, network, NSG, zone, target resource).
    const parent = (r: Json) =>
      r.target_resource_id ?? r.parent_id ?? r.storage_account_id ?? r.network_security_group_name ?? r.virtual_network_name ?? r.private_dns_zone_name ?? r.resource_group_name ?? '';
    for (const [type, all] of Object.entries(json.resource as Record<string, Record<string, Json>>)) {
      const keys = Object.values(all)
        .filter((r) => typeof r.name === 'string')
        .map((r) => `${r.name}|${parent(r)}`);
      expect({ type, duplicates: keys.filter((k, i) => keys.indexOf(k) !== i) }).toEqual({ type, duplicates: [] });
    }
    expect(Object.keys(resources(json, 'azurerm_function_app_flex_consumption'))).toHaveLength(2);
    expect(Object.keys(resources(json, 'azurerm_linux_web_app'))).toHaveLength(2);
  });
});

describe('AppServiceMcpBackend on an added apps subnet', () => {
  it('joins the subnet it is given (one plan per integration subnet), and refuses a Flex one', () => {
    const e = env('FlexConsumption');
    const own = e.network.addAppsSubnet('web', { backendKind: 'AppService' });
    new AppServiceMcpBackend(e.stack, 'Web', props(e, { subnet: own }));
    const { json } = synthesize(e.stack);
    const app = Object.values(resources(json, 'azurerm_linux_web_app'))[0];
    expect(app.virtual_network_subnet_id).toBe(subnetId(json, 'snet-apps-web'));
    const flex = e.network.addAppsSubnet('flex', { backendKind: 'FlexConsumption' });
    expect(() => new AppServiceMcpBackend(e.stack, 'Wrong', props(e, { subnet: flex }))).toThrow(
      /TestStack\/Wrong: invalid subnet "FlexConsumption": an apps subnet of kind 'AppService'/,
    );
  });
});

describe('AppServiceMcpBackend validation', () => {
  it('refuses a network built for Flex Consumption, naming its kind', () => {
    const error = bad({}, 'FlexConsumption');
    expect(error.property).toBe('network');
    expect(error.message).toContain('"FlexConsumption"');
    expect(error.message).toContain('Microsoft.Web/serverFarms');
  });

  it.each(['F1', 'D1', 'Y1', 'EP1', 'FC1', 'I1v2', 'WS1'])('refuses the %s SKU, listing the accepted ones', (sku) => {
    const error = bad({ skuName: sku as never });
    expect(error.property).toBe('skuName');
    expect(error.message).toContain(`"${sku}"`);
    expect(error.message).toContain(APP_SERVICE_SKUS.join(', '));
  });

  it.each<[Partial<AppServiceMcpBackendProps>, string, string]>([
    [{ runtimeName: 'java' as never }, 'runtimeName', '"java"'],
    [{ runtimeName: 'node', runtimeVersion: '22' }, 'runtimeVersion', '"22"'],
    [{ healthCheckPath: 'healthz' }, 'healthCheckPath', '"healthz"'],
    [{ healthCheckEvictionTimeInMin: 11 }, 'healthCheckEvictionTimeInMin', '11'],
    [{ mcpPath: '/mcp?x=1' }, 'mcpPath', '"/mcp?x=1"'],
    [{ ssePath: '/mcp' }, 'ssePath', '"/mcp"'],
    [{ name: 'Tickets' }, 'name', '"Tickets"'],
    [{ name: 't'.repeat(54) }, 'name', '1-53 characters'],
    [{ name: 't'.repeat(61), uniqueSuffix: false }, 'name', '2-60 characters'],
    [{ name: 'tickets-' }, 'name', 'end with a letter or digit'],
    [{ appSettings: { WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES: 'x' } }, 'appSettings', '"WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES"'],
  ])('refuses %j', (extra, property, shown) => {
    const error = bad(extra);
    expect(error.property).toBe(property);
    expect(error.message).toContain(shown);
  });

  it('refuses a credential in plain app settings without echoing it', () => {
    const error = bad({ appSettings: { DB: 'Server=db;User Id=mcp;Password=hunter2' } });
    expect(error.property).toBe('appSettings.DB');
    expect(error.message).not.toContain('hunter2');
    expect(error.message).toContain('secretSettings');
  });

  it('refuses secret settings without their vault, a vault without secret settings, and a secret of another vault', () => {
    expect(bad((e) => ({ secretSettings: { K: e.keyVault.addSecret('k', { value: 'from-a-variable' }) } })).property).toBe('keyVault');
    expect(bad((e) => ({ keyVault: e.keyVault })).property).toBe('keyVault');
    const error = bad((e) => {
      const other = new McpKeyVault(e.stack, 'OtherVault', { resourceGroup: RG, network: e.network, name: 'kv-other', tenantId: TENANT, uniqueSuffix: false });
      return { keyVault: e.keyVault, secretSettings: { K: other.addSecret('k', { value: 'from-a-variable' }) } };
    });
    expect(error.property).toBe('secretSettings.K');
    expect(error.message).toContain('TestStack/OtherVault');
  });

  it('refuses a secret setting that is neither a secret nor a secret URI, and one that repeats an app setting', () => {
    expect(bad((e) => ({ keyVault: e.keyVault, secretSettings: { K: 'hunter2' } })).property).toBe('secretSettings.K');
    const error = bad((e) => ({
      keyVault: e.keyVault,
      appSettings: { K: 'plain' },
      secretSettings: { K: 'https://kv-mcp.vault.azure.net/secrets/k' },
    }));
    expect(error.property).toBe('secretSettings');
  });
});

describe('AppServiceMcpBackend snapshot', () => {
  it('matches the reviewed plan (complements the assertions above)', () => {
    const { text } = build((e) => ({
      tags: { env: 'test' },
      keyVault: e.keyVault,
      secretSettings: { TICKETS_API_KEY: e.keyVault.addSecret('tickets-api-key', { generate: { length: 48 } }) },
    }));
    expect(text).toMatchSnapshot();
  });
});
