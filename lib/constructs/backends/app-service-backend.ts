import { Lazy, Token } from 'cdktf';
import { Construct } from 'constructs';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { LinuxWebApp, LinuxWebAppSiteConfigApplicationStack } from '@cdktf/provider-azurerm/lib/linux-web-app';
import { PrivateEndpoint } from '@cdktf/provider-azurerm/lib/private-endpoint';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { ServicePlan } from '@cdktf/provider-azurerm/lib/service-plan';
import { Principal, ResourceGroupRef, Tags } from '../common';
import { GATEWAY_APP_ROLE, McpEntraApp } from '../entra';
import { ConstructValidationError, invalid } from '../errors';
import { McpKeyVault, McpKeyVaultSecret } from '../key-vault';
import { McpMonitoring } from '../monitoring';
import { McpNetwork, McpAppsSubnet } from '../network';
import { McpBackend, McpBackendEndpoint } from './endpoint';
import { APP_SETTING_NAME, APP_SETTING_NAME_ACCEPTED, BackendNames, appsSubnetFor, backendNames, checkAppSettings, publicAccess } from './shared';

/**
 * Linux App Service plan SKUs that support both regional virtual network integration and private endpoints
 * (Basic and above, outside App Service Environments), as azurerm 4.x's `sku_name` list spells them. Free
 * and Shared have neither; Isolated plans live in an App Service Environment; Premium v4 SKUs are left out
 * because we could not confirm that azurerm 4.55 accepts them.
 */
export const APP_SERVICE_SKUS = [
  'B1', 'B2', 'B3',
  'S1', 'S2', 'S3',
  'P1v2', 'P2v2', 'P3v2',
  'P0v3', 'P1v3', 'P2v3', 'P3v3',
  'P1mv3', 'P2mv3', 'P3mv3', 'P4mv3', 'P5mv3',
] as const;
export type AppServiceSku = (typeof APP_SERVICE_SKUS)[number];

export type AppServiceRuntimeName = 'node' | 'python' | 'dotnet';

/** Linux web app stacks accepted here, as azurerm's `application_stack` spells the versions. */
export const APP_SERVICE_RUNTIMES: Readonly<Record<AppServiceRuntimeName, readonly string[]>> = {
  node: ['20-lts', '22-lts'],
  python: ['3.10', '3.11', '3.12', '3.13'],
  dotnet: ['8.0', '9.0'],
};

/** App settings the construct writes itself (or azurerm derives from other arguments). */
const RESERVED_APP_SERVICE_SETTINGS = [
  'APPLICATIONINSIGHTS_CONNECTION_STRING',
  'APPLICATIONINSIGHTS_AUTHENTICATION_STRING',
  'WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES',
  'WEBSITE_HEALTHCHECK_MAXPINGFAILURES',
];

const PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const SECRET_URI = /^https:\/\/[A-Za-z0-9-]{3,24}\.vault\.[a-z.]+\/secrets\/[A-Za-z0-9-]{1,127}(\/[0-9a-fA-F]{32})?$/;

