import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Testing, TerraformStack } from 'cdktf';
import { AzapiResource } from '../../lib/constructs/azapi';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { McpKeyVault, McpKeyVaultProps } from '../../lib/constructs/key-vault';
import { McpNetwork } from '../../lib/constructs/network';
import { Json, RG, Synthesized, caught, only, ref, refused, resources, subnetId, synthesize, testStack } from '../support/constructs';

const TENANT = '11111111-2222-3333-4444-555555555555';

function newStack(): { stack: TerraformStack; network: McpNetwork } {
  const stack = testStack('azurerm', 'azapi', 'random');
  const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'StandardV2' });
  return { stack, network };
}

function build(props: Partial<McpKeyVaultProps> = {}, extra?: (vault: McpKeyVault) => void): Synthesized & { vault: McpKeyVault } {
  const { stack, network } = newStack();
  const vault = new McpKeyVault(stack, 'Vault', { resourceGroup: RG, network, name: 'kv-mcp', ...props });
  extra?.(vault);
  // Validations on: the providers the vault needs must be in the stack.
  return { ...synthesize(stack, true), vault };
}

function vaultRef(json: Json, attribute: string): string {
  return ref(json, 'azurerm_key_vault', attribute);
}

/** A vault that fails validation; the failing call must name the construct path. */
function badVault(props: Partial<McpKeyVaultProps>, then?: (vault: McpKeyVault) => void): ConstructValidationError {
  const { stack, network } = newStack();
  const create = () => new McpKeyVault(stack, 'Bad', { resourceGroup: RG, network, name: 'kv-mcp', ...props });
  // Constructor validation runs before any resource is created.
  if (!then) return refused(stack, 'Bad', create);
  const error = caught(() => then(create()));
  expect(error.message).toContain('TestStack/Bad');
  return error;
}

describe('McpKeyVault settings', () => {
  it('uses RBAC, purge protection, 90-day soft delete, no public access and a default-deny firewall', () => {
    const { text, json } = build({ tenantId: TENANT });
    expect(text).toHaveResourceWithProperties(KeyVault, {
      rbac_authorization_enabled: true,
      purge_protection_enabled: true,
      soft_delete_retention_days: 90,
      public_network_access_enabled: false,
      network_acls: { default_action: 'Deny', bypass: 'AzureServices' },
      sku_name: 'standard',
      tenant_id: TENANT,
      location: 'westeurope',
      resource_group_name: 'rg-mcp',
    });
    // The deprecated flag (removed in azurerm 5) is not used, and no access policies are written.
    const [, vault] = only(json, 'azurerm_key_vault');
    expect(vault).not.toHaveProperty('enable_rbac_authorization');
    expect(vault).not.toHaveProperty('access_policy');
  });

  it('takes the tenant from the azurerm client config when none is given', () => {
    const { json } = build();
    const configs = Object.keys(json.data.azurerm_client_config);
    expect(configs).toHaveLength(1);
    expect(only(json, 'azurerm_key_vault')[1].tenant_id).toBe(`\${data.azurerm_client_config.${configs[0]}.tenant_id}`);
  });

  it('needs no client config data source when the tenant is given', () => {
    const { json } = build({ tenantId: TENANT });
    expect(json.data?.azurerm_client_config).toBeUndefined();
  });

  it('appends a random suffix kept in state: lower-case letters and digits only', () => {
    const { json } = build();
    const [suffixId, suffix] = only(json, 'random_string');
    expect(suffix).toEqual({ length: 6, lower: true, upper: false, numeric: true, special: false });
    expect(only(json, 'azurerm_key_vault')[1].name).toBe(`kv-mcp-\${random_string.${suffixId}.result}`);
  });

  it('uses the name as given without the suffix', () => {
    const { json } = build({ uniqueSuffix: false });
    expect(only(json, 'azurerm_key_vault')[1].name).toBe('kv-mcp');
    expect(resources(json, 'random_string')).toEqual({});
  });

  it('lets the documented opt-outs through', () => {
    const { text } = build({ purgeProtectionEnabled: false, softDeleteRetentionDays: 7, skuName: 'premium', tags: { env: 'dev' } });
    expect(text).toHaveResourceWithProperties(KeyVault, { purge_protection_enabled: false, soft_delete_retention_days: 7, sku_name: 'premium', tags: { env: 'dev' } });
  });

  it('gets a private endpoint for the vault sub-resource through the network', () => {
    const { json } = build();
    const [, endpoint] = only(json, 'azurerm_private_endpoint');
    const [zoneId, zone] = only(json, 'azurerm_private_dns_zone');
    expect(zone.name).toBe('privatelink.vaultcore.azure.net');
    expect(endpoint).toMatchObject({
      name: 'pe-kv-mcp-vault',
      subnet_id: subnetId(json, 'snet-private-endpoints'),
      private_service_connection: { private_connection_resource_id: vaultRef(json, 'id'), subresource_names: ['vault'], is_manual_connection: false },
      private_dns_zone_group: { private_dns_zone_ids: [`\${azurerm_private_dns_zone.${zoneId}.id}`] },
    });
  });
});

