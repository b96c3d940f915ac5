import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { NetworkSecurityGroup } from '@cdktf/provider-azurerm/lib/network-security-group';
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PrivateDnsZoneVirtualNetworkLink } from '@cdktf/provider-azurerm/lib/private-dns-zone-virtual-network-link';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { Subnet, SubnetDelegation } from '@cdktf/provider-azurerm/lib/subnet';
import { SubnetNetworkSecurityGroupAssociation } from '@cdktf/provider-azurerm/lib/subnet-network-security-group-association';
import { VirtualNetwork } from '@cdktf/provider-azurerm/lib/virtual-network';
import { ResourceGroupRef, Tags } from '../common';
import { invalid } from '../errors';
import { NameRule, defaultResourceName, truncateWithHash, validatedName } from '../naming';
import { AddressPlanIssue, PlannedSubnet, checkAddressPlan, nextFreeBlock, parseCidr, subnetAt } from './address-plan';
import {
  PRIVATE_ENDPOINT_SUBRESOURCES,
  PrivateEndpointSubresource,
  sharedPrivateDnsZone,
} from './private-dns';

/** The API Management tiers (SKU names as ARM spells them). The gateway construct reuses this type. */
export type GatewayTier = 'Consumption' | 'Developer' | 'Basic' | 'Standard' | 'Premium' | 'BasicV2' | 'StandardV2' | 'PremiumV2';

export const GATEWAY_TIERS: readonly GatewayTier[] = [
  'Consumption',
  'Developer',
  'Basic',
  'Standard',
  'Premium',
  'BasicV2',
  'StandardV2',
  'PremiumV2',
];

/** How a classic Developer or Premium gateway sits in the network: reachable from the internet or only inside. */
export type GatewayVnetMode = 'External' | 'Internal';

/** What hosts an MCP server; it decides the delegation of the apps subnet the server joins. */
export type BackendKind = 'AppService' | 'FlexConsumption';

/**
 * How the gateway joins the network:
 * - `injection`: classic Developer / Premium (stv2) instances are deployed into the subnet;
 * - `integration`: Standard v2 / Premium v2 instances send outbound traffic through a delegated subnet.
 */
export type GatewayNetworkMode = 'injection' | 'integration';

/** Tiers that cannot join a virtual network at all; `McpNetwork` refuses them. */
const TIERS_WITHOUT_VNET: readonly GatewayTier[] = ['Consumption', 'Basic', 'Standard', 'BasicV2'];

/** The network mode a tier supports, or undefined when it cannot join a virtual network. */
export function gatewayNetworkModeOf(tier: GatewayTier): GatewayNetworkMode | undefined {
  if (tier === 'Developer' || tier === 'Premium') return 'injection';
  if (tier === 'StandardV2' || tier === 'PremiumV2') return 'integration';
  return undefined;
}

/** A virtual network created elsewhere. Its address space must be literal so the plan can be checked. */
export interface ExistingVirtualNetwork {
  readonly id: string;
  readonly name: string;
  readonly resourceGroupName: string;
  readonly addressSpace: string[];
}

export interface McpNetworkProps {
  /** Where the network security groups, private DNS zones and private endpoints go (and the virtual network, unless it exists). */
  readonly resourceGroup: ResourceGroupRef;
  /** The API Management tier the gateway will use: it decides how the gateway subnet is set up. */
  readonly gatewayTier: GatewayTier;
  /**
   * Developer / Premium only: `External` lets internet clients reach the gateway (inbound 443 from the
   * `Internet` tag), `Internal` keeps it inside the network.
   * @default 'External' for Developer and Premium; refused for other tiers
   */
  readonly gatewayVnetMode?: GatewayVnetMode;
  /**
   * What hosts the servers in the default apps subnet (`apps`, `snet-apps`): it decides that subnet's
   * delegation and nothing else. Further backends get their own subnet from {@link McpNetwork.addAppsSubnet}.
   * Refused with `defaultAppsSubnet: false`.
   * @default 'AppService'
   */
  readonly backendKind?: BackendKind;
  /**
   * Create the default apps subnet (`apps`, `snet-apps`, with its NSG). Turn it off when every backend gets
   * its own subnet from {@link McpNetwork.addAppsSubnet}: its block (the second /24 by default) is then free
   * for their automatic allocation, and `apps` throws. Refuses `appsSubnetPrefix` and `backendKind` when false.
   * @default true
   */
  readonly defaultAppsSubnet?: boolean;
  /** Virtual network name (ignored with `existingVirtualNetwork`). @default - `vnet-<construct id>-<hash of the construct path>` */
  readonly name?: string;
  /** Address space of the new virtual network. @default ['10.60.0.0/16'] */
  readonly addressSpace?: string[];
  /** Put the subnets into this virtual network instead of creating one. Subnet prefixes are then required. @default - a new virtual network */
  readonly existingVirtualNetwork?: ExistingVirtualNetwork;
  /** @default - the first /24 of the address space (10.60.0.0/24) */
  readonly gatewaySubnetPrefix?: string;
  /** @default - the second /24 of the address space (10.60.1.0/24); refused with `defaultAppsSubnet: false` */
  readonly appsSubnetPrefix?: string;
  /** @default - the third /24 of the address space (10.60.2.0/24) */
  readonly privateEndpointsSubnetPrefix?: string;
  /**
   * Private DNS zones that already exist (for example in a hub), by sub-resource: endpoints for those
   * sub-resources join that zone and this network creates neither the zone nor a link to it.
   * @default - zones created in `resourceGroup` and linked to this network on first need
   */
  readonly privateDnsZoneIds?: Partial<Record<PrivateEndpointSubresource, string>>;
  /** @default - none */
  readonly tags?: Tags;
}

