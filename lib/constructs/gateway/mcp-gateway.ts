import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ApiManagement, ApiManagementSecurity } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementDiagnostic, ApiManagementDiagnosticConfig } from '@cdktf/provider-azurerm/lib/api-management-diagnostic';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { ApiManagementPolicy } from '@cdktf/provider-azurerm/lib/api-management-policy';
import { ApiManagementPolicyFragment } from '@cdktf/provider-azurerm/lib/api-management-policy-fragment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { PolicyDocument, PolicyFragment } from '../../policy/document';
import { lintDocument } from '../../policy/lint';
import { LintScope } from '../../policy/lint/types';
import { POLICY_FORMATS, PolicyFormat, render } from '../../policy/render';
import { AzapiResource } from '../azapi';
import { Principal, ResourceGroupRef, Tags } from '../common';
import { invalid } from '../errors';
import { McpKeyVault } from '../key-vault';
import { APIM_LOG_CATEGORIES, McpMonitoring } from '../monitoring';
import { NameRule, defaultResourceName, uniqueSuffix, validatedName } from '../naming';
import { GATEWAY_TIERS, GatewayTier, McpNetwork } from '../network';
import { PRM_WELL_KNOWN } from '../../../policies/mcp-authorization';
import { apimIdRule } from './apim-names';
import { McpBackend, McpBackendEndpoint } from '../backends/endpoint';
import { ContentSafetyBackend, ContentSafetyBackendProps, checkContentSafetyBackendProps } from './content-safety-backend';
import { defaultGlobalPolicy } from './global-policy';
import { McpServer, McpServerHost, McpServerProps, ProtectedResourceMetadataApi, checkServerName, checkServerPath } from './mcp-server-api';
import {
  AddNamedValueOptions,
  McpNamedValue,
  NAMED_VALUE_NAME_RULE,
  SecretNamedValueSource,
  checkKeyVaultSecretUri,
  checkPlainValue,
} from './named-values';
import { terraformLiteral } from './terraform-text';
import { GATEWAY_TIER_SPECS, GatewayNetworkSettings, GatewayTierSpec, TIERS_WITHOUT_PRIVATE_BACKENDS, gatewayNetworkSettings, skuName } from './tiers';

/** Length of the random suffix appended to the service name (after a hyphen). */
export const GATEWAY_SUFFIX_LENGTH = 6;

/**
 * The control-plane version of the Application Insights logger. Stable, and it knows
 * `credentials.identityClientId` (managed-identity loggers appear in Microsoft's examples from 2022-08-01).
 */
export const APIM_LOGGER_API_VERSION = '2024-05-01';

/** The name of the Application Insights logger the gateway creates. */
export const APP_INSIGHTS_LOGGER_NAME = 'mcp-appinsights';

/**
 * Query parameters hidden in logged URLs: Functions keys (`code`), APIM keys, SAS signatures, tokens.
 * Headers are not logged at all (no `headers_to_log`).
 */
export const MASKED_QUERY_PARAMETERS = ['code', 'subscription-key', 'sig', 'key', 'access_token', 'token'] as const;

/** The smallest control-plane version the service accepts (older clients are refused). */
export const MIN_API_VERSION = '2021-08-01';

// Azure naming rules for Microsoft.ApiManagement/service: 1-50 characters, letters, digits and hyphens,
// starting with a letter and ending with a letter or digit. Globally unique (it is the
// <name>.azure-api.net host), and held for the soft-delete period after a delete.
function serviceNameRule(maxLength: number, resource: string): NameRule {
  return {
    resource,
    minLength: 1,
    maxLength,
    allowedCharacters: /[A-Za-z0-9-]/,
    allowedDescription: 'letters, digits and hyphens',
    start: { pattern: /[A-Za-z]/, description: 'a letter' },
    end: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
  };
}

