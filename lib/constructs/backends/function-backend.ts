import { Fn } from 'cdktf';
import { Construct } from 'constructs';
import { FunctionAppFlexConsumption } from '@cdktf/provider-azurerm/lib/function-app-flex-consumption';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { StorageAccount } from '@cdktf/provider-azurerm/lib/storage-account';
import { StorageContainer } from '@cdktf/provider-azurerm/lib/storage-container';
import { UserAssignedIdentity } from '@cdktf/provider-azurerm/lib/user-assigned-identity';
import { AzapiResourceAction } from '../azapi';
import { Principal, ResourceGroupRef, Tags } from '../common';
import { invalid } from '../errors';
import { McpKeyVault, McpKeyVaultSecret } from '../key-vault';
import { validatedName } from '../naming';
import { McpMonitoring } from '../monitoring';
import { McpNetwork, McpAppsSubnet } from '../network';
import { McpBackend, McpBackendEndpoint } from './endpoint';
import { BackendNames, appsSubnetFor, backendNames, checkAppSettings, publicAccess } from './shared';

/** The language workers of Flex Consumption that the Functions MCP extension supports (it does not support PowerShell). */
export type FlexRuntimeName = 'dotnet-isolated' | 'node' | 'python' | 'java';

/**
 * Runtime versions Flex Consumption offers, by worker: the `Get-AzFunctionAppFlexConsumptionRuntime` listing
 * in Az.Functions' documentation (dotnet-isolated 8.0, 9.0, 10.0; node 20, 22; java 17, 21; python
 * 3.10-3.13). PowerShell 7.4 and custom handlers are offered by Flex but left out: the MCP extension does
 * not support PowerShell, and a custom handler does not load it.
 */
export const FLEX_RUNTIMES: Readonly<Record<FlexRuntimeName, readonly string[]>> = {
  'dotnet-isolated': ['8.0', '9.0', '10.0'],
  node: ['20', '22'],
  python: ['3.10', '3.11', '3.12', '3.13'],
  java: ['17', '21'],
};

/** Instance sizes of Flex Consumption, in MB. */
export const FLEX_INSTANCE_MEMORY_MB: readonly number[] = [512, 2048, 4096];

/** The Functions MCP extension's endpoints (Streamable HTTP and the legacy SSE transport). */
export const FUNCTIONS_MCP_PATH = '/runtime/webhooks/mcp';
export const FUNCTIONS_MCP_SSE_PATH = '/runtime/webhooks/mcp/sse';

/** The system key the MCP extension's webhooks require in `x-functions-key`. */
export const MCP_EXTENSION_KEY_NAME = 'mcp_extension';

/**
 * The App Service API version for the host key operations (`host/default/listkeys`, `host/default/systemKeys/<name>`).
 */
export const FUNCTIONS_HOST_API_VERSION = '2024-04-01';

/** Roles the function app's identity gets on its storage account; nothing broader. */
export const FUNCTION_STORAGE_ROLES = ['Storage Blob Data Owner', 'Storage Queue Data Contributor'] as const;

export type StorageReplicationType = 'LRS' | 'ZRS' | 'GRS' | 'GZRS' | 'RAGRS' | 'RAGZRS';
const REPLICATION_TYPES: readonly StorageReplicationType[] = ['LRS', 'ZRS', 'GRS', 'GZRS', 'RAGRS', 'RAGZRS'];

/** App settings the construct writes itself; `appSettings` may not set them. */
const RESERVED_FUNCTION_SETTINGS = [
  'AzureWebJobsStorage',
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  // Flex Consumption refuses these: the runtime and the package come from the app's functionAppConfig.
  'FUNCTIONS_WORKER_RUNTIME',
  'FUNCTIONS_EXTENSION_VERSION',
  'WEBSITE_RUN_FROM_PACKAGE',
  'WEBSITE_CONTENTAZUREFILECONNECTIONSTRING',
  'WEBSITE_CONTENTSHARE',
  'DEPLOYMENT_STORAGE_CONNECTION_STRING',
];

