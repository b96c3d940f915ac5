import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { MonitorScheduledQueryRulesAlertV2 } from '@cdktf/provider-azurerm/lib/monitor-scheduled-query-rules-alert-v2';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ResourceGroupRef, Principal, Tags } from '../common';
import { invalid } from '../errors';
import { MCP_ALERTS, MCP_ALERT_KINDS, McpAlertKind, McpAlertOptions, resolveAlertSettings } from './alerts';
import { ALL_LOGS_CATEGORY_GROUP, ALL_METRICS_CATEGORY } from './queries';

/** An e-mail address the action group notifies. */
export interface McpEmailReceiver {
  /** Unique within the action group. */
  readonly name: string;
  readonly emailAddress: string;
}

/** Props of {@link McpMonitoring}. */
export interface McpMonitoringProps {
  /** Where the workspace, Application Insights, action group and alerts are created. */
  readonly resourceGroup: ResourceGroupRef;
  /**
   * Prefix of every Azure resource name (lower-case letters, digits and '-', 1 to 40 characters).
   * @default - the construct id, lower-cased, and 8 hex digits of the construct's address, so two instances in
   *   one stack get different names
   */
  readonly namePrefix?: string;
  /**
   * Days the Log Analytics workspace keeps data, 30 to 730.
   * @default 30
   */
  readonly retentionInDays?: number;
  /**
   * Allow the workspace's shared keys (the legacy agent and Data Collector API). Diagnostic settings and
   * Application Insights do not need them.
   * @default false
   */
  readonly workspaceLocalAuthenticationEnabled?: boolean;
  /**
   * Refuse telemetry sent with only the instrumentation key: senders need an Entra token with the Monitoring
   * Metrics Publisher role (see {@link McpMonitoring.grantTelemetryPublisher}).
   * @default true
   */
  readonly localAuthenticationDisabled?: boolean;
  /**
   * Accept ingestion over the public internet (workspace and Application Insights). Turn it off only when an
   * Azure Monitor Private Link Scope carries the traffic, or telemetry is dropped.
   * @default true
   */
  readonly internetIngestionEnabled?: boolean;
  /**
   * Accept queries over the public internet (workspace and Application Insights). Turn it off only with an
   * Azure Monitor Private Link Scope.
   * @default true
   */
  readonly internetQueryEnabled?: boolean;
  /**
   * Action group short name shown in notifications, 1 to 12 characters.
   * @default - 'mcp' and 8 hex digits of the construct's address
   */
  readonly actionGroupShortName?: string;
  /**
   * Who is e-mailed when an alert fires.
   * @default - nobody: the action group exists and receivers can be added later
   */
  readonly emailReceivers?: readonly McpEmailReceiver[];
  /**
   * APIM API ids (names) the gateway-log alerts count: letters, digits, '.', '_' and '-'.
   * @default - every API on the gateway
   */
  readonly apiIds?: readonly string[];
  /**
   * MCP `tools/call` requests (ApiManagementGatewayMCPLog).
   * @default - threshold 500, window PT5M, frequency PT5M, severity 2
   */
  readonly toolInvocationSpikeAlert?: McpAlertOptions;
  /**
   * 401 and 403 responses at the gateway (ApiManagementGatewayLogs).
   * @default - threshold 50, window PT5M, frequency PT5M, severity 2
   */
  readonly authFailuresAlert?: McpAlertOptions;
  /**
   * 429 responses at the gateway (ApiManagementGatewayLogs).
   * @default - threshold 20, window PT5M, frequency PT5M, severity 3
   */
  readonly rateLimitedAlert?: McpAlertOptions;
  /**
   * 5xx responses from the backend MCP server (ApiManagementGatewayLogs).
   * @default - threshold 5, window PT5M, frequency PT5M, severity 1
   */
  readonly backendErrorsAlert?: McpAlertOptions;
  /**
   * Tags for every resource created.
   * @default - none
   */
  readonly tags?: Tags;
}