const FRAGMENT_ID_RULE = apimIdRule('policy fragment id');

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export interface McpGatewayProps {
  readonly resourceGroup: ResourceGroupRef;
  /** Shown in the developer portal and e-mails (1-100 characters). */
  readonly publisherName: string;
  /** Where APIM sends service notifications. */
  readonly publisherEmail: string;
  /** Application Insights (the logger) and the Log Analytics workspace (diagnostic settings). */
  readonly monitoring: McpMonitoring;
  /**
   * The network whose gateway subnet the gateway joins, to reach private backends. Its `gatewayTier` must be
   * the gateway's tier. Leave it out only when every backend is public.
   * @default - no network: public backends only
   */
  readonly network?: McpNetwork;
  /**
   * The API Management tier. It decides the network mode: Standard v2 / Premium v2 integrate with the
   * network for outbound calls (the gateway stays public), Developer / Premium are injected into it;
   * Consumption, Basic, Standard and Basic v2 cannot reach a private backend, so they are refused with a
   * network.
   * @default - the network's gatewayTier, else 'StandardV2'
   */
  readonly tier?: GatewayTier;
  /**
   * Scale units (`sku_name` `<tier>_<capacity>`).
   * @default - 1 (0 for Consumption)
   */
  readonly capacity?: number;
  /**
   * The service name, or its base when `uniqueSuffix` is on (`<name>-<6 random characters>`): 1-50
   * characters (1-43 with the suffix), letters, digits and hyphens, starting with a letter and ending with
   * a letter or digit.
   * @default - `apim-<construct id>-<hash of the construct path>`
   */
  readonly name?: string;
  /**
   * Append a random suffix kept in state: the name is the global `<name>.azure-api.net` host, and a deleted
   * service holds it during soft delete. Needs the random provider in the stack.
   * @default true
   */
  readonly uniqueSuffix?: boolean;
  /**
   * The vault Key Vault-backed named values read from by default (backend credentials of MCP servers). The
   * gateway's identity gets `Key Vault Secrets User` on it the first time a named value needs it.
   * @default - none: Key Vault-backed named values must name their vault
   */
  readonly keyVault?: McpKeyVault;
  /**
   * Percentage of requests sent to Application Insights (0-100).
   * @default 100
   */
  readonly samplingPercentage?: number;
  /**
   * Bytes of request bodies (frontend and backend) logged, 0-8192. Response bodies are never logged: MCP
   * answers carry tool results, and logging them makes the gateway buffer streamed answers.
   * @default 0
   */
  readonly requestBodyBytes?: number;
  /**
   * Log the caller's IP address in Application Insights.
   * @default false
   */
  readonly logClientIp?: boolean;
  /**
   * Which traces `trace` policies emit to Application Insights.
   * @default 'error'
   */
  readonly verbosity?: 'error' | 'information' | 'verbose';
  /**
   * The global (all APIs) policy; `false` leaves the service's own.
   * @default - {@link defaultGlobalPolicy}: correlation id, unbuffered responses, generic answers for errors that reveal internals
   */
  readonly globalPolicy?: PolicyDocument | false;
  /** @default - none */
  readonly tags?: Tags;
}

/** Options of {@link McpGateway.addPolicyFragment}. */
export interface AddPolicyFragmentOptions {
  /**
   * The format the fragment is sent in; it is set explicitly either way (APIM's default is `xml`).
   * `xml` entity-escapes expressions, `rawxml` keeps them verbatim.
   * @default 'xml'
   */
  readonly format?: PolicyFormat;
  /** @default - none */
  readonly description?: string;
}

/**
 * The MCP gateway: one API Management service, the only public ingress to the MCP servers behind it.
 *
 * - the service: tier and network mode checked against each other, system-assigned identity, SSL 3.0 /
 *   TLS 1.0 / TLS 1.1 and weak ciphers off on both sides, public network access on, a validated name with a
 *   random suffix;
 * - logging that never records response bodies: an Application Insights logger authenticated with the
 *   gateway's identity (Application Insights takes Entra-authenticated telemetry only), service-level
 *   diagnostics for Application Insights and Azure Monitor, and diagnostic settings into the resource-specific
 *   tables the monitoring alerts query;
 * - a safe global policy, named values ({@link addNamedValue}, {@link addSecretNamedValue}), policy fragments
 *   ({@link addPolicyFragment}), Content Safety backends ({@link addContentSafetyBackend}) and MCP servers
 *   ({@link addMcpServer}).
 *
 * The stack needs the azurerm, azapi and (with `uniqueSuffix`) random providers.
 */
