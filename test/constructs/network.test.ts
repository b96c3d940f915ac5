import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { NetworkSecurityRule } from '@cdktf/provider-azurerm/lib/network-security-rule';
import { PrivateDnsZone } from '@cdktf/provider-azurerm/lib/private-dns-zone';
import { Subnet } from '@cdktf/provider-azurerm/lib/subnet';
import { TerraformStack } from 'cdktf';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { GatewayTier, McpNetwork, McpNetworkProps, cidrContains, cidrsOverlap, parseCidr } from '../../lib/constructs/network';
import { Json, RG, Synthesized, caught, refused, resources, synthesize, testStack } from '../support/constructs';

const KV_ID = '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.KeyVault/vaults/kv-one';

function build(props: Partial<McpNetworkProps> = {}, extra?: (network: McpNetwork, stack: TerraformStack) => void): Synthesized & { network: McpNetwork } {
  const stack = testStack();
  const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium', ...props });
  extra?.(network, stack);
  return { ...synthesize(stack), network };
}

function logicalId(json: Json, type: string, match: (r: Json) => boolean): string {
  const ids = Object.entries(resources(json, type))
    .filter(([, r]) => match(r))
    .map(([id]) => id);
  expect(ids).toHaveLength(1);
  return ids[0];
}

function subnetNamed(json: Json, name: string): Json {
  return resources(json, 'azurerm_subnet')[logicalId(json, 'azurerm_subnet', (r) => r.name === name)];
}

/** The NSG rules attached to the security group whose name ends with `-<role>`, keyed by rule name. */
function rulesOf(json: Json, role: string): Record<string, Json> {
  const nsgId = logicalId(json, 'azurerm_network_security_group', (r) => String(r.name).endsWith(`-${role}`));
  const ref = `\${azurerm_network_security_group.${nsgId}.name}`;
  return Object.fromEntries(
    Object.values(resources(json, 'azurerm_network_security_rule'))
      .filter((r) => r.network_security_group_name === ref)
      .map((r) => [r.name, r]),
  );
}

function validationError(run: (stack: TerraformStack) => void): ConstructValidationError {
  const stack = testStack();
  return caught(() => run(stack));
}

/** Every subnet prefix of the plan: inside the address space, and no two overlap. */
function expectSoundPlan(json: Json, addressSpace: string[]): string[] {
  const prefixes = Object.values(resources(json, 'azurerm_subnet')).map((r) => r.address_prefixes[0] as string);
  const blocks = prefixes.map(parseCidr);
  const space = addressSpace.map(parseCidr);
  for (const b of blocks) expect(space.some((s) => cidrContains(s, b))).toBe(true);
  for (let i = 0; i < blocks.length; i++) {
    for (let j = i + 1; j < blocks.length; j++) expect([prefixes[i], prefixes[j], cidrsOverlap(blocks[i], blocks[j])]).toEqual([prefixes[i], prefixes[j], false]);
  }
  return prefixes;
}

/** A network that fails validation in its constructor; nothing of it may be created. */
function badNetwork(props: Partial<McpNetworkProps>): ConstructValidationError {
  const stack = testStack();
  return refused(stack, 'Bad', () => new McpNetwork(stack, 'Bad', { resourceGroup: RG, gatewayTier: 'Premium', ...props }));
}

describe('McpNetwork address plan defaults', () => {
  it('creates 10.60.0.0/16 with three /24 subnets', () => {
    const { json } = build();
    const vnet = Object.values(resources(json, 'azurerm_virtual_network'));
    expect(vnet).toHaveLength(1);
    expect(vnet[0]).toMatchObject({ address_space: ['10.60.0.0/16'], location: 'westeurope', resource_group_name: 'rg-mcp' });
    expect(subnetNamed(json, 'snet-gateway').address_prefixes).toEqual(['10.60.0.0/24']);
    expect(subnetNamed(json, 'snet-apps').address_prefixes).toEqual(['10.60.1.0/24']);
    expect(subnetNamed(json, 'snet-private-endpoints').address_prefixes).toEqual(['10.60.2.0/24']);
  });

  it('carves the default subnets from a custom address space', () => {
    const { json } = build({ addressSpace: ['172.20.8.0/21'] });
    expect(subnetNamed(json, 'snet-gateway').address_prefixes).toEqual(['172.20.8.0/24']);
    expect(subnetNamed(json, 'snet-private-endpoints').address_prefixes).toEqual(['172.20.10.0/24']);
  });

  it('gives every subnet its own security group and associates them', () => {
    const { json } = build();
    const associations = Object.values(resources(json, 'azurerm_subnet_network_security_group_association'));
    expect(associations).toHaveLength(3);
    for (const role of ['gateway', 'apps', 'private-endpoints']) {
      const subnetId = logicalId(json, 'azurerm_subnet', (r) => r.name === `snet-${role}`);
      const nsgId = logicalId(json, 'azurerm_network_security_group', (r) => String(r.name).endsWith(`-${role}`));
      expect(associations).toContainEqual({
        subnet_id: `\${azurerm_subnet.${subnetId}.id}`,
        network_security_group_id: `\${azurerm_network_security_group.${nsgId}.id}`,
      });
    }
  });
});