/** Options of {@link McpMonitoring.addDiagnostics}. */
export interface McpDiagnosticsOptions {
  /**
   * Name of the diagnostic setting; unique per target resource.
   * @default - '<namePrefix>-diag'
   */
  readonly name?: string;
  /**
   * Log category groups to send (`allLogs`, `audit`).
   * @default ['allLogs'], unless `logCategories` is given
   */
  readonly logCategoryGroups?: readonly string[];
  /**
   * Log categories to send, for example `GatewayLogs` and `GatewayMCPLogs` for API Management.
   * @default - none (the category group covers them)
   */
  readonly logCategories?: readonly string[];
  /**
   * Metric categories to send.
   * @default ['AllMetrics']
   */
  readonly metricCategories?: readonly string[];
  /**
   * Write logs into the resource-specific tables (`log_analytics_destination_type = "Dedicated"`). Turn it off
   * for resources that have none (network security groups, virtual networks, Key Vault, storage, App Service
   * plans and apps): Azure accepts the setting for them, reads it back as null, and every plan shows a change.
   * @default true
   */
  readonly resourceSpecificTables?: boolean;
}

const NAME_PREFIX = /^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$/;
const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const API_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,255}$/;
const CATEGORY = /^[A-Za-z][A-Za-z0-9_-]{0,127}$/;
const SETTING_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,259}$/;

const ALERT_PROPS: Readonly<Record<McpAlertKind, keyof McpMonitoringProps>> = {
  toolInvocationSpike: 'toolInvocationSpikeAlert',
  authFailures: 'authFailuresAlert',
  rateLimited: 'rateLimitedAlert',
  backendErrors: 'backendErrorsAlert',
};

/**
 * Monitoring for an MCP gateway: a Log Analytics workspace, workspace-based Application Insights that takes only
 * Entra-authenticated telemetry, an action group, scheduled-query alerts over the APIM resource-specific tables,
 * and {@link addDiagnostics} to route a resource's logs into the workspace.
 */
export class McpMonitoring extends Construct {
  readonly workspace: LogAnalyticsWorkspace;
  readonly applicationInsights: ApplicationInsights;
  readonly actionGroup: MonitorActionGroup;
  /** The alerts created, by kind; a kind switched off is absent. */
  readonly alerts: Readonly<Partial<Record<McpAlertKind, MonitorScheduledQueryRulesAlertV2>>>;
  /** The prefix every resource name starts with. */
  readonly namePrefix: string;

  private diagnosticsCount = 0;
  private grantCount = 0;