export interface FunctionMcpBackendProps {
  /** Where every resource of the backend goes. */
  readonly resourceGroup: ResourceGroupRef;
  /**
   * The network built with `backendKind: 'FlexConsumption'`: the app joins its apps subnet (delegated to
   * `Microsoft.App/environments`) and gets its private endpoints in the private-endpoints subnet.
   */
  readonly network: McpNetwork;
  /**
   * The apps subnet the app joins for VNet integration; one per backend (see `McpNetwork.addAppsSubnet`).
   * @default - the network's default apps subnet (`network.apps`); required on a network built with `defaultAppsSubnet: false`
   */
  readonly subnet?: McpAppsSubnet;
  /** Where the MCP extension's system key is stored for the gateway. */
  readonly keyVault: McpKeyVault;
  /** Application Insights for the app's telemetry and the workspace for the diagnostic settings. */
  readonly monitoring: McpMonitoring;
  /** The language worker of the MCP server's code. One of {@link FLEX_RUNTIMES}' keys. */
  readonly runtimeName: FlexRuntimeName;
  /** The runtime version, for example `'22'` for node or `'3.12'` for python. One of {@link FLEX_RUNTIMES}. */
  readonly runtimeVersion: string;
  /**
   * The function app name, or its base when `uniqueSuffix` is on (`<name>-<6 random characters>`): lower-case
   * letters, digits and hyphens, 2-60 characters (1-53 with the suffix). A literal: it also names the
   * endpoint, the Key Vault secret and the private endpoints, so it must be unique among the network's backends.
   * @default - `func-<construct id>-<hash of the construct path>`
   */
  readonly name?: string;
  /**
   * Append a random suffix (kept in state) to the app and storage account names, which must be globally
   * unique. Needs the random provider in the stack.
   * @default true
   */
  readonly uniqueSuffix?: boolean;
  /**
   * Storage account name, or its base with `uniqueSuffix` (3-24 lower-case letters and digits; 1-18 with the suffix).
   * @default - `st` and the letters and digits of the app name base
   */
  readonly storageAccountName?: string;
  /** @default 'LRS' */
  readonly storageReplicationType?: StorageReplicationType;
  /** Memory of each instance, in MB (512, 2048 or 4096). @default 2048 */
  readonly instanceMemoryMb?: number;
  /**
   * Most instances the app scales out to (1-1000). Each instance takes an address in the apps subnet.
   * @default 100
   */
  readonly maximumInstanceCount?: number;
  /**
   * Phase 2 of the lock-down: public network access off for the app and its deployment (SCM) site. Leave it
   * off for the first deploy (code is pushed to the SCM site's `/api/publish` from a workstation), then set it.
   * @default false
   */
  readonly lockDown?: boolean;
  /**
   * Phase 1 only: the addresses that may reach the deployment (SCM) site, as IPv4 CIDR blocks.
   * @default - any address (the main site refuses public traffic in both phases)
   */
  readonly deployerIpRanges?: readonly string[];
  /**
   * Name of the Key Vault secret holding the MCP extension's system key (1-127 letters, digits and hyphens).
   * @default - `<name base>-mcp-extension-key`
   */
  readonly keySecretName?: string;
  /**
   * Plain settings for the MCP server's code. Not for secrets: values that look like credentials are refused.
   * @default - none
   */
  readonly appSettings?: Readonly<Record<string, string>>;
  /** @default - none */
  readonly tags?: Tags;
}

/**
 * An MCP server on Azure Functions Flex Consumption, reachable only through the gateway:
 * - an FC1 plan and a Linux function app with a user-assigned identity, HTTPS only, TLS 1.2, remote
 *   debugging and basic-auth publishing off, virtual network integration and a `sites` private endpoint;
 * - its own storage account (no shared keys, no public access, TLS 1.2, private endpoints for blob and
 *   queue) with a deployment container the app reads with its identity;
 * - the identity's roles, exactly: Storage Blob Data Owner and Storage Queue Data Contributor on the account,
 *   Monitoring Metrics Publisher on Application Insights;
 * - the MCP extension's system key (`mcp_extension`), created through the host keys API, read with
 *   `listkeys` and stored in Key Vault for the gateway: the least-privileged key, never the master key.
 *
 * The stack needs the azurerm, azapi and random (with `uniqueSuffix`) providers.
 */
