import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { DataAzurermClientConfig } from '@cdktf/provider-azurerm/lib/data-azurerm-client-config';
import { KeyVault } from '@cdktf/provider-azurerm/lib/key-vault';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Password } from '@cdktf/provider-random/lib/password';
import { AzapiJsonObject, AzapiResource } from '../azapi';
import { Principal, ResourceGroupRef, Tags } from '../common';
import { invalid } from '../errors';
import { NameRule, uniqueSuffix, validatedName } from '../naming';
import { McpNetwork } from '../network';

/**
 * The control-plane API that creates secrets. 2024-11-01 is a stable version the azapi 2.x schema knows;
 * newer stable versions exist (2025-05-01, 2026-02-01) but older azapi releases in the `~> 2.5` range
 * would refuse them in schema validation, and the secret body has not changed between them.
 */
export const KEY_VAULT_SECRETS_API_VERSION = '2024-11-01';

/** The built-in role that reads secret contents, and nothing else. */
export const KEY_VAULT_SECRETS_USER_ROLE = 'Key Vault Secrets User';

/** Length of the random suffix appended to the vault name (after a hyphen). */
export const KEY_VAULT_SUFFIX_LENGTH = 6;

// Azure naming rules for Microsoft.KeyVault/vaults ("Naming rules and restrictions for Azure resources"):
// 3-24 characters, alphanumerics and hyphens, start with a letter, end with a letter or digit, no
// consecutive hyphens. Globally unique (and held for the soft-delete period after deletion).
function keyVaultNameRule(minLength: number, maxLength: number, resource: string): NameRule {
  return {
    resource,
    minLength,
    maxLength,
    allowedCharacters: /[A-Za-z0-9-]/,
    allowedDescription: 'letters, digits and hyphens',
    start: { pattern: /[A-Za-z]/, description: 'a letter' },
    end: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
    noConsecutiveHyphens: true,
  };
}

// Secret names ("Naming rules": Microsoft.KeyVault/vaults/secrets): 1-127 alphanumerics and hyphens.
const SECRET_NAME_RULE: NameRule = {
  resource: 'Key Vault secret name',
  minLength: 1,
  maxLength: 127,
  allowedCharacters: /[A-Za-z0-9-]/,
  allowedDescription: 'letters, digits and hyphens',
};

export interface McpKeyVaultProps {
  readonly resourceGroup: ResourceGroupRef;
  /** The network whose private-endpoints subnet gets the vault's private endpoint. */
  readonly network: McpNetwork;
  /**
   * The vault name, or its base when `uniqueSuffix` is on (`<name>-<6 random characters>`): 3-24
   * characters (1-17 with the suffix), letters, digits and single hyphens, starting with a letter.
   */
  readonly name: string;
  /**
   * Append a random suffix kept in state, so a redeployment after a destroy does not collide with the
   * soft-deleted vault that still holds the name. Needs the random provider in the stack.
   * @default true
   */
  readonly uniqueSuffix?: boolean;
  /** @default - the tenant of the credentials Terraform runs with (`data.azurerm_client_config`) */
  readonly tenantId?: string;
  /** @default 'standard' */
  readonly skuName?: 'standard' | 'premium';
  /** Days a deleted vault or secret can be recovered (7-90; fixed once the vault exists). @default 90 */
  readonly softDeleteRetentionDays?: number;
  /**
   * Purge protection: nobody can purge a deleted vault or secret before the retention ends. It cannot be
   * turned off once on; turn it off only for throwaway environments.
   * @default true
   */
  readonly purgeProtectionEnabled?: boolean;
  /** @default - none */
  readonly tags?: Tags;
}

/** Where a secret's value comes from: a value you pass, or a random value generated at the first apply. */
export type SecretSource =
  | { readonly value: string }
  | {
      readonly generate: {
        /** 16-1024 characters. */
        readonly length: number;
        /** Include punctuation (`!@#$%&*()-_=+[]{}<>:?`). @default false (safe in headers and URLs) */
        readonly special?: boolean;
      };
    };

export interface AddSecretOptions {
  /** A hint for readers (`text/plain`, `application/json`). @default - none */
  readonly contentType?: string;
  /** When the secret expires (`exp`): a Date or an ISO 8601 time with a zone (`2027-01-01T00:00:00Z`). @default - never */
  readonly expiresAt?: Date | string;
  /**
   * The value is write-only: Terraform sees no change when it changes. Bump this to send the current
   * value again (after changing `value`, or to store a newly generated one).
   * @default '1'
   */
  readonly version?: string;
  /** @default - the vault's tags */
  readonly tags?: Tags;
}

