import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementPolicyFragment } from '@cdktf/provider-azurerm/lib/api-management-policy-fragment';
import { MonitorDiagnosticSetting } from '@cdktf/provider-azurerm/lib/monitor-diagnostic-setting';
import { TerraformOutput, Testing } from 'cdktf';
import { McpGateway, MASKED_QUERY_PARAMETERS, defaultGlobalPolicy } from '../../lib/constructs/gateway';
import { APIM_LOG_CATEGORIES } from '../../lib/constructs/monitoring';
import { GatewayTier } from '../../lib/constructs/network';
import { choose } from '../../lib/policy/builders/control';
import { setHeader } from '../../lib/policy/builders/transform';
import { policyDocument, policyFragment } from '../../lib/policy/document';
import { expr } from '../../lib/policy/expressions';
import { lintPolicy } from '../../lib/policy/lint';
import { render } from '../../lib/policy/render';
import { FUNCTION_BACKEND, Json, RG, SECRET_URI, build, caught, entraApp, gatewayProps, neighbours, newStack, named, only, ref, refused, resources } from './gateway-fixtures';

/*
 * Every switch of the azurerm 4.x `security` block, in Terraform's names, written out here rather than taken
 * from the library, so a switch the library forgets fails the test.
 */
const SECURITY_FLAGS = [
  'backend_ssl30_enabled',
  'backend_tls10_enabled',
  'backend_tls11_enabled',
  'frontend_ssl30_enabled',
  'frontend_tls10_enabled',
  'frontend_tls11_enabled',
  'triple_des_ciphers_enabled',
  'tls_ecdhe_ecdsa_with_aes128_cbc_sha_ciphers_enabled',
  'tls_ecdhe_ecdsa_with_aes256_cbc_sha_ciphers_enabled',
  'tls_ecdhe_rsa_with_aes128_cbc_sha_ciphers_enabled',
  'tls_ecdhe_rsa_with_aes256_cbc_sha_ciphers_enabled',
  'tls_rsa_with_aes128_cbc_sha256_ciphers_enabled',
  'tls_rsa_with_aes128_cbc_sha_ciphers_enabled',
  'tls_rsa_with_aes128_gcm_sha256_ciphers_enabled',
  'tls_rsa_with_aes256_cbc_sha256_ciphers_enabled',
  'tls_rsa_with_aes256_cbc_sha_ciphers_enabled',
  'tls_rsa_with_aes256_gcm_sha384_ciphers_enabled',
];

function service(json: Json): Json {
  return only(json, 'azurerm_api_management')[1];
}

function diagnostic(json: Json, identifier: string): Json {
  const all = Object.values(resources(json, 'azurerm_api_management_diagnostic')).filter((d) => d.identifier === identifier);
  expect(all).toHaveLength(1);
  return all[0];
}

/** A gateway that fails its checks; the error must name the gateway's construct path, and nothing may be created. */
function badGateway(props: Parameters<typeof build>[0], options: Parameters<typeof build>[2] = {}) {
  const stack = newStack();
  const n = neighbours(stack, options);
  return refused(stack, 'Bad', () => new McpGateway(stack, 'Bad', gatewayProps(n, props)));
}