export interface AppServiceMcpBackendProps {
  /** Where every resource of the backend goes. */
  readonly resourceGroup: ResourceGroupRef;
  /**
   * The network built with `backendKind: 'AppService'`: the app joins its apps subnet (delegated to
   * `Microsoft.Web/serverFarms`) and gets a `sites` private endpoint in the private-endpoints subnet.
   */
  readonly network: McpNetwork;
  /**
   * The apps subnet the app joins for VNet integration; one per backend (see `McpNetwork.addAppsSubnet`).
   * @default - the network's default apps subnet (`network.apps`); required on a network built with `defaultAppsSubnet: false`
   */
  readonly subnet?: McpAppsSubnet;
  /** Application Insights for the app's telemetry and the workspace for the diagnostic settings. */
  readonly monitoring: McpMonitoring;
  /**
   * The Entra application of the MCP server's API: Easy Auth validates tokens for its audience, and the
   * gateway asks for a token of that audience with its managed identity.
   */
  readonly entraApp: McpEntraApp;
  /** The stack of the MCP server's code. One of {@link APP_SERVICE_RUNTIMES}' keys. */
  readonly runtimeName: AppServiceRuntimeName;
  /** For example `'22-lts'` (node), `'3.12'` (python), `'8.0'` (dotnet). One of {@link APP_SERVICE_RUNTIMES}. */
  readonly runtimeVersion: string;
  /**
   * App Service Authentication (Easy Auth, `auth_settings_v2`) in front of the code: every request needs a
   * token for the Entra app from an allowed identity, or gets 401. Turn it off only when the server checks
   * the gateway's token itself.
   * @default true
   */
  readonly easyAuth?: boolean;
  /**
   * Object (principal) ids Easy Auth lets in: the gateway's managed identity. `McpGateway.addMcpServer` adds
   * its gateway ({@link AppServiceMcpBackend.authorizeGateway}); {@link AppServiceMcpBackend.allowGateway}
   * adds one by hand. Synthesis fails while Easy Auth is on and nobody is allowed.
   * @default - none yet
   */
  readonly allowedGatewayPrincipalIds?: readonly string[];
  /**
   * Scopes published in the protected-resource metadata (`WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES`).
   * @default - the Entra app's delegated scopes (`entraApp.scopes`)
   */
  readonly protectedResourceScopes?: readonly string[];
  /** The Linux plan's SKU, one of {@link APP_SERVICE_SKUS}. @default 'P1v3' */
  readonly skuName?: AppServiceSku;
  /**
   * The web app name, or its base when `uniqueSuffix` is on (`<name>-<6 random characters>`): lower-case
   * letters, digits and hyphens, 2-60 characters (1-53 with the suffix). A literal: it also names the
   * endpoint and the private endpoint, so it must be unique among the network's backends.
   * @default - `app-<construct id>-<hash of the construct path>`
   */
  readonly name?: string;
  /** Append a random suffix (kept in state) to the globally unique app name. Needs the random provider. @default true */
  readonly uniqueSuffix?: boolean;
  /** Command that starts the server, for example `node dist/server.js`. @default - the stack's default */
  readonly startupCommand?: string;
  /** Path App Service pings to take unhealthy instances out of rotation. @default '/healthz' */
  readonly healthCheckPath?: string;
  /** Minutes an instance may fail the health check before it is removed (2-10). @default 10 */
  readonly healthCheckEvictionTimeInMin?: number;
  /** Path of the Streamable HTTP MCP endpoint. @default '/mcp' */
  readonly mcpPath?: string;
  /** Path of the legacy SSE endpoint, when the server has one. @default - none */
  readonly ssePath?: string;
  /**
   * Phase 2 of the lock-down: public network access off for the app and its deployment (SCM) site. Leave it
   * off for the first deploy (`az webapp deploy` from a workstation), then set it.
   * @default false
   */
  readonly lockDown?: boolean;
  /**
   * Phase 1 only: the addresses that may reach the deployment (SCM) site, as IPv4 CIDR blocks.
   * @default - any address (the main site refuses public traffic in both phases)
   */
  readonly deployerIpRanges?: readonly string[];
  /** Plain settings for the code. Not for secrets: values that look like credentials are refused. @default - none */
  readonly appSettings?: Readonly<Record<string, string>>;
  /**
   * Settings resolved from Key Vault (`@Microsoft.KeyVault(SecretUri=...)`), by setting name: a secret from
   * `keyVault.addSecret` or a versionless secret URI. The app's identity is granted Key Vault Secrets User on
   * `keyVault`.
   * @default - none
   */
  readonly secretSettings?: Readonly<Record<string, McpKeyVaultSecret | string>>;
  /** The vault behind `secretSettings` (required with them). @default - none */
  readonly keyVault?: McpKeyVault;
  /** @default - none */
  readonly tags?: Tags;
}

/**
 * An MCP server on a Linux App Service plan, reachable only through the gateway:
 * - a Linux plan (P1v3 by default) and web app with a system-assigned identity, HTTPS only, TLS 1.2, FTPS and
 *   basic-auth publishing off, HTTP/2, always on, a health check, remote debugging off;
 * - virtual network integration with all outbound traffic routed through the network, and a `sites`
 *   private endpoint;
 * - Easy Auth with the Entra app: authentication required, 401 for anonymous requests, the Entra app's
 *   audiences, only the gateway's identity allowed, no token store, protected-resource metadata;
 * - Key Vault references for secrets, read with the app's identity.
 *
 * The stack needs the azurerm, azuread (for the Entra app) and random (with `uniqueSuffix`) providers.
 */
