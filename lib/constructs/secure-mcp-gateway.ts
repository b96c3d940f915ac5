import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import {
  AppServiceMcpBackend,
  AppServiceMcpBackendProps,
  FunctionMcpBackend,
  FunctionMcpBackendProps,
} from './backends';
import { ResourceGroupRef, Tags } from './common';
import { GATEWAY_APP_ROLE, McpEntraApp } from './entra';
import { invalid } from './errors';
import { McpGateway, McpServer, McpServerProps } from './gateway';
import { contentSafetyBackendIdOf } from './gateway/content-safety-backend';
import { checkServerName, checkServerPath } from './gateway/mcp-server-api';
import { McpKeyVault } from './key-vault';
import { McpMonitoring } from './monitoring';
import { shortHash } from './naming';
import { GATEWAY_TIERS, GatewayTier, McpAppsSubnet, McpNetwork, McpSubnet, gatewayNetworkModeOf } from './network';

/**
 * `namePrefix`: 2-12 lower-case letters, digits and single hyphens, starting with a letter and ending with a
 * letter or digit. 12 keeps every derived name inside its Azure limit: `kv-<prefix>` leaves room for the vault's
 * random suffix (17 characters before it), `<prefix>-<server name>` for the app names (53).
 */
export const NAME_PREFIX_PATTERN = /^[a-z](?:[a-z0-9]|-(?=[a-z0-9])){0,10}[a-z0-9]$/;
export const NAME_PREFIX_ACCEPTED =
  "2-12 lower-case letters, digits and single hyphens, starting with a letter and ending with a letter or digit (it starts the Azure names: rg-<prefix>, kv-<prefix>, apim-<prefix>, <prefix>-<server>)";

/** Azure region names as ARM spells them (`westeurope`, `swedencentral`): `az account list-locations --query [].name`. */
export const LOCATION_PATTERN = /^[a-z][a-z0-9]{1,39}$/;
export const LOCATION_ACCEPTED = 'an Azure region name in lower case without spaces, such as westeurope or swedencentral (az account list-locations --query [].name)';

/** The same address check the gateway and monitoring constructs use. */
export const EMAIL_PATTERN = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/**
 * The app role the gateway's managed identity is assigned on the shared Entra app; defined in the Entra module,
 * where `AppServiceMcpBackend.authorizeGateway` assigns it.
 */
export { GATEWAY_APP_ROLE } from './entra';

/** Log categories of a network security group (it has no metrics). */
export const NSG_LOG_CATEGORIES = ['NetworkSecurityGroupEvent', 'NetworkSecurityGroupRuleCounter'] as const;

export interface SecureMcpGatewayProps {
  /**
   * Starts every Azure name: `rg-<prefix>`, `vnet-<prefix>`, `kv-<prefix>-<suffix>`, `apim-<prefix>-<suffix>`,
   * `<prefix>-log`, `<prefix>-<server name>-<suffix>`. See {@link NAME_PREFIX_ACCEPTED}.
   */
  readonly namePrefix: string;
  /**
   * Where everything goes.
   * @default - a new resource group `rg-<namePrefix>` in `location`
   */
  readonly resourceGroup?: ResourceGroupRef;
  /**
   * The region of the new resource group (required without `resourceGroup`, refused with it: the group's
   * location is used).
   * @default - none
   */
  readonly location?: string;
  /** Shown in the developer portal and e-mails (1-100 characters). */
  readonly publisherName: string;
  /** Where API Management sends service notifications. */
  readonly publisherEmail: string;
  /**
   * Who is e-mailed when one of the four MCP alerts fires.
   * @default - nobody: the action group exists and receivers can be added later
   */
  readonly alertEmails?: readonly string[];
  /**
   * The API Management tier: one that reaches private backends (StandardV2 or PremiumV2 by outbound
   * integration, Developer or Premium by injection). Consumption, Basic, Standard and BasicV2 are refused.
   * @default 'StandardV2'
   */
  readonly gatewayTier?: GatewayTier;
  /**
   * The API Management service name base (a random suffix is appended).
   * @default `apim-<namePrefix>`
   */
  readonly gatewayName?: string;
  /** Address space of the virtual network. @default ['10.60.0.0/16'] */
  readonly addressSpace?: string[];
  /**
   * The tenant of the Key Vault and the Entra app.
   * @default - the tenant of the credentials Terraform runs with
   */
  readonly tenantId?: string;
  /** Name of the Entra app users consent to. @default `<namePrefix> MCP servers` */
  readonly entraAppDisplayName?: string;
  /**
   * Public-client redirect URIs of the Entra app (authorization code with PKCE), `https://...` or loopback.
   * @default - none
   */
  readonly redirectUris?: readonly string[];
  /**
   * Clients allowed the app's scopes without consent, such as `AZURE_CLI_CLIENT_ID` or `VS_CODE_CLIENT_ID`.
   * @default - none
   */
  readonly preAuthorizedClientIds?: readonly string[];
  /**
   * Phase 2 of the backends' lock-down: public network access off for every app and its deployment site.
   * Leave it off for the first deploy (code is pushed from a workstation), then set it.
   * @default false
   */
  readonly lockDown?: boolean;
  /** Tags on every resource that takes them. @default - none */
  readonly tags?: Tags;
}