describe('McpNetwork gateway subnet by tier', () => {
  it.each<GatewayTier>(['Developer', 'Premium'])('%s: injection, no delegation, the documented NSG rules (external)', (tier) => {
    const { json, network } = build({ gatewayTier: tier });
    expect(network.gatewayNetworkMode).toBe('injection');
    expect(network.gatewayVnetMode).toBe('External');
    expect(subnetNamed(json, 'snet-gateway')).not.toHaveProperty('delegation');
    const rules = rulesOf(json, 'gateway');
    const expected: Record<string, Json> = {
      AllowApimManagementInbound: { direction: 'Inbound', priority: 100, destination_port_range: '3443', source_address_prefix: 'ApiManagement' },
      AllowAzureLoadBalancerInbound: { direction: 'Inbound', priority: 110, destination_port_range: '6390', source_address_prefix: 'AzureLoadBalancer' },
      AllowClientHttpsInbound: { direction: 'Inbound', priority: 120, destination_port_range: '443', source_address_prefix: 'Internet' },
      AllowStorageOutbound: { direction: 'Outbound', priority: 100, destination_port_range: '443', destination_address_prefix: 'Storage' },
      AllowSqlOutbound: { direction: 'Outbound', priority: 110, destination_port_range: '1433', destination_address_prefix: 'Sql' },
      AllowKeyVaultOutbound: { direction: 'Outbound', priority: 120, destination_port_range: '443', destination_address_prefix: 'AzureKeyVault' },
      AllowAzureMonitorOutbound: { direction: 'Outbound', priority: 130, destination_port_ranges: ['1886', '443'], destination_address_prefix: 'AzureMonitor' },
      AllowEntraIdOutbound: { direction: 'Outbound', priority: 140, destination_port_range: '443', destination_address_prefix: 'AzureActiveDirectory' },
      AllowCertificateValidationOutbound: { direction: 'Outbound', priority: 150, destination_port_range: '80', destination_address_prefix: 'Internet' },
    };
    expect(Object.keys(rules).sort()).toEqual(Object.keys(expected).sort());
    for (const [name, props] of Object.entries(expected)) {
      expect(rules[name]).toMatchObject({ ...props, access: 'Allow', protocol: 'Tcp', source_port_range: '*' });
    }
    // Inbound rules target the network; outbound rules leave from it.
    for (const r of Object.values(rules)) {
      if (r.direction === 'Inbound') expect(r.destination_address_prefix).toBe('VirtualNetwork');
      else expect(r.source_address_prefix).toBe('VirtualNetwork');
    }
  });

  it('internal mode opens no inbound port to the internet', () => {
    const { json, network } = build({ gatewayTier: 'Premium', gatewayVnetMode: 'Internal' });
    expect(network.gatewayVnetMode).toBe('Internal');
    const rules = Object.values(rulesOf(json, 'gateway'));
    expect(rules.filter((r) => r.direction === 'Inbound' && r.source_address_prefix === 'Internet')).toEqual([]);
    expect(rules.map((r) => r.name)).toContain('AllowApimManagementInbound');
  });

  it.each<GatewayTier>(['StandardV2', 'PremiumV2'])('%s: outbound integration, subnet delegated to Microsoft.Web/serverFarms', (tier) => {
    const { json, network } = build({ gatewayTier: tier });
    expect(network.gatewayNetworkMode).toBe('integration');
    expect(subnetNamed(json, 'snet-gateway').delegation).toEqual([
      {
        name: 'Microsoft.Web.serverFarms',
        service_delegation: { name: 'Microsoft.Web/serverFarms', actions: ['Microsoft.Network/virtualNetworks/subnets/action'] },
      },
    ]);
    // The docs require an NSG on the integration subnet but no specific rules.
    expect(rulesOf(json, 'gateway')).toEqual({});
  });

  it('lists the subnet, its NSG association and every rule as gateway dependencies', () => {
    const { network } = build({ gatewayTier: 'Premium' });
    expect(network.gatewayDependencies).toContain(network.gateway.subnet);
    expect(network.gatewayDependencies).toContain(network.gateway.association);
    expect(network.gatewayDependencies.filter((d) => d instanceof NetworkSecurityRule)).toHaveLength(9);
  });

  it.each<GatewayTier>(['Consumption', 'Basic', 'Standard', 'BasicV2'])('refuses %s, which cannot join a virtual network', (tier) => {
    const error = badNetwork({ gatewayTier: tier });
    expect(error.property).toBe('gatewayTier');
    expect(error.message).toContain(`"${tier}"`);
    expect(error.message).toContain('Developer or Premium');
    expect(error.message).toContain('StandardV2 or PremiumV2');
  });

  it('refuses an unknown tier and a vnet mode on a v2 tier', () => {
    expect(badNetwork({ gatewayTier: 'Isolated' as GatewayTier }).message).toContain('"Isolated"');
    const error = badNetwork({ gatewayTier: 'StandardV2', gatewayVnetMode: 'Internal' });
    expect(error.property).toBe('gatewayVnetMode');
    expect(error.message).toContain('"Internal"');
  });
});

describe('McpNetwork apps subnet', () => {
  it('delegates to Microsoft.Web/serverFarms for App Service', () => {
    const { json } = build({ backendKind: 'AppService' });
    expect(subnetNamed(json, 'snet-apps').delegation[0].service_delegation).toEqual({
      name: 'Microsoft.Web/serverFarms',
      actions: ['Microsoft.Network/virtualNetworks/subnets/action'],
    });
  });

  it('delegates to Microsoft.App/environments for Flex Consumption', () => {
    const { json } = build({ backendKind: 'FlexConsumption' });
    expect(subnetNamed(json, 'snet-apps').delegation[0].service_delegation).toEqual({
      name: 'Microsoft.App/environments',
      actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'],
    });
  });
});