/** What a private endpoint points at: any resource with an id, plus a name that is unique among this network's endpoints. */
export interface PrivateEndpointTarget {
  readonly id: string;
  /** A literal name hint used in the construct id and the Azure name (the vault's or app's base name). */
  readonly name: string;
}

export interface AddPrivateEndpointOptions {
  /** Azure name of the endpoint (2-64 characters). @default - `pe-<target name>-<sub-resource>`, shortened with a hash past 64 characters */
  readonly name?: string;
  /** @default - the network's tags */
  readonly tags?: Tags;
}

const DEFAULT_ADDRESS_SPACE = ['10.60.0.0/16'];

// Azure naming rules: Microsoft.Network "virtualNetworks" and "privateEndpoints" (2-64 characters,
// letters, digits, underscores, periods, hyphens; start with a letter or digit, end with a letter,
// digit or underscore).
const NETWORK_NAME_RULE = (resource: string): NameRule => ({
  resource,
  minLength: 2,
  maxLength: 64,
  allowedCharacters: /[A-Za-z0-9_.-]/,
  allowedDescription: 'letters, digits, underscores, periods and hyphens',
  start: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
  end: { pattern: /[A-Za-z0-9_]/, description: 'a letter, digit or underscore' },
});

// An apps subnet id becomes `snet-apps-<id>` (subnet names: 1-80 characters, letters, digits, underscores,
// periods, hyphens; start with a letter or digit, end with a letter, digit or underscore) and part of an
// NSG name (shortened with a hash when long). Periods are left out: they read badly in construct ids.
const APPS_SUBNET_ID_RULE: NameRule = {
  resource: 'apps subnet id',
  minLength: 1,
  maxLength: 60,
  allowedCharacters: /[A-Za-z0-9_-]/,
  allowedDescription: 'letters, digits, underscores and hyphens',
  start: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
  end: { pattern: /[A-Za-z0-9_]/, description: 'a letter, digit or underscore' },
};

/** A subnet this construct made, with its security group and the association between them. */
export interface McpSubnet {
  readonly subnet: Subnet;
  readonly networkSecurityGroup: NetworkSecurityGroup;
  readonly association: SubnetNetworkSecurityGroupAssociation;
  readonly prefix: string;
}

/** A virtual network integration subnet for MCP backends: an {@link McpSubnet} plus the kind it is delegated for. */
export interface McpAppsSubnet extends McpSubnet {
  /** The hosting its delegation admits: a backend of another kind cannot join it. */
  readonly backendKind: BackendKind;
}

export interface AddAppsSubnetOptions {
  /** What hosts the server(s) joining the subnet: it decides the delegation and the minimum size. */
  readonly backendKind: BackendKind;
  /**
   * The subnet's CIDR block, inside the address space and clear of every other subnet of this network.
   * Required with `existingVirtualNetwork` (its other subnets are not visible to us).
   * @default - the lowest free /26 of the address space
   */
  readonly prefix?: string;
  /** @default - the network's tags */
  readonly tags?: Tags;
}

interface RuleSpec {
  readonly name: string;
  readonly priority: number;
  readonly direction: 'Inbound' | 'Outbound';
  readonly access: 'Allow' | 'Deny';
  readonly protocol: 'Tcp' | 'Udp' | '*';
  readonly ports: string[];
  readonly source: string;
  readonly destination: string;
  readonly description: string;
}

/**
 * The network the MCP gateway and its backends share: a virtual network (or an existing one) with three
 * subnets, each with its network security group:
 * - `gateway`: set up for the API Management tier (delegated for v2 outbound integration; the documented
 *   NSG rules for classic injection);
 * - `apps`: delegated for App Service or Flex Consumption virtual network integration (`backendKind`);
 *   left out with `defaultAppsSubnet: false`;
 * - `private-endpoints`: private endpoints, with NSGs enforced on them.
 *
 * One more integration subnet per further backend comes from {@link addAppsSubnet}.
 *
 * The address plan is checked at synth before anything is created. Private endpoints are added with
 * {@link addPrivateEndpoint}; their private DNS zones and zone links are created once, on first need.
 */
