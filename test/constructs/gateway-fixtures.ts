/** Shared set-up of the gateway tests: a stack with the providers and the constructs a gateway needs. */
import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { TerraformStack } from 'cdktf';
import { McpBackendEndpoint } from '../../lib/constructs/backends/endpoint';
import { McpEntraApp, McpEntraAppProps } from '../../lib/constructs/entra';
import { McpGateway, McpGatewayProps } from '../../lib/constructs/gateway';
import { McpKeyVault } from '../../lib/constructs/key-vault';
import { McpMonitoring } from '../../lib/constructs/monitoring';
import { GatewayTier, GatewayVnetMode, McpNetwork } from '../../lib/constructs/network';
import { RG, Synthesized, synthesize, testStack } from '../support/constructs';

// The generic construct-test helpers, so that a gateway test imports from one place.
export { RG, caught, named, only, ref, refused, resources } from '../support/constructs';
export type { Json } from '../support/constructs';

export const TENANT = '72f988bf-86f1-41af-91ab-2d7cd011db47';
export const SECRET_URI = 'https://kv-mcp.vault.azure.net/secrets/weather-functions-key';

/** A Flex Consumption Functions MCP server (the MCP extension's paths), keyed by a Functions key. */
export const FUNCTION_BACKEND: McpBackendEndpoint = {
  name: 'weather',
  baseUrl: 'https://func-weather.azurewebsites.net',
  mcpPath: '/runtime/webhooks/mcp',
  ssePath: '/runtime/webhooks/mcp/sse',
  credential: { kind: 'functions-key', keyVaultSecretUri: SECRET_URI },
  resourceId: '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.Web/sites/func-weather',
};

/** An App Service MCP server that checks the gateway's managed-identity token (Easy Auth). */
export const APP_SERVICE_BACKEND: McpBackendEndpoint = {
  name: 'docs',
  baseUrl: 'https://app-docs.azurewebsites.net',
  mcpPath: '/mcp',
  ssePath: '/sse',
  credential: { kind: 'managed-identity', audience: 'api://docs-mcp' },
  resourceId: '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.Web/sites/app-docs',
};

/** A stack with every provider the gateway and its neighbours need (cdktf refuses to synthesize without them). */
export function newStack(): TerraformStack {
  return testStack('azurerm', 'azuread', 'azapi', 'random');
}

export interface Neighbours {
  readonly monitoring: McpMonitoring;
  readonly network?: McpNetwork;
  readonly keyVault: McpKeyVault;
}

export interface EnvOptions {
  /** The network's gateway tier; `null` for no network. @default 'StandardV2' */
  readonly networkTier?: GatewayTier | null;
  readonly gatewayVnetMode?: GatewayVnetMode;
}

/** Monitoring, a network (unless `networkTier: null`) and a Key Vault in that network (or its own). */
export function neighbours(stack: TerraformStack, options: EnvOptions = {}): Neighbours {
  const monitoring = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
  const tier = options.networkTier === undefined ? 'StandardV2' : options.networkTier;
  const network = tier === null ? undefined : new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: tier, gatewayVnetMode: options.gatewayVnetMode });
  // The vault needs a network for its private endpoint even when the gateway has none.
  const vaultNetwork = network ?? new McpNetwork(stack, 'VaultNetwork', { resourceGroup: RG, gatewayTier: 'StandardV2' });
  const keyVault = new McpKeyVault(stack, 'Vault', { resourceGroup: RG, network: vaultNetwork, name: 'kv-mcp', tenantId: TENANT });
  return { monitoring, network, keyVault };
}

/** The default `mcp.tools` scope and an `mcp.agent` app role for app-only callers. */
export function entraApp(stack: TerraformStack, id = 'WeatherApp', props: Partial<McpEntraAppProps> = {}): McpEntraApp {
  return new McpEntraApp(stack, id, {
    displayName: 'Weather MCP',
    tenantId: TENANT,
    appRoles: [{ value: 'mcp.agent', displayName: 'MCP agent', description: 'Calls MCP tools without a signed-in user.' }],
    ...props,
  });
}

export function gatewayProps(n: Neighbours, props: Partial<McpGatewayProps> = {}): McpGatewayProps {
  return {
    resourceGroup: RG,
    publisherName: 'Contoso',
    publisherEmail: 'apis@contoso.com',
    monitoring: n.monitoring,
    network: n.network,
    keyVault: n.keyVault,
    ...props,
  };
}

export interface Built extends Synthesized {
  readonly gateway: McpGateway;
  readonly neighbours: Neighbours;
}

/** A gateway with its neighbours; `extra` adds servers, named values, outputs before synth (validations on). */
export function build(props: Partial<McpGatewayProps> = {}, extra?: (gateway: McpGateway, stack: TerraformStack, n: Neighbours) => void, options: EnvOptions = {}): Built {
  const stack = newStack();
  const n = neighbours(stack, options);
  const gateway = new McpGateway(stack, 'Gateway', gatewayProps(n, props));
  extra?.(gateway, stack, n);
  return { ...synthesize(stack, true), gateway, neighbours: n };
}