export class FunctionMcpBackend extends Construct implements McpBackend {
  readonly endpoint: McpBackendEndpoint;
  readonly app: FunctionAppFlexConsumption;
  readonly servicePlan: ServicePlan;
  readonly storageAccount: StorageAccount;
  readonly deploymentContainer: StorageContainer;
  readonly identity: UserAssignedIdentity;
  readonly storageRoleAssignments: readonly RoleAssignment[];
  readonly telemetryRoleAssignment: RoleAssignment;
  /** The `sites` private endpoint: the gateway's way in. */
  readonly privateEndpoint: PrivateEndpoint;
  readonly storagePrivateEndpoints: { readonly blob: PrivateEndpoint; readonly queue: PrivateEndpoint };
  /** PUT `host/default/systemKeys/mcp_extension`: makes the key exist before any code runs. */
  readonly systemKeyAction: AzapiResourceAction;
  /** POST `host/default/listkeys`: reads the key (kept in state, marked sensitive) for the Key Vault secret. */
  readonly hostKeysAction: AzapiResourceAction;
  /** The Key Vault secret holding the MCP extension's system key. */
  readonly keySecret: McpKeyVaultSecret;
  /** The vault holding {@link keySecret}. */
  readonly keyVault: McpKeyVault;
  /** True in phase 2 of the lock-down (public network access off). */
  readonly lockedDown: boolean;
  /** The app name (with the random suffix: a token). */
  readonly appName: string;
  /** The literal base of the app name. */
  readonly baseName: string;