export class McpNetwork extends Construct {
  readonly gatewayTier: GatewayTier;
  readonly gatewayNetworkMode: GatewayNetworkMode;
  /** Set for Developer / Premium (injection) only. */
  readonly gatewayVnetMode?: GatewayVnetMode;
  /**
   * The kind of the default apps subnet (`apps`); subnets from {@link addAppsSubnet} carry their own. Without
   * a default apps subnet it is the unused default, `AppService`: check {@link defaultAppsSubnet} first.
   */
  readonly backendKind: BackendKind;
  /** Whether the default apps subnet (`apps`, `snet-apps`) exists: the `defaultAppsSubnet` prop. */
  readonly defaultAppsSubnet: boolean;
  readonly resourceGroup: ResourceGroupRef;
  /** The new virtual network, or undefined when an existing one was given. */
  readonly virtualNetwork?: VirtualNetwork;
  readonly virtualNetworkId: string;
  readonly virtualNetworkName: string;
  readonly addressSpace: readonly string[];
  readonly gateway: McpSubnet;
  readonly privateEndpoints: McpSubnet;
  /**
   * What an API Management instance in the gateway subnet must depend on: the subnet, its NSG
   * association and every NSG rule, so the instance is not deployed before its management port is open.
   */
  readonly gatewayDependencies: ITerraformDependable[];

  private readonly tags?: Tags;
  private readonly baseName: string;
  /** The default apps subnet, unless `defaultAppsSubnet` is false. */
  private readonly defaultApps?: McpAppsSubnet;
  private readonly zoneIds = new Map<string, string>();
  private readonly privateDnsZoneIdsProp: Partial<Record<PrivateEndpointSubresource, string>>;
  private readonly rules = new Map<string, NetworkSecurityRule>();
  private readonly endpointNames = new Set<string>();
  /** Every subnet of the plan so far, in creation order: what a new subnet is checked against and allocated around. */
  private readonly plan: PlannedSubnet[] = [];
  private readonly appsSubnetList: McpAppsSubnet[] = [];
  /** Lower-cased ids of the subnets added with addAppsSubnet (they become Azure names, which ignore case). */
  private readonly appsSubnetIds = new Set<string>();
  private readonly vnetResourceGroupName: string;
  private readonly inExistingNetwork: boolean;
  private readonly addressSpaceProperty: string;

