/**
 * Log Analytics tables and diagnostic categories that API Management writes, and the KQL pieces the alerts are
 * built from. Kept as data so the gateway construct and the alerts name the same tables.
 *
 * Sources: Azure Monitor table reference (ApiManagementGatewayLogs, ApiManagementGatewayMCPLog) and the
 * supported resource-log categories of Microsoft.ApiManagement/service.
 */

/** Resource-specific table for category `GatewayLogs`: one row per request through the gateway. */
export const APIM_GATEWAY_LOGS_TABLE = 'ApiManagementGatewayLogs';
/** Resource-specific table for category `GatewayMCPLogs`: one row per MCP request (tool name, method, session). */
export const APIM_MCP_LOG_TABLE = 'ApiManagementGatewayMCPLog';
/** Resource-specific table for category `GatewayLlmLogs`: language-model requests through the AI gateway. */
export const APIM_LLM_LOG_TABLE = 'ApiManagementGatewayLlmLog';

/** Diagnostic-setting log categories of `Microsoft.ApiManagement/service`, by the table each one fills. */
export const APIM_LOG_CATEGORIES = {
  gateway: 'GatewayLogs',
  mcp: 'GatewayMCPLogs',
  llm: 'GatewayLlmLogs',
} as const;

/** The category group that covers every log category of a resource. */
export const ALL_LOGS_CATEGORY_GROUP = 'allLogs';
/** The metric category that covers every platform metric of a resource. */
export const ALL_METRICS_CATEGORY = 'AllMetrics';

/** KQL scalar types used in the column lists below. */
export type KqlType = 'datetime' | 'string' | 'int' | 'long' | 'bool' | 'dynamic';

/** A column a query reads, with the type the Azure Monitor table reference gives it. */
export interface KqlColumn {
  readonly name: string;
  readonly type: KqlType;
}

/** The ApiManagementGatewayLogs columns the alerts read (types from the table reference). */
export const GATEWAY_LOG_COLUMNS: readonly KqlColumn[] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'ApiId', type: 'string' },
  { name: 'OperationId', type: 'string' },
  { name: 'Method', type: 'string' },
  { name: 'Url', type: 'string' },
  { name: 'ResponseCode', type: 'int' },
  { name: 'BackendResponseCode', type: 'int' },
  { name: 'CallerIpAddress', type: 'string' },
];

/** The ApiManagementGatewayMCPLog columns the alerts read (types from the table reference). */
export const MCP_LOG_COLUMNS: readonly KqlColumn[] = [
  { name: 'TimeGenerated', type: 'datetime' },
  { name: 'ServerName', type: 'string' },
  { name: 'Method', type: 'string' },
  { name: 'ToolName', type: 'string' },
  { name: 'ClientName', type: 'string' },
];

/**
 * A query source that exists even before the table does.
 *
 * A Log Analytics table is created by the first row written to it, so a new workspace has none of the APIM
 * tables, and a scheduled query rule whose query names a missing table is rejected when it is created. `union
 * isfuzzy=true` tolerates missing tables as long as one leg resolves; the empty `datatable` with the columns the
 * query reads is that leg, and it also keeps the later `where`/`project` valid while the table is absent.
 */
export function tableOrEmpty(table: string, columns: readonly KqlColumn[]): string {
  const schema = columns.map((c) => `${c.name}: ${c.type}`).join(', ');
  return `union isfuzzy=true\n    (datatable(${schema})[]),\n    (${table})`;
}

/** A KQL list of string literals, `("a", "b")`. Callers validate the values: no quoting is done here. */
export function kqlStringList(values: readonly string[]): string {
  return `(${values.map((v) => `"${v}"`).join(', ')})`;
}

/** A KQL list of integers, `(401, 403)`. */
export function kqlIntList(values: readonly number[]): string {
  return `(${values.join(', ')})`;
}