export class McpGateway extends Construct implements McpServerHost {
  readonly service: ApiManagement;
  readonly tier: GatewayTier;
  readonly tierSpec: GatewayTierSpec;
  readonly networkSettings: GatewayNetworkSettings;
  /** The Application Insights logger (azapi: azurerm's logger cannot authenticate with a managed identity). */
  readonly logger: AzapiResource;
  readonly applicationInsightsDiagnostic: ApiManagementDiagnostic;
  readonly azureMonitorDiagnostic: ApiManagementDiagnostic;
  readonly diagnosticSetting: MonitorDiagnosticSetting;
  readonly telemetryPublisher: RoleAssignment;
  readonly globalPolicy?: ApiManagementPolicy;
  /** The global policy as attached (`rawxml`), when the gateway sets one. */
  readonly globalPolicyXml?: string;
  readonly resourceGroupName: string;
  /** @internal */
  readonly subscriptionIds = new Set<string>();
  /** @internal */
  readonly productIds = new Set<string>();

  private readonly keyVault?: McpKeyVault;
  private readonly namedValues = new Map<string, McpNamedValue>();
  private readonly fragments = new Map<string, ApiManagementPolicyFragment>();
  private readonly servers = new Map<string, McpServer>();
  private readonly vaultGrants = new Map<McpKeyVault, RoleAssignment>();
  /** Backend constructs already authorized for the gateway's identity. */
  private readonly authorizedBackends = new Set<McpBackend>();
  /** One token for the identity, so grants keyed by principal id (tokens compare by text) see one principal. */
  private identityPrincipalId?: string;
  /** By lower-cased id: APIM backend ids, like other entity ids, do not differ by case alone. */
  private readonly contentSafetyBackends = new Map<string, ContentSafetyBackend>();
  /** `Cognitive Services User` grants by account id, one per account. */
  private readonly cognitiveServicesGrants = new Map<string, RoleAssignment>();
  private prmApi?: ProtectedResourceMetadataApi;
  private rootServer?: string;

