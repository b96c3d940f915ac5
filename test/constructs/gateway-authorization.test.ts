/**
 * McpGateway.addMcpServer with backend constructs: the gateway authorizes its own identity on each backend
 * (`authorizeGateway`), so a direct McpGateway + AppServiceMcpBackend / FunctionMcpBackend needs no manual step.
 */
import { TerraformStack } from 'cdktf';
import { AppServiceMcpBackend, FunctionMcpBackend } from '../../lib/constructs/backends';
import { GATEWAY_APP_ROLE, McpEntraApp, McpEntraAppProps } from '../../lib/constructs/entra';
import { McpGateway } from '../../lib/constructs/gateway';
import { Json, Neighbours, RG, TENANT, caught, gatewayProps, neighbours, newStack, ref, resources } from './gateway-fixtures';
import { synthesize } from '../support/constructs';

interface Env {
  readonly stack: TerraformStack;
  readonly n: Neighbours;
  readonly gateway: McpGateway;
}

function env(): Env {
  const stack = newStack();
  const n = neighbours(stack);
  const gateway = new McpGateway(stack, 'Gateway', gatewayProps(n));
  return { stack, n, gateway };
}

function ticketsApi(e: Env, id = 'TicketsApi', props: Partial<McpEntraAppProps> = {}): McpEntraApp {
  return new McpEntraApp(e.stack, id, { displayName: 'Tickets MCP', tenantId: TENANT, appRoles: [GATEWAY_APP_ROLE], ...props });
}

function appService(e: Env, name: string, entraApp: McpEntraApp): AppServiceMcpBackend {
  const network = e.n.network!;
  return new AppServiceMcpBackend(e.stack, name, {
    resourceGroup: RG,
    network,
    subnet: network.addAppsSubnet(name.toLowerCase(), { backendKind: 'AppService' }),
    monitoring: e.n.monitoring,
    entraApp,
    runtimeName: 'node',
    runtimeVersion: '22-lts',
    name: name.toLowerCase(),
  });
}

function functions(e: Env, name: string): FunctionMcpBackend {
  const network = e.n.network!;
  return new FunctionMcpBackend(e.stack, name, {
    resourceGroup: RG,
    network,
    subnet: network.addAppsSubnet(name.toLowerCase(), { backendKind: 'FlexConsumption' }),
    keyVault: e.n.keyVault,
    monitoring: e.n.monitoring,
    runtimeName: 'node',
    runtimeVersion: '22',
    name: name.toLowerCase(),
  });
}

const gatewayIdentity = (json: Json) => ref(json, 'azurerm_api_management', 'identity[0].principal_id');

function allowedIdentities(json: Json, appName: string): unknown {
  const app = Object.values(resources(json, 'azurerm_linux_web_app')).find((a) => a.name.startsWith(appName));
  return app?.auth_settings_v2.active_directory_v2.allowed_identities;
}

function vaultReaders(json: Json): Json[] {
  return Object.values(resources(json, 'azurerm_role_assignment')).filter((r) => r.role_definition_name === 'Key Vault Secrets User');
}

