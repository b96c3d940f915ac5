import { ApplicationInsights } from '@cdktf/provider-azurerm/lib/application-insights';
import { LogAnalyticsWorkspace } from '@cdktf/provider-azurerm/lib/log-analytics-workspace';
import { MonitorActionGroup } from '@cdktf/provider-azurerm/lib/monitor-action-group';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { TerraformOutput } from 'cdktf';
import { ConstructValidationError } from '../../lib/constructs/errors';
import {
  APIM_GATEWAY_LOGS_TABLE,
  APIM_MCP_LOG_TABLE,
  McpMonitoring,
  McpMonitoringProps,
} from '../../lib/constructs/monitoring';
import { Json, RG, Synthesized, only, refused, resources, synthesizeWith, testStack } from '../support/constructs';

const APIM_ID = '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.ApiManagement/service/apim-mcp';

function monitoring(props: Partial<McpMonitoringProps> = {}): Synthesized & { monitoring: McpMonitoring } {
  let created: McpMonitoring | undefined;
  const result = synthesizeWith((stack) => {
    created = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG, ...props });
  });
  return { ...result, monitoring: created as McpMonitoring };
}

function alertNamed(json: Json, suffix: string): Json {
  const match = Object.values(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2')).filter((a) =>
    String(a.name).endsWith(suffix),
  );
  expect(match).toHaveLength(1);
  return match[0];
}

function badMonitoring(props: Partial<McpMonitoringProps>): ConstructValidationError {
  const stack = testStack();
  return refused(stack, 'Bad', () => new McpMonitoring(stack, 'Bad', { resourceGroup: RG, ...props }));
}