  constructor(scope: Construct, id: string, props: McpGatewayProps) {
    super(scope, id);

    // Everything is checked before the first resource exists.
    const network = props.network;
    const tier = props.tier ?? network?.gatewayTier ?? 'StandardV2';
    if (!GATEWAY_TIERS.includes(tier)) invalid(this, 'tier', tier, `one of ${GATEWAY_TIERS.join(', ')}`);
    const spec = GATEWAY_TIER_SPECS[tier];
    if (network !== undefined) {
      if (spec.networkMode === undefined) {
        invalid(
          this,
          'tier',
          tier,
          `a tier that can reach private backends in the network: StandardV2 or PremiumV2 (outbound integration), Developer or Premium (injection); ${TIERS_WITHOUT_PRIVATE_BACKENDS.join(', ')} cannot`,
        );
      }
      if (network.gatewayTier !== tier) {
        invalid(this, 'tier', tier, `the network's gatewayTier (${network.gatewayTier}): its gateway subnet is set up for that tier`);
      }
    }
    const capacity = props.capacity ?? spec.minCapacity;
    if (!Number.isInteger(capacity) || capacity < spec.minCapacity || capacity > spec.maxCapacity) {
      invalid(this, 'capacity', capacity, `an integer from ${spec.minCapacity} to ${spec.maxCapacity} for ${tier}`);
    }
    const suffixed = props.uniqueSuffix ?? true;
    const maxBase = 50 - 1 - GATEWAY_SUFFIX_LENGTH;
    const rule = suffixed
      ? serviceNameRule(maxBase, `API Management service name base (before "-" and the ${GATEWAY_SUFFIX_LENGTH}-character suffix)`)
      : serviceNameRule(50, 'API Management service name');
    const baseName = props.name ?? defaultResourceName(this, 'apim', suffixed ? maxBase : 50);
    validatedName(this, 'name', baseName, rule);
    if (!Token.isUnresolved(props.publisherName) && (props.publisherName.trim() === '' || props.publisherName.length > 100)) {
      invalid(this, 'publisherName', props.publisherName, '1 to 100 characters');
    }
    if (!Token.isUnresolved(props.publisherEmail) && !EMAIL.test(props.publisherEmail)) {
      invalid(this, 'publisherEmail', props.publisherEmail, 'an e-mail address such as apis@example.com');
    }
    const sampling = props.samplingPercentage ?? 100;
    if (typeof sampling !== 'number' || !(sampling >= 0 && sampling <= 100)) {
      invalid(this, 'samplingPercentage', sampling, 'a number from 0 to 100');
    }
    const requestBodyBytes = props.requestBodyBytes ?? 0;
    if (!Number.isInteger(requestBodyBytes) || requestBodyBytes < 0 || requestBodyBytes > 8192) {
      invalid(this, 'requestBodyBytes', requestBodyBytes, 'an integer from 0 to 8192');
    }
    const verbosity = props.verbosity ?? 'error';
    if (!['error', 'information', 'verbose'].includes(verbosity)) invalid(this, 'verbosity', verbosity, 'error, information or verbose');
    let globalXml: string | undefined;
    if (props.globalPolicy !== false) {
      const document = props.globalPolicy ?? defaultGlobalPolicy();
      lintOrInvalid(this, 'globalPolicy', document, 'global');
      globalXml = render(document, { format: 'rawxml' });
    }

    // The service.
    this.tier = tier;
    this.tierSpec = spec;
    this.keyVault = props.keyVault;
    this.resourceGroupName = props.resourceGroup.name;
    this.networkSettings = gatewayNetworkSettings(spec.networkMode, network?.gateway.subnet.id, network?.gatewayVnetMode);
    const name = suffixed ? `${baseName}-${uniqueSuffix(this, 'NameSuffix', GATEWAY_SUFFIX_LENGTH)}` : baseName;
    const tags = props.tags ? { ...props.tags } : undefined;
    const dependsOn: ITerraformDependable[] = network ? [...network.gatewayDependencies] : [];
    this.service = new ApiManagement(this, 'Service', {
      name,
      location: props.resourceGroup.location,
      resourceGroupName: props.resourceGroup.name,
      publisherName: props.publisherName,
      publisherEmail: props.publisherEmail,
      skuName: skuName(tier, capacity),
      identity: { type: 'SystemAssigned' },
      // The gateway is the one public ingress; backends stay private behind it.
      publicNetworkAccessEnabled: true,
      virtualNetworkType: this.networkSettings.virtualNetworkType,
      virtualNetworkConfiguration: this.networkSettings.subnetId ? { subnetId: this.networkSettings.subnetId } : undefined,
      security: WEAK_PROTOCOLS_AND_CIPHERS_OFF,
      minApiVersion: MIN_API_VERSION,
      tags,
      dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
    });

    // Telemetry through the gateway's identity.
    const principal: Principal = { principalId: this.principalId, principalType: 'ServicePrincipal' };
    this.telemetryPublisher = props.monitoring.grantTelemetryPublisher(principal);
    this.logger = new AzapiResource(this, 'Logger', {
      type: `Microsoft.ApiManagement/service/loggers@${APIM_LOGGER_API_VERSION}`,
      name: APP_INSIGHTS_LOGGER_NAME,
      parentId: this.service.id,
      body: {
        properties: {
          loggerType: 'applicationInsights',
          description: 'Application Insights, Entra-authenticated with the gateway identity',
          resourceId: props.monitoring.applicationInsightsId,
          isBuffered: true,
        },
      },
      // Write-only: APIM keeps logger credentials in a named value of its own and never returns them.
      sensitiveBody: {
        properties: {
          credentials: { connectionString: props.monitoring.applicationInsightsConnectionString, identityClientId: 'SystemAssigned' },
        },
      },
      dependsOn: [this.telemetryPublisher],
    });

    const logged = (dataMasking: boolean) => ({
      bodyBytes: requestBodyBytes,
      headersToLog: [],
      dataMasking: dataMasking ? { queryParams: MASKED_QUERY_PARAMETERS.map((value) => ({ mode: 'Hide', value })) } : undefined,
    });
    const diagnostic = (id: string, identifier: string, loggerId: string, extra: Partial<ApiManagementDiagnosticConfig> = {}) =>
      new ApiManagementDiagnostic(this, id, {
        identifier,
        apiManagementName: this.service.name,
        resourceGroupName: props.resourceGroup.name,
        apiManagementLoggerId: loggerId,
        alwaysLogErrors: true,
        samplingPercentage: sampling,
        logClientIp: props.logClientIp ?? false,
        verbosity,
        frontendRequest: logged(true),
        // 0 bytes: MCP responses are tool results, and a logged response body buffers the stream.
        frontendResponse: { bodyBytes: 0, headersToLog: [] },
        backendRequest: logged(true),
        backendResponse: { bodyBytes: 0, headersToLog: [] },
        ...extra,
      });
    this.applicationInsightsDiagnostic = diagnostic('ApplicationInsightsDiagnostic', 'applicationinsights', this.logger.id, {
      httpCorrelationProtocol: 'W3C',
      dependsOn: [this.logger],
    });
    // The built-in `azuremonitor` logger feeds the GatewayLogs resource logs; it gets the same limits.
    this.azureMonitorDiagnostic = diagnostic('AzureMonitorDiagnostic', 'azuremonitor', `${this.service.id}/loggers/azuremonitor`);
    this.diagnosticSetting = props.monitoring.addDiagnostics(this.service, {
      logCategories: [APIM_LOG_CATEGORIES.gateway, APIM_LOG_CATEGORIES.mcp],
    });

    if (globalXml !== undefined) {
      this.globalPolicyXml = globalXml;
      this.globalPolicy = new ApiManagementPolicy(this, 'GlobalPolicy', { apiManagementId: this.service.id, xmlContent: terraformLiteral(globalXml) });
    }
  }