/** The gateway side of a server: `McpGateway.addMcpServer`'s props, without what this construct supplies. */
export interface SecureMcpServerOptions extends Omit<McpServerProps, 'backend' | 'entraApp'> {
  /**
   * Callers present an Entra access token for the shared app (`validate-azure-ad-token`, the MCP authorization
   * challenge, protected-resource metadata), and the default rate limit counts per token subject. Turn it off
   * only for a server that subscription keys alone protect.
   * @default true
   */
  readonly tokenAuth?: boolean;
  /**
   * The server's integration subnet (`addAppsSubnet`), inside the address space and clear of the others.
   * @default - the lowest free /26: 10.60.1.0/26, 10.60.1.64/26, ... in the default address space
   */
  readonly subnetPrefix?: string;
}

/** What the construct supplies to a backend itself. */
type WiredBackendProps = 'resourceGroup' | 'network' | 'subnet' | 'keyVault' | 'monitoring' | 'lockDown';

/**
 * `addFunctionServer` props: the Functions backend's (runtime, name, scale, app settings, ...) and the gateway
 * side's (path, rate limit, CORS, ...), flat.
 */
export interface SecureFunctionServerProps extends SecureMcpServerOptions, Omit<FunctionMcpBackendProps, WiredBackendProps> {}

/**
 * `addAppServiceServer` props: the App Service backend's (runtime, SKU, startup command, secret settings, ...)
 * and the gateway side's, flat. `secretSettings` are read from the construct's Key Vault.
 */
export interface SecureAppServiceServerProps
  extends SecureMcpServerOptions,
    Omit<AppServiceMcpBackendProps, WiredBackendProps | 'entraApp' | 'allowedGatewayPrincipalIds'> {}

/** One MCP server of a {@link SecureMcpGateway}: its subnet, its backend and its API on the gateway. */
export interface SecureMcpServer<B extends FunctionMcpBackend | AppServiceMcpBackend = FunctionMcpBackend | AppServiceMcpBackend> {
  readonly name: string;
  readonly kind: 'functions' | 'app-service';
  readonly subnet: McpAppsSubnet;
  readonly backend: B;
  /** The API on the gateway (`McpServer`). */
  readonly mcpServer: McpServer;
  /** `<gateway URL>/<path>/mcp`: what MCP clients connect to. */
  readonly mcpEndpointUrl: string;
  /** With token auth: `<gateway URL>/.well-known/oauth-protected-resource/<path>/mcp`. */
  readonly protectedResourceMetadataUrl?: string;
}

