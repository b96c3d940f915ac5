import { Construct } from 'constructs';
import { invalid } from '../errors';
import {
  APIM_GATEWAY_LOGS_TABLE,
  APIM_MCP_LOG_TABLE,
  GATEWAY_LOG_COLUMNS,
  MCP_LOG_COLUMNS,
  kqlIntList,
  kqlStringList,
  tableOrEmpty,
} from './queries';

/**
 * How often a scheduled query rule runs (`evaluation_frequency`): the values Azure accepts
 * (azurerm 4.x `azurerm_monitor_scheduled_query_rules_alert_v2`).
 */
export const ALERT_FREQUENCIES = [
  'PT1M', 'PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT45M',
  'PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H', 'P1D',
] as const;

/** The look-back (`window_duration`) Azure accepts when the rule runs every minute. */
export const ALERT_WINDOWS_FOR_1M = [
  'PT1M', 'PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT45M', 'PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H',
] as const;

/** The look-back (`window_duration`) Azure accepts for any other frequency. */
export const ALERT_WINDOWS = [
  'PT5M', 'PT10M', 'PT15M', 'PT30M', 'PT45M', 'PT1H', 'PT2H', 'PT3H', 'PT4H', 'PT5H', 'PT6H', 'P1D', 'P2D',
] as const;

/** An ISO-8601 duration that Azure accepts as an alert frequency or window. */
export type AlertDuration = (typeof ALERT_FREQUENCIES)[number] | (typeof ALERT_WINDOWS)[number];

/** Alert severity: 0 critical, 1 error, 2 warning, 3 informational, 4 verbose. */
export type AlertSeverity = 0 | 1 | 2 | 3 | 4;

const MINUTES: Readonly<Record<AlertDuration, number>> = {
  PT1M: 1, PT5M: 5, PT10M: 10, PT15M: 15, PT30M: 30, PT45M: 45,
  PT1H: 60, PT2H: 120, PT3H: 180, PT4H: 240, PT5H: 300, PT6H: 360, P1D: 1440, P2D: 2880,
};

/** Overrides for one of the MCP alerts. Every field left out keeps the alert's documented default. */
export interface McpAlertOptions {
  /**
   * Set to `false` to leave the alert out of the deployment.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Fire when the number of matching log rows in the window is at least this. Must be 1 or more.
   * @default - the alert's default (see {@link MCP_ALERTS})
   */
  readonly threshold?: number;
  /**
   * Look-back of each evaluation, an ISO-8601 duration Azure accepts (`PT5M`, `PT15M`, `PT1H`, ...).
   * @default - the alert's default (see {@link MCP_ALERTS})
   */
  readonly windowDuration?: AlertDuration;
  /**
   * How often the rule runs; at most `windowDuration`.
   * @default - the alert's default (see {@link MCP_ALERTS})
   */
  readonly evaluationFrequency?: AlertDuration;
  /**
   * 0 (critical) to 4 (verbose).
   * @default - the alert's default (see {@link MCP_ALERTS})
   */
  readonly severity?: AlertSeverity;
}

/** The settings an alert is deployed with, after defaults and overrides are merged and checked. */
export interface McpAlertSettings {
  readonly threshold: number;
  readonly windowDuration: AlertDuration;
  readonly evaluationFrequency: AlertDuration;
  readonly severity: AlertSeverity;
}

/** Narrows which rows the gateway-log alerts count. */
export interface McpAlertQueryFilter {
  /** APIM API ids (names) to count; empty counts every API on the gateway. */
  readonly apiIds: readonly string[];
}

/** One alert of the catalog: what it watches, its KQL and its defaults. */
export interface McpAlertDefinition {
  /** Appended to the name prefix to name the Azure resource. */
  readonly nameSuffix: string;
  readonly displayName: string;
  readonly description: string;
  /** The table the query reads. */
  readonly table: string;
  readonly defaults: McpAlertSettings;
  /** The KQL; the rule counts the rows it returns over the window. */
  readonly query: (filter: McpAlertQueryFilter) => string;
}

/** The alerts {@link McpMonitoring} creates, by the key their props and outputs use. */
export type McpAlertKind = 'toolInvocationSpike' | 'authFailures' | 'rateLimited' | 'backendErrors';

/** Keys in creation order; the order of resources in the plan follows it. */
export const MCP_ALERT_KINDS: readonly McpAlertKind[] = [
  'toolInvocationSpike',
  'authFailures',
  'rateLimited',
  'backendErrors',
];

function gatewayLogRows(filter: McpAlertQueryFilter, condition: string): string {
  const lines = [tableOrEmpty(APIM_GATEWAY_LOGS_TABLE, GATEWAY_LOG_COLUMNS), `| where ${condition}`];
  if (filter.apiIds.length > 0) lines.push(`| where ApiId in ${kqlStringList(filter.apiIds)}`);
  lines.push(`| project ${GATEWAY_LOG_COLUMNS.map((c) => c.name).join(', ')}`);
  return lines.join('\n');
}