export class AppServiceMcpBackend extends Construct implements McpBackend {
  readonly endpoint: McpBackendEndpoint;
  readonly app: LinuxWebApp;
  readonly servicePlan: ServicePlan;
  /** The `sites` private endpoint: the gateway's way in. */
  readonly privateEndpoint: PrivateEndpoint;
  readonly telemetryRoleAssignment: RoleAssignment;
  /** The Key Vault Secrets User assignment, when `secretSettings` are given. */
  readonly secretsRoleAssignment?: RoleAssignment;
  /** True in phase 2 of the lock-down (public network access off). */
  readonly lockedDown: boolean;
  readonly easyAuthEnabled: boolean;
  /** The app name (with the random suffix: a token). */
  readonly appName: string;
  /** The literal base of the app name. */
  readonly baseName: string;

  private readonly gatewayPrincipalIds: string[] = [];
  /** The Entra app whose audience Easy Auth checks and whose role {@link authorizeGateway} assigns. */
  readonly entraApp: McpEntraApp;

  private readonly roleAssignments: AppRoleAssignment[] = [];

  constructor(scope: Construct, id: string, props: AppServiceMcpBackendProps) {
    super(scope, id);

    // Everything is checked before the first resource exists.
    const network = props.network;
    const subnet = appsSubnetFor(
      this,
      props,
      'AppService',
      'App Service joins an apps subnet delegated to Microsoft.Web/serverFarms, and this one is delegated to Microsoft.App/environments (Flex Consumption)',
    );
    const easyAuth = props.easyAuth ?? true;
    if (typeof easyAuth !== 'boolean') invalid(this, 'easyAuth', easyAuth, 'true or false');
    const entraApp = props.entraApp;
    if (!(entraApp instanceof McpEntraApp)) {
      invalid(
        this,
        'entraApp',
        entraApp,
        easyAuth
          ? 'an McpEntraApp: Easy Auth (easyAuth, on by default) validates tokens for its audience and cannot be configured without one'
          : "an McpEntraApp: the gateway's credential is a managed-identity token for its audience",
      );
    }
    const sku = props.skuName ?? 'P1v3';
    if (!(APP_SERVICE_SKUS as readonly string[]).includes(sku)) {
      invalid(
        this,
        'skuName',
        sku,
        `a Linux plan SKU with virtual network integration and private endpoints: ${APP_SERVICE_SKUS.join(', ')}`,
      );
    }
    const versions = Object.prototype.hasOwnProperty.call(APP_SERVICE_RUNTIMES, props.runtimeName)
      ? APP_SERVICE_RUNTIMES[props.runtimeName]
      : undefined;
    if (versions === undefined) invalid(this, 'runtimeName', props.runtimeName, `one of ${Object.keys(APP_SERVICE_RUNTIMES).join(', ')}`);
    if (!versions.includes(props.runtimeVersion)) {
      invalid(this, 'runtimeVersion', props.runtimeVersion, `for ${props.runtimeName}: one of ${versions.join(', ')}`);
    }
    const healthCheckPath = checkPath(this, 'healthCheckPath', props.healthCheckPath ?? '/healthz');
    const eviction = props.healthCheckEvictionTimeInMin ?? 10;
    if (!Number.isInteger(eviction) || eviction < 2 || eviction > 10) {
      invalid(this, 'healthCheckEvictionTimeInMin', eviction, 'an integer from 2 to 10');
    }
    const mcpPath = checkPath(this, 'mcpPath', props.mcpPath ?? '/mcp');
    const ssePath = props.ssePath === undefined ? undefined : checkPath(this, 'ssePath', props.ssePath);
    if (ssePath !== undefined && ssePath === mcpPath) invalid(this, 'ssePath', ssePath, 'a path other than mcpPath');
    const access = publicAccess(this, props.lockDown ?? false, props.deployerIpRanges);
    checkAppSettings(this, props.appSettings, RESERVED_APP_SERVICE_SETTINGS, 'secretSettings (a Key Vault reference)');
    const secretSettings = this.secretSettings(props);
    for (const name of Object.keys(secretSettings)) {
      if (props.appSettings && Object.keys(props.appSettings).some((n) => n.toLowerCase() === name.toLowerCase())) {
        invalid(this, 'secretSettings', name, 'a name not also given in appSettings');
      }
    }
    let scopes: readonly string[] = [];
    if (easyAuth) {
      scopes = props.protectedResourceScopes ?? entraApp.scopes;
      // The setting is a comma-separated list: a scope may not contain a comma or a space.
      const bad = (x: unknown) => typeof x !== 'string' || (!Token.isUnresolved(x) && (x === '' || /[\s,]/.test(x)));
      if (!Array.isArray(scopes) || scopes.length === 0 || scopes.some(bad)) {
        invalid(
          this,
          'protectedResourceScopes',
          scopes,
          `at least one scope without spaces or commas, for example <identifier URI>/mcp.tools${
            props.protectedResourceScopes === undefined ? ' (the Entra app exposes no delegated scope to default to)' : ''
          }`,
        );
      }
    } else {
      if (props.protectedResourceScopes !== undefined) {
        invalid(this, 'protectedResourceScopes', props.protectedResourceScopes, 'no value with easyAuth: false (Easy Auth serves the metadata)');
      }
      if (props.allowedGatewayPrincipalIds !== undefined) {
        invalid(this, 'allowedGatewayPrincipalIds', props.allowedGatewayPrincipalIds, 'no value with easyAuth: false (Easy Auth enforces the list)');
      }
    }
    for (const principalId of props.allowedGatewayPrincipalIds ?? []) this.addGatewayPrincipal('allowedGatewayPrincipalIds', principalId);
    const names: BackendNames = backendNames(this, props, 'app', false);

    this.baseName = names.base;
    this.appName = names.app;
    this.lockedDown = !access.publicNetworkAccessEnabled;
    this.entraApp = entraApp;
    this.easyAuthEnabled = easyAuth;
    const rg = props.resourceGroup;
    const tags = props.tags ? { ...props.tags } : undefined;
    const common = { location: rg.location, resourceGroupName: rg.name, tags };

    this.servicePlan = new ServicePlan(this, 'Plan', { name: names.derived('plan', 60), ...common, osType: 'Linux', skuName: sku });

    const stack: LinuxWebAppSiteConfigApplicationStack =
      props.runtimeName === 'node'
        ? { nodeVersion: props.runtimeVersion }
        : props.runtimeName === 'python'
          ? { pythonVersion: props.runtimeVersion }
          : { dotnetVersion: props.runtimeVersion };
    const appSettings: Record<string, string> = {
      ...props.appSettings,
      ...Object.fromEntries(Object.entries(secretSettings).map(([name, uri]) => [name, `@Microsoft.KeyVault(SecretUri=${uri})`])),
      APPLICATIONINSIGHTS_CONNECTION_STRING: props.monitoring.applicationInsightsConnectionString,
      // Application Insights refuses key-only telemetry (local authentication is off): send with Entra, as
      // the system-assigned identity.
      APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'Authorization=AAD',
    };
    if (easyAuth) appSettings.WEBSITE_AUTH_PRM_DEFAULT_WITH_SCOPES = scopes.join(',');

    this.app = new LinuxWebApp(this, 'App', {
      name: names.app,
      ...common,
      servicePlanId: this.servicePlan.id,
      identity: { type: 'SystemAssigned' },
      httpsOnly: true,
      clientCertificateEnabled: false,
      publicNetworkAccessEnabled: access.publicNetworkAccessEnabled,
      ftpPublishBasicAuthenticationEnabled: false,
      webdeployPublishBasicAuthenticationEnabled: false,
      virtualNetworkSubnetId: subnet.subnet.id,
      siteConfig: {
        applicationStack: stack,
        appCommandLine: props.startupCommand,
        alwaysOn: true,
        http2Enabled: true,
        ftpsState: 'Disabled',
        minimumTlsVersion: '1.2',
        scmMinimumTlsVersion: '1.2',
        remoteDebuggingEnabled: false,
        healthCheckPath,
        healthCheckEvictionTimeInMin: eviction,
        // Outbound traffic (Key Vault references included) goes through the network and its private endpoints.
        vnetRouteAllEnabled: true,
        ipRestrictionDefaultAction: access.ipRestrictionDefaultAction,
        scmIpRestrictionDefaultAction: access.scmIpRestrictionDefaultAction,
        scmUseMainIpRestriction: false,
        scmIpRestriction: access.scmIpRestriction.length > 0 ? access.scmIpRestriction : undefined,
      },
      appSettings,
      authSettingsV2: easyAuth
        ? {
            authEnabled: true,
            requireAuthentication: true,
            unauthenticatedAction: 'Return401',
            requireHttps: true,
            activeDirectoryV2: {
              clientId: entraApp.clientId,
              tenantAuthEndpoint: entraApp.issuer,
              // v2 tokens carry the client id; the identifier URI covers tokens requested by it.
              allowedAudiences: [entraApp.audience, entraApp.identifierUri],
              // Resolved at synth: the gateway is usually created after the backend (allowGateway).
              allowedIdentities: Lazy.listValue({ produce: () => [...this.gatewayPrincipalIds] }),
            },
            login: { tokenStoreEnabled: false },
          }
        : undefined,
    });

    const principal = { principalId: this.app.identity.principalId, principalType: 'ServicePrincipal' as const };
    this.telemetryRoleAssignment = props.monitoring.grantTelemetryPublisher(principal);
    if (Object.keys(secretSettings).length > 0) {
      this.secretsRoleAssignment = (props.keyVault as McpKeyVault).grantSecretsRead(principal);
    }

    this.privateEndpoint = network.addPrivateEndpoint({ id: this.app.id, name: names.base }, 'sites', { tags: props.tags });

    props.monitoring.addDiagnostics(this.app, { resourceSpecificTables: false });
    props.monitoring.addDiagnostics(this.servicePlan, { logCategoryGroups: [], metricCategories: ['AllMetrics'], resourceSpecificTables: false });

    this.endpoint = {
      name: names.base,
      baseUrl: `https://${this.app.defaultHostname}`,
      mcpPath,
      ...(ssePath === undefined ? {} : { ssePath }),
      credential: { kind: 'managed-identity', audience: entraApp.audience },
      resourceId: this.app.id,
    };

    if (easyAuth) {
      this.node.addValidation({
        validate: () =>
          this.gatewayPrincipalIds.length > 0
            ? []
            : [
                new ConstructValidationError(
                  this.node.path,
                  'allowGateway',
                  [],
                  "at least one principal id (allowedGatewayPrincipalIds or allowGateway(gateway identity's principal id)): Easy Auth with no allowed identity lets any identity with a token for the Entra app in",
                ).message,
              ],
      });
    }
  }

