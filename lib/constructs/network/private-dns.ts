import { TerraformStack, Token } from 'cdktf';
import { Construct } from 'constructs';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { ResourceGroupRef, Tags } from '../common';

/** The target sub-resources `McpNetwork.addPrivateEndpoint` knows (Private Link "group ids"). */
export type PrivateEndpointSubresource = 'vault' | 'sites' | 'blob' | 'queue' | 'table' | 'file' | 'Gateway';

/**
 * The private DNS zone each sub-resource resolves through, in the Azure public cloud (Microsoft's
 * "Azure Private Endpoint private DNS zone values" table; the APIM gateway zone is from "Connect
 * privately to API Management using a private endpoint"). Sovereign clouds use other zone names: pass
 * `privateDnsZoneIds` there.
 */
export const PRIVATE_DNS_ZONE_NAMES: Readonly<Record<PrivateEndpointSubresource, string>> = {
  vault: 'privatelink.vaultcore.azure.net',
  sites: 'privatelink.azurewebsites.net',
  blob: 'privatelink.blob.core.windows.net',
  queue: 'privatelink.queue.core.windows.net',
  table: 'privatelink.table.core.windows.net',
  file: 'privatelink.file.core.windows.net',
  Gateway: 'privatelink.azure-api.net',
};

export const PRIVATE_ENDPOINT_SUBRESOURCES = Object.keys(PRIVATE_DNS_ZONE_NAMES) as PrivateEndpointSubresource[];

/**
 * Zones are resource-group-level names: two networks in one resource group must share one
 * `privatelink.vaultcore.azure.net` zone (a second one would collide at apply), each adding its own
 * virtual network link. This registry, one per stack, hands the second network the zone the first made.
 */
const registry = new WeakMap<TerraformStack, Map<string, PrivateDnsZone>>();
const objectKeys = new WeakMap<object, number>();
let nextObjectKey = 0;

function resourceGroupKey(resourceGroup: ResourceGroupRef): string {
  // A literal name identifies the group; a token (the name of a group created in this stack) does not
  // compare reliably, so the reference object stands in for it.
  if (!Token.isUnresolved(resourceGroup.name)) return `name:${resourceGroup.name.toLowerCase()}`;
  let key = objectKeys.get(resourceGroup);
  if (key === undefined) {
    key = nextObjectKey++;
    objectKeys.set(resourceGroup, key);
  }
  return `object:${key}`;
}

/**
 * The zone for `subresource` in `resourceGroup`: the one an earlier network of this stack made, or a new
 * one created under `scope` with construct id `id`.
 */
export function sharedPrivateDnsZone(
  scope: Construct,
  id: string,
  resourceGroup: ResourceGroupRef,
  subresource: PrivateEndpointSubresource,
  tags: Tags | undefined,
): PrivateDnsZone {
  const stack = TerraformStack.of(scope);
  let zones = registry.get(stack);
  if (zones === undefined) {
    zones = new Map();
    registry.set(stack, zones);
  }
  const zoneName = PRIVATE_DNS_ZONE_NAMES[subresource];
  const key = `${resourceGroupKey(resourceGroup)}|${zoneName}`;
  let zone = zones.get(key);
  if (zone === undefined) {
    zone = new PrivateDnsZone(scope, id, {
      name: zoneName,
      resourceGroupName: resourceGroup.name,
      tags: tags ? { ...tags } : undefined,
    });
    zones.set(key, zone);
  }
  return zone;
}