describe('McpKeyVault.grantSecretsRead', () => {
  it('assigns Key Vault Secrets User on the vault and nothing broader', () => {
    const { text, json } = build({}, (vault) => vault.grantSecretsRead({ principalId: 'principal-1', principalType: 'ServicePrincipal' }));
    expect(text).toHaveResourceWithProperties(RoleAssignment, {
      role_definition_name: 'Key Vault Secrets User',
      scope: vaultRef(json, 'id'),
      principal_id: 'principal-1',
      principal_type: 'ServicePrincipal',
    });
    const [, assignment] = only(json, 'azurerm_role_assignment');
    expect(assignment.scope).not.toContain(RG.id);
    expect(assignment).not.toHaveProperty('role_definition_id');
  });

  it('gives each grant its own assignment', () => {
    const { json } = build({}, (vault) => {
      vault.grantSecretsRead({ principalId: 'a' });
      vault.grantSecretsRead({ principalId: 'b', principalType: 'Group' });
    });
    const assignments = Object.values(resources(json, 'azurerm_role_assignment'));
    expect(assignments.map((a) => a.principal_id).sort()).toEqual(['a', 'b']);
    expect(assignments.every((a) => a.role_definition_name === 'Key Vault Secrets User')).toBe(true);
  });

  it('grants a principal once, however often it is asked (Azure refuses a duplicate assignment)', () => {
    let first: unknown;
    let second: unknown;
    const { json } = build({}, (vault) => {
      first = vault.grantSecretsRead({ principalId: 'gateway', principalType: 'ServicePrincipal' });
      second = vault.grantSecretsRead({ principalId: 'gateway', principalType: 'ServicePrincipal' });
    });
    expect(second).toBe(first);
    expect(Object.values(resources(json, 'azurerm_role_assignment')).map((a) => a.principal_id)).toEqual(['gateway']);
  });

  it('refuses an empty principal id and an unknown principal type', () => {
    expect(badVault({}, (v) => v.grantSecretsRead({ principalId: '' })).property).toBe('principal.principalId');
    const type = 'Robot' as unknown as 'User';
    const error = badVault({}, (v) => v.grantSecretsRead({ principalId: 'x', principalType: type }));
    expect(error.message).toContain('"Robot"');
  });
});

describe('McpKeyVault.addSecret', () => {
  it('creates the secret through the control plane with the value only in the write-only body', () => {
    const { json } = build({}, (vault) => {
      const secret = vault.addSecret('backend-key', { value: 'from-a-variable' }, { contentType: 'text/plain', expiresAt: '2027-01-01T00:00:00Z' });
      // A named value that uses the versionless URI, as the gateway construct will.
      new AzapiResource(vault, 'Consumer', {
        type: 'Microsoft.ApiManagement/service/namedValues@2024-05-01',
        name: 'backend-key',
        parentId: '/apim',
        body: { properties: { keyVault: { secretIdentifier: secret.versionlessUri } } },
      });
    });
    const all = Object.entries(resources(json, 'azapi_resource'));
    const [secretId, secret] = all.find(([, r]) => r.type.startsWith('Microsoft.KeyVault/'))!;
    expect(secret).toEqual({
      type: 'Microsoft.KeyVault/vaults/secrets@2024-11-01',
      name: 'backend-key',
      parent_id: vaultRef(json, 'id'),
      body: { properties: { contentType: 'text/plain', attributes: { enabled: true, exp: 1798761600 } } },
      sensitive_body: { properties: { value: 'from-a-variable' } },
      sensitive_body_version: { 'properties.value': '1' },
      response_export_values: ['properties.secretUri'],
    });
    // The value is never part of the stored body.
    expect(JSON.stringify(secret.body)).not.toContain('from-a-variable');
    // The versionless URI comes from the created secret, so whatever uses it waits for the secret.
    const [, consumer] = all.find(([, r]) => r.type.startsWith('Microsoft.ApiManagement/'))!;
    expect(consumer.body.properties.keyVault.secretIdentifier).toBe(`\${azapi_resource.${secretId}.output.properties.secretUri}`);
  });

  it('generates a value with random_password when asked', () => {
    const { json } = build({}, (vault) => vault.addSecret('session-key', { generate: { length: 48 } }, { version: '3' }));
    const [passwordId, password] = only(json, 'random_password');
    expect(password).toEqual({ length: 48, special: false, upper: true, lower: true, numeric: true });
    const [, secret] = only(json, 'azapi_resource');
    expect(secret.sensitive_body).toEqual({ properties: { value: `\${random_password.${passwordId}.result}` } });
    expect(secret.sensitive_body_version).toEqual({ 'properties.value': '3' });
    expect(secret.body).toEqual({ properties: { attributes: { enabled: true } } });
  });

  it('accepts a Date for the expiry', () => {
    const { json } = build({}, (vault) => vault.addSecret('s', { value: 'v' }, { expiresAt: new Date(Date.UTC(2030, 0, 1)) }));
    expect(only(json, 'azapi_resource')[1].body.properties.attributes.exp).toBe(1893456000);
  });

  it.each([
    ['', 'secret name'],
    ['has_underscore', 'secret name'],
    ['a'.repeat(128), 'secret name'],
  ])('refuses the secret name %j', (name, property) => {
    const error = badVault({}, (v) => v.addSecret(name, { value: 'x' }));
    expect(error.property).toBe(property);
    expect(error.message).toContain(JSON.stringify(name));
  });

  it('refuses a second secret with the same name (names are case-insensitive)', () => {
    const error = badVault({}, (v) => {
      v.addSecret('api-key', { value: 'x' });
      v.addSecret('API-KEY', { value: 'y' });
    });
    expect(error.message).toContain('"API-KEY"');
  });

  it('refuses an expiry without a zone, a short generated value and an empty value', () => {
    expect(badVault({}, (v) => v.addSecret('s', { value: 'x' }, { expiresAt: '2027-01-01' })).message).toContain('"2027-01-01"');
    expect(badVault({}, (v) => v.addSecret('s', { generate: { length: 8 } })).message).toContain('8');
    expect(badVault({}, (v) => v.addSecret('s', { value: '' })).property).toBe('secret s value');
  });
});