describe('McpMonitoring defaults', () => {
  const { text, json } = monitoring();

  test('workspace keeps 30 days and refuses shared-key authentication', () => {
    expect(text).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      retention_in_days: 30,
      local_authentication_enabled: false,
      sku: 'PerGB2018',
      location: RG.location,
      resource_group_name: RG.name,
    });
  });

  test('Application Insights is workspace-based and takes only Entra-authenticated telemetry', () => {
    const workspaceKey = Object.keys(resources(json, 'azurerm_log_analytics_workspace'))[0];
    expect(text).toHaveResourceWithProperties(ApplicationInsights, {
      local_authentication_disabled: true,
      workspace_id: `\${azurerm_log_analytics_workspace.${workspaceKey}.id}`,
      internet_ingestion_enabled: true,
      internet_query_enabled: true,
    });
  });

  test('the action group short name fits in 12 characters', () => {
    const group = only(json, 'azurerm_monitor_action_group')[1];
    expect(group.short_name.length).toBeLessThanOrEqual(12);
    expect(group.short_name.length).toBeGreaterThan(0);
  });

  // Documented defaults are contract: [name suffix, table, threshold, window, frequency, severity, condition].
  const expected: [string, string, number, string, string, number, string][] = [
    ['mcp-tool-calls', APIM_MCP_LOG_TABLE, 500, 'PT5M', 'PT5M', 2, '| where Method == "tools/call"'],
    ['mcp-auth-failures', APIM_GATEWAY_LOGS_TABLE, 50, 'PT5M', 'PT5M', 2, '| where ResponseCode in (401, 403)'],
    ['mcp-rate-limited', APIM_GATEWAY_LOGS_TABLE, 20, 'PT5M', 'PT5M', 3, '| where ResponseCode == 429'],
    ['mcp-backend-5xx', APIM_GATEWAY_LOGS_TABLE, 5, 'PT5M', 'PT5M', 1, '| where BackendResponseCode between (500 .. 599)'],
  ];

  test.each(expected)('alert %s reads %s with its documented defaults', (suffix, table, threshold, window, frequency, severity, condition) => {
    const alert = alertNamed(json, suffix);
    expect(alert).toMatchObject({ severity, window_duration: window, evaluation_frequency: frequency });
    expect(alert.criteria).toHaveLength(1);
    const [criterion] = alert.criteria;
    expect(criterion).toMatchObject({ threshold, operator: 'GreaterThanOrEqual', time_aggregation_method: 'Count' });
    expect(criterion.query).toContain(`(${table})`);
    expect(criterion.query.split('\n')).toContain(condition);
  });

  test('exactly the four alerts exist', () => {
    expect(Object.keys(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2'))).toHaveLength(4);
  });

  test('every alert queries the workspace and notifies the action group', () => {
    const workspaceKey = Object.keys(resources(json, 'azurerm_log_analytics_workspace'))[0];
    const groupKey = Object.keys(resources(json, 'azurerm_monitor_action_group'))[0];
    for (const alert of Object.values(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2'))) {
      expect(alert.scopes).toEqual([`\${azurerm_log_analytics_workspace.${workspaceKey}.id}`]);
      expect(alert.action.action_groups).toEqual([`\${azurerm_monitor_action_group.${groupKey}.id}`]);
    }
  });

  test('every query survives a workspace where the APIM tables do not exist yet', () => {
    for (const alert of Object.values(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2'))) {
      const query: string = alert.criteria[0].query;
      const lines = query.split('\n');
      expect(lines[0]).toBe('union isfuzzy=true');
      // The empty datatable declares every column a later `where` reads, so the query compiles without the table.
      const datatable = lines[1];
      expect(datatable).toMatch(/^\s+\(datatable\(.*\)\[\]\),$/);
      for (const column of ['TimeGenerated', 'Method']) expect(datatable).toContain(`${column}: `);
      if (query.includes('ResponseCode ')) expect(datatable).toContain('ResponseCode: int');
      if (query.includes('BackendResponseCode ')) expect(datatable).toContain('BackendResponseCode: int');
    }
  });

  test('the construct creates no provider and no output', () => {
    expect(json.provider).toBeUndefined();
    expect(json.output).toBeUndefined();
  });

  test('synth is byte-for-byte stable', () => {
    expect(monitoring().text).toBe(text);
  });

  test('snapshot of the default plan', () => {
    expect(json.resource).toMatchSnapshot();
  });
});

describe('McpMonitoring props', () => {
  test('retention, internet access and local auth can be changed', () => {
    const { text } = monitoring({
      retentionInDays: 90,
      internetIngestionEnabled: false,
      internetQueryEnabled: false,
      localAuthenticationDisabled: false,
      workspaceLocalAuthenticationEnabled: true,
    });
    expect(text).toHaveResourceWithProperties(LogAnalyticsWorkspace, {
      retention_in_days: 90,
      local_authentication_enabled: true,
      internet_ingestion_enabled: false,
      internet_query_enabled: false,
    });
    expect(text).toHaveResourceWithProperties(ApplicationInsights, {
      local_authentication_disabled: false,
      internet_ingestion_enabled: false,
      internet_query_enabled: false,
    });
  });

  test('e-mail receivers land in the action group', () => {
    const { text } = monitoring({
      actionGroupShortName: 'mcp-ops',
      emailReceivers: [
        { name: 'oncall', emailAddress: 'oncall@example.com' },
        { name: 'security', emailAddress: 'security@example.com' },
      ],
    });
    expect(text).toHaveResourceWithProperties(MonitorActionGroup, {
      short_name: 'mcp-ops',
      email_receiver: [
        { name: 'oncall', email_address: 'oncall@example.com', use_common_alert_schema: true },
        { name: 'security', email_address: 'security@example.com', use_common_alert_schema: true },
      ],
    });
  });

  test('each alert can be overridden independently', () => {
    const { json } = monitoring({
      authFailuresAlert: { threshold: 10, windowDuration: 'PT15M', evaluationFrequency: 'PT1M', severity: 0 },
    });
    expect(alertNamed(json, 'mcp-auth-failures')).toMatchObject({
      severity: 0,
      window_duration: 'PT15M',
      evaluation_frequency: 'PT1M',
      criteria: [{ threshold: 10 }],
    });
    // The other alerts keep their defaults.
    expect(alertNamed(json, 'mcp-rate-limited')).toMatchObject({ severity: 3, criteria: [{ threshold: 20 }] });
  });

  test('an alert switched off is not created', () => {
    const { json, monitoring: m } = monitoring({ toolInvocationSpikeAlert: { enabled: false } });
    const names = Object.values(resources(json, 'azurerm_monitor_scheduled_query_rules_alert_v2')).map((a) => a.name);
    expect(names).toHaveLength(3);
    expect(names.some((n: string) => n.endsWith('mcp-tool-calls'))).toBe(false);
    expect(m.alerts.toolInvocationSpike).toBeUndefined();
    expect(m.alerts.authFailures).toBeDefined();
  });

  test('apiIds narrow the gateway-log alerts to those APIs', () => {
    const { json } = monitoring({ apiIds: ['weather-mcp', 'crm.mcp'] });
    for (const suffix of ['mcp-auth-failures', 'mcp-rate-limited', 'mcp-backend-5xx']) {
      expect(alertNamed(json, suffix).criteria[0].query.split('\n')).toContain('| where ApiId in ("weather-mcp", "crm.mcp")');
    }
    // ApiManagementGatewayMCPLog has no ApiId column.
    expect(alertNamed(json, 'mcp-tool-calls').criteria[0].query).not.toContain('ApiId');
  });

  test('tags reach every resource', () => {
    const { json } = monitoring({ tags: { env: 'test' } });
    for (const type of [
      'azurerm_log_analytics_workspace',
      'azurerm_application_insights',
      'azurerm_monitor_action_group',
      'azurerm_monitor_scheduled_query_rules_alert_v2',
    ]) {
      for (const r of Object.values(resources(json, type))) expect(r.tags).toEqual({ env: 'test' });
    }
  });

  test('the connection string is exposed and a sensitive output of it synthesizes', () => {
    const { json } = synthesizeWith((stack) => {
      const m = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
      new TerraformOutput(stack, 'conn', { value: m.applicationInsightsConnectionString, sensitive: true });
      new TerraformOutput(stack, 'ag', { value: m.actionGroupId });
      new TerraformOutput(stack, 'ws', { value: m.workspaceId });
    });
    const ai = Object.keys(resources(json, 'azurerm_application_insights'))[0];
    expect(json.output.conn).toEqual({ value: `\${azurerm_application_insights.${ai}.connection_string}`, sensitive: true });
    expect(json.output.ag.value).toMatch(/^\$\{azurerm_monitor_action_group\..+\.id\}$/);
    expect(json.output.ws.value).toMatch(/^\$\{azurerm_log_analytics_workspace\..+\.id\}$/);
  });
});

describe('McpMonitoring.addDiagnostics', () => {
  test('sends allLogs and AllMetrics to the workspace in resource-specific tables', () => {
    const { text, json } = synthesizeWith((stack) => {
      new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG }).addDiagnostics({ id: APIM_ID });
    });
    const workspaceKey = Object.keys(resources(json, 'azurerm_log_analytics_workspace'))[0];
    expect(text).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: APIM_ID,
      log_analytics_workspace_id: `\${azurerm_log_analytics_workspace.${workspaceKey}.id}`,
      log_analytics_destination_type: 'Dedicated',
      enabled_log: [{ category_group: 'allLogs' }],
      enabled_metric: [{ category: 'AllMetrics' }],
    });
    // The deprecated blocks must not appear.
    const setting = only(json, 'azurerm_monitor_diagnostic_setting')[1];
    expect(setting.metric).toBeUndefined();
    expect(setting.log).toBeUndefined();
  });

  test('leaves the destination type out when resource-specific tables are turned off (resources without them drift)', () => {
    const { json } = synthesizeWith((stack) => {
      new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG }).addDiagnostics({ id: 'nsg-id' }, { resourceSpecificTables: false });
    });
    const setting = only(json, 'azurerm_monitor_diagnostic_setting')[1];
    expect(setting.target_resource_id).toBe('nsg-id');
    expect(setting.log_analytics_destination_type).toBeUndefined();
  });

  test('categories can be chosen, and each call gets its own construct id', () => {
    const { json } = synthesizeWith((stack) => {
      const m = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
      m.addDiagnostics({ id: APIM_ID }, { logCategories: ['GatewayLogs', 'GatewayMCPLogs'], metricCategories: [] });
      m.addDiagnostics({ id: `${APIM_ID}-2` }, { name: 'to-workspace' });
    });
    const settings = resources(json, 'azurerm_monitor_diagnostic_setting');
    const keys = Object.keys(settings);
    expect(keys).toHaveLength(2);
    expect(keys.some((k) => k.startsWith('Monitoring_Diagnostics1_'))).toBe(true);
    expect(keys.some((k) => k.startsWith('Monitoring_Diagnostics2_'))).toBe(true);
    const first = Object.values(settings).find((s) => s.target_resource_id === APIM_ID) as Json;
    expect(first.enabled_log).toEqual([{ category: 'GatewayLogs' }, { category: 'GatewayMCPLogs' }]);
    expect(first.enabled_metric ?? []).toEqual([]);
    const second = Object.values(settings).find((s) => s.target_resource_id !== APIM_ID) as Json;
    expect(second.name).toBe('to-workspace');
  });

  test('a setting with nothing to send is refused', () => {
    const stack = testStack();
    const m = new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG });
    expect(() => m.addDiagnostics({ id: APIM_ID }, { logCategoryGroups: [], metricCategories: [] })).toThrow(
      /^TestStack\/Monitoring: invalid addDiagnostics options .*at least one log category/,
    );
    expect(() => m.addDiagnostics({ id: APIM_ID }, { logCategories: ['GatewayLogs', 'GatewayLogs'] })).toThrow(
      'TestStack/Monitoring: invalid addDiagnostics logCategories "GatewayLogs"',
    );
  });
});