/**
 * The secure arrangement in one construct: a network, a Key Vault, monitoring with the four MCP alerts, one Entra
 * app, and an API Management gateway that is the only public ingress to any number of MCP servers.
 *
 * - the backends (Functions Flex Consumption or App Service) each join their own integration subnet, are
 *   reachable through private endpoints only (public access off after `lockDown`), and trust only the gateway:
 *   a Functions key kept in Key Vault and read by the gateway through a Key Vault-backed named value, or the
 *   gateway's managed identity checked by Easy Auth;
 * - the Key Vault and the storage accounts have no public access; every secret is in Key Vault;
 * - the gateway, the vault, the virtual network, its security groups and every backend send their logs to the
 *   workspace;
 * - each server's API takes an Entra token for the shared app and a subscription key, rate-limited per token
 *   subject, with the catalog's `mcp-server` policy.
 *
 * Children: `ResourceGroup` (unless given), `Network`, `KeyVault`, `Monitoring`, `EntraApp`, `Gateway`, and per
 * server `Functions-<name>` or `AppService-<name>`. The stack needs the azurerm, azuread, azapi and random providers.
 */
export class SecureMcpGateway extends Construct {
  readonly resourceGroup: ResourceGroupRef;
  /** The resource group this construct created, when none was given. */
  readonly createdResourceGroup?: ResourceGroup;
  readonly network: McpNetwork;
  readonly keyVault: McpKeyVault;
  readonly monitoring: McpMonitoring;
  readonly entraApp: McpEntraApp;
  readonly gateway: McpGateway;
  readonly namePrefix: string;
  readonly lockDown: boolean;

  private readonly tags?: Tags;
  private readonly ownDiagnostics: MonitorDiagnosticSetting[] = [];
  private readonly serverList: SecureMcpServer[] = [];
  private readonly storageBases = new Set<string>();
  private gatewayRoleAssignment?: AppRoleAssignment;

  constructor(scope: Construct, id: string, props: SecureMcpGatewayProps) {
    super(scope, id);

    // Everything this construct can check is checked before the first resource exists; the components check the rest.
    const prefix = props.namePrefix;
    if (typeof prefix !== 'string' || Token.isUnresolved(prefix) || !NAME_PREFIX_PATTERN.test(prefix)) {
      invalid(this, 'namePrefix', prefix, NAME_PREFIX_ACCEPTED);
    }
    if (props.resourceGroup === undefined) {
      if (props.location === undefined) invalid(this, 'location', undefined, `${LOCATION_ACCEPTED}; required without resourceGroup`);
      if (!Token.isUnresolved(props.location) && !LOCATION_PATTERN.test(props.location)) invalid(this, 'location', props.location, LOCATION_ACCEPTED);
    } else if (props.location !== undefined) {
      invalid(this, 'location', props.location, "no value together with resourceGroup (the group's location is used)");
    }
    const tier = props.gatewayTier ?? 'StandardV2';
    if (!GATEWAY_TIERS.includes(tier)) invalid(this, 'gatewayTier', tier, `one of ${GATEWAY_TIERS.join(', ')}`);
    if (gatewayNetworkModeOf(tier) === undefined) {
      invalid(
        this,
        'gatewayTier',
        tier,
        'a tier that reaches private backends: StandardV2 or PremiumV2 (outbound integration), Developer or Premium (injection); Consumption, Basic, Standard and BasicV2 cannot reach a backend in a virtual network',
      );
    }
    if (!Token.isUnresolved(props.publisherEmail) && !EMAIL_PATTERN.test(props.publisherEmail ?? '')) {
      invalid(this, 'publisherEmail', props.publisherEmail, 'an e-mail address such as apis@example.com');
    }
    const alertEmails = props.alertEmails ?? [];
    const seen = new Set<string>();
    for (const email of alertEmails) {
      if (typeof email !== 'string' || (!Token.isUnresolved(email) && !EMAIL_PATTERN.test(email)) || seen.has(email.toLowerCase())) {
        invalid(this, 'alertEmails', email, 'distinct e-mail addresses such as oncall@example.com');
      }
      seen.add(email.toLowerCase());
    }
    const lockDown = props.lockDown ?? false;
    if (typeof lockDown !== 'boolean') invalid(this, 'lockDown', lockDown, 'true or false');

    this.namePrefix = prefix;
    this.lockDown = lockDown;
    this.tags = props.tags;
    const tags = props.tags;

    if (props.resourceGroup === undefined) {
      this.createdResourceGroup = new ResourceGroup(this, 'ResourceGroup', {
        name: `rg-${prefix}`,
        location: props.location as string,
        tags: tags ? { ...tags } : undefined,
      });
      this.resourceGroup = this.createdResourceGroup;
    } else {
      this.resourceGroup = props.resourceGroup;
    }
    const resourceGroup = this.resourceGroup;

    // No default apps subnet: each server gets its own from addAppsSubnet, starting in the block it would take.
    this.network = new McpNetwork(this, 'Network', {
      resourceGroup,
      gatewayTier: tier,
      name: `vnet-${prefix}`,
      addressSpace: props.addressSpace,
      defaultAppsSubnet: false,
      tags,
    });
    this.keyVault = new McpKeyVault(this, 'KeyVault', { resourceGroup, network: this.network, name: `kv-${prefix}`, tenantId: props.tenantId, tags });
    this.monitoring = new McpMonitoring(this, 'Monitoring', {
      resourceGroup,
      namePrefix: prefix,
      emailReceivers: alertEmails.map((emailAddress, i) => ({ name: `alert-email-${i + 1}`, emailAddress })),
      tags,
    });
    this.entraApp = new McpEntraApp(this, 'EntraApp', {
      displayName: props.entraAppDisplayName ?? `${prefix} MCP servers`,
      tenantId: props.tenantId,
      appRoles: [GATEWAY_APP_ROLE],
      publicClientRedirectUris: props.redirectUris,
      preAuthorizedClientIds: props.preAuthorizedClientIds,
    });
    this.gateway = new McpGateway(this, 'Gateway', {
      resourceGroup,
      publisherName: props.publisherName,
      publisherEmail: props.publisherEmail,
      monitoring: this.monitoring,
      network: this.network,
      tier,
      name: props.gatewayName ?? `apim-${prefix}`,
      keyVault: this.keyVault,
      tags,
    });

    // Everything reports to the workspace: the gateway and the backends add their own settings.
    this.ownDiagnostics.push(this.monitoring.addDiagnostics(this.keyVault.vault, { resourceSpecificTables: false }));
    if (this.network.virtualNetwork) {
      this.ownDiagnostics.push(this.monitoring.addDiagnostics(this.network.virtualNetwork, { logCategories: ['VMProtectionAlerts'], resourceSpecificTables: false }));
    }
    for (const subnet of [this.network.gateway, this.network.privateEndpoints]) this.nsgDiagnostics(subnet);
  }