  /**
   * Everything a gateway's managed identity needs to call this backend: {@link allowGateway} (with Easy Auth)
   * and an assignment of {@link GATEWAY_APP_ROLE} on the Entra app's service principal, which Entra requires
   * before it issues the gateway a token for the app's audience. The assignment is made once per Entra app and
   * principal ({@link McpEntraApp.assignAppRole}), so backends sharing an app share it; none is made when the
   * app does not require assignment. The Entra app must define the role (`appRoles: [GATEWAY_APP_ROLE]`).
   * `McpGateway.addMcpServer` calls this for its own identity.
   */
  authorizeGateway(principal: Principal): void {
    const entraApp = this.entraApp;
    if (entraApp.appRoleAssignmentRequired && !Object.prototype.hasOwnProperty.call(entraApp.appRoleIds, GATEWAY_APP_ROLE.value)) {
      invalid(
        entraApp,
        'appRoles',
        Object.keys(entraApp.appRoleIds),
        `a list that includes GATEWAY_APP_ROLE (${JSON.stringify(GATEWAY_APP_ROLE.value)}): add it to the app's appRoles. ${this.node.path} ` +
          "assigns it to the gateway's identity, because the app requires assignment and Entra refuses unassigned callers a token (AADSTS501051)",
      );
    }
    if (this.easyAuthEnabled) this.allowGateway(principal?.principalId);
    if (entraApp.appRoleAssignmentRequired) {
      const assignment = entraApp.assignAppRole(GATEWAY_APP_ROLE.value, principal);
      if (!this.roleAssignments.includes(assignment)) this.roleAssignments.push(assignment);
    }
  }