describe('McpMonitoring.grantTelemetryPublisher', () => {
  test('assigns Monitoring Metrics Publisher on Application Insights', () => {
    const { text, json } = synthesizeWith((stack) => {
      new McpMonitoring(stack, 'Monitoring', { resourceGroup: RG }).grantTelemetryPublisher({
        principalId: '22222222-2222-2222-2222-222222222222',
        principalType: 'ServicePrincipal',
      });
    });
    const ai = Object.keys(resources(json, 'azurerm_application_insights'))[0];
    expect(text).toHaveResourceWithProperties(RoleAssignment, {
      scope: `\${azurerm_application_insights.${ai}.id}`,
      role_definition_name: 'Monitoring Metrics Publisher',
      principal_id: '22222222-2222-2222-2222-222222222222',
      principal_type: 'ServicePrincipal',
    });
  });
});

describe('McpMonitoring validation', () => {
  test('an alert threshold below 1 names the path, the value and what is accepted', () => {
    const error = badMonitoring({ authFailuresAlert: { threshold: 0.5 } });
    expect(error.message).toBe('TestStack/Bad: invalid authFailuresAlert.threshold 0.5: a number of log rows, 1 or more');
    expect(error.constructPath).toBe('TestStack/Bad');
    expect(badMonitoring({ rateLimitedAlert: { threshold: 0 } }).message).toContain('invalid rateLimitedAlert.threshold 0');
  });

  test('a window Azure does not accept is refused', () => {
    const error = badMonitoring({ backendErrorsAlert: { windowDuration: 'PT7M' as never } });
    expect(error.message).toMatch(/^TestStack\/Bad: invalid backendErrorsAlert\.windowDuration "PT7M": .*PT5M, PT10M/);
  });

  test('a one-minute window needs a one-minute frequency', () => {
    const error = badMonitoring({ rateLimitedAlert: { windowDuration: 'PT1M', evaluationFrequency: 'PT5M' } });
    expect(error.message).toContain('invalid rateLimitedAlert.windowDuration "PT1M"');
  });

  test('a frequency longer than the window is refused', () => {
    const error = badMonitoring({ authFailuresAlert: { windowDuration: 'PT5M', evaluationFrequency: 'PT15M' } });
    expect(error.message).toBe(
      'TestStack/Bad: invalid authFailuresAlert.evaluationFrequency "PT15M": a frequency no longer than windowDuration PT5M',
    );
  });

  test('a frequency Azure does not accept is refused', () => {
    const error = badMonitoring({ toolInvocationSpikeAlert: { evaluationFrequency: 'P2D' } });
    expect(error.message).toContain('invalid toolInvocationSpikeAlert.evaluationFrequency "P2D"');
  });

  test('a severity outside 0-4 is refused', () => {
    const error = badMonitoring({ toolInvocationSpikeAlert: { severity: 5 as never } });
    expect(error.message).toBe('TestStack/Bad: invalid toolInvocationSpikeAlert.severity 5: an integer from 0 (critical) to 4 (verbose)');
  });

  test('a switched-off alert is not validated', () => {
    // Leaving an alert out must not fail because of overrides nobody will deploy.
    expect(() => monitoring({ authFailuresAlert: { enabled: false, threshold: 0 } })).not.toThrow();
  });

  test.each([
    ['retentionInDays', { retentionInDays: 7 }, '7'],
    ['retentionInDays', { retentionInDays: 731 }, '731'],
    ['actionGroupShortName', { actionGroupShortName: 'thirteen-char' }, '"thirteen-char"'],
    ['namePrefix', { namePrefix: 'Has_Upper' }, '"Has_Upper"'],
    ['apiIds', { apiIds: ['mcp" or true'] }, '"mcp\\" or true"'],
    ['emailReceivers.emailAddress', { emailReceivers: [{ name: 'a', emailAddress: 'not-an-address' }] }, '"not-an-address"'],
    [
      'emailReceivers.name',
      {
        emailReceivers: [
          { name: 'a', emailAddress: 'a@example.com' },
          { name: 'a', emailAddress: 'b@example.com' },
        ],
      },
      '"a"',
    ],
  ] as [string, Partial<McpMonitoringProps>, string][])('bad %s is refused', (prop, props, shown) => {
    expect(badMonitoring(props).message).toContain(`TestStack/Bad: invalid ${prop} ${shown}: `);
  });
});

describe('two McpMonitoring in one stack', () => {
  test('synthesize without construct id or Azure name collisions', () => {
    const { json } = synthesizeWith((stack) => {
      new McpMonitoring(stack, 'Prod', { resourceGroup: RG }).addDiagnostics({ id: APIM_ID });
      new McpMonitoring(stack, 'Staging', { resourceGroup: RG }).addDiagnostics({ id: `${APIM_ID}-staging` });
    });
    const names = new Map<string, string[]>();
    let total = 0;
    for (const [type, byId] of Object.entries(json.resource as Record<string, Record<string, Json>>)) {
      total += Object.keys(byId).length;
      for (const r of Object.values(byId)) names.set(type, [...(names.get(type) ?? []), r.name]);
    }
    // Workspace, App Insights, action group, 4 alerts and 1 diagnostic setting, twice.
    expect(total).toBe(16);
    for (const [type, list] of names) {
      if (type === 'azurerm_monitor_diagnostic_setting') continue; // unique per target resource only
      expect(new Set(list).size).toBe(list.length);
    }
    const shortNames = Object.values(resources(json, 'azurerm_monitor_action_group')).map((g) => g.short_name);
    expect(new Set(shortNames).size).toBe(2);
  });
});