  constructor(scope: Construct, id: string, props: McpNetworkProps) {
    super(scope, id);
    this.resourceGroup = props.resourceGroup;
    this.tags = props.tags;

    // Tier and modes first: a tier that cannot join a network makes the rest meaningless.
    if (!GATEWAY_TIERS.includes(props.gatewayTier)) {
      invalid(this, 'gatewayTier', props.gatewayTier, `one of ${GATEWAY_TIERS.join(', ')}`);
    }
    const mode = gatewayNetworkModeOf(props.gatewayTier);
    if (mode === undefined) {
      invalid(
        this,
        'gatewayTier',
        props.gatewayTier,
        `a tier that can join a virtual network: Developer or Premium (injection), StandardV2 or PremiumV2 (outbound integration); ${TIERS_WITHOUT_VNET.join(', ')} cannot reach backends in a virtual network`,
      );
    }
    this.gatewayTier = props.gatewayTier;
    this.gatewayNetworkMode = mode;
    if (mode === 'injection') {
      const vnetMode = props.gatewayVnetMode ?? 'External';
      if (vnetMode !== 'External' && vnetMode !== 'Internal') invalid(this, 'gatewayVnetMode', vnetMode, 'External or Internal');
      this.gatewayVnetMode = vnetMode;
    } else if (props.gatewayVnetMode !== undefined) {
      invalid(
        this,
        'gatewayVnetMode',
        props.gatewayVnetMode,
        `no value for ${props.gatewayTier}: External and Internal apply to Developer and Premium injection only`,
      );
    }
    const withDefaultApps = props.defaultAppsSubnet ?? true;
    if (typeof withDefaultApps !== 'boolean') invalid(this, 'defaultAppsSubnet', withDefaultApps, 'true or false');
    if (!withDefaultApps) {
      // Both describe only the default apps subnet: given without it, they would silently do nothing.
      if (props.appsSubnetPrefix !== undefined) {
        invalid(this, 'appsSubnetPrefix', props.appsSubnetPrefix, 'no value together with defaultAppsSubnet: false (there is no default apps subnet; give addAppsSubnet a prefix instead)');
      }
      if (props.backendKind !== undefined) {
        invalid(this, 'backendKind', props.backendKind, "no value together with defaultAppsSubnet: false (it decides only the default apps subnet's delegation; addAppsSubnet takes its own backendKind)");
      }
    }
    this.defaultAppsSubnet = withDefaultApps;
    const backendKind = props.backendKind ?? 'AppService';
    if (backendKind !== 'AppService' && backendKind !== 'FlexConsumption') {
      invalid(this, 'backendKind', backendKind, 'AppService or FlexConsumption');
    }
    this.backendKind = backendKind;
    this.privateDnsZoneIdsProp = props.privateDnsZoneIds ?? {};
    for (const key of Object.keys(this.privateDnsZoneIdsProp)) {
      if (!PRIVATE_ENDPOINT_SUBRESOURCES.includes(key as PrivateEndpointSubresource)) {
        invalid(this, 'privateDnsZoneIds', key, `keys among ${PRIVATE_ENDPOINT_SUBRESOURCES.join(', ')}`);
      }
    }

    // The address plan, checked as a whole before any resource exists.
    const existing = props.existingVirtualNetwork;
    if (existing && props.addressSpace !== undefined) {
      invalid(this, 'addressSpace', props.addressSpace, 'no value together with existingVirtualNetwork (its own address space is used)');
    }
    if (existing && props.name !== undefined) {
      invalid(this, 'name', props.name, 'no value together with existingVirtualNetwork (its own name is used)');
    }
    const spaceProperty = existing ? 'existingVirtualNetwork.addressSpace' : 'addressSpace';
    const addressSpace = existing?.addressSpace ?? props.addressSpace ?? DEFAULT_ADDRESS_SPACE;
    this.requireLiterals(spaceProperty, addressSpace);
    this.failOn(checkAddressPlan({ addressSpace, subnets: [], addressSpaceProperty: spaceProperty }));
    const defaults = existing ? undefined : defaultSubnets(addressSpace[0]);
    const prefix = (property: 'gatewaySubnetPrefix' | 'appsSubnetPrefix' | 'privateEndpointsSubnetPrefix', index: number): string => {
      const given = props[property];
      if (given !== undefined) {
        this.requireLiterals(property, [given]);
        return given;
      }
      if (existing) {
        invalid(this, property, undefined, 'a CIDR block inside the existing network that no subnet uses yet (required with existingVirtualNetwork)');
      }
      if (defaults === undefined) {
        invalid(this, property, undefined, `a CIDR block: ${addressSpace[0]} is smaller than /22, too small for the default layout (gateway, apps and private endpoints in its first three /24s)`);
      }
      return defaults[index];
    };
    const gatewayPrefix = prefix('gatewaySubnetPrefix', 0);
    // Without the default apps subnet its block stays unplanned, so addAppsSubnet allocates from it first.
    const appsPrefix = withDefaultApps ? prefix('appsSubnetPrefix', 1) : undefined;
    const endpointsPrefix = prefix('privateEndpointsSubnetPrefix', 2);
    const plan: PlannedSubnet[] = [
      { property: 'gatewaySubnetPrefix', prefix: gatewayPrefix, ...gatewaySize(mode, props.gatewayTier) },
      ...(appsPrefix === undefined ? [] : [{ property: 'appsSubnetPrefix', prefix: appsPrefix, ...appsSize(backendKind) }]),
      // Private endpoints take one address each and have no minimum beyond Azure's /29.
      { property: 'privateEndpointsSubnetPrefix', prefix: endpointsPrefix },
    ];
    this.failOn(checkAddressPlan({ addressSpace, addressSpaceProperty: spaceProperty, subnets: plan }));
    this.plan.push(...plan);
    this.addressSpace = [...addressSpace];
    this.inExistingNetwork = existing !== undefined;
    this.addressSpaceProperty = spaceProperty;

    // The virtual network.
    const rg = props.resourceGroup;
    let vnetResourceGroupName: string;
    let literalName: string;
    if (existing) {
      this.virtualNetworkId = existing.id;
      this.virtualNetworkName = existing.name;
      vnetResourceGroupName = existing.resourceGroupName;
      literalName = existing.name;
    } else {
      literalName =
        props.name !== undefined
          ? validatedName(this, 'name', props.name, NETWORK_NAME_RULE('virtual network name'))
          : defaultResourceName(this, 'vnet', 64);
      this.virtualNetwork = new VirtualNetwork(this, 'VirtualNetwork', {
        name: literalName,
        location: rg.location,
        resourceGroupName: rg.name,
        addressSpace: [...addressSpace],
        tags: copy(props.tags),
      });
      this.virtualNetworkId = this.virtualNetwork.id;
      // The reference (not the literal) so subnets depend on the network.
      this.virtualNetworkName = this.virtualNetwork.name;
      vnetResourceGroupName = rg.name;
    }
    this.vnetResourceGroupName = vnetResourceGroupName;
    // Security groups and zone links are resource-group-level names: derive them from the network's name.
    const baseName = Token.isUnresolved(literalName) ? defaultResourceName(this, 'vnet', 64) : literalName;
    this.baseName = baseName;
    const nsgName = (role: string) => truncateWithHash(`nsg-${baseName}-${role}`, 80);

    // Gateway subnet: delegated for v2 integration; no delegation for classic injection (the docs require none).
    this.gateway = this.subnet('Gateway', {
      name: 'snet-gateway',
      prefix: gatewayPrefix,
      vnetResourceGroupName,
      nsgName: nsgName('gateway'),
      delegation: mode === 'integration' ? serverFarmsDelegation() : undefined,
    });
    const gatewayRules = mode === 'injection' ? injectionRules(this.gatewayVnetMode!) : [];
    const gatewayRuleResources = gatewayRules.map((r) => this.rule(this.gateway.networkSecurityGroup, r));
    this.gatewayDependencies = [this.gateway.subnet, this.gateway.association, ...gatewayRuleResources];

    // Apps subnet: the delegation follows what hosts the MCP servers.
    if (appsPrefix !== undefined) {
      this.defaultApps = {
        ...this.subnet('Apps', {
          name: 'snet-apps',
          prefix: appsPrefix,
          vnetResourceGroupName,
          nsgName: nsgName('apps'),
          delegation: delegationFor(backendKind),
        }),
        backendKind,
      };
      this.appsSubnetList.push(this.defaultApps);
    }

    // Private endpoints subnet: NSGs apply to private endpoints only with network policies enabled.
    this.privateEndpoints = this.subnet('PrivateEndpoints', {
      name: 'snet-private-endpoints',
      prefix: endpointsPrefix,
      vnetResourceGroupName,
      nsgName: nsgName('private-endpoints'),
      privateEndpointNetworkPolicies: 'Enabled',
    });
    for (const r of privateEndpointBaseRules()) this.rule(this.privateEndpoints.networkSecurityGroup, r);
  }

