import { GATEWAY_TIERS, GatewayNetworkMode, GatewayTier, gatewayNetworkModeOf } from '../network';

/** What the gateway construct needs to know about an API Management tier. */
export interface GatewayTierSpec {
  readonly tier: GatewayTier;
  /** The capacities (scale units) `sku_name` accepts for the tier. */
  readonly minCapacity: number;
  readonly maxCapacity: number;
  /**
   * How the tier reaches backends in a virtual network: `injection` (classic Developer / Premium),
   * `integration` (Standard v2 / Premium v2 outbound), or undefined when it cannot reach them at all.
   */
  readonly networkMode?: GatewayNetworkMode;
  /** Whether the tier serves APIM's native MCP server API type (`type: "mcp"`). */
  readonly nativeMcp: boolean;
}

/*
 * Capacities: the ranges azurerm 4.x accepts in `sku_name` (Consumption_0, Developer_1, Basic_1-2,
 * Standard_1-4, Premium_1-99, BasicV2_1-10, StandardV2_1-10, PremiumV2_1-30).
 * Network modes: McpNetwork's `gatewayNetworkModeOf` (Microsoft's "Use a virtual network with Azure API
 * Management": injection for Developer / Premium, outbound integration for Standard v2 / Premium v2; Basic,
 * Standard, Basic v2 and Consumption have no way into a virtual network).
 * Native MCP servers: "Expose an existing MCP server" applies to Developer, Basic, Basic v2, Standard,
 * Standard v2, Premium and Premium v2, not Consumption.
 */
const CAPACITY: Readonly<Record<GatewayTier, readonly [number, number]>> = {
  Consumption: [0, 0],
  Developer: [1, 1],
  Basic: [1, 2],
  Standard: [1, 4],
  Premium: [1, 99],
  BasicV2: [1, 10],
  StandardV2: [1, 10],
  PremiumV2: [1, 30],
};

export const GATEWAY_TIER_SPECS: Readonly<Record<GatewayTier, GatewayTierSpec>> = Object.fromEntries(
  GATEWAY_TIERS.map((tier) => [
    tier,
    {
      tier,
      minCapacity: CAPACITY[tier][0],
      maxCapacity: CAPACITY[tier][1],
      networkMode: gatewayNetworkModeOf(tier),
      nativeMcp: tier !== 'Consumption',
    },
  ]),
) as Record<GatewayTier, GatewayTierSpec>;

/** The tiers that cannot reach a backend inside a virtual network. */
export const TIERS_WITHOUT_PRIVATE_BACKENDS: readonly GatewayTier[] = GATEWAY_TIERS.filter(
  (t) => GATEWAY_TIER_SPECS[t].networkMode === undefined,
);

/** `sku_name` as azurerm spells it: `<tier>_<capacity>`. */
export function skuName(tier: GatewayTier, capacity: number): string {
  return `${tier}_${capacity}`;
}

/** The network settings of `azurerm_api_management`. */
export interface GatewayNetworkSettings {
  /** `virtual_network_type`. */
  readonly virtualNetworkType: 'None' | 'External' | 'Internal';
  /** `virtual_network_configuration.subnet_id`, when the gateway joins a subnet. */
  readonly subnetId?: string;
}

/**
 * How `azurerm_api_management` expresses each mode:
 * - no network: `virtual_network_type = "None"`;
 * - classic injection (Developer / Premium): `External` or `Internal` with the injection subnet;
 * - v2 outbound integration (Standard v2 / Premium v2): `External` with the delegated integration subnet.
 *   ARM has no separate property for integration: `virtualNetworkType: External` plus
 *   `virtualNetworkConfiguration.subnetResourceId` on a v2 SKU is outbound integration (the gateway stays
 *   public), which azurerm passes through unchanged.
 */
export function gatewayNetworkSettings(
  mode: GatewayNetworkMode | undefined,
  subnetId: string | undefined,
  vnetMode: 'External' | 'Internal' | undefined,
): GatewayNetworkSettings {
  if (mode === undefined || subnetId === undefined) return { virtualNetworkType: 'None' };
  if (mode === 'integration') return { virtualNetworkType: 'External', subnetId };
  return { virtualNetworkType: vnetMode ?? 'External', subnetId };
}