  constructor(scope: Construct, id: string, props: McpMonitoringProps) {
    super(scope, id);
    const tags = props.tags ? { ...props.tags } : undefined;

    this.namePrefix = props.namePrefix ?? defaultPrefix(id, this.node.addr);
    if (!NAME_PREFIX.test(this.namePrefix)) {
      invalid(this, 'namePrefix', this.namePrefix, "1 to 40 lower-case letters, digits and '-', not starting or ending with '-'");
    }
    const retentionInDays = props.retentionInDays ?? 30;
    if (!Number.isInteger(retentionInDays) || retentionInDays < 30 || retentionInDays > 730) {
      invalid(this, 'retentionInDays', retentionInDays, 'an integer from 30 to 730');
    }
    const shortName = props.actionGroupShortName ?? `mcp${this.node.addr.slice(-8)}`;
    if (shortName.trim().length === 0 || shortName.length > 12) {
      invalid(this, 'actionGroupShortName', shortName, '1 to 12 characters');
    }
    const receivers = props.emailReceivers ?? [];
    const receiverNames = new Set<string>();
    for (const receiver of receivers) {
      if (receiver.name.trim().length === 0 || receiverNames.has(receiver.name)) {
        invalid(this, 'emailReceivers.name', receiver.name, 'a non-empty name, unique within the action group');
      }
      receiverNames.add(receiver.name);
      if (!Token.isUnresolved(receiver.emailAddress) && !EMAIL.test(receiver.emailAddress)) {
        invalid(this, 'emailReceivers.emailAddress', receiver.emailAddress, 'an e-mail address such as ops@example.com');
      }
    }
    const apiIds = props.apiIds ?? [];
    for (const apiId of apiIds) {
      // The ids are written into KQL string literals: the pattern keeps quotes and backslashes out.
      if (!API_ID.test(apiId)) {
        invalid(this, 'apiIds', apiId, "an APIM API id: letters, digits, '.', '_' and '-', up to 256 characters");
      }
    }
    // Checked before any resource exists so that bad input writes nothing.
    const alertSettings = MCP_ALERT_KINDS.flatMap((kind) => {
      const options = props[ALERT_PROPS[kind]] as McpAlertOptions | undefined;
      if (options?.enabled === false) return [];
      return [{ kind, settings: resolveAlertSettings(this, ALERT_PROPS[kind], MCP_ALERTS[kind], options) }];
    });

    const internetIngestionEnabled = props.internetIngestionEnabled ?? true;
    const internetQueryEnabled = props.internetQueryEnabled ?? true;

    this.workspace = new LogAnalyticsWorkspace(this, 'Workspace', {
      name: `${this.namePrefix}-log`,
      resourceGroupName: props.resourceGroup.name,
      location: props.resourceGroup.location,
      sku: 'PerGB2018',
      retentionInDays,
      localAuthenticationEnabled: props.workspaceLocalAuthenticationEnabled ?? false,
      internetIngestionEnabled,
      internetQueryEnabled,
      tags,
    });

    this.applicationInsights = new ApplicationInsights(this, 'ApplicationInsights', {
      name: `${this.namePrefix}-appi`,
      resourceGroupName: props.resourceGroup.name,
      location: props.resourceGroup.location,
      applicationType: 'web',
      workspaceId: this.workspace.id,
      localAuthenticationDisabled: props.localAuthenticationDisabled ?? true,
      internetIngestionEnabled,
      internetQueryEnabled,
      tags,
    });

    this.actionGroup = new MonitorActionGroup(this, 'ActionGroup', {
      name: `${this.namePrefix}-ag`,
      resourceGroupName: props.resourceGroup.name,
      shortName,
      emailReceiver: receivers.map((r) => ({ name: r.name, emailAddress: r.emailAddress, useCommonAlertSchema: true })),
      tags,
    });

    const filter = { apiIds };
    const alerts: Partial<Record<McpAlertKind, MonitorScheduledQueryRulesAlertV2>> = {};
    for (const { kind, settings } of alertSettings) {
      const definition = MCP_ALERTS[kind];
      alerts[kind] = new MonitorScheduledQueryRulesAlertV2(this, `${kind[0].toUpperCase()}${kind.slice(1)}Alert`, {
        name: `${this.namePrefix}-${definition.nameSuffix}`,
        displayName: definition.displayName,
        description: definition.description,
        resourceGroupName: props.resourceGroup.name,
        location: props.resourceGroup.location,
        scopes: [this.workspace.id],
        severity: settings.severity,
        windowDuration: settings.windowDuration,
        evaluationFrequency: settings.evaluationFrequency,
        criteria: [
          {
            query: definition.query(filter),
            timeAggregationMethod: 'Count',
            operator: 'GreaterThanOrEqual',
            threshold: settings.threshold,
          },
        ],
        autoMitigationEnabled: true,
        action: { actionGroups: [this.actionGroup.id] },
        tags,
      });
    }
    this.alerts = alerts;
  }

  /** Resource ID of the Log Analytics workspace (what diagnostic settings and alert scopes take). */
  get workspaceId(): string {
    return this.workspace.id;
  }

  /** The workspace (customer) GUID that agents and query APIs use. */
  get workspaceCustomerId(): string {
    return this.workspace.workspaceId;
  }

  get applicationInsightsId(): string {
    return this.applicationInsights.id;
  }