  /** `https://<name>.azure-api.net` (or the custom domain's gateway host). */
  get gatewayUrl(): string {
    return this.service.gatewayUrl;
  }

  /** `<gateway URL>/.well-known/oauth-protected-resource`: the metadata API's base (RFC 9728). */
  get protectedResourceMetadataBaseUrl(): string {
    return `${this.gatewayUrl}${PRM_WELL_KNOWN}`;
  }

  get serviceId(): string {
    return this.service.id;
  }

  get serviceName(): string {
    return this.service.name;
  }

  /** Object id of the gateway's system-assigned identity. */
  get principalId(): string {
    this.identityPrincipalId ??= this.service.identity.principalId;
    return this.identityPrincipalId;
  }

  /** @internal */
  get hasDefaultKeyVault(): boolean {
    return this.keyVault !== undefined;
  }

  /** @internal */
  get rootMetadataServer(): string | undefined {
    return this.rootServer;
  }

  /** @internal */
  get hasOAuthServer(): boolean {
    return [...this.servers.values()].some((s) => s.protectedResourceMetadataOptions !== undefined);
  }

  /** @internal */
  claimRootMetadata(server: string): void {
    this.rootServer = server;
  }

  /** @internal The anonymous metadata API, created with the first MCP server that validates tokens. */
  protectedResourceMetadataApi(): ProtectedResourceMetadataApi {
    this.prmApi ??= new ProtectedResourceMetadataApi(this, 'ProtectedResourceMetadata', {
      serviceName: this.serviceName,
      resourceGroupName: this.resourceGroupName,
    });
    return this.prmApi;
  }

  /** The metadata API, once an MCP server with token validation exists. */
  get protectedResourceMetadata(): ProtectedResourceMetadataApi | undefined {
    return this.prmApi;
  }

  /** The names of the gateway's named values, in creation order. */
  namedValueNames(): readonly string[] {
    return [...this.namedValues.values()].map((nv) => nv.name);
  }

  /** A named value by name. */
  namedValue(name: string): McpNamedValue | undefined {
    return this.namedValues.get(name.toLowerCase());
  }

  /**
   * A plain (not secret) named value, for configuration a policy reads as `{{name}}`. Its value is visible
   * in the portal and in Terraform state: use {@link addSecretNamedValue} for credentials. Construct id
   * `NamedValue-<name>`.
   */
  addNamedValue(name: string, value: string, options: AddNamedValueOptions = {}): McpNamedValue {
    this.checkNewNamedValue(name);
    checkPlainValue(this, `named value ${name} value`, value);
    const resource = new ApiManagementNamedValue(this, `NamedValue-${name}`, {
      ...this.namedValueCommon(name, options),
      value,
      secret: false,
    });
    return this.registerNamedValue({ name, reference: `{{${name}}}`, secret: false, keyVaultBacked: false, resource });
  }