describe('McpKeyVault name rules', () => {
  it.each<[string, boolean, string]>([
    ['kv', false, '3-24 characters'],
    ['kv-abcdefghijklmnopqrstuv', false, '3-24 characters'],
    ['kv-abcdefghijklmno', true, '1-17 characters'],
    ['kv_mcp', false, 'only letters, digits and hyphens'],
    ['1kv-mcp', false, 'start with a letter'],
    ['kv-mcp-', false, 'end with a letter or digit'],
    ['kv--mcp', false, 'consecutive hyphens'],
  ])('refuses %j (uniqueSuffix %s): %s', (name, uniqueSuffix, rule) => {
    const error = badVault({ name, uniqueSuffix });
    expect(error.property).toBe('name');
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain(rule);
  });

  it('accepts names at the limits', () => {
    expect(() => build({ name: 'kv-abcdefghijklmnopqrstu', uniqueSuffix: false })).not.toThrow();
    expect(() => build({ name: 'kv-abcdefghijklmn' })).not.toThrow();
  });

  it('refuses a soft-delete retention outside 7-90 days', () => {
    expect(badVault({ softDeleteRetentionDays: 120 }).message).toContain('120');
  });
});

describe('two McpKeyVaults in one stack', () => {
  it('synthesize with distinct names, suffixes, endpoints and one shared DNS zone', () => {
    const { stack, network } = newStack();
    const a = new McpKeyVault(stack, 'VaultA', { resourceGroup: RG, network, name: 'kv-a' });
    const b = new McpKeyVault(stack, 'VaultB', { resourceGroup: RG, network, name: 'kv-b' });
    a.addSecret('api-key', { value: 'x' });
    b.addSecret('api-key', { value: 'y' });
    a.grantSecretsRead({ principalId: 'p' });
    b.grantSecretsRead({ principalId: 'p' });
    const { json } = synthesize(stack, true);
    const vaults = Object.values(resources(json, 'azurerm_key_vault')).map((v) => v.name);
    expect(new Set(vaults).size).toBe(2);
    expect(Object.keys(resources(json, 'random_string'))).toHaveLength(2);
    const endpoints = Object.values(resources(json, 'azurerm_private_endpoint')).map((e) => e.name);
    expect(endpoints.sort()).toEqual(['pe-kv-a-vault', 'pe-kv-b-vault']);
    expect(Object.values(resources(json, 'azurerm_private_dns_zone'))).toHaveLength(1);
    const secrets = Object.values(resources(json, 'azapi_resource'));
    expect(new Set(secrets.map((s) => s.parent_id)).size).toBe(2);
    const scopes = Object.values(resources(json, 'azurerm_role_assignment')).map((r) => r.scope);
    expect(new Set(scopes).size).toBe(2);
  });
});

describe('McpKeyVault providers', () => {
  it('needs the random provider in the stack for the name suffix (cdktf refuses to synthesize without it)', () => {
    const stack = testStack('azurerm', 'azapi');
    const network = new McpNetwork(stack, 'Network', { resourceGroup: RG, gatewayTier: 'StandardV2' });
    new McpKeyVault(stack, 'Vault', { resourceGroup: RG, network, name: 'kv-mcp' });
    expect(() => Testing.synth(stack, true)).toThrow(/random/);
  });
});

describe('McpKeyVault snapshot', () => {
  it('matches the reviewed plan (complements the assertions above)', () => {
    const { text } = build({ tenantId: TENANT, tags: { env: 'test' } }, (vault) => {
      vault.grantSecretsRead({ principalId: 'principal-1', principalType: 'ServicePrincipal' });
      vault.addSecret('api-key', { generate: { length: 32 } }, { contentType: 'text/plain' });
    });
    expect(text).toMatchSnapshot();
  });
});