  /**
   * Application Insights connection string. Sensitive: a TerraformOutput of it needs `sensitive: true`. With
   * local authentication disabled it identifies the resource but does not authorize a sender.
   */
  get applicationInsightsConnectionString(): string {
    return this.applicationInsights.connectionString;
  }

  /** Application Insights instrumentation key. Sensitive, like the connection string. */
  get applicationInsightsInstrumentationKey(): string {
    return this.applicationInsights.instrumentationKey;
  }

  get actionGroupId(): string {
    return this.actionGroup.id;
  }

  /**
   * Sends `resource`'s logs and metrics to the workspace, into resource-specific tables
   * (`log_analytics_destination_type = "Dedicated"`, for APIM `ApiManagementGatewayLogs` and friends instead of
   * `AzureDiagnostics`). Child construct ids are `Diagnostics1`, `Diagnostics2`, ... in call order.
   */
  addDiagnostics(resource: { readonly id: string }, options: McpDiagnosticsOptions = {}): MonitorDiagnosticSetting {
    this.diagnosticsCount += 1;
    const id = `Diagnostics${this.diagnosticsCount}`;
    const name = options.name ?? `${this.namePrefix}-diag`;
    if (!SETTING_NAME.test(name)) {
      invalid(this, 'addDiagnostics name', name, "1 to 260 letters, digits, '.', '_' and '-', starting with a letter or digit");
    }
    const categories = options.logCategories ?? [];
    const groups = options.logCategoryGroups ?? (options.logCategories ? [] : [ALL_LOGS_CATEGORY_GROUP]);
    const metrics = options.metricCategories ?? [ALL_METRICS_CATEGORY];
    checkCategories(this, 'addDiagnostics logCategories', categories);
    checkCategories(this, 'addDiagnostics logCategoryGroups', groups);
    checkCategories(this, 'addDiagnostics metricCategories', metrics);
    if (categories.length + groups.length + metrics.length === 0) {
      invalid(this, 'addDiagnostics options', options, 'at least one log category, log category group or metric category');
    }
    const resourceSpecific = options.resourceSpecificTables ?? true;
    if (typeof resourceSpecific !== 'boolean') invalid(this, 'addDiagnostics resourceSpecificTables', resourceSpecific, 'true or false');
    return new MonitorDiagnosticSetting(this, id, {
      name,
      targetResourceId: resource.id,
      logAnalyticsWorkspaceId: this.workspace.id,
      logAnalyticsDestinationType: resourceSpecific ? 'Dedicated' : undefined,
      // azurerm 4.x: `enabled_log`/`enabled_metric`; the older `metric` block is deprecated.
      enabledLog: [
        ...groups.map((categoryGroup) => ({ categoryGroup })),
        ...categories.map((category) => ({ category })),
      ],
      enabledMetric: metrics.map((category) => ({ category })),
    });
  }

  /**
   * Lets `principal` send telemetry to Application Insights with an Entra token: the Monitoring Metrics
   * Publisher role on the component, which is what a sender needs once local authentication is disabled.
   * Child construct ids are `TelemetryPublisher1`, `TelemetryPublisher2`, ... in call order.
   */
  grantTelemetryPublisher(principal: Principal): RoleAssignment {
    this.grantCount += 1;
    return new RoleAssignment(this, `TelemetryPublisher${this.grantCount}`, {
      scope: this.applicationInsights.id,
      roleDefinitionName: 'Monitoring Metrics Publisher',
      principalId: principal.principalId,
      principalType: principal.principalType,
    });
  }
}

function defaultPrefix(id: string, addr: string): string {
  const slug = id
    .replace(/([a-z0-9])([A-Z])/g, '$1-$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 30)
    .replace(/-+$/, '');
  return `${slug || 'mcp'}-${addr.slice(-8)}`;
}

function checkCategories(scope: Construct, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (!CATEGORY.test(value) || seen.has(value)) {
      invalid(scope, prop, value, 'distinct category names such as allLogs, GatewayLogs, GatewayMCPLogs or AllMetrics');
    }
    seen.add(value);
  }
}