  /**
   * A secret named value. Preferably Key Vault-backed (`keyVaultSecretUri`): APIM reads the secret with the
   * gateway's identity, which is granted `Key Vault Secrets User` on the vault (once per vault), and the
   * value never passes through Terraform. A literal `value` needs `storeInTerraformState: true`. Construct
   * id `NamedValue-<name>`.
   */
  addSecretNamedValue(name: string, source: SecretNamedValueSource, options: AddNamedValueOptions = {}): McpNamedValue {
    this.checkNewNamedValue(name);
    if (source && 'keyVaultSecretUri' in source) {
      checkKeyVaultSecretUri(this, `named value ${name} keyVaultSecretUri`, source.keyVaultSecretUri);
      const vault = source.keyVault ?? this.keyVault;
      if (vault === undefined) {
        invalid(this, `named value ${name} keyVault`, undefined, 'the McpKeyVault holding the secret (or the gateway keyVault prop), so the gateway can be granted read access');
      }
      const grant = this.grantKeyVault(vault);
      const resource = new ApiManagementNamedValue(this, `NamedValue-${name}`, {
        ...this.namedValueCommon(name, options),
        secret: true,
        // No identity_client_id: the system-assigned identity reads the secret.
        valueFromKeyVault: { secretId: source.keyVaultSecretUri },
        // The grant must exist before APIM first reads the secret.
        dependsOn: [grant],
      });
      return this.registerNamedValue({ name, reference: `{{${name}}}`, secret: true, keyVaultBacked: true, resource });
    }
    if (source && 'value' in source) {
      if (source.storeInTerraformState !== true) {
        invalid(this, `named value ${name} storeInTerraformState`, source.storeInTerraformState, 'true, to confirm the secret is meant to be stored in Terraform state; prefer keyVaultSecretUri');
      }
      checkPlainValue(this, `named value ${name} value`, source.value);
      const resource = new ApiManagementNamedValue(this, `NamedValue-${name}`, {
        ...this.namedValueCommon(name, options),
        value: source.value,
        secret: true,
      });
      return this.registerNamedValue({ name, reference: `{{${name}}}`, secret: true, keyVaultBacked: false, resource });
    }
    return invalid(this, `named value ${name} source`, source, '{ keyVaultSecretUri } (preferred) or { value, storeInTerraformState: true }');
  }

  /**
   * Lets the gateway's identity read secrets of `vault` (`Key Vault Secrets User` on the vault), once per
   * vault; later calls return the same assignment.
   */
  grantKeyVault(vault: McpKeyVault): RoleAssignment {
    let grant = this.vaultGrants.get(vault);
    if (grant === undefined) {
      grant = vault.grantSecretsRead({ principalId: this.principalId, principalType: 'ServicePrincipal' });
      this.vaultGrants.set(vault, grant);
    }
    return grant;
  }

  /**
   * A policy fragment (`include-fragment fragment-id="<id>"`), sent in the given format (`xml` by default),
   * which is always set explicitly. Linted first: a fragment with lint errors is refused. Construct id
   * `PolicyFragment-<id>`.
   */
  addPolicyFragment(id: string, fragment: PolicyFragment, options: AddPolicyFragmentOptions = {}): ApiManagementPolicyFragment {
    if (Token.isUnresolved(id)) invalid(this, 'addPolicyFragment id', id, 'a literal id: it is part of the construct id');
    validatedName(this, 'addPolicyFragment id', id, FRAGMENT_ID_RULE);
    if (this.fragments.has(id.toLowerCase())) invalid(this, 'addPolicyFragment id', id, 'an id not used by another fragment of this gateway');
    const format = options.format ?? 'xml';
    if (!POLICY_FORMATS.includes(format)) invalid(this, 'addPolicyFragment format', format, POLICY_FORMATS.join(' or '));
    if (fragment?.type !== 'fragment') invalid(this, 'addPolicyFragment fragment', fragment, 'a PolicyFragment (policyFragment(...) from lib/policy)');
    lintOrInvalid(this, `policy fragment ${id}`, fragment, 'api', format);
    const resource = new ApiManagementPolicyFragment(this, `PolicyFragment-${id}`, {
      apiManagementId: this.service.id,
      name: id,
      format,
      value: terraformLiteral(render(fragment, { format })),
      description: options.description,
    });
    this.fragments.set(id.toLowerCase(), resource);
    return resource;
  }