describe('McpNetwork.addAppsSubnet', () => {
  const SERVER_FARMS = { name: 'Microsoft.Web/serverFarms', actions: ['Microsoft.Network/virtualNetworks/subnets/action'] };
  const APP_ENVIRONMENTS = { name: 'Microsoft.App/environments', actions: ['Microsoft.Network/virtualNetworks/subnets/join/action'] };

  /** The NSG associated with the subnet named `subnetName`, by its Terraform logical id. */
  function nsgOf(json: Json, subnetName: string): Json {
    const subnetId = logicalId(json, 'azurerm_subnet', (r) => r.name === subnetName);
    const association = Object.values(resources(json, 'azurerm_subnet_network_security_group_association')).filter(
      (a) => a.subnet_id === `\${azurerm_subnet.${subnetId}.id}`,
    );
    expect(association).toHaveLength(1);
    const nsgId = /^\$\{azurerm_network_security_group\.(.+)\.id\}$/.exec(association[0].network_security_group_id)![1];
    return resources(json, 'azurerm_network_security_group')[nsgId];
  }

  it('delegates each subnet for its own kind, whatever the constructor’s backendKind', () => {
    // A Functions server in the default subnet, an App Service server beside it.
    const { json, network } = build({ backendKind: 'FlexConsumption' }, (n) => {
      n.addAppsSubnet('web', { backendKind: 'AppService' });
      n.addAppsSubnet('fn2', { backendKind: 'FlexConsumption' });
    });
    expect(subnetNamed(json, 'snet-apps').delegation[0].service_delegation).toEqual(APP_ENVIRONMENTS);
    expect(subnetNamed(json, 'snet-apps-web').delegation).toEqual([{ name: 'Microsoft.Web.serverFarms', service_delegation: SERVER_FARMS }]);
    expect(subnetNamed(json, 'snet-apps-fn2').delegation).toEqual([{ name: 'Microsoft.App.environments', service_delegation: APP_ENVIRONMENTS }]);
    expect(network.appsSubnets.map((s) => s.backendKind)).toEqual(['FlexConsumption', 'AppService', 'FlexConsumption']);
  });

  it('gives every added subnet its own NSG, associated to it, in the network’s resource group', () => {
    const { json } = build({}, (n) => {
      n.addAppsSubnet('a', { backendKind: 'AppService' });
      n.addAppsSubnet('b', { backendKind: 'FlexConsumption' });
    });
    const nsgs = ['snet-apps', 'snet-apps-a', 'snet-apps-b'].map((name) => nsgOf(json, name));
    expect(nsgs.map((n) => n.name)).toEqual(['nsg-vnet-network-b23290-apps', 'nsg-vnet-network-b23290-apps-a', 'nsg-vnet-network-b23290-apps-b']);
    for (const nsg of nsgs) expect(nsg).toMatchObject({ location: 'westeurope', resource_group_name: 'rg-mcp' });
    expect(Object.values(resources(json, 'azurerm_subnet_network_security_group_association'))).toHaveLength(5);
    // Integration subnets need no NSG rules: the defaults allow the outbound traffic the apps make.
    expect(rulesOf(json, 'apps-a')).toEqual({});
  });

  it('returns the subnet and lists every apps subnet, the default one first', () => {
    const { network } = build({}, (n) => {
      const web = n.addAppsSubnet('web', { backendKind: 'AppService' });
      expect(web).toMatchObject({ backendKind: 'AppService', prefix: '10.60.3.0/26' });
    });
    expect(network.appsSubnets[0]).toBe(network.apps);
    expect(network.appsSubnets.map((s) => s.prefix)).toEqual(['10.60.1.0/24', '10.60.3.0/26']);
    // A copy: callers cannot add to the network's list behind its back.
    (network.appsSubnets as unknown[]).pop();
    expect(network.appsSubnets).toHaveLength(2);
  });

  it('allocates the lowest free /26 for either kind, inside the space and clear of every subnet', () => {
    const { json, network } = build({}, (n) => {
      for (let i = 0; i < 5; i++) n.addAppsSubnet(`s${i}`, { backendKind: i % 2 === 0 ? 'AppService' : 'FlexConsumption' });
    });
    expect(network.appsSubnets.slice(1).map((s) => s.prefix)).toEqual(['10.60.3.0/26', '10.60.3.64/26', '10.60.3.128/26', '10.60.3.192/26', '10.60.4.0/26']);
    expect(expectSoundPlan(json, ['10.60.0.0/16'])).toHaveLength(8);
  });

  it('fills the gaps around explicit prefixes and continues in the next address-space prefix', () => {
    const addressSpace = ['10.60.0.0/22', '10.70.0.0/24'];
    const { json, network } = build({ addressSpace }, (n) => {
      n.addAppsSubnet('pinned', { backendKind: 'AppService', prefix: '10.60.3.64/26' });
      for (let i = 0; i < 4; i++) n.addAppsSubnet(`s${i}`, { backendKind: 'FlexConsumption' });
    });
    expect(network.appsSubnets.slice(1).map((s) => s.prefix)).toEqual(['10.60.3.64/26', '10.60.3.0/26', '10.60.3.128/26', '10.60.3.192/26', '10.70.0.0/26']);
    expectSoundPlan(json, addressSpace);
  });

  it('gives the same plan for the same calls in the same order', () => {
    const once = () =>
      build({ backendKind: 'FlexConsumption' }, (n) => {
        n.addAppsSubnet('web', { backendKind: 'AppService' });
        n.addAppsSubnet('fixed', { backendKind: 'FlexConsumption', prefix: '10.60.9.0/27' });
        n.addAppsSubnet('fn', { backendKind: 'FlexConsumption' });
      }).text;
    expect(once()).toBe(once());
  });

  it('uses the given tags on the NSG, the network’s by default', () => {
    const { json } = build({ tags: { env: 'test' } }, (n) => {
      n.addAppsSubnet('tagged', { backendKind: 'AppService', tags: { team: 'mcp' } });
      n.addAppsSubnet('plain', { backendKind: 'AppService' });
    });
    expect(nsgOf(json, 'snet-apps-tagged').tags).toEqual({ team: 'mcp' });
    expect(nsgOf(json, 'snet-apps-plain').tags).toEqual({ env: 'test' });
  });

  /**
   * Adds the subnet `first` (10.60.3.0/26) and those `more` names to a fresh network, then runs `add` and
   * returns its error: the failed call must create nothing and leave the list of apps subnets as it was.
   */
  function badAdd(add: (network: McpNetwork) => void, props: Partial<McpNetworkProps> = {}, more: string[] = []): ConstructValidationError {
    let network: McpNetwork | undefined;
    let before = 0;
    const error = validationError((stack) => {
      network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium', ...props });
      for (const id of ['first', ...more]) network.addAppsSubnet(id, { backendKind: 'AppService' });
      before = network.node.children.length;
      add(network);
    });
    expect(network!.node.children).toHaveLength(before);
    expect(network!.appsSubnets).toHaveLength(2 + more.length);
    expect(error.message).toContain('TestStack/Network:');
    return error;
  }

  it.each<[string, string, string, string]>([
    ['overlaps the default apps subnet', '10.60.1.64/26', 'AppService', 'a block that does not overlap appsSubnetPrefix (10.60.1.0/24)'],
    ['overlaps a subnet added before', '10.60.3.32/27', 'FlexConsumption', 'a block that does not overlap addAppsSubnet("first") prefix (10.60.3.0/26)'],
    ['is outside the address space', '10.61.0.0/26', 'AppService', 'a block inside the address space 10.60.0.0/16'],
    ['is too small for App Service', '10.60.4.0/29', 'AppService', 'a /28 or larger'],
    ['is too small for Flex Consumption', '10.60.4.0/28', 'FlexConsumption', 'a /27 or larger'],
    ['is not a CIDR block', '10.60.4.0', 'AppService', 'an IPv4 CIDR block'],
    ['has host bits set', '10.60.4.1/26', 'AppService', '10.60.4.0/26'],
  ])('refuses a prefix that %s', (_why, prefix, backendKind, accepted) => {
    const error = badAdd((n) => n.addAppsSubnet('second', { backendKind: backendKind as 'AppService', prefix }));
    expect(error.property).toBe('addAppsSubnet("second") prefix');
    expect(error.message).toContain(JSON.stringify(prefix));
    expect(error.message).toContain(accepted);
  });

  it('accepts each kind at exactly its minimum size', () => {
    const { network } = build({}, (n) => {
      n.addAppsSubnet('web', { backendKind: 'AppService', prefix: '10.60.4.0/28' });
      n.addAppsSubnet('fn', { backendKind: 'FlexConsumption', prefix: '10.60.4.32/27' });
    });
    expect(network.appsSubnets.map((s) => s.prefix)).toEqual(['10.60.1.0/24', '10.60.4.0/28', '10.60.4.32/27']);
  });

  it('refuses an id used twice (ignoring case: it becomes an Azure name), a bad id and an unknown kind', () => {
    expect(badAdd((n) => n.addAppsSubnet('first', { backendKind: 'AppService' })).message).toContain('"first"');
    const twice = badAdd((n) => n.addAppsSubnet('FIRST', { backendKind: 'FlexConsumption' }));
    expect(twice.property).toBe('addAppsSubnet id');
    expect(twice.message).toContain('not already used');
    expect(badAdd((n) => n.addAppsSubnet('my server', { backendKind: 'AppService' })).message).toContain('found " "');
    expect(badAdd((n) => n.addAppsSubnet('', { backendKind: 'AppService' })).property).toBe('addAppsSubnet id');
    expect(badAdd((n) => n.addAppsSubnet(n.virtualNetworkName, { backendKind: 'AppService' })).message).toContain('not a token');
    const kind = badAdd((n) => n.addAppsSubnet('x', { backendKind: 'Container' as 'AppService' }));
    expect(kind.property).toBe('addAppsSubnet("x") backendKind');
    expect(kind.message).toContain('"Container"');
  });

  it('says how full the network is and what would help when the space is exhausted', () => {
    // A /22 holds the three default /24s and four /26s in the fourth /24.
    const error = badAdd((n) => n.addAppsSubnet('e', { backendKind: 'FlexConsumption' }), { addressSpace: ['10.60.0.0/22'] }, ['b', 'c', 'd']);
    expect(error.property).toBe('addressSpace');
    expect(error.message).toContain('["10.60.0.0/22"]');
    expect(error.message).toContain('apps subnet "e"');
    expect(error.message).toContain('7 subnets of this network (gateway, apps, private endpoints and 4 added apps subnets)');
    expect(error.message).toContain('larger addressSpace');
  });

  it('in an existing network: requires a prefix, and creates the subnet in that network', () => {
    const existing = { id: '/subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub', name: 'vnet-hub', resourceGroupName: 'rg-net', addressSpace: ['10.10.0.0/16'] };
    const props = { existingVirtualNetwork: existing, gatewaySubnetPrefix: '10.10.4.0/24', appsSubnetPrefix: '10.10.5.0/26', privateEndpointsSubnetPrefix: '10.10.6.0/27' };
    const missing = validationError((stack) => {
      new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium', ...props }).addAppsSubnet('web', { backendKind: 'AppService' });
    });
    expect(missing.property).toBe('addAppsSubnet("web") prefix');
    expect(missing.message).toContain('required with existingVirtualNetwork');
    const outside = validationError((stack) => {
      new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium', ...props }).addAppsSubnet('web', { backendKind: 'AppService', prefix: '10.60.3.0/26' });
    });
    expect(outside.message).toContain('inside the address space 10.10.0.0/16');
    const { text } = build(props, (n) => n.addAppsSubnet('web', { backendKind: 'AppService', prefix: '10.10.7.0/26' }));
    expect(text).toHaveResourceWithProperties(Subnet, { name: 'snet-apps-web', virtual_network_name: 'vnet-hub', resource_group_name: 'rg-net', address_prefixes: ['10.10.7.0/26'] });
  });

  it('fits 100 backends in a /16 and synthesizes them with validations on', () => {
    const stack = testStack('azurerm');
    const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'StandardV2' });
    for (let i = 0; i < 100; i++) network.addAppsSubnet(`server-${i}`, { backendKind: i % 2 === 0 ? 'FlexConsumption' : 'AppService' });
    const { json } = synthesize(stack, true);
    expect(Object.keys(resources(json, 'azurerm_subnet'))).toHaveLength(103);
    expect(Object.keys(resources(json, 'azurerm_network_security_group'))).toHaveLength(103);
    expect(Object.keys(resources(json, 'azurerm_subnet_network_security_group_association'))).toHaveLength(103);
    for (const type of ['azurerm_subnet', 'azurerm_network_security_group']) {
      const names = Object.values(resources(json, type)).map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
    }
    expectSoundPlan(json, ['10.60.0.0/16']);
    // 100 /26s are 25 /24s: the last one ends at 10.60.27.255.
    expect(network.appsSubnets[100].prefix).toBe('10.60.27.192/26');
  });
});