describe('McpGateway with an AppServiceMcpBackend', () => {
  it("lets the gateway's identity through Easy Auth and assigns it the gateway role, once", () => {
    const e = env();
    const api = ticketsApi(e);
    const tickets = appService(e, 'Tickets', api);
    // Two servers on one backend, and a second backend sharing the Entra app: still one assignment.
    e.gateway.addMcpServer('tickets', { backend: tickets });
    e.gateway.addMcpServer('tickets-http', { backend: tickets, apiType: 'http' });
    const wiki = appService(e, 'Wiki', api);
    e.gateway.addMcpServer('wiki', { backend: wiki });
    // Validations on: Easy Auth must have an allowed identity without allowGateway being called by hand.
    const { json } = synthesize(e.stack, true);

    expect(allowedIdentities(json, 'tickets')).toEqual([gatewayIdentity(json)]);
    expect(allowedIdentities(json, 'wiki')).toEqual([gatewayIdentity(json)]);
    expect(Object.values(resources(json, 'azuread_app_role_assignment'))).toEqual([
      expect.objectContaining({
        app_role_id: api.appRoleIds[GATEWAY_APP_ROLE.value],
        principal_object_id: gatewayIdentity(json),
        resource_object_id: ref(json, 'azuread_service_principal', 'object_id'),
      }),
    ]);
    expect(tickets.gatewayAppRoleAssignments).toHaveLength(1);
    expect(wiki.gatewayAppRoleAssignments).toEqual(tickets.gatewayAppRoleAssignments);
  });

  it('authorizes nothing for a bare endpoint: Easy Auth then has nobody allowed and synthesis says so', () => {
    const e = env();
    const tickets = appService(e, 'Tickets', ticketsApi(e));
    e.gateway.addMcpServer('tickets', { backend: tickets.endpoint });
    expect(() => synthesize(e.stack, true)).toThrow(/Tickets: invalid allowGateway \[\]/);
    expect(Object.keys(resources(synthesize(e.stack).json, 'azuread_app_role_assignment'))).toEqual([]);
  });

  it('refuses an Entra app without the gateway role, naming the app and the backend', () => {
    const e = env();
    const api = ticketsApi(e, 'NoGatewayRole', { appRoles: [{ value: 'mcp.agent', displayName: 'Agent', description: 'App-only callers' }] });
    const tickets = appService(e, 'Tickets', api);
    const error = caught(() => e.gateway.addMcpServer('tickets', { backend: tickets }));
    expect(error.constructPath).toBe('TestStack/NoGatewayRole');
    expect(error.property).toBe('appRoles');
    expect(error.message).toContain('invalid appRoles ["mcp.agent"]');
    expect(error.message).toContain('includes GATEWAY_APP_ROLE ("mcp.gateway"): add it to the app\'s appRoles');
    expect(error.message).toContain('TestStack/Tickets');
    // The server that could not be authorized leaves nothing behind.
    expect(e.gateway.mcpServer('tickets')).toBeUndefined();
    expect(e.gateway.node.tryFindChild('McpServer-tickets')).toBeUndefined();
  });

  it('makes no assignment when the Entra app does not require one', () => {
    const e = env();
    const tickets = appService(e, 'Tickets', ticketsApi(e, 'OpenApi', { appRoles: undefined, appRoleAssignmentRequired: false }));
    e.gateway.addMcpServer('tickets', { backend: tickets });
    const { json } = synthesize(e.stack, true);
    expect(allowedIdentities(json, 'tickets')).toEqual([gatewayIdentity(json)]);
    expect(Object.keys(resources(json, 'azuread_app_role_assignment'))).toEqual([]);
  });
});

describe('McpGateway with a FunctionMcpBackend', () => {
  it("grants the gateway's identity Key Vault read once (the named value's grant and authorizeGateway are one assignment)", () => {
    const e = env();
    const weather = functions(e, 'Weather');
    e.gateway.addMcpServer('weather', { backend: weather });
    e.gateway.addMcpServer('weather-http', { backend: weather, apiType: 'http' });
    weather.authorizeGateway({ principalId: e.gateway.principalId, principalType: 'ServicePrincipal' });
    const { json } = synthesize(e.stack, true);
    expect(vaultReaders(json).filter((r) => r.principal_id === gatewayIdentity(json))).toEqual([
      expect.objectContaining({ scope: ref(json, 'azurerm_key_vault', 'id'), principal_type: 'ServicePrincipal' }),
    ]);
  });
});

describe('McpEntraApp.assignAppRole', () => {
  const PRINCIPAL = '3f2504e0-4f89-41d3-9a0c-0305e82c3301';

  it('assigns once per role and principal', () => {
    const e = env();
    const api = ticketsApi(e);
    const first = api.assignAppRole(GATEWAY_APP_ROLE.value, { principalId: PRINCIPAL });
    expect(api.assignAppRole(GATEWAY_APP_ROLE.value, { principalId: PRINCIPAL })).toBe(first);
    expect(api.assignAppRole(GATEWAY_APP_ROLE.value, { principalId: '9a1f3c52-7d64-4a8e-b0b5-1c2d3e4f5a6b' })).not.toBe(first);
  });

  it('refuses a role the app does not define, and a principal id that is not a GUID', () => {
    const e = env();
    const api = ticketsApi(e);
    expect(caught(() => api.assignAppRole('mcp.admin', { principalId: PRINCIPAL })).message).toBe(
      'TestStack/TicketsApi: invalid appRoles ["mcp.gateway"]: a list that includes a role with value "mcp.admin", to assign it',
    );
    expect(caught(() => api.assignAppRole(GATEWAY_APP_ROLE.value, { principalId: 'gateway' })).property).toBe('assignAppRole principalId');
  });
});