  /**
   * The APIM backend that an MCP server's `contentSafety` (`llm-content-safety backend-id`) calls: the Azure
   * AI Content Safety resource at `endpoint`, authenticated with the gateway's managed identity, which gets
   * `Cognitive Services User` on the account `resourceId` (once per account). Returns the backend id
   * (`content-safety` by default). Add it before the MCP servers that use it. Construct id
   * `ContentSafetyBackend-<id>`.
   */
  addContentSafetyBackend(props: ContentSafetyBackendProps): string {
    const id = checkContentSafetyBackendProps(this, props);
    const existing = this.contentSafetyBackends.get(id.toLowerCase());
    if (existing !== undefined) {
      invalid(this, 'addContentSafetyBackend id', id, `an id not used by another Content Safety backend of this gateway (${JSON.stringify(existing.backendId)} exists)`);
    }
    const server = [...this.servers.values()].find((s) => s.backendName.toLowerCase() === id.toLowerCase());
    if (server !== undefined) invalid(this, 'addContentSafetyBackend id', id, `an id other than the backend of MCP server ${server.serverName}`);
    const account = Token.isUnresolved(props.resourceId) ? props.resourceId : props.resourceId.toLowerCase();
    const backend = new ContentSafetyBackend(
      this,
      `ContentSafetyBackend-${id}`,
      { serviceId: this.serviceId, principalId: this.principalId },
      id,
      props,
      this.cognitiveServicesGrants.get(account),
    );
    this.cognitiveServicesGrants.set(account, backend.roleAssignment);
    this.contentSafetyBackends.set(id.toLowerCase(), backend);
    return id;
  }

  /** A Content Safety backend by id (case-insensitive). */
  contentSafetyBackend(id: string): ContentSafetyBackend | undefined {
    return typeof id === 'string' ? this.contentSafetyBackends.get(id.toLowerCase()) : undefined;
  }

  /** The ids of the gateway's Content Safety backends, in creation order. */
  contentSafetyBackendIds(): readonly string[] {
    return [...this.contentSafetyBackends.values()].map((b) => b.backendId);
  }

  /**
   * Puts an MCP server behind the gateway (see {@link McpServerProps}); the server's construct id is
   * `McpServer-<name>`. Names and paths are unique within the gateway. With `contentSafety`, the Content
   * Safety backend it names must have been added ({@link addContentSafetyBackend}).
   *
   * When `backend` is a backend construct ({@link McpBackend}), the gateway's identity is authorized on it
   * (`backend.authorizeGateway`, once per backend): Easy Auth's allowed identity and the Entra app role for
   * App Service, Key Vault read of the functions key for Functions. A bare {@link McpBackendEndpoint} is
   * used as it is: whatever the backend needs to accept the gateway is then up to the caller.
   */
  addMcpServer(name: string, props: McpServerProps): McpServer {
    checkServerName(this, name);
    if (this.servers.has(name)) {
      invalid(this, 'addMcpServer name', name, `a name not used by another MCP server of this gateway (used: ${[...this.servers.keys()].join(', ')})`);
    }
    const clashingBackend = this.contentSafetyBackend(`${name}-backend`);
    if (clashingBackend !== undefined) {
      invalid(this, 'addMcpServer name', name, `a name whose backend (<name>-backend) is not the Content Safety backend ${JSON.stringify(clashingBackend.backendId)}`);
    }
    const path = props?.path ?? name;
    checkServerPath(this, path);
    const clash = [...this.servers.values()].find((s) => s.path.toLowerCase() === path.toLowerCase());
    if (clash) invalid(this, 'addMcpServer path', path, `a path not used by another MCP server of this gateway (${clash.serverName} uses it)`);
    const id = `McpServer-${name}`;
    try {
      const server = new McpServer(this, id, this, name, path, props);
      // After the server's checks; a backend refusing the gateway (an Entra app without the role) throws before it changes anything.
      this.authorizeOn(props.backend);
      this.servers.set(name, server);
      return server;
    } catch (e) {
      // A server that failed its checks leaves nothing behind.
      this.node.tryRemoveChild(id);
      throw e;
    }
  }

  /** An MCP server by name. */
  mcpServer(name: string): McpServer | undefined {
    return this.servers.get(name);
  }

  /** `<gateway URL>/<path>/mcp`: what MCP clients connect to. */
  mcpEndpointUrl(serverName: string): string {
    return this.requireServer(serverName).mcpEndpointUrl;
  }

  /** `<gateway URL>/.well-known/oauth-protected-resource/<path>/mcp`, for a server with token validation. */
  protectedResourceMetadataUrl(serverName: string): string {
    const server = this.requireServer(serverName);
    if (server.protectedResourceMetadataUrl === undefined) {
      invalid(this, 'protectedResourceMetadataUrl serverName', serverName, 'an MCP server with entraApp (only those publish metadata)');
    }
    return server.protectedResourceMetadataUrl;
  }