describe('McpNetwork without the default apps subnet (defaultAppsSubnet: false)', () => {
  const EXISTING = {
    id: '/subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub',
    name: 'vnet-hub',
    resourceGroupName: 'rg-net',
    addressSpace: ['10.10.0.0/16'],
  };

  it('creates no snet-apps, no apps NSG and no association for it; the other subnets keep their blocks', () => {
    const { json, network } = build({ defaultAppsSubnet: false });
    expect(network.defaultAppsSubnet).toBe(false);
    expect(network.appsSubnets).toEqual([]);
    const subnets = Object.values(resources(json, 'azurerm_subnet')).map((r) => [r.name, r.address_prefixes]);
    expect(subnets.sort()).toEqual([
      ['snet-gateway', ['10.60.0.0/24']],
      ['snet-private-endpoints', ['10.60.2.0/24']],
    ]);
    expect(Object.values(resources(json, 'azurerm_network_security_group')).map((r) => r.name).sort()).toEqual([
      'nsg-vnet-network-b23290-gateway',
      'nsg-vnet-network-b23290-private-endpoints',
    ]);
    expect(Object.values(resources(json, 'azurerm_subnet_network_security_group_association'))).toHaveLength(2);
    // The construct ids of the default subnet are not taken either.
    expect(network.node.tryFindChild('AppsSubnet')).toBeUndefined();
  });

  it('keeps the default when the prop is true or left out', () => {
    expect(build({ defaultAppsSubnet: true }).network.apps.prefix).toBe('10.60.1.0/24');
    expect(build().network.defaultAppsSubnet).toBe(true);
  });

  it('allocates addAppsSubnet from the freed block first, then past the private endpoints', () => {
    const { json, network } = build({ gatewayTier: 'StandardV2', defaultAppsSubnet: false }, (n) => {
      for (let i = 0; i < 5; i++) n.addAppsSubnet(`s${i}`, { backendKind: i % 2 === 0 ? 'FlexConsumption' : 'AppService' });
    });
    expect(network.appsSubnets.map((s) => s.prefix)).toEqual(['10.60.1.0/26', '10.60.1.64/26', '10.60.1.128/26', '10.60.1.192/26', '10.60.3.0/26']);
    expect(subnetNamed(json, 'snet-apps-s0').address_prefixes).toEqual(['10.60.1.0/26']);
    expect(expectSoundPlan(json, ['10.60.0.0/16'])).toHaveLength(7);
  });

  it('counts the subnets without the default one when the space is exhausted', () => {
    // A /22 without snet-apps holds eight /26s: four in the freed second /24, four in the fourth.
    let network: McpNetwork | undefined;
    const error = validationError((stack) => {
      network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium', addressSpace: ['10.60.0.0/22'], defaultAppsSubnet: false });
      for (let i = 0; i < 9; i++) network.addAppsSubnet(`s${i}`, { backendKind: 'AppService' });
    });
    expect(network!.appsSubnets).toHaveLength(8);
    expect(error.property).toBe('addressSpace');
    expect(error.message).toContain('10 subnets of this network (gateway, private endpoints and 8 added apps subnets)');
  });

  it('throws on reading apps, naming the network and pointing at addAppsSubnet', () => {
    const { network } = build({ defaultAppsSubnet: false });
    const error = caught(() => network.apps);
    expect(error).toMatchObject({ constructPath: 'TestStack/Network', property: 'apps', value: undefined });
    expect(error.message).toBe(
      'TestStack/Network: invalid apps undefined: no default apps subnet: this network was built with defaultAppsSubnet: false; ' +
        'pass each backend a subnet from addAppsSubnet(id, { backendKind }) (its `subnet` prop) instead of network.apps',
    );
  });

  it('refuses appsSubnetPrefix and backendKind with it, and a value that is not a boolean', () => {
    const prefix = badNetwork({ defaultAppsSubnet: false, appsSubnetPrefix: '10.60.1.0/24' });
    expect(prefix).toMatchObject({ property: 'appsSubnetPrefix', value: '10.60.1.0/24' });
    expect(prefix.message).toContain('no value together with defaultAppsSubnet: false');
    const kind = badNetwork({ defaultAppsSubnet: false, backendKind: 'FlexConsumption' });
    expect(kind).toMatchObject({ property: 'backendKind', value: 'FlexConsumption' });
    expect(kind.message).toContain('addAppsSubnet takes its own backendKind');
    expect(badNetwork({ defaultAppsSubnet: 'no' as unknown as boolean }).property).toBe('defaultAppsSubnet');
  });

  it('needs no appsSubnetPrefix in an existing network', () => {
    const { json, network } = build(
      { existingVirtualNetwork: EXISTING, gatewaySubnetPrefix: '10.10.4.0/24', privateEndpointsSubnetPrefix: '10.10.6.0/27', defaultAppsSubnet: false },
      (n) => n.addAppsSubnet('web', { backendKind: 'AppService', prefix: '10.10.5.0/26' }),
    );
    expect(Object.values(resources(json, 'azurerm_subnet')).map((r) => r.name).sort()).toEqual(['snet-apps-web', 'snet-gateway', 'snet-private-endpoints']);
    expect(network.appsSubnets.map((s) => s.prefix)).toEqual(['10.10.5.0/26']);
  });
});