/**
 * The MCP alert catalog. Thresholds count log rows in one window; the defaults suit a small gateway and are
 * meant to be tuned.
 */
export const MCP_ALERTS: Readonly<Record<McpAlertKind, McpAlertDefinition>> = {
  toolInvocationSpike: {
    nameSuffix: 'mcp-tool-calls',
    displayName: 'MCP tool invocation spike',
    description: 'Unusually many MCP tools/call requests through the gateway (runaway agent or abuse).',
    table: APIM_MCP_LOG_TABLE,
    defaults: { threshold: 500, windowDuration: 'PT5M', evaluationFrequency: 'PT5M', severity: 2 },
    // APIM writes one ApiManagementGatewayMCPLog row per MCP request, with the JSON-RPC method in `Method`, so
    // tool calls are counted there instead of guessing from POSTs in ApiManagementGatewayLogs.
    query: () =>
      [
        tableOrEmpty(APIM_MCP_LOG_TABLE, MCP_LOG_COLUMNS),
        '| where Method == "tools/call"',
        `| project ${MCP_LOG_COLUMNS.map((c) => c.name).join(', ')}`,
      ].join('\n'),
  },
  authFailures: {
    nameSuffix: 'mcp-auth-failures',
    displayName: 'MCP gateway authentication failures',
    description: 'Many 401/403 responses at the gateway: token probing, expired credentials or a misconfigured client.',
    table: APIM_GATEWAY_LOGS_TABLE,
    // Every MCP OAuth sign-in starts with one 401 that points the client at the protected-resource metadata, so
    // the default sits well above a handful of sign-ins.
    defaults: { threshold: 50, windowDuration: 'PT5M', evaluationFrequency: 'PT5M', severity: 2 },
    query: (filter) => gatewayLogRows(filter, `ResponseCode in ${kqlIntList([401, 403])}`),
  },
  rateLimited: {
    nameSuffix: 'mcp-rate-limited',
    displayName: 'MCP gateway rate-limit rejections',
    description: 'Requests rejected with 429 by the gateway rate limits.',
    table: APIM_GATEWAY_LOGS_TABLE,
    // The limit doing its job is informational; a sustained count means a caller or a limit needs attention.
    defaults: { threshold: 20, windowDuration: 'PT5M', evaluationFrequency: 'PT5M', severity: 3 },
    query: (filter) => gatewayLogRows(filter, 'ResponseCode == 429'),
  },
  backendErrors: {
    nameSuffix: 'mcp-backend-5xx',
    displayName: 'MCP backend 5xx errors',
    description: 'The MCP server behind the gateway answered with 5xx.',
    table: APIM_GATEWAY_LOGS_TABLE,
    defaults: { threshold: 5, windowDuration: 'PT5M', evaluationFrequency: 'PT5M', severity: 1 },
    query: (filter) => gatewayLogRows(filter, 'BackendResponseCode between (500 .. 599)'),
  },
};

const SEVERITIES: readonly number[] = [0, 1, 2, 3, 4];

/**
 * Merges `options` over the alert's defaults and checks the result against what Azure accepts. `prop` is the
 * props key, used in the error message.
 */
export function resolveAlertSettings(
  scope: Construct,
  prop: string,
  definition: McpAlertDefinition,
  options: McpAlertOptions = {},
): McpAlertSettings {
  const settings: McpAlertSettings = {
    threshold: options.threshold ?? definition.defaults.threshold,
    windowDuration: options.windowDuration ?? definition.defaults.windowDuration,
    evaluationFrequency: options.evaluationFrequency ?? definition.defaults.evaluationFrequency,
    severity: options.severity ?? definition.defaults.severity,
  };
  if (typeof settings.threshold !== 'number' || !Number.isFinite(settings.threshold) || settings.threshold < 1) {
    invalid(scope, `${prop}.threshold`, settings.threshold, 'a number of log rows, 1 or more');
  }
  if (!(ALERT_FREQUENCIES as readonly string[]).includes(settings.evaluationFrequency)) {
    invalid(scope, `${prop}.evaluationFrequency`, settings.evaluationFrequency, `one of ${ALERT_FREQUENCIES.join(', ')}`);
  }
  const windows: readonly string[] = settings.evaluationFrequency === 'PT1M' ? ALERT_WINDOWS_FOR_1M : ALERT_WINDOWS;
  if (!windows.includes(settings.windowDuration)) {
    invalid(
      scope,
      `${prop}.windowDuration`,
      settings.windowDuration,
      `with evaluationFrequency ${settings.evaluationFrequency}, one of ${windows.join(', ')}`,
    );
  }
  if (MINUTES[settings.evaluationFrequency] > MINUTES[settings.windowDuration]) {
    invalid(
      scope,
      `${prop}.evaluationFrequency`,
      settings.evaluationFrequency,
      `a frequency no longer than windowDuration ${settings.windowDuration}`,
    );
  }
  if (!SEVERITIES.includes(settings.severity)) {
    invalid(scope, `${prop}.severity`, settings.severity, 'an integer from 0 (critical) to 4 (verbose)');
  }
  return settings;
}