  /**
   * The diagnostic settings this construct adds itself: the vault, the virtual network and every security group
   * (the gateway and the backends add their own).
   */
  get diagnostics(): readonly MonitorDiagnosticSetting[] {
    return [...this.ownDiagnostics];
  }

  /** The servers added so far, in order. */
  get servers(): readonly SecureMcpServer[] {
    return [...this.serverList];
  }

  /** A server by name. */
  server(name: string): SecureMcpServer | undefined {
    return this.serverList.find((s) => s.name === name);
  }

  /** `https://<name>.azure-api.net`. */
  get gatewayUrl(): string {
    return this.gateway.gatewayUrl;
  }

  /**
   * An MCP server on Azure Functions Flex Consumption behind the gateway: its own Flex Consumption subnet, a
   * {@link FunctionMcpBackend} (construct id `Functions-<name>`) whose `mcp_extension` key goes to Key Vault, and
   * the server on the gateway, which reads the key through a Key Vault-backed named value (and is granted the vault).
   */
  addFunctionServer(name: string, props: SecureFunctionServerProps): SecureMcpServer<FunctionMcpBackend> {
    const { gatewaySide, backendSide, subnetPrefix, tokenAuth } = this.split(name, props);
    const storageAccountName = backendSide.storageAccountName ?? this.storageBaseFor(backendSide.name ?? `${this.namePrefix}-${name}`, backendSide.uniqueSuffix);
    this.storageBases.add(storageAccountName);
    const subnet = this.network.addAppsSubnet(name, { backendKind: 'FlexConsumption', prefix: subnetPrefix, tags: this.tags });
    const backend = new FunctionMcpBackend(this, `Functions-${name}`, {
      ...(backendSide as Omit<FunctionMcpBackendProps, WiredBackendProps>),
      name: backendSide.name ?? `${this.namePrefix}-${name}`,
      storageAccountName,
      tags: this.mergedTags(backendSide.tags),
      resourceGroup: this.resourceGroup,
      network: this.network,
      subnet,
      keyVault: this.keyVault,
      monitoring: this.monitoring,
      lockDown: this.lockDown,
    });
    return this.register(name, 'functions', subnet, backend, gatewaySide, tokenAuth);
  }