describe('McpNetwork private endpoints', () => {
  it('enforces NSGs on the endpoints subnet and admits only HTTPS from the network', () => {
    const { json } = build();
    expect(subnetNamed(json, 'snet-private-endpoints').private_endpoint_network_policies).toBe('Enabled');
    expect(subnetNamed(json, 'snet-private-endpoints')).not.toHaveProperty('delegation');
    const rules = rulesOf(json, 'private-endpoints');
    expect(rules.AllowVnetHttpsInbound).toMatchObject({ direction: 'Inbound', access: 'Allow', priority: 100, destination_port_range: '443', source_address_prefix: 'VirtualNetwork' });
    expect(rules.DenyAllInbound).toMatchObject({ direction: 'Inbound', access: 'Deny', priority: 4096, protocol: '*', source_address_prefix: '*' });
    expect(Object.keys(rules).sort()).toEqual(['AllowVnetHttpsInbound', 'DenyAllInbound']);
  });

  it('creates the endpoint in the endpoints subnet with its DNS zone group', () => {
    const { json } = build({}, (network) => network.addPrivateEndpoint({ id: KV_ID, name: 'kv-one' }, 'vault'));
    const subnetId = logicalId(json, 'azurerm_subnet', (r) => r.name === 'snet-private-endpoints');
    const zoneId = logicalId(json, 'azurerm_private_dns_zone', (r) => r.name === 'privatelink.vaultcore.azure.net');
    const endpoints = Object.values(resources(json, 'azurerm_private_endpoint'));
    expect(endpoints).toHaveLength(1);
    expect(endpoints[0]).toMatchObject({
      name: 'pe-kv-one-vault',
      location: 'westeurope',
      subnet_id: `\${azurerm_subnet.${subnetId}.id}`,
      private_service_connection: { private_connection_resource_id: KV_ID, subresource_names: ['vault'], is_manual_connection: false },
      private_dns_zone_group: { name: 'default', private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zoneId}.id}`] },
    });
  });

  it('creates each zone and its network link once, however many endpoints use it', () => {
    const { json } = build({}, (network) => {
      network.addPrivateEndpoint({ id: KV_ID, name: 'kv-one' }, 'vault');
      network.addPrivateEndpoint({ id: `${KV_ID}2`, name: 'kv-two' }, 'vault');
      network.addPrivateEndpoint({ id: '/sites/app', name: 'app' }, 'sites');
      network.addPrivateEndpoint({ id: '/st/blob', name: 'st' }, 'blob');
      network.addPrivateEndpoint({ id: '/st/q', name: 'st' }, 'queue');
    });
    const zones = Object.values(resources(json, 'azurerm_private_dns_zone')).map((z) => z.name).sort();
    expect(zones).toEqual([
      'privatelink.azurewebsites.net',
      'privatelink.blob.core.windows.net',
      'privatelink.queue.core.windows.net',
      'privatelink.vaultcore.azure.net',
    ]);
    const vnetId = Object.keys(resources(json, 'azurerm_virtual_network'))[0];
    const links = Object.values(resources(json, 'azurerm_private_dns_zone_virtual_network_link'));
    expect(links).toHaveLength(4);
    const linkedZones = links.map((link) => {
      expect(link).toMatchObject({ virtual_network_id: `\${azurerm_virtual_network.${vnetId}.id}`, registration_enabled: false });
      const zone = /^\$\{azurerm_private_dns_zone\.(.+)\.name\}$/.exec(link.private_dns_zone_name)![1];
      expect(link.resource_group_name).toBe(`\${azurerm_private_dns_zone.${zone}.resource_group_name}`);
      return zone;
    });
    expect(linkedZones.sort()).toEqual(Object.keys(resources(json, 'azurerm_private_dns_zone')).sort());
    expect(Object.values(resources(json, 'azurerm_private_endpoint'))).toHaveLength(5);
  });

  it('knows the zones of every sub-resource', () => {
    const { text } = build({ gatewayTier: 'StandardV2' }, (network) => {
      for (const sub of ['table', 'file', 'Gateway'] as const) network.addPrivateEndpoint({ id: `/x/${sub}`, name: 'x' }, sub);
    });
    expect(text).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.table.core.windows.net' });
    expect(text).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.file.core.windows.net' });
    expect(text).toHaveResourceWithProperties(PrivateDnsZone, { name: 'privatelink.azure-api.net' });
  });

  it('opens SMB (445) to the endpoints once an Azure Files endpoint exists, and only then', () => {
    const { json } = build({}, (network) => {
      network.addPrivateEndpoint({ id: '/st1', name: 'st1' }, 'file');
      network.addPrivateEndpoint({ id: '/st2', name: 'st2' }, 'file');
    });
    const rules = rulesOf(json, 'private-endpoints');
    expect(rules.AllowVnetSmbInbound).toMatchObject({ direction: 'Inbound', access: 'Allow', priority: 110, destination_port_range: '445', source_address_prefix: 'VirtualNetwork' });
    expect(Object.keys(rules)).toHaveLength(3);
  });

  it('keeps long endpoint names within 64 characters and apart from each other', () => {
    const long = 'a-very-long-name-hint-for-a-resource-that-keeps-going-and-going';
    const { json } = build({}, (network) => {
      network.addPrivateEndpoint({ id: '/1', name: `${long}-1` }, 'vault');
      network.addPrivateEndpoint({ id: '/2', name: `${long}-2` }, 'vault');
    });
    const names = Object.values(resources(json, 'azurerm_private_endpoint')).map((e) => e.name as string);
    expect(names).toHaveLength(2);
    for (const name of names) {
      expect(name.length).toBeLessThanOrEqual(64);
      expect(name).toMatch(/^[A-Za-z0-9][A-Za-z0-9_.-]*[A-Za-z0-9_]$/);
    }
    expect(names[0]).not.toBe(names[1]);
  });

  it('uses zones given by id and creates no zone or link for them', () => {
    const hubZone = '/subscriptions/hub/resourceGroups/dns/providers/Microsoft.Network/privateDnsZones/privatelink.vaultcore.azure.net';
    const { json } = build({ privateDnsZoneIds: { vault: hubZone } }, (network) => network.addPrivateEndpoint({ id: KV_ID, name: 'kv' }, 'vault'));
    expect(resources(json, 'azurerm_private_dns_zone')).toEqual({});
    expect(resources(json, 'azurerm_private_dns_zone_virtual_network_link')).toEqual({});
    expect(Object.values(resources(json, 'azurerm_private_endpoint'))[0].private_dns_zone_group.private_dns_zone_ids).toEqual([hubZone]);
  });

  it('refuses a gateway endpoint for an injected (classic) gateway', () => {
    const error = validationError((stack) => {
      new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Developer' }).addPrivateEndpoint({ id: '/apim', name: 'apim' }, 'Gateway');
    });
    expect(error.message).toContain('TestStack/Network');
    expect(error.message).toContain('"Gateway"');
  });

  it('refuses the same name hint twice for one sub-resource, and a token hint', () => {
    const twice = validationError((stack) => {
      const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium' });
      network.addPrivateEndpoint({ id: '/1', name: 'kv' }, 'vault');
      network.addPrivateEndpoint({ id: '/2', name: 'kv' }, 'vault');
    });
    expect(twice.message).toContain('"kv"');
    const token = validationError((stack) => {
      const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'Premium' });
      network.addPrivateEndpoint({ id: '/1', name: network.virtualNetworkName }, 'vault');
    });
    expect(token.property).toBe('target.name');
  });
});

describe('McpNetwork in an existing virtual network', () => {
  const existing = {
    id: '/subscriptions/0000/resourceGroups/rg-net/providers/Microsoft.Network/virtualNetworks/vnet-hub',
    name: 'vnet-hub',
    resourceGroupName: 'rg-net',
    addressSpace: ['10.10.0.0/16'],
  };

  it('creates only subnets (in the network’s resource group) and links zones to the existing id', () => {
    const { json, text } = build(
      { existingVirtualNetwork: existing, gatewaySubnetPrefix: '10.10.4.0/24', appsSubnetPrefix: '10.10.5.0/26', privateEndpointsSubnetPrefix: '10.10.6.0/27' },
      (network) => network.addPrivateEndpoint({ id: KV_ID, name: 'kv' }, 'vault'),
    );
    expect(resources(json, 'azurerm_virtual_network')).toEqual({});
    expect(text).toHaveResourceWithProperties(Subnet, { name: 'snet-apps', virtual_network_name: 'vnet-hub', resource_group_name: 'rg-net', address_prefixes: ['10.10.5.0/26'] });
    expect(Object.values(resources(json, 'azurerm_private_dns_zone_virtual_network_link'))[0].virtual_network_id).toBe(existing.id);
  });

  it('requires explicit subnet prefixes (it cannot see the existing subnets)', () => {
    const error = badNetwork({ existingVirtualNetwork: existing });
    expect(error.property).toBe('gatewaySubnetPrefix');
  });

  it('checks the prefixes against the existing address space', () => {
    const error = badNetwork({ existingVirtualNetwork: existing, gatewaySubnetPrefix: '10.60.0.0/24', appsSubnetPrefix: '10.10.5.0/26', privateEndpointsSubnetPrefix: '10.10.6.0/27' });
    expect(error.property).toBe('gatewaySubnetPrefix');
    expect(error.message).toContain('"10.60.0.0/24"');
    expect(error.message).toContain('10.10.0.0/16');
  });
});

describe('McpNetwork address plan errors', () => {
  it('bad CIDR syntax in the address space', () => {
    const error = badNetwork({ addressSpace: ['10.60.0.0/16x'] });
    expect(error.property).toBe('addressSpace[0]');
    expect(error.message).toContain('"10.60.0.0/16x"');
  });

  it('bad CIDR syntax in a subnet', () => {
    const error = badNetwork({ appsSubnetPrefix: '10.60.1/24' });
    expect(error.property).toBe('appsSubnetPrefix');
    expect(error.message).toContain('"10.60.1/24"');
  });

  it('host bits set in a subnet', () => {
    const error = badNetwork({ appsSubnetPrefix: '10.60.1.7/24' });
    expect(error.message).toContain('"10.60.1.7/24"');
    expect(error.message).toContain('10.60.1.0/24');
  });

  it('a subnet outside the address space', () => {
    const error = badNetwork({ privateEndpointsSubnetPrefix: '192.168.0.0/24' });
    expect(error.property).toBe('privateEndpointsSubnetPrefix');
    expect(error.message).toContain('"192.168.0.0/24"');
    expect(error.message).toContain('inside the address space 10.60.0.0/16');
  });

  it('overlapping subnets', () => {
    const error = badNetwork({ appsSubnetPrefix: '10.60.0.128/25' });
    expect(error.property).toBe('appsSubnetPrefix');
    expect(error.message).toContain('"10.60.0.128/25"');
    expect(error.message).toContain('gatewaySubnetPrefix (10.60.0.0/24)');
  });

  it.each<[Partial<McpNetworkProps>, string, string]>([
    [{ gatewayTier: 'StandardV2', gatewaySubnetPrefix: '10.60.0.0/28' }, 'gatewaySubnetPrefix', '/27'],
    [{ gatewayTier: 'Premium', gatewaySubnetPrefix: '10.60.0.0/30' }, 'gatewaySubnetPrefix', '/29'],
    [{ backendKind: 'AppService', appsSubnetPrefix: '10.60.1.0/29' }, 'appsSubnetPrefix', '/28'],
    [{ backendKind: 'FlexConsumption', appsSubnetPrefix: '10.60.1.0/28' }, 'appsSubnetPrefix', '/27'],
    [{ privateEndpointsSubnetPrefix: '10.60.2.0/30' }, 'privateEndpointsSubnetPrefix', '/29'],
  ])('a subnet too small for its use: %j', (props, property, minimum) => {
    const error = badNetwork(props);
    expect(error.property).toBe(property);
    expect(error.message).toContain(JSON.stringify(props[property as keyof McpNetworkProps]));
    expect(error.message).toContain(`a ${minimum} or larger`);
  });

  it('accepts each use at exactly its minimum size', () => {
    expect(() => build({ gatewayTier: 'StandardV2', gatewaySubnetPrefix: '10.60.0.0/27', appsSubnetPrefix: '10.60.1.0/28', privateEndpointsSubnetPrefix: '10.60.2.0/29' })).not.toThrow();
    expect(() => build({ gatewayTier: 'Developer', gatewaySubnetPrefix: '10.60.0.0/29', backendKind: 'FlexConsumption', appsSubnetPrefix: '10.60.1.0/27' })).not.toThrow();
  });

  it('an address space too small for the default subnets', () => {
    const error = badNetwork({ addressSpace: ['10.60.0.0/23'] });
    expect(error.property).toBe('gatewaySubnetPrefix');
    expect(error.message).toContain('10.60.0.0/23');
  });

  it('an address space that is a token', () => {
    const error = validationError((stack) => {
      const other = new McpNetwork(stack, 'Other', { resourceGroup: RG, gatewayTier: 'Premium' });
      new McpNetwork(stack, 'Bad', { resourceGroup: RG, gatewayTier: 'Premium', addressSpace: [other.virtualNetworkName] });
    });
    expect(error.message).toContain('TestStack/Bad');
    expect(error.property).toBe('addressSpace');
  });
});

describe('two McpNetworks in one stack', () => {
  it('synthesize without construct or Azure name collisions and share the resource group’s zones', () => {
    const stack = testStack('azurerm');
    const a = new McpNetwork(stack, 'NetworkA', { resourceGroup: RG, gatewayTier: 'Premium' });
    const b = new McpNetwork(stack, 'NetworkB', { resourceGroup: RG, gatewayTier: 'StandardV2', addressSpace: ['10.70.0.0/16'] });
    a.addPrivateEndpoint({ id: KV_ID, name: 'kv-a' }, 'vault');
    b.addPrivateEndpoint({ id: KV_ID, name: 'kv-b' }, 'vault');
    // Validations on: cdktf checks provider presence and the construct tree.
    const { json } = synthesize(stack, true);
    for (const type of ['azurerm_virtual_network', 'azurerm_network_security_group', 'azurerm_private_endpoint']) {
      const names = Object.values(resources(json, type)).map((r) => r.name);
      expect(new Set(names).size).toBe(names.length);
    }
    // One zone per resource group (a second one with the same name would collide at apply), two links.
    expect(Object.values(resources(json, 'azurerm_private_dns_zone'))).toHaveLength(1);
    const links = Object.values(resources(json, 'azurerm_private_dns_zone_virtual_network_link'));
    expect(links).toHaveLength(2);
    expect(new Set(links.map((l) => l.name)).size).toBe(2);
    expect(new Set(links.map((l) => l.virtual_network_id)).size).toBe(2);
  });

  it('synthesize byte-identically twice', () => {
    const once = () => build({}, (n) => n.addPrivateEndpoint({ id: KV_ID, name: 'kv' }, 'vault')).text;
    expect(once()).toBe(once());
  });
});

describe('McpNetwork snapshot', () => {
  it('matches the reviewed plan (complements the assertions above)', () => {
    const { text } = build({ gatewayTier: 'Premium', tags: { env: 'test' } }, (network) => {
      network.addPrivateEndpoint({ id: KV_ID, name: 'kv' }, 'vault');
    });
    expect(text).toMatchSnapshot();
  });

  it('matches the reviewed plan of the reference deployment: no default apps subnet, a Functions and an App Service server', () => {
    const { text } = build({ gatewayTier: 'StandardV2', defaultAppsSubnet: false, tags: { env: 'test' } }, (network) => {
      network.addAppsSubnet('func-1', { backendKind: 'FlexConsumption' });
      network.addAppsSubnet('app-1', { backendKind: 'AppService' });
    });
    expect(text).toMatchSnapshot();
  });
});