  private authorizeOn(backend: McpBackend | McpBackendEndpoint): void {
    if (!isMcpBackend(backend) || this.authorizedBackends.has(backend)) return;
    backend.authorizeGateway({ principalId: this.principalId, principalType: 'ServicePrincipal' });
    this.authorizedBackends.add(backend);
  }

  private requireServer(serverName: string): McpServer {
    const server = this.servers.get(serverName);
    if (server === undefined) invalid(this, 'serverName', serverName, `an MCP server of this gateway: ${[...this.servers.keys()].join(', ') || '(none yet)'}`);
    return server;
  }

  private checkNewNamedValue(name: string): void {
    if (Token.isUnresolved(name)) invalid(this, 'named value name', name, 'a literal name: it is part of the construct id');
    validatedName(this, 'named value name', name, NAMED_VALUE_NAME_RULE);
    // APIM compares named value names without regard to case.
    if (this.namedValues.has(name.toLowerCase())) invalid(this, 'named value name', name, 'a name not used by another named value of this gateway');
  }

  private namedValueCommon(name: string, options: AddNamedValueOptions) {
    return {
      name,
      displayName: name,
      apiManagementName: this.service.name,
      resourceGroupName: this.resourceGroupName,
      tags: options.tags ? [...options.tags] : undefined,
    };
  }

  private registerNamedValue(nv: McpNamedValue): McpNamedValue {
    this.namedValues.set(nv.name.toLowerCase(), nv);
    return nv;
  }
}

/**
 * Every protocol and cipher switch of `azurerm_api_management` `security`, off: SSL 3.0, TLS 1.0 and 1.1 on
 * both sides, 3DES, and the TLS_RSA (no forward secrecy) and CBC suites. The `*_enabled` names are azurerm
 * 4.x's (the `enable_*` spellings are deprecated). azurerm turns the block into the service's
 * `customProperties` and sends every one of them (false by default) whether or not the block is set, leaving
 * out only the cipher ones for Consumption; Microsoft documents that Consumption and the v2 tiers do not
 * support changing the cipher configuration. Setting the block explicitly pins the posture in the plan.
 */
export const WEAK_PROTOCOLS_AND_CIPHERS_OFF: ApiManagementSecurity = {
  backendSsl30Enabled: false,
  backendTls10Enabled: false,
  backendTls11Enabled: false,
  frontendSsl30Enabled: false,
  frontendTls10Enabled: false,
  frontendTls11Enabled: false,
  tripleDesCiphersEnabled: false,
  tlsEcdheEcdsaWithAes128CbcShaCiphersEnabled: false,
  tlsEcdheEcdsaWithAes256CbcShaCiphersEnabled: false,
  tlsEcdheRsaWithAes128CbcShaCiphersEnabled: false,
  tlsEcdheRsaWithAes256CbcShaCiphersEnabled: false,
  tlsRsaWithAes128CbcSha256CiphersEnabled: false,
  tlsRsaWithAes128CbcShaCiphersEnabled: false,
  tlsRsaWithAes128GcmSha256CiphersEnabled: false,
  tlsRsaWithAes256CbcSha256CiphersEnabled: false,
  tlsRsaWithAes256CbcShaCiphersEnabled: false,
  tlsRsaWithAes256GcmSha384CiphersEnabled: false,
};

function lintOrInvalid(scope: Construct, what: string, document: PolicyDocument | PolicyFragment, lintScope: LintScope, format: PolicyFormat = 'rawxml'): void {
  const errors = lintDocument(document, { scope: lintScope, format }).findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    invalid(scope, what, render(document, { format }), `a policy that lints clean; found: ${errors.map((f) => `${f.ruleId} at ${f.path ?? '?'}: ${f.message}`).join('; ')}`);
  }
}

/** A backend construct (endpoint and authorizeGateway), as opposed to a bare endpoint. */
function isMcpBackend(backend: McpBackend | McpBackendEndpoint): backend is McpBackend {
  return typeof backend === 'object' && backend !== null && 'endpoint' in backend && typeof (backend as McpBackend).authorizeGateway === 'function';
}