describe('McpGateway service', () => {
  const { text, json } = build();

  test('defaults to Standard v2 with one unit, a system-assigned identity and public network access', () => {
    expect(text).toHaveResourceWithProperties(ApiManagement, {
      sku_name: 'StandardV2_1',
      identity: { type: 'SystemAssigned' },
      public_network_access_enabled: true,
      publisher_name: 'Contoso',
      publisher_email: 'apis@contoso.com',
      location: RG.location,
      resource_group_name: RG.name,
      min_api_version: '2021-08-01',
    });
  });

  test('Standard v2 reaches private backends through outbound integration with the delegated gateway subnet', () => {
    const apim = service(json);
    const [subnetKey] = Object.entries(resources(json, 'azurerm_subnet')).find(([, s]) => s.name === 'snet-gateway')!;
    expect(apim.virtual_network_type).toBe('External');
    expect(apim.virtual_network_configuration).toEqual({ subnet_id: `\${azurerm_subnet.${subnetKey}.id}` });
    // The subnet and its NSG association exist before the service joins them.
    expect(apim.depends_on).toEqual(expect.arrayContaining([`azurerm_subnet.${subnetKey}`]));
  });

  test('turns off SSL 3.0, TLS 1.0/1.1, 3DES and the TLS_RSA and CBC suites on both sides, with azurerm 4.x names', () => {
    const security = service(json).security;
    expect(Object.keys(security).sort()).toEqual([...SECURITY_FLAGS].sort());
    for (const flag of SECURITY_FLAGS) expect(security[flag]).toBe(false);
    // The deprecated enable_* spellings would conflict with these.
    expect(Object.keys(security).filter((k) => k.startsWith('enable_'))).toEqual([]);
  });

  test('names the service <base>-<6 random lower-case characters> from a deterministic base', () => {
    const [suffixKey, suffix] = named(json, 'random_string', 'Gateway_NameSuffix');
    expect(suffix).toEqual({ length: 6, lower: true, upper: false, numeric: true, special: false });
    expect(service(json).name).toMatch(new RegExp(`^apim-gateway-[0-9a-f]{6}-\\$\\{random_string\\.${suffixKey}\\.result\\}$`));
  });

  test('creates no output and no provider of its own', () => {
    expect(json.output).toBeUndefined();
    // Only the four providers the test stack declared.
    expect(Object.keys(json.provider).sort()).toEqual(['azapi', 'azuread', 'azurerm', 'random']);
  });
});

describe('McpGateway tiers and network modes', () => {
  test('Premium v2 integrates like Standard v2', () => {
    const { json } = build({}, undefined, { networkTier: 'PremiumV2' });
    expect(service(json)).toMatchObject({ sku_name: 'PremiumV2_1', virtual_network_type: 'External' });
    expect(service(json).virtual_network_configuration.subnet_id).toContain('azurerm_subnet.');
  });

  test.each([
    ['Developer', 'External'],
    ['Premium', 'External'],
    ['Premium', 'Internal'],
  ] as const)('%s is injected into the gateway subnet in %s mode', (tier, mode) => {
    const { json } = build({}, undefined, { networkTier: tier, gatewayVnetMode: mode });
    expect(service(json).virtual_network_type).toBe(mode);
    expect(service(json).virtual_network_configuration.subnet_id).toContain('azurerm_subnet.');
    // Injection needs the NSG rules in place first (the management port above all).
    expect(service(json).depends_on.some((d: string) => d.startsWith('azurerm_network_security_rule.'))).toBe(true);
  });

  test('without a network the service joins none', () => {
    const { json } = build({ network: undefined }, undefined, { networkTier: null });
    expect(service(json).virtual_network_type).toBe('None');
    expect(service(json)).not.toHaveProperty('virtual_network_configuration');
  });

  test('a tier without a network may be one that cannot reach private backends', () => {
    const { json } = build({ network: undefined, tier: 'BasicV2', capacity: 2 }, undefined, { networkTier: null });
    expect(service(json)).toMatchObject({ sku_name: 'BasicV2_2', virtual_network_type: 'None' });
  });

  test.each(['Consumption', 'Basic', 'Standard', 'BasicV2'] as GatewayTier[])('%s cannot reach the private backends of a network', (tier) => {
    const error = badGateway({ tier });
    expect(error.message).toContain(`"${tier}"`);
    expect(error.message).toContain('StandardV2 or PremiumV2');
    expect(error.message).toContain('cannot');
  });

  test("a tier other than the network's is refused: the subnet is set up for the network's tier", () => {
    const error = badGateway({ tier: 'Premium' });
    expect(error.message).toContain('"Premium"');
    expect(error.message).toContain('StandardV2');
  });

  test('the capacity must fit the tier', () => {
    expect(badGateway({ capacity: 11 }).message).toContain('from 1 to 10 for StandardV2');
    expect(badGateway({ capacity: 0 }).message).toContain('invalid capacity 0');
  });
});