/** A secret created by {@link McpKeyVault.addSecret}. */
export interface McpKeyVaultSecret {
  readonly name: string;
  /** The ARM resource id of the secret (a scope for per-secret role assignments). */
  readonly resourceId: string;
  /**
   * `https://<vault>.vault.azure.net/secrets/<name>`, without a version: Key Vault references and APIM
   * named values that use it follow the latest version. Taken from the created secret, so whatever uses
   * it waits for the secret to exist.
   */
  readonly versionlessUri: string;
  readonly resource: AzapiResource;
}

/**
 * A Key Vault for the MCP gateway's secrets: RBAC authorization, purge protection, 90-day soft delete,
 * public network access off with a default-deny firewall, reachable through a private endpoint in the
 * network. Secrets are written through the control plane (a workstation cannot reach the data plane of a
 * private vault) and read by principals granted `Key Vault Secrets User` on this vault.
 *
 * The stack needs the azapi provider (`AzapiProvider`), and the random provider (`RandomProvider`) when
 * `uniqueSuffix` is on or a secret is generated.
 */
export class McpKeyVault extends Construct {
  readonly vault: KeyVault;
  readonly privateEndpoint: PrivateEndpoint;
  readonly vaultId: string;
  readonly vaultName: string;
  /** `https://<name>.vault.azure.net/` */
  readonly vaultUri: string;

  private readonly tags?: Tags;
  private readonly secretNames = new Set<string>();
  private grants = 0;
  private readonly secretReaders = new Map<string, RoleAssignment>();

  constructor(scope: Construct, id: string, props: McpKeyVaultProps) {
    super(scope, id);
    this.tags = props.tags;
    const suffixed = props.uniqueSuffix ?? true;
    const rule = suffixed
      ? keyVaultNameRule(1, 24 - 1 - KEY_VAULT_SUFFIX_LENGTH, `Key Vault name base (before "-" and the ${KEY_VAULT_SUFFIX_LENGTH}-character suffix)`)
      : keyVaultNameRule(3, 24, 'Key Vault name');
    validatedName(this, 'name', props.name, rule);
    const retention = props.softDeleteRetentionDays ?? 90;
    if (!Number.isInteger(retention) || retention < 7 || retention > 90) {
      invalid(this, 'softDeleteRetentionDays', retention, 'an integer from 7 to 90');
    }
    const sku = props.skuName ?? 'standard';
    if (sku !== 'standard' && sku !== 'premium') invalid(this, 'skuName', sku, 'standard or premium');

    const name = suffixed ? `${props.name}-${uniqueSuffix(this, 'NameSuffix', KEY_VAULT_SUFFIX_LENGTH)}` : props.name;
    const tenantId = props.tenantId ?? new DataAzurermClientConfig(this, 'ClientConfig').tenantId;

    this.vault = new KeyVault(this, 'Vault', {
      name,
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      tenantId,
      skuName: sku,
      // Azure RBAC for data-plane access: grants are role assignments, scoped and auditable.
      rbacAuthorizationEnabled: true,
      purgeProtectionEnabled: props.purgeProtectionEnabled ?? true,
      softDeleteRetentionDays: retention,
      publicNetworkAccessEnabled: false,
      networkAcls: { defaultAction: 'Deny', bypass: 'AzureServices' },
      tags: props.tags ? { ...props.tags } : undefined,
    });
    this.vaultId = this.vault.id;
    this.vaultName = this.vault.name;
    this.vaultUri = this.vault.vaultUri;

    this.privateEndpoint = props.network.addPrivateEndpoint({ id: this.vault.id, name: props.name }, 'vault', {
      tags: props.tags,
    });
  }

