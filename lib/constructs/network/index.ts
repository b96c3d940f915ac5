export {
  McpNetwork,
  GATEWAY_TIERS,
  gatewayNetworkModeOf,
} from './mcp-network';
export type {
  AddAppsSubnetOptions,
  AddPrivateEndpointOptions,
  BackendKind,
  ExistingVirtualNetwork,
  GatewayNetworkMode,
  GatewayTier,
  GatewayVnetMode,
  McpAppsSubnet,
  McpNetworkProps,
  McpSubnet,
  PrivateEndpointTarget,
} from './mcp-network';
export { PRIVATE_DNS_ZONE_NAMES, PRIVATE_ENDPOINT_SUBRESOURCES } from './private-dns';
export type { PrivateEndpointSubresource } from './private-dns';
export * from './address-plan';