  /**
   * The default apps subnet (`snet-apps`), delegated for `backendKind`. Throws a ConstructValidationError when
   * the network was built with `defaultAppsSubnet: false`: use a subnet from {@link addAppsSubnet} instead.
   */
  get apps(): McpAppsSubnet {
    if (this.defaultApps === undefined) {
      invalid(
        this,
        'apps',
        undefined,
        'no default apps subnet: this network was built with defaultAppsSubnet: false; ' +
          "pass each backend a subnet from addAppsSubnet(id, { backendKind }) (its `subnet` prop) instead of network.apps",
      );
    }
    return this.defaultApps;
  }

  /**
   * Every apps subnet: the default `apps` first (unless `defaultAppsSubnet` is false), then those from
   * {@link addAppsSubnet} in the order they were added.
   */
  get appsSubnets(): readonly McpAppsSubnet[] {
    return [...this.appsSubnetList];
  }

  /**
   * Adds a virtual network integration subnet for one more MCP backend, with its own NSG: delegated to
   * `Microsoft.Web/serverFarms` (App Service: one plan per subnet) or `Microsoft.App/environments` (Flex
   * Consumption: one app per subnet keeps apps from taking each other's addresses).
   *
   * `id` names the construct and the subnet (`snet-apps-<id>`); it must be unique among this network's apps
   * subnets. Without `prefix` the lowest free /26 of the address space is taken, so the same calls in the
   * same order give the same plan; add new subnets after the existing ones (or pin `prefix`), because
   * moving a subnet in use fails at apply. The plan is checked at synth, as the constructor's is.
   */
  addAppsSubnet(id: string, options: AddAppsSubnetOptions): McpAppsSubnet {
    if (typeof id !== 'string' || Token.isUnresolved(id)) {
      invalid(this, 'addAppsSubnet id', id, 'a literal id (not a token): it becomes part of the construct id and the subnet name');
    }
    validatedName(this, 'addAppsSubnet id', id, APPS_SUBNET_ID_RULE);
    const key = id.toLowerCase();
    if (this.appsSubnetIds.has(key)) {
      invalid(this, 'addAppsSubnet id', id, 'an id not already used by another apps subnet of this network (compared ignoring case: it becomes an Azure name)');
    }
    const backendKind = options.backendKind;
    if (backendKind !== 'AppService' && backendKind !== 'FlexConsumption') {
      invalid(this, `addAppsSubnet("${id}") backendKind`, backendKind, 'AppService or FlexConsumption');
    }
    const property = `addAppsSubnet("${id}") prefix`;
    let prefix = options.prefix;
    if (prefix !== undefined) {
      this.requireLiterals(property, [prefix]);
    } else {
      prefix = this.allocateAppsPrefix(id, property);
    }
    const planned: PlannedSubnet = { property, prefix, ...appsSize(backendKind) };
    this.failOn(checkAddressPlan({ addressSpace: this.addressSpace, subnets: [...this.plan, planned], addressSpaceProperty: this.addressSpaceProperty }));
    this.plan.push(planned);
    this.appsSubnetIds.add(key);

    const subnet: McpAppsSubnet = {
      ...this.subnet(`Apps-${id}`, {
        name: `snet-apps-${key}`,
        prefix,
        vnetResourceGroupName: this.vnetResourceGroupName,
        nsgName: truncateWithHash(`nsg-${this.baseName}-apps-${key}`, 80),
        delegation: delegationFor(backendKind),
        tags: options.tags,
      }),
      backendKind,
    };
    this.appsSubnetList.push(subnet);
    return subnet;
  }

