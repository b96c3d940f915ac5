/** Shared set-up of the gateway tests: a stack with the providers, the constructs a gateway needs, JSON helpers. */
import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { AzureadProvider } from '@cdktf/provider-azuread/lib/provider';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { RandomProvider } from '@cdktf/provider-random/lib/provider';
import { Testing, TerraformStack } from 'cdktf';
import { AzapiProvider } from '../../lib/constructs/azapi';
import { McpBackendEndpoint } from '../../lib/constructs/backends/endpoint';
import { McpEntraApp, McpEntraAppProps } from '../../lib/constructs/entra';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { McpGateway, McpGatewayProps } from '../../lib/constructs/gateway';
import { McpKeyVault } from '../../lib/constructs/key-vault';
import { McpMonitoring } from '../../lib/constructs/monitoring';
import { GatewayTier, GatewayVnetMode, McpNetwork } from '../../lib/constructs/network';

export type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

export const RG = { name: 'rg-mcp', location: 'westeurope', id: '/subscriptions/0000/resourceGroups/rg-mcp' };
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
  const stack = new TerraformStack(Testing.app(), 'TestStack');
  new AzurermProvider(stack, 'azurerm', { features: [{}] });
  new AzureadProvider(stack, 'azuread');
  new AzapiProvider(stack, 'azapi');
  new RandomProvider(stack, 'random');
  return stack;
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

export interface Built {
  readonly stack: TerraformStack;
  readonly gateway: McpGateway;
  readonly neighbours: Neighbours;
  readonly text: string;
  readonly json: Json;
}

/** A gateway with its neighbours; `extra` adds servers, named values, outputs before synth (validations on). */
export function build(props: Partial<McpGatewayProps> = {}, extra?: (gateway: McpGateway, stack: TerraformStack, n: Neighbours) => void, options: EnvOptions = {}): Built {
  const stack = newStack();
  const n = neighbours(stack, options);
  const gateway = new McpGateway(stack, 'Gateway', gatewayProps(n, props));
  extra?.(gateway, stack, n);
  const text = Testing.synth(stack, true);
  return { stack, gateway, neighbours: n, text, json: JSON.parse(text) };
}

export function resources(json: Json, type: string): Record<string, Json> {
  return json.resource?.[type] ?? {};
}

export function only(json: Json, type: string): [string, Json] {
  const all = Object.entries(resources(json, type));
  expect(all).toHaveLength(1);
  return all[0];
}

/** The one resource of `type` whose logical id contains `part` (construct ids are in it). */
export function named(json: Json, type: string, part: string): [string, Json] {
  const all = Object.entries(resources(json, type)).filter(([key]) => key.includes(part));
  expect(all.map(([key]) => key)).toHaveLength(1);
  return all[0];
}

/** `${<type>.<logical id>.<attribute>}` of the only resource of `type` (with `part`, of the one whose id contains it). */
export function ref(json: Json, type: string, attribute: string, part?: string): string {
  const [key] = part === undefined ? only(json, type) : named(json, type, part);
  return `\${${type}.${key}.${attribute}}`;
}

/** Runs `build` and returns the ConstructValidationError it throws; the test fails if it throws none. */
export function caught(build: () => void): ConstructValidationError {
  let error: unknown;
  try {
    build();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(ConstructValidationError);
  return error as ConstructValidationError;
}