  /** The assignments of {@link GATEWAY_APP_ROLE} that {@link authorizeGateway} made or reused, one per gateway. */
  get gatewayAppRoleAssignments(): readonly AppRoleAssignment[] {
    return [...this.roleAssignments];
  }

  /**
   * Lets the gateway's managed identity (its object / principal id) through Easy Auth. Call it once the
   * gateway exists; it can be called for more than one gateway. Prefer {@link authorizeGateway}, which also
   * assigns the gateway its app role (`McpGateway.addMcpServer` calls it).
   */
  allowGateway(principalId: string): this {
    if (!this.easyAuthEnabled) {
      invalid(this, 'allowGateway', principalId, 'no call with easyAuth: false (Easy Auth enforces the allowed identities)');
    }
    this.addGatewayPrincipal('allowGateway principalId', principalId);
    return this;
  }

  private addGatewayPrincipal(property: string, principalId: string): void {
    if (typeof principalId !== 'string' || principalId === '' || (!Token.isUnresolved(principalId) && !GUID.test(principalId))) {
      invalid(this, property, principalId, "the object (principal) id of the gateway's managed identity (a GUID)");
    }
    if (!this.gatewayPrincipalIds.includes(principalId)) this.gatewayPrincipalIds.push(principalId);
  }

  /** The secret settings as setting name → secret URI, checked. */
  private secretSettings(props: AppServiceMcpBackendProps): Record<string, string> {
    const given = props.secretSettings ?? {};
    const entries = Object.entries(given);
    if (entries.length === 0) {
      if (props.keyVault !== undefined) invalid(this, 'keyVault', props.keyVault.node.path, 'no value without secretSettings (the app would be granted a vault it does not use)');
      return {};
    }
    if (!(props.keyVault instanceof McpKeyVault)) {
      invalid(this, 'keyVault', props.keyVault, 'the McpKeyVault holding secretSettings: the app identity is granted Key Vault Secrets User on it');
    }
    const result: Record<string, string> = {};
    for (const [name, source] of entries) {
      if (!APP_SETTING_NAME.test(name)) {
        invalid(this, 'secretSettings', name, APP_SETTING_NAME_ACCEPTED);
      }
      if (RESERVED_APP_SERVICE_SETTINGS.some((r) => r.toLowerCase() === name.toLowerCase())) {
        invalid(this, 'secretSettings', name, `a name the construct does not set itself (it sets ${RESERVED_APP_SERVICE_SETTINGS.join(', ')})`);
      }
      if (typeof source === 'string') {
        if (!Token.isUnresolved(source) && !SECRET_URI.test(source)) {
          invalid(this, `secretSettings.${name}`, source, 'a secret from keyVault.addSecret or a Key Vault secret URI, https://<vault>.vault.azure.net/secrets/<name>');
        }
        result[name] = source;
      } else if (source && typeof source.versionlessUri === 'string' && source.resource !== undefined) {
        // The grant covers props.keyVault only: a secret of another vault would never resolve.
        if (source.resource.node.scope !== props.keyVault) {
          invalid(this, `secretSettings.${name}`, source.name, `a secret of keyVault (${props.keyVault.node.path}); this one belongs to ${source.resource.node.scope?.node.path}`);
        }
        result[name] = source.versionlessUri;
      } else {
        invalid(this, `secretSettings.${name}`, source, 'a secret from keyVault.addSecret or a Key Vault secret URI');
      }
    }
    return result;
  }
}

function checkPath(scope: Construct, property: string, value: string): string {
  if (typeof value !== 'string' || Token.isUnresolved(value) || !PATH.test(value) || value.includes('//')) {
    invalid(scope, property, value, 'a literal absolute path such as /mcp: starts with "/", no query, fragment, spaces or "//"');
  }
  return value;
}