  /**
   * Adds a private endpoint for `target` in the private-endpoints subnet, joined to the private DNS zone
   * of `subresource` (created with its link to this network on first need, or the zone given in
   * `privateDnsZoneIds`). Returns the endpoint.
   */
  addPrivateEndpoint(target: PrivateEndpointTarget, subresource: PrivateEndpointSubresource, options: AddPrivateEndpointOptions = {}): PrivateEndpoint {
    if (!PRIVATE_ENDPOINT_SUBRESOURCES.includes(subresource)) {
      invalid(this, 'subresource', subresource, `one of ${PRIVATE_ENDPOINT_SUBRESOURCES.join(', ')}`);
    }
    if (typeof target.name !== 'string' || target.name === '' || Token.isUnresolved(target.name)) {
      invalid(this, 'target.name', target.name, 'a literal, non-empty name hint (not a token): it becomes part of the construct id and the endpoint name');
    }
    if (subresource === 'Gateway' && this.gatewayNetworkMode === 'injection') {
      invalid(
        this,
        'subresource',
        subresource,
        'vault, sites, blob, queue, table or file: an API Management instance injected into a virtual network (Developer / Premium) cannot also have a private endpoint',
      );
    }
    const hint = target.name.replace(/[^A-Za-z0-9_.-]+/g, '-');
    const key = `${hint}-${subresource}`;
    if (this.endpointNames.has(key.toLowerCase())) {
      invalid(this, 'target.name', target.name, `a name not already used for a ${subresource} private endpoint on this network`);
    }
    this.endpointNames.add(key.toLowerCase());
    const name =
      options.name !== undefined
        ? validatedName(this, 'privateEndpoint name', options.name, NETWORK_NAME_RULE('private endpoint name'))
        : truncateWithHash(`pe-${hint}-${subresource.toLowerCase()}`, 64);
    if (subresource === 'file') this.allowSmbToEndpoints();
    const zoneId = this.privateDnsZoneId(subresource);
    return new PrivateEndpoint(this, `PrivateEndpoint-${key}`, {
      name,
      location: this.resourceGroup.location,
      resourceGroupName: this.resourceGroup.name,
      subnetId: this.privateEndpoints.subnet.id,
      privateServiceConnection: {
        name: truncateWithHash(`psc-${hint}-${subresource.toLowerCase()}`, 64),
        privateConnectionResourceId: target.id,
        subresourceNames: [subresource],
        isManualConnection: false,
      },
      privateDnsZoneGroup: { name: 'default', privateDnsZoneIds: [zoneId] },
      tags: copy(options.tags ?? this.tags),
      // The zone link must exist before clients resolve the endpoint's name.
      dependsOn: this.linkFor(subresource),
    });
  }

  /**
   * The id of the private DNS zone for `subresource`: the one given in `privateDnsZoneIds`, or the zone
   * in the resource group (created, with this network's link, on first need).
   */
  privateDnsZoneId(subresource: PrivateEndpointSubresource): string {
    const given = this.privateDnsZoneIdsProp[subresource];
    if (given !== undefined) return given;
    const cached = this.zoneIds.get(subresource);
    if (cached !== undefined) return cached;
    const zone = sharedPrivateDnsZone(this, `PrivateDnsZone-${subresource}`, this.resourceGroup, subresource, this.tags);
    new PrivateDnsZoneVirtualNetworkLink(this, `PrivateDnsZoneLink-${subresource}`, {
      name: truncateWithHash(`link-${this.baseName}`, 80),
      resourceGroupName: zone.resourceGroupName,
      privateDnsZoneName: zone.name,
      virtualNetworkId: this.virtualNetworkId,
      // Endpoints register through their zone group; VMs must not register names in privatelink zones.
      registrationEnabled: false,
      tags: copy(this.tags),
    });
    this.zoneIds.set(subresource, zone.id);
    return zone.id;
  }

  private linkFor(subresource: PrivateEndpointSubresource): ITerraformDependable[] | undefined {
    const link = this.node.tryFindChild(`PrivateDnsZoneLink-${subresource}`);
    return link ? [link as PrivateDnsZoneVirtualNetworkLink] : undefined;
  }

  private subnet(
    id: string,
    spec: {
      name: string;
      prefix: string;
      vnetResourceGroupName: string;
      nsgName: string;
      delegation?: SubnetDelegation;
      privateEndpointNetworkPolicies?: string;
      /** @default - the network's tags */
      tags?: Tags;
    },
  ): McpSubnet {
    const subnet = new Subnet(this, `${id}Subnet`, {
      name: spec.name,
      resourceGroupName: spec.vnetResourceGroupName,
      virtualNetworkName: this.virtualNetworkName,
      addressPrefixes: [spec.prefix],
      delegation: spec.delegation ? [spec.delegation] : undefined,
      privateEndpointNetworkPolicies: spec.privateEndpointNetworkPolicies,
    });
    const networkSecurityGroup = new NetworkSecurityGroup(this, `${id}Nsg`, {
      name: spec.nsgName,
      location: this.resourceGroup.location,
      resourceGroupName: this.resourceGroup.name,
      tags: copy(spec.tags ?? this.tags),
    });
    const association = new SubnetNetworkSecurityGroupAssociation(this, `${id}NsgAssociation`, {
      subnetId: subnet.id,
      networkSecurityGroupId: networkSecurityGroup.id,
    });
    return { subnet, networkSecurityGroup, association, prefix: spec.prefix };
  }