  /**
   * Lets `principal` read secret values: a `Key Vault Secrets User` role assignment on this vault (not
   * its resource group or subscription).
   */
  grantSecretsRead(principal: Principal): RoleAssignment {
    if (typeof principal?.principalId !== 'string' || principal.principalId === '') {
      invalid(this, 'principal.principalId', principal?.principalId, 'the object id of a managed identity, service principal, user or group');
    }
    if (principal.principalType !== undefined && !['ServicePrincipal', 'User', 'Group'].includes(principal.principalType)) {
      invalid(this, 'principal.principalType', principal.principalType, 'ServicePrincipal, User or Group');
    }
    // Azure refuses a second identical role assignment at apply, so granting the same principal twice
    // (a backend and the gateway both asking for it) returns the first one. Tokens compare by their text.
    const existing = this.secretReaders.get(principal.principalId);
    if (existing) return existing;
    this.grants += 1;
    const assignment = new RoleAssignment(this, `SecretsRead${this.grants}`, {
      scope: this.vault.id,
      roleDefinitionName: KEY_VAULT_SECRETS_USER_ROLE,
      principalId: principal.principalId,
      principalType: principal.principalType,
    });
    this.secretReaders.set(principal.principalId, assignment);
    return assignment;
  }

  /**
   * Creates a secret through the control plane (`Microsoft.KeyVault/vaults/secrets`), so it works while
   * the vault refuses public data-plane traffic. The value goes in the write-only `sensitive_body`: it is
   * not stored in the azapi resource's state (azapi 2.4 or later, Terraform 1.11 or later). A generated
   * value comes from `random_password`, whose own state does hold it.
   */
  addSecret(name: string, source: SecretSource, options: AddSecretOptions = {}): McpKeyVaultSecret {
    validatedName(this, 'secret name', name, SECRET_NAME_RULE);
    if (Token.isUnresolved(name)) invalid(this, 'secret name', name, 'a literal name: it is part of the construct id');
    // Key Vault secret names are case-insensitive.
    if (this.secretNames.has(name.toLowerCase())) invalid(this, 'secret name', name, 'a name not already used in this vault');
    this.secretNames.add(name.toLowerCase());

    let value: string;
    if ('value' in source) {
      if (typeof source.value !== 'string' || source.value === '') invalid(this, `secret ${name} value`, source.value, 'a non-empty string');
      value = source.value;
    } else if ('generate' in source) {
      const { length, special = false } = source.generate;
      if (!Number.isInteger(length) || length < 16 || length > 1024) {
        invalid(this, `secret ${name} generate.length`, length, 'an integer from 16 to 1024');
      }
      value = new Password(this, `Secret-${name}-Value`, { length, special, upper: true, lower: true, numeric: true }).result;
    } else {
      invalid(this, `secret ${name} source`, source, '{ value } or { generate: { length } }');
    }

    const attributes: { enabled: boolean; exp?: number } = { enabled: true };
    if (options.expiresAt !== undefined) attributes.exp = this.epochSeconds(name, options.expiresAt);
    const properties: { [key: string]: AzapiJsonObject | string } = { attributes };
    if (options.contentType !== undefined) properties.contentType = options.contentType;
    const version = options.version ?? '1';
    if (typeof version !== 'string' || version === '') invalid(this, `secret ${name} version`, version, 'a non-empty string');

    const resource = new AzapiResource(this, `Secret-${name}`, {
      type: `Microsoft.KeyVault/vaults/secrets@${KEY_VAULT_SECRETS_API_VERSION}`,
      name,
      parentId: this.vault.id,
      body: { properties },
      sensitiveBody: { properties: { value } },
      // Sent on create and whenever the version changes, never stored.
      sensitiveBodyVersion: { 'properties.value': version },
      responseExportValues: ['properties.secretUri'],
      tags: copy(options.tags ?? this.tags),
    });
    return {
      name,
      resourceId: resource.id,
      versionlessUri: resource.outputString('properties.secretUri'),
      resource,
    };
  }

  private epochSeconds(secret: string, at: Date | string): number {
    const property = `secret ${secret} expiresAt`;
    let ms: number;
    if (at instanceof Date) {
      ms = at.getTime();
    } else {
      // A zone is required so the same input means the same instant on every machine.
      if (typeof at !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(at)) {
        invalid(this, property, at, 'a Date or an ISO 8601 time with a zone, for example "2027-01-01T00:00:00Z"');
      }
      ms = Date.parse(at);
    }
    if (!Number.isFinite(ms)) invalid(this, property, String(at), 'a valid date');
    return Math.floor(ms / 1000);
  }
}

function copy(tags: Tags | undefined): { [key: string]: string } | undefined {
  return tags ? { ...tags } : undefined;
}