  /**
   * An MCP server on a Linux App Service plan behind the gateway: its own App Service subnet, an
   * {@link AppServiceMcpBackend} (construct id `AppService-<name>`) whose Easy Auth admits only the gateway's
   * identity with a token for the shared Entra app, the gateway's app role assignment on that app (once, made by
   * the gateway's `addMcpServer` through `authorizeGateway`), and the server on the gateway.
   */
  addAppServiceServer(name: string, props: SecureAppServiceServerProps): SecureMcpServer<AppServiceMcpBackend> {
    const { gatewaySide, backendSide, subnetPrefix, tokenAuth } = this.split(name, props);
    const subnet = this.network.addAppsSubnet(name, { backendKind: 'AppService', prefix: subnetPrefix, tags: this.tags });
    const hasSecrets = backendSide.secretSettings !== undefined && Object.keys(backendSide.secretSettings).length > 0;
    const backend = new AppServiceMcpBackend(this, `AppService-${name}`, {
      ...(backendSide as Omit<AppServiceMcpBackendProps, WiredBackendProps | 'entraApp'>),
      name: backendSide.name ?? `${this.namePrefix}-${name}`,
      tags: this.mergedTags(backendSide.tags),
      resourceGroup: this.resourceGroup,
      network: this.network,
      subnet,
      monitoring: this.monitoring,
      entraApp: this.entraApp,
      keyVault: hasSecrets ? this.keyVault : undefined,
      lockDown: this.lockDown,
    });
    // addMcpServer authorizes the gateway on the backend: Easy Auth's allowed identity and the app role.
    const server = this.register(name, 'app-service', subnet, backend, gatewaySide, tokenAuth);
    this.gatewayRoleAssignment ??= backend.gatewayAppRoleAssignments[0];
    return server;
  }

  /** The gateway's assignment of {@link GATEWAY_APP_ROLE}, once an App Service server exists. */
  get gatewayAppRoleAssignment(): AppRoleAssignment | undefined {
    return this.gatewayRoleAssignment;
  }

  /**
   * Checks the server's name and path before anything is created (the gateway checks them again), and splits
   * the flat props into the gateway's and the backend's.
   */
  private split<P extends SecureMcpServerOptions>(name: string, props: P) {
    checkServerName(this, name);
    if (this.server(name) !== undefined || this.gateway.mcpServer(name) !== undefined) {
      invalid(this, 'server name', name, `a name not used by another MCP server of this gateway (used: ${this.serverList.map((s) => s.name).join(', ')})`);
    }
    const path = props?.path ?? name;
    checkServerPath(this, path);
    const clash = this.serverList.find((s) => s.mcpServer.path.toLowerCase() === path.toLowerCase());
    if (clash) invalid(this, `server ${name} path`, path, `a path not used by another MCP server of this gateway (${clash.name} uses it)`);
    const tokenAuth = props.tokenAuth ?? true;
    if (typeof tokenAuth !== 'boolean') invalid(this, `server ${name} tokenAuth`, tokenAuth, 'true or false');
    // The gateway refuses this too, but only after the subnet and the backend exist; checked here first.
    const safetyBackend = contentSafetyBackendIdOf(props.contentSafety);
    if (safetyBackend !== undefined && this.gateway.contentSafetyBackend(safetyBackend) === undefined) {
      invalid(
        this,
        `server ${name} contentSafety`,
        safetyBackend,
        'the id of a Content Safety backend of the gateway: call gateway.addContentSafetyBackend({ id, endpoint, resourceId }) first',
      );
    }

    const {
      tokenAuth: _tokenAuth,
      subnetPrefix,
      apiType,
      path: _path,
      displayName,
      description,
      subscriptionKey,
      forwardSubscriptionKey,
      requiredScopes,
      scopeMatch,
      requiredRoles,
      clientApplicationIds,
      resourceUrl,
      metadataAtRoot,
      rateLimit,
      ipAllowList,
      subscriptionAllowList,
      cors,
      requestLimits,
      contentSafety,
      sseMessagesPath,
      product,
      ...backendSide
    } = props;
    const gatewaySide: Omit<McpServerProps, 'backend' | 'entraApp'> = {
      apiType,
      path,
      displayName,
      description,
      subscriptionKey,
      forwardSubscriptionKey,
      requiredScopes,
      scopeMatch,
      requiredRoles,
      clientApplicationIds,
      resourceUrl,
      metadataAtRoot,
      rateLimit,
      ipAllowList,
      subscriptionAllowList,
      cors,
      requestLimits,
      contentSafety,
      sseMessagesPath,
      product,
    };
    return { gatewaySide, backendSide, subnetPrefix, tokenAuth };
  }