  private rule(nsg: NetworkSecurityGroup, r: RuleSpec): NetworkSecurityRule {
    const id = `${nsg.node.id}Rule-${r.name}`;
    const rule = new NetworkSecurityRule(this, id, {
      name: r.name,
      priority: r.priority,
      direction: r.direction,
      access: r.access,
      protocol: r.protocol,
      sourcePortRange: '*',
      ...(r.ports.length === 1 ? { destinationPortRange: r.ports[0] } : { destinationPortRanges: r.ports }),
      sourceAddressPrefix: r.source,
      destinationAddressPrefix: r.destination,
      description: r.description,
      resourceGroupName: this.resourceGroup.name,
      networkSecurityGroupName: nsg.name,
    });
    this.rules.set(id, rule);
    return rule;
  }

  private allowSmbToEndpoints(): void {
    const id = `${this.privateEndpoints.networkSecurityGroup.node.id}Rule-AllowVnetSmbInbound`;
    if (this.rules.has(id)) return;
    this.rule(this.privateEndpoints.networkSecurityGroup, {
      name: 'AllowVnetSmbInbound',
      priority: 110,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      ports: ['445'],
      source: 'VirtualNetwork',
      destination: 'VirtualNetwork',
      description: 'SMB to Azure Files private endpoints',
    });
  }

  /** The lowest free block of the apps size, or an error that says how full the network is and what would help. */
  private allocateAppsPrefix(id: string, property: string): string {
    if (this.inExistingNetwork) {
      invalid(this, property, undefined, 'a CIDR block inside the existing network that no subnet uses yet (required with existingVirtualNetwork: its other subnets are not visible here)');
    }
    const block = nextFreeBlock(
      this.addressSpace.map((s) => parseCidr(s)),
      this.plan.map((p) => parseCidr(p.prefix)),
      APPS_SUBNET_AUTO_PREFIX_LENGTH,
    );
    if (block === undefined) {
      const added = this.appsSubnetList.length - (this.defaultApps ? 1 : 0);
      const fixed = this.defaultApps ? 'gateway, apps, private endpoints' : 'gateway, private endpoints';
      invalid(
        this,
        'addressSpace',
        this.addressSpace,
        `room for a /${APPS_SUBNET_AUTO_PREFIX_LENGTH} for apps subnet "${id}": no free /${APPS_SUBNET_AUTO_PREFIX_LENGTH} is left next to the ` +
          `${this.plan.length} subnets of this network (${fixed} and ${added} added apps subnet${added === 1 ? '' : 's'}); ` +
          `give the network a larger addressSpace (a /16 holds more than 1,000 apps subnets of /${APPS_SUBNET_AUTO_PREFIX_LENGTH}) ` +
          `or pass a smaller explicit prefix (App Service /28 or larger, Flex Consumption /27 or larger)`,
      );
    }
    return block.text;
  }

  private requireLiterals(property: string, values: readonly string[]): void {
    const token = values.find((v) => Token.isUnresolved(v));
    if (token !== undefined) {
      invalid(this, property, token, 'literal CIDR strings: the address plan is checked at synth, before anything is created');
    }
  }

  private failOn(issues: AddressPlanIssue[]): void {
    if (issues.length > 0) invalid(this, issues[0].property, issues[0].value, issues[0].accepted);
  }
}

function copy(tags: Tags | undefined): { [key: string]: string } | undefined {
  return tags ? { ...tags } : undefined;
}

/** The three default /24s carved from the first address-space prefix, or undefined if it is smaller than /22. */
function defaultSubnets(first: string): [string, string, string] | undefined {
  const parent = parseCidr(first);
  if (parent.prefixLength > 22) return undefined;
  return [0, 1, 2].map((i) => subnetAt(parent, 24, i).text) as [string, string, string];
}

/*
 * Minimum subnet sizes, from Microsoft's documentation:
 * - APIM Standard v2 / Premium v2 outbound virtual network integration: minimum /27, /24 recommended
 *   ("Integrate an Azure API Management instance with a private virtual network for outbound
 *   connections", Subnet size).
 * - APIM Developer / Premium injection (stv2): minimum /29; each extra scale unit takes two more addresses
 *   and internal mode one more for the load balancer ("Network resource requirements for API Management
 *   injection into a virtual network", Subnet size).
 * - App Service regional virtual network integration: a /28 at least, /26 recommended ("Enable integration
 *   with an Azure virtual network").
 * - Flex Consumption: we could not find a documented minimum; /27 is our floor because each instance takes
 *   an address and the plan scales out far (up to 1,000 instances).
 */
function gatewaySize(mode: GatewayNetworkMode, tier: GatewayTier): { maxPrefixLength: number; sizeReason: string } {
  return mode === 'integration'
    ? { maxPrefixLength: 27, sizeReason: `API Management ${tier} outbound virtual network integration needs a /27 or larger (/24 recommended)` }
    : { maxPrefixLength: 29, sizeReason: `API Management ${tier} injection needs a /29 or larger, plus two addresses per extra scale unit (/27 recommended)` };
}