  constructor(scope: Construct, id: string, props: FunctionMcpBackendProps) {
    super(scope, id);

    // Everything is checked before the first resource exists.
    const network = props.network;
    const subnet = appsSubnetFor(
      this,
      props,
      'FlexConsumption',
      'Flex Consumption joins an apps subnet delegated to Microsoft.App/environments, and this one is delegated to Microsoft.Web/serverFarms (App Service)',
    );
    const runtimeVersions = FLEX_RUNTIMES[props.runtimeName as FlexRuntimeName];
    if (!Object.prototype.hasOwnProperty.call(FLEX_RUNTIMES, props.runtimeName) || runtimeVersions === undefined) {
      invalid(
        this,
        'runtimeName',
        props.runtimeName,
        `one of ${Object.keys(FLEX_RUNTIMES).join(', ')} (the Flex Consumption workers the MCP extension supports; not PowerShell)`,
      );
    }
    if (!runtimeVersions.includes(props.runtimeVersion)) {
      invalid(this, 'runtimeVersion', props.runtimeVersion, `for ${props.runtimeName} on Flex Consumption: one of ${runtimeVersions.join(', ')}`);
    }
    const memory = props.instanceMemoryMb ?? 2048;
    if (!FLEX_INSTANCE_MEMORY_MB.includes(memory)) {
      invalid(this, 'instanceMemoryMb', memory, `one of ${FLEX_INSTANCE_MEMORY_MB.join(', ')}`);
    }
    const maxInstances = props.maximumInstanceCount ?? 100;
    if (!Number.isInteger(maxInstances) || maxInstances < 1 || maxInstances > 1000) {
      invalid(this, 'maximumInstanceCount', maxInstances, 'an integer from 1 to 1000');
    }
    const replication = props.storageReplicationType ?? 'LRS';
    if (!REPLICATION_TYPES.includes(replication)) invalid(this, 'storageReplicationType', replication, `one of ${REPLICATION_TYPES.join(', ')}`);
    const access = publicAccess(this, props.lockDown ?? false, props.deployerIpRanges);
    checkAppSettings(
      this,
      props.appSettings,
      RESERVED_FUNCTION_SETTINGS,
      'a Key Vault secret the code reads with its managed identity (Flex Consumption in azurerm 4.55 cannot set key_vault_reference_identity_id for Key Vault references)',
    );
    if (props.keySecretName !== undefined) {
      // Checked here too so that a bad name fails before any resource exists (addSecret checks it again).
      validatedName(this, 'keySecretName', props.keySecretName, {
        resource: 'Key Vault secret name',
        minLength: 1,
        maxLength: 127,
        allowedCharacters: /[A-Za-z0-9-]/,
        allowedDescription: 'letters, digits and hyphens',
      });
    }
    const names: BackendNames = backendNames(this, props, 'func', true);
    const secretName = props.keySecretName ?? `${names.base}-mcp-extension-key`;

    this.baseName = names.base;
    this.appName = names.app;
    this.lockedDown = !access.publicNetworkAccessEnabled;
    const rg = props.resourceGroup;
    const tags = props.tags ? { ...props.tags } : undefined;
    const common = { location: rg.location, resourceGroupName: rg.name, tags };

    this.identity = new UserAssignedIdentity(this, 'Identity', { name: names.derived('id', 128), ...common });
    const principal = { principalId: this.identity.principalId, principalType: 'ServicePrincipal' as const };

    this.storageAccount = new StorageAccount(this, 'Storage', {
      name: names.storage as string,
      ...common,
      accountKind: 'StorageV2',
      accountTier: 'Standard',
      accountReplicationType: replication,
      httpsTrafficOnlyEnabled: true,
      minTlsVersion: 'TLS1_2',
      // Identity only: no account keys, no SAS signed with them.
      sharedAccessKeyEnabled: false,
      defaultToOauthAuthentication: true,
      allowNestedItemsToBePublic: false,
      publicNetworkAccessEnabled: false,
      networkRules: { defaultAction: 'Deny', bypass: ['None'] },
      crossTenantReplicationEnabled: false,
      localUserEnabled: false,
    });
    // storage_account_id makes azurerm create the container through Azure Resource Manager, which works
    // while the account refuses public data-plane traffic.
    this.deploymentContainer = new StorageContainer(this, 'DeploymentContainer', {
      name: 'app-package',
      storageAccountId: this.storageAccount.id,
      containerAccessType: 'private',
    });
    this.storageRoleAssignments = FUNCTION_STORAGE_ROLES.map(
      (role) =>
        new RoleAssignment(this, role.replace(/ /g, ''), {
          scope: this.storageAccount.id,
          roleDefinitionName: role,
          ...principal,
        }),
    );
    this.telemetryRoleAssignment = props.monitoring.grantTelemetryPublisher(principal);
    const storageTarget = { id: this.storageAccount.id, name: names.storageBase as string };
    this.storagePrivateEndpoints = {
      blob: network.addPrivateEndpoint(storageTarget, 'blob', { tags: props.tags }),
      queue: network.addPrivateEndpoint(storageTarget, 'queue', { tags: props.tags }),
    };

    this.servicePlan = new ServicePlan(this, 'Plan', { name: names.derived('plan', 60), ...common, osType: 'Linux', skuName: 'FC1' });

    const clientId = this.identity.clientId;
    this.app = new FunctionAppFlexConsumption(this, 'App', {
      name: names.app,
      ...common,
      servicePlanId: this.servicePlan.id,
      runtimeName: props.runtimeName,
      runtimeVersion: props.runtimeVersion,
      instanceMemoryInMb: memory,
      maximumInstanceCount: maxInstances,
      identity: { type: 'UserAssigned', identityIds: [this.identity.id] },
      // Deployment packages are read with the user-assigned identity, not a connection string.
      storageContainerType: 'blobContainer',
      storageContainerEndpoint: `${this.storageAccount.primaryBlobEndpoint}${this.deploymentContainer.name}`,
      storageAuthenticationType: 'UserAssignedIdentity',
      storageUserAssignedIdentityId: this.identity.id,
      httpsOnly: true,
      publicNetworkAccessEnabled: access.publicNetworkAccessEnabled,
      webdeployPublishBasicAuthenticationEnabled: false,
      clientCertificateEnabled: false,
      virtualNetworkSubnetId: subnet.subnet.id,
      siteConfig: {
        minimumTlsVersion: '1.2',
        scmMinimumTlsVersion: '1.2',
        http2Enabled: true,
        remoteDebuggingEnabled: false,
        vnetRouteAllEnabled: true,
        ipRestrictionDefaultAction: access.ipRestrictionDefaultAction,
        scmIpRestrictionDefaultAction: access.scmIpRestrictionDefaultAction,
        scmUseMainIpRestriction: false,
        scmIpRestriction: access.scmIpRestriction.length > 0 ? access.scmIpRestriction : undefined,
        applicationInsightsConnectionString: props.monitoring.applicationInsightsConnectionString,
      },
      appSettings: {
        ...props.appSettings,
        // azurerm 4.55 writes a key-based AzureWebJobsStorage (with an empty key) for every Flex app, which
        // the host prefers over the identity settings below (hashicorp/terraform-provider-azurerm#29149,
        // #29693, #30732). An explicit empty value replaces it; plans show it as a change on every run.
        AzureWebJobsStorage: '',
        AzureWebJobsStorage__accountName: this.storageAccount.name,
        AzureWebJobsStorage__credential: 'managedidentity',
        AzureWebJobsStorage__clientId: clientId,
        // Application Insights refuses key-only telemetry (local authentication is off): send with Entra.
        APPLICATIONINSIGHTS_AUTHENTICATION_STRING: `ClientId=${clientId};Authorization=AAD`,
      },
      // The host needs its storage roles and a route to storage before it starts.
      dependsOn: [...this.storageRoleAssignments, this.telemetryRoleAssignment, this.storagePrivateEndpoints.blob, this.storagePrivateEndpoints.queue],
    });

    this.privateEndpoint = network.addPrivateEndpoint({ id: this.app.id, name: names.base }, 'sites', { tags: props.tags });

    // The extension creates its key when it first starts, which is after the code is deployed; creating it
    // here lets the key be read and stored on the first apply. A PUT without a value makes the host generate one.
    const hostId = `${this.app.id}/host/default`;
    this.systemKeyAction = new AzapiResourceAction(this, 'McpExtensionKey', {
      type: `Microsoft.Web/sites/host@${FUNCTIONS_HOST_API_VERSION}`,
      resourceId: hostId,
      action: `systemKeys/${MCP_EXTENSION_KEY_NAME}`,
      method: 'PUT',
      body: { properties: { name: MCP_EXTENSION_KEY_NAME } },
    });
    this.hostKeysAction = new AzapiResourceAction(this, 'HostKeys', {
      type: `Microsoft.Web/sites/host@${FUNCTIONS_HOST_API_VERSION}`,
      resourceId: hostId,
      action: 'listkeys',
      method: 'POST',
      sensitiveResponseExportValues: [`systemKeys.${MCP_EXTENSION_KEY_NAME}`],
      dependsOn: [this.systemKeyAction],
    });
    this.keyVault = props.keyVault;
    const key = this.hostKeysAction.sensitiveOutputString(`systemKeys.${MCP_EXTENSION_KEY_NAME}`);
    this.keySecret = props.keyVault.addSecret(
      secretName,
      { value: key },
      {
        contentType: 'text/plain',
        // The value is write-only: tie its version to the key so a new key (new app, rotation) is stored again.
        version: Fn.sha256(key),
        tags: props.tags,
      },
    );

    props.monitoring.addDiagnostics(this.app, { resourceSpecificTables: false });
    // Storage logs live on the services; the account itself has metrics only.
    props.monitoring.addDiagnostics({ id: this.storageAccount.id }, { logCategoryGroups: [], metricCategories: ['Transaction'], resourceSpecificTables: false });
    props.monitoring.addDiagnostics({ id: `${this.storageAccount.id}/blobServices/default` }, { metricCategories: ['Transaction'], resourceSpecificTables: false });
    props.monitoring.addDiagnostics({ id: `${this.storageAccount.id}/queueServices/default` }, { metricCategories: ['Transaction'], resourceSpecificTables: false });

    this.endpoint = {
      name: names.base,
      baseUrl: `https://${this.app.defaultHostname}`,
      mcpPath: FUNCTIONS_MCP_PATH,
      ssePath: FUNCTIONS_MCP_SSE_PATH,
      credential: { kind: 'functions-key', keyVaultSecretUri: this.keySecret.versionlessUri },
      resourceId: this.app.id,
    };
  }

  /**
   * Lets `principal` (a gateway's managed identity) read the functions key: `Key Vault Secrets User` on the
   * vault holding it. The grant is once per vault and principal ({@link McpKeyVault.grantSecretsRead}), so the
   * grant the gateway makes for its Key Vault-backed named value, on the same vault, is this same assignment.
   * `McpGateway.addMcpServer` calls it for its own identity.
   */
  authorizeGateway(principal: Principal): void {
    this.keyVault.grantSecretsRead(principal);
  }
}