describe('McpGateway name', () => {
  test('uses a given name with the suffix, or as it is without', () => {
    expect(service(build({ name: 'apim-contoso' }).json).name).toMatch(/^apim-contoso-\$\{random_string\./);
    const { json } = build({ name: 'apim-contoso-mcp-prod', uniqueSuffix: false });
    expect(service(json).name).toBe('apim-contoso-mcp-prod');
    expect(Object.keys(resources(json, 'random_string')).filter((k) => k.startsWith('Gateway_'))).toEqual([]);
  });

  test('accepts 50 characters without the suffix and 43 with it', () => {
    expect(service(build({ name: `a${'b'.repeat(49)}`, uniqueSuffix: false }).json).name).toHaveLength(50);
    expect(service(build({ name: `a${'b'.repeat(42)}` }).json).name.startsWith(`a${'b'.repeat(42)}-`)).toBe(true);
  });

  test.each([
    ['1apim', 'must start with a letter'],
    ['apim-', 'must end with a letter or digit'],
    ['apim_mcp', 'may contain only letters, digits and hyphens'],
    ['apim.mcp', 'may contain only letters, digits and hyphens'],
    [`a${'b'.repeat(43)}`, 'must be 1-43 characters long'],
    ['', 'must be 1-43 characters long'],
  ])('refuses %j: %s', (name, reason) => {
    const error = badGateway({ name });
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain(reason);
    expect(error.message).toContain('accepted:');
  });

  test('without the suffix the limit is 50', () => {
    expect(badGateway({ name: `a${'b'.repeat(50)}`, uniqueSuffix: false }).message).toContain('must be 1-50 characters long');
  });

  test('checks the publisher e-mail and name', () => {
    expect(badGateway({ publisherEmail: 'not-an-address' }).message).toContain('"not-an-address"');
    expect(badGateway({ publisherName: ' ' }).message).toContain('1 to 100 characters');
  });
});

describe('McpGateway telemetry', () => {
  const { json, text } = build();

  test('the Application Insights logger authenticates with the gateway identity, credentials write-only', () => {
    const [, logger] = only(json, 'azapi_resource');
    const insights = ref(json, 'azurerm_application_insights', 'id');
    expect(logger).toMatchObject({
      type: 'Microsoft.ApiManagement/service/loggers@2024-05-01',
      name: 'mcp-appinsights',
      parent_id: ref(json, 'azurerm_api_management', 'id'),
      body: { properties: { loggerType: 'applicationInsights', resourceId: insights, isBuffered: true } },
      sensitive_body: {
        properties: {
          credentials: {
            connectionString: ref(json, 'azurerm_application_insights', 'connection_string'),
            identityClientId: 'SystemAssigned',
          },
        },
      },
    });
    // The connection string never reaches the (stored, diffed) body.
    expect(logger.body.properties).not.toHaveProperty('credentials');
  });

  test('the gateway identity may publish telemetry before the logger is created', () => {
    const [grantKey, grant] = named(json, 'azurerm_role_assignment', 'TelemetryPublisher');
    expect(grant).toMatchObject({
      role_definition_name: 'Monitoring Metrics Publisher',
      scope: ref(json, 'azurerm_application_insights', 'id'),
      principal_id: ref(json, 'azurerm_api_management', 'identity[0].principal_id'),
      principal_type: 'ServicePrincipal',
    });
    expect(only(json, 'azapi_resource')[1].depends_on).toEqual([`azurerm_role_assignment.${grantKey}`]);
  });

  test.each(['applicationinsights', 'azuremonitor'])('the %s diagnostic never logs a response body and logs errors always', (identifier) => {
    const d = diagnostic(json, identifier);
    expect(d).toMatchObject({
      always_log_errors: true,
      sampling_percentage: 100,
      log_client_ip: false,
      verbosity: 'error',
      frontend_response: { body_bytes: 0, headers_to_log: [] },
      backend_response: { body_bytes: 0, headers_to_log: [] },
      frontend_request: { body_bytes: 0, headers_to_log: [] },
      backend_request: { body_bytes: 0, headers_to_log: [] },
    });
    // Keys in query strings (Functions `code`, subscription keys) are hidden in logged URLs.
    for (const side of ['frontend_request', 'backend_request']) {
      expect(d[side].data_masking.query_params).toEqual(MASKED_QUERY_PARAMETERS.map((value) => ({ mode: 'Hide', value })));
    }
    expect(MASKED_QUERY_PARAMETERS).toEqual(expect.arrayContaining(['code', 'subscription-key']));
  });

  test('the diagnostics point at the identity logger and at the built-in azuremonitor logger', () => {
    expect(diagnostic(json, 'applicationinsights').api_management_logger_id).toBe(ref(json, 'azapi_resource', 'id'));
    expect(diagnostic(json, 'azuremonitor').api_management_logger_id).toBe(`${ref(json, 'azurerm_api_management', 'id')}/loggers/azuremonitor`);
  });

  test('request bodies can be logged up to 8 KiB; responses stay at 0 bytes', () => {
    const { json: logged } = build({ requestBodyBytes: 1024, samplingPercentage: 25, logClientIp: true });
    const d = diagnostic(logged, 'applicationinsights');
    expect(d).toMatchObject({ sampling_percentage: 25, log_client_ip: true });
    expect(d.frontend_request.body_bytes).toBe(1024);
    expect(d.frontend_response.body_bytes).toBe(0);
    expect(d.backend_response.body_bytes).toBe(0);
    expect(badGateway({ requestBodyBytes: 8193 }).message).toContain('from 0 to 8192');
    expect(badGateway({ samplingPercentage: 101 }).message).toContain('from 0 to 100');
  });

  test('resource logs go to the resource-specific tables the alerts query', () => {
    expect(text).toHaveResourceWithProperties(MonitorDiagnosticSetting, {
      target_resource_id: ref(json, 'azurerm_api_management', 'id'),
      log_analytics_destination_type: 'Dedicated',
      enabled_log: [{ category: APIM_LOG_CATEGORIES.gateway }, { category: APIM_LOG_CATEGORIES.mcp }],
    });
    expect([APIM_LOG_CATEGORIES.gateway, APIM_LOG_CATEGORIES.mcp]).toEqual(['GatewayLogs', 'GatewayMCPLogs']);
  });
});

describe('McpGateway global policy', () => {
  test('installs the default policy: rendered rawxml, lint-clean at global scope, without <base/> or CORS', () => {
    const { json, gateway } = build();
    const [, policy] = only(json, 'azurerm_api_management_policy');
    expect(policy.api_management_id).toBe(ref(json, 'azurerm_api_management', 'id'));
    expect(policy.xml_content).toBe(render(defaultGlobalPolicy(), { format: 'rawxml' }));
    expect(gateway.globalPolicyXml).toBe(policy.xml_content);
    expect(lintPolicy(policy.xml_content, { scope: 'global' }).findings).toEqual([]);
    expect(policy.xml_content).not.toContain('<base');
    expect(policy.xml_content).not.toContain('<cors');
  });

  test('sets the correlation header, streams responses and answers internal errors generically', () => {
    const xml = render(defaultGlobalPolicy());
    expect(xml).toContain('<set-header name="X-Correlation-Id" exists-action="override">');
    expect(xml).toContain('<forward-request buffer-response="false" />');
    expect(xml).toContain('<set-header name="X-Powered-By" exists-action="delete" />');
    for (const reason of ['BackendConnectionFailure', 'Timeout', 'ExpressionValueEvaluationFailure']) {
      expect(xml).toContain(`context.LastError.Reason == "${reason}"`);
    }
    // The generic answers never echo the error message APIM built.
    expect(xml).not.toContain('LastError.Message');
  });

  test('takes a policy of its own, or none', () => {
    const own = policyDocument({ inbound: [setHeader({ name: 'X-Frame-Options', existsAction: 'override', value: 'DENY' })] });
    expect(only(build({ globalPolicy: own }).json, 'azurerm_api_management_policy')[1].xml_content).toBe(render(own));
    expect(resources(build({ globalPolicy: false }).json, 'azurerm_api_management_policy')).toEqual({});
  });

  test('refuses a global policy with lint errors', () => {
    // A Functions key written as a literal: literal-secret is an error at every scope.
    const leaky = policyDocument({ inbound: [setHeader({ name: 'x-functions-key', existsAction: 'override', value: 'q9ZkLw3RtYp8XvB2nM6sDf4Gh7Jk1Lz0' })] });
    expect(lintPolicy(render(leaky), { scope: 'global' }).findings.map((f) => f.ruleId)).toContain('literal-secret');
    const error = badGateway({ globalPolicy: leaky });
    expect(error.message).toContain('globalPolicy');
    expect(error.message).toContain('literal-secret');
  });

  test('keeps ${ and %{ literal for Terraform', () => {
    const templated = policyDocument({ inbound: [setHeader({ name: 'X-Note', existsAction: 'override', value: '${not-terraform} %{nor-this}' })] });
    const xml = only(build({ globalPolicy: templated }).json, 'azurerm_api_management_policy')[1].xml_content;
    expect(xml).toContain('$${not-terraform} %%{nor-this}');
  });
});

describe('McpGateway named values', () => {
  test('a plain named value has the same name and display name, and is not secret', () => {
    const { json } = build({}, (gw) => gw.addNamedValue('mcp-environment', 'prod'));
    const [, nv] = named(json, 'azurerm_api_management_named_value', 'mcp-environment');
    expect(nv).toMatchObject({ name: 'mcp-environment', display_name: 'mcp-environment', value: 'prod', secret: false });
    expect(nv.api_management_name).toBe(ref(json, 'azurerm_api_management', 'name'));
  });

  test('a Key Vault-backed secret is read by the gateway identity, granted once per vault before first use', () => {
    const { json, gateway } = build({}, (gw) => {
      gw.addSecretNamedValue('weather-key', { keyVaultSecretUri: SECRET_URI });
      gw.addSecretNamedValue('docs-key', { keyVaultSecretUri: 'https://kv-mcp.vault.azure.net/secrets/docs-key' });
    });
    const grants = Object.entries(resources(json, 'azurerm_role_assignment')).filter(([, g]) => g.role_definition_name === 'Key Vault Secrets User');
    expect(grants).toHaveLength(1);
    const [grantKey, grant] = grants[0];
    expect(grant).toMatchObject({
      scope: ref(json, 'azurerm_key_vault', 'id'),
      principal_id: ref(json, 'azurerm_api_management', 'identity[0].principal_id'),
      principal_type: 'ServicePrincipal',
    });
    const [, nv] = named(json, 'azurerm_api_management_named_value', 'weather-key');
    expect(nv).toMatchObject({ secret: true, value_from_key_vault: { secret_id: SECRET_URI }, depends_on: [`azurerm_role_assignment.${grantKey}`] });
    // No identity_client_id (the system-assigned identity reads it) and no value in the plan.
    expect(nv.value_from_key_vault).not.toHaveProperty('identity_client_id');
    expect(nv).not.toHaveProperty('value');
    expect(gateway.namedValue('WEATHER-KEY')).toMatchObject({ secret: true, keyVaultBacked: true, reference: '{{weather-key}}' });
  });

  test('a literal secret needs storeInTerraformState: true', () => {
    const { json } = build({}, (gw) => gw.addSecretNamedValue('legacy-token', { value: 'abc123', storeInTerraformState: true }));
    expect(named(json, 'azurerm_api_management_named_value', 'legacy-token')[1]).toMatchObject({ secret: true, value: 'abc123' });
    const error = caught(() =>
      build({}, (gw) => gw.addSecretNamedValue('legacy-token', { value: 'abc123', storeInTerraformState: false as unknown as true })),
    );
    expect(error.message).toContain('TestStack/Gateway');
    expect(error.message).toContain('storeInTerraformState');
  });

  test.each([
    ['-leading', 'must start with a letter or digit'],
    ['trailing_', 'must end with a letter or digit'],
    ['has.dot', "may contain only letters, digits, '-' and '_'"],
    ['x'.repeat(81), 'must be 1-80 characters long'],
  ])('refuses the name %j', (name, reason) => {
    const error = caught(() => build({}, (gw) => gw.addNamedValue(name, 'v')));
    expect(error.message).toContain('TestStack/Gateway');
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain(reason);
  });

  test('refuses a second named value with the same name in any case', () => {
    const error = caught(() =>
      build({}, (gw) => {
        gw.addNamedValue('tenant', 'a');
        gw.addNamedValue('Tenant', 'b');
      }),
    );
    expect(error.message).toContain('"Tenant"');
  });

  test('refuses a Key Vault secret without a vault to grant on, and a URI that is not a secret URI', () => {
    const noVault = caught(() => build({ keyVault: undefined }, (gw) => gw.addSecretNamedValue('k', { keyVaultSecretUri: SECRET_URI })));
    expect(noVault.message).toContain('McpKeyVault');
    const badUri = caught(() => build({}, (gw) => gw.addSecretNamedValue('k', { keyVaultSecretUri: 'https://example.com/secret' })));
    expect(badUri.message).toContain('"https://example.com/secret"');
    expect(badUri.message).toContain('Key Vault secret URI');
  });
});

describe('McpGateway policy fragments', () => {
  const fragment = policyFragment([
    choose({
      when: [
        {
          condition: expr('context.Request.Headers.GetValueOrDefault("X-Tenant", "") == ""'),
          policies: [setHeader({ name: 'X-Tenant', existsAction: 'override', value: 'none' })],
        },
      ],
    }),
  ]);

  test('sets the format explicitly and renders in it: xml by default, rawxml on request', () => {
    const { text, json } = build({}, (gw) => {
      gw.addPolicyFragment('tenant-header', fragment);
      gw.addPolicyFragment('tenant-header-raw', fragment, { format: 'rawxml', description: 'raw' });
    });
    expect(text).toHaveResourceWithProperties(ApiManagementPolicyFragment, {
      name: 'tenant-header',
      format: 'xml',
      value: render(fragment, { format: 'xml' }),
      api_management_id: ref(json, 'azurerm_api_management', 'id'),
    });
    expect(text).toHaveResourceWithProperties(ApiManagementPolicyFragment, { name: 'tenant-header-raw', format: 'rawxml', value: render(fragment, { format: 'rawxml' }) });
    // The two formats differ on this fragment (the quotes of the expression in an attribute), so the format matters.
    expect(render(fragment, { format: 'xml' })).not.toBe(render(fragment, { format: 'rawxml' }));
  });

  test('refuses a duplicate or malformed id', () => {
    expect(
      caught(() =>
        build({}, (gw) => {
          gw.addPolicyFragment('f', fragment);
          gw.addPolicyFragment('F', fragment);
        }),
      ).message,
    ).toContain('"F"');
    expect(caught(() => build({}, (gw) => gw.addPolicyFragment('bad id', fragment))).message).toContain('"bad id"');
  });
});

describe('McpGateway in a stack', () => {
  test('two gateways synthesize side by side without name collisions', () => {
    const stack = newStack();
    const n = neighbours(stack);
    const a = new McpGateway(stack, 'GatewayA', gatewayProps(n));
    const b = new McpGateway(stack, 'GatewayB', gatewayProps(n, { network: undefined }));
    a.addNamedValue('shared-name', 'a');
    b.addNamedValue('shared-name', 'b');
    // The same server name on both: APIs, backends and metadata APIs are children of different services.
    const app = entraApp(stack);
    a.addMcpServer('weather', { backend: FUNCTION_BACKEND, entraApp: app });
    b.addMcpServer('weather', { backend: FUNCTION_BACKEND, entraApp: app });
    const json = JSON.parse(Testing.synth(stack, true));
    const names = Object.values(resources(json, 'azurerm_api_management')).map((s) => s.name);
    expect(names).toHaveLength(2);
    expect(new Set(names).size).toBe(2);
    // Each gateway's children belong to its own service.
    const services = Object.values(resources(json, 'azurerm_api_management_named_value')).map((nv) => nv.api_management_name);
    expect(new Set(services).size).toBe(2);
    expect(Object.values(resources(json, 'azurerm_api_management_policy'))).toHaveLength(2);
    expect(Object.values(resources(json, 'azurerm_api_management_backend')).map((x) => x.api_management_name)).toHaveLength(2);
    const prmServices = Object.values(resources(json, 'azurerm_api_management_api')).map((x) => x.api_management_name);
    expect(new Set(prmServices).size).toBe(2);
    const mcpApis = Object.values(resources(json, 'azapi_resource')).filter((x) => String(x.type).startsWith('Microsoft.ApiManagement/service/apis@'));
    expect(new Set(mcpApis.map((x) => x.parent_id)).size).toBe(2);
  });

  test('exposes the gateway URL, identity and service as references', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    new TerraformOutput(stack, 'url', { value: gateway.gatewayUrl });
    new TerraformOutput(stack, 'principal', { value: gateway.principalId });
    new TerraformOutput(stack, 'id', { value: gateway.serviceId });
    new TerraformOutput(stack, 'name', { value: gateway.serviceName });
    new TerraformOutput(stack, 'metadata', { value: gateway.protectedResourceMetadataBaseUrl });
    const json = JSON.parse(Testing.synth(stack));
    const key = only(json, 'azurerm_api_management')[0];
    expect(json.output.url.value).toBe(`\${azurerm_api_management.${key}.gateway_url}`);
    expect(json.output.principal.value).toBe(`\${azurerm_api_management.${key}.identity[0].principal_id}`);
    expect(json.output.id.value).toBe(`\${azurerm_api_management.${key}.id}`);
    expect(json.output.name.value).toBe(`\${azurerm_api_management.${key}.name}`);
    expect(json.output.metadata.value).toBe(`\${azurerm_api_management.${key}.gateway_url}/.well-known/oauth-protected-resource`);
  });
});