  private register<B extends FunctionMcpBackend | AppServiceMcpBackend>(
    name: string,
    kind: SecureMcpServer['kind'],
    subnet: McpAppsSubnet,
    backend: B,
    gatewaySide: Omit<McpServerProps, 'backend' | 'entraApp'>,
    tokenAuth: boolean,
  ): SecureMcpServer<B> {
    this.nsgDiagnostics(subnet);
    const rateLimit = gatewaySide.rateLimit;
    const mcpServer = this.gateway.addMcpServer(name, {
      ...withoutUndefined(gatewaySide),
      backend,
      ...(tokenAuth
        ? {
            entraApp: this.entraApp,
            // Both credentials: the key names the client application, the token the user.
            subscriptionKey: gatewaySide.subscriptionKey ?? true,
            // Per user rather than per client application: one user cannot spend another's budget.
            rateLimit: rateLimit === false ? false : { key: 'jwt-subject' as const, ...(typeof rateLimit === 'object' ? rateLimit : {}) },
          }
        : {}),
    });
    const server: SecureMcpServer<B> = {
      name,
      kind,
      subnet,
      backend,
      mcpServer,
      mcpEndpointUrl: mcpServer.mcpEndpointUrl,
      protectedResourceMetadataUrl: mcpServer.protectedResourceMetadataUrl,
    };
    this.serverList.push(server);
    return server;
  }

  private nsgDiagnostics(subnet: McpSubnet): MonitorDiagnosticSetting {
    const setting = this.monitoring.addDiagnostics(subnet.networkSecurityGroup, { logCategories: [...NSG_LOG_CATEGORIES], metricCategories: [], resourceSpecificTables: false });
    this.ownDiagnostics.push(setting);
    return setting;
  }

  /**
   * The storage account name (base) of a Functions server: `st` and the letters and digits of the app name when
   * they fit and no other server has them, else their first ten and a hash of the app name, so two servers whose
   * names differ only in hyphens or after the cut still get different accounts (and private endpoint names).
   */
  private storageBaseFor(appBase: string, uniqueSuffix: boolean | undefined): string {
    const room = uniqueSuffix === false ? 24 : 18;
    const letters = appBase.replace(/[^a-z0-9]/g, '');
    const plain = `st${letters}`;
    if (plain.length <= room && !this.storageBases.has(plain)) return plain;
    const hashed = `st${letters.slice(0, room - 8)}${shortHash(appBase, 6)}`;
    if (this.storageBases.has(hashed)) {
      invalid(this, 'storageAccountName', hashed, 'a storage account name not used by another Functions server of this gateway: pass storageAccountName');
    }
    return hashed;
  }

  private mergedTags(own: Tags | undefined): Tags | undefined {
    return this.tags || own ? { ...this.tags, ...own } : undefined;
  }
}

function withoutUndefined<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