/*
 * The size addAppsSubnet takes when no prefix is given, for both kinds:
 * - App Service: /26 is Microsoft's recommendation ("Enable integration with an Azure virtual network":
 *   /28 at least, 64 addresses (/26) for maximum horizontal scale); a plan doubles its addresses while it
 *   scales up or down, so a /27 allows only 13 instances.
 * - Flex Consumption: a single app may use up to 40 addresses (a rule of thumb quoted from Microsoft's
 *   Flex Consumption guidance); a /27 has only 27 usable, a /26 has 59.
 * A subnet in use cannot be resized, so the default errs large: 100 of them take 25 /24s of a /16.
 */
const APPS_SUBNET_AUTO_PREFIX_LENGTH = 26;

function delegationFor(kind: BackendKind): SubnetDelegation {
  return kind === 'AppService' ? serverFarmsDelegation() : flexConsumptionDelegation();
}

function appsSize(kind: BackendKind): { maxPrefixLength: number; sizeReason: string } {
  return kind === 'AppService'
    ? { maxPrefixLength: 28, sizeReason: 'App Service virtual network integration needs a /28 or larger (/26 recommended)' }
    : { maxPrefixLength: 27, sizeReason: 'Flex Consumption scales out one address per instance; this library requires a /27 or larger' };
}

// The actions Azure sets for each delegation; declaring them avoids a perpetual plan diff.
function serverFarmsDelegation(): SubnetDelegation {
  return {
    name: 'Microsoft.Web.serverFarms',
    serviceDelegation: { name: 'Microsoft.Web/serverFarms', actions: ['Microsoft.Network/virtualNetworks/subnets/action'] },
  };
}

function flexConsumptionDelegation(): SubnetDelegation {
  return {
    name: 'Microsoft.App.environments',
    serviceDelegation: { name: 'Microsoft.App/environments', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] },
  };
}

/*
 * The NSG rules API Management needs when injected (classic Developer / Premium, stv2), from "Virtual
 * network configuration reference: API Management", Required ports: the rules marked required, plus
 * Microsoft Entra ID (marked optional there, needed here: validate-jwt and managed identities reach Entra).
 * Traffic Manager's inbound 443 (multi-region, external) is covered by the Internet rule in external mode.
 */
function injectionRules(vnetMode: GatewayVnetMode): RuleSpec[] {
  const inbound: RuleSpec[] = [
    {
      name: 'AllowApimManagementInbound',
      priority: 100,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      ports: ['3443'],
      source: 'ApiManagement',
      destination: 'VirtualNetwork',
      description: 'Management endpoint for the Azure portal and PowerShell',
    },
    {
      name: 'AllowAzureLoadBalancerInbound',
      priority: 110,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      ports: ['6390'],
      source: 'AzureLoadBalancer',
      destination: 'VirtualNetwork',
      description: 'Azure infrastructure load balancer health probe',
    },
  ];
  if (vnetMode === 'External') {
    inbound.push({
      name: 'AllowClientHttpsInbound',
      priority: 120,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      ports: ['443'],
      source: 'Internet',
      destination: 'VirtualNetwork',
      description: 'Client communication to the gateway (external mode, HTTPS only)',
    });
  }
  const outbound = (name: string, priority: number, destination: string, ports: string[], description: string): RuleSpec => ({
    name,
    priority,
    direction: 'Outbound',
    access: 'Allow',
    protocol: 'Tcp',
    ports,
    source: 'VirtualNetwork',
    destination,
    description,
  });
  return [
    ...inbound,
    outbound('AllowStorageOutbound', 100, 'Storage', ['443'], 'Dependency on Azure Storage'),
    outbound('AllowSqlOutbound', 110, 'Sql', ['1433'], 'Access to Azure SQL endpoints'),
    outbound('AllowKeyVaultOutbound', 120, 'AzureKeyVault', ['443'], 'Access to Azure Key Vault'),
    outbound('AllowAzureMonitorOutbound', 130, 'AzureMonitor', ['1886', '443'], 'Diagnostics logs, metrics, Resource Health and Application Insights'),
    outbound('AllowEntraIdOutbound', 140, 'AzureActiveDirectory', ['443'], 'Microsoft Entra ID: token validation and managed identities'),
    outbound('AllowCertificateValidationOutbound', 150, 'Internet', ['80'], 'Validation and management of Microsoft-managed and customer-managed certificates'),
  ];
}

/** Private endpoints accept HTTPS from inside the network and nothing else (SMB is added for Azure Files). */
function privateEndpointBaseRules(): RuleSpec[] {
  return [
    {
      name: 'AllowVnetHttpsInbound',
      priority: 100,
      direction: 'Inbound',
      access: 'Allow',
      protocol: 'Tcp',
      ports: ['443'],
      source: 'VirtualNetwork',
      destination: 'VirtualNetwork',
      description: 'HTTPS to private endpoints from the virtual network',
    },
    {
      name: 'DenyAllInbound',
      priority: 4096,
      direction: 'Inbound',
      access: 'Deny',
      protocol: '*',
      ports: ['*'],
      source: '*',
      destination: '*',
      description: 'Nothing else reaches the private endpoints',
    },
  ];
}

