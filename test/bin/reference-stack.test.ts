/**
 * The reference deployment (bin/main.ts), built in process into temporary output directories: a review of every
 * resource type in its plan, its MCP policies against the catalog, the errors bad input gets, determinism, and
 * the settings.
 */
import { spawnSync } from 'child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AppServiceMcpBackend } from '../../lib/constructs/backends';
import { AZURE_CLI_CLIENT_ID, McpEntraApp } from '../../lib/constructs/entra';
import { ConstructValidationError } from '../../lib/constructs/errors';
import { terraformLiteral } from '../../lib/constructs/gateway/terraform-text';
import { SecureMcpGateway } from '../../lib/constructs/secure-mcp-gateway';
import { lintPolicy } from '../../lib/policy/lint';
import { render } from '../../lib/policy/render';
import { recipe } from '../../policies/catalog';
import {
  LOCAL_STATE_PATH,
  STACK_NAME,
  ReferenceStack,
  buildApp,
  loadContext,
  serverPlan,
  synthesize,
} from '../../bin/main';
import { DEFAULT_STATE_KEY, SETTING_DEFINITIONS, SettingsError, readSettings } from '../../bin/settings';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const ROOT = path.resolve(__dirname, '..', '..');
const tempDirs: string[] = [];

function tempDir(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'mcp-reference-'));
  tempDirs.push(dir);
  return dir;
}

afterAll(() => {
  for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
});

interface Plan {
  readonly stack: ReferenceStack;
  readonly text: string;
  readonly json: Json;
}

/** Synthesizes the reference with these environment variables (and no other settings) into a fresh directory. */
function plan(env: Record<string, string> = {}, context: Record<string, unknown> = {}): Plan {
  const { stack, file } = synthesize({ env, context, outdir: tempDir() });
  const text = readFileSync(file, 'utf8');
  return { stack, text, json: JSON.parse(text) };
}

function resources(json: Json, type: string): Json[] {
  return Object.values(json.resource?.[type] ?? {});
}

function refOf(json: Json, type: string, predicate: (r: Json) => boolean, attribute = 'id'): string {
  const found = Object.entries<Json>(json.resource?.[type] ?? {}).filter(([, r]) => predicate(r));
  expect(found).toHaveLength(1);
  return `\${${type}.${found[0][0]}.${attribute}}`;
}

/** What a review check gets: the plan and whether the backends are locked down. */
interface Context {
  readonly json: Json;
  readonly lockDown: boolean;
}

interface Review {
  /** The security properties the check asserts, in words: the table a reviewer reads. */
  readonly properties: string;
  readonly check: (all: Json[], ctx: Context) => void;
}

const gatewayPrincipal = (json: Json) => refOf(json, 'azurerm_api_management', () => true, 'identity[0].principal_id');
const workspaceId = (json: Json) => refOf(json, 'azurerm_log_analytics_workspace', () => true);
const isRef = (value: unknown, type: string) => typeof value === 'string' && value.startsWith(`\${${type}.`);

/**
 * Every Terraform resource type (and data source, as `data.<type>`) in the reference plan, with the security
 * properties asserted for it. A type missing here fails the "nobody reviewed" test.
 */
const REVIEW: Readonly<Record<string, Review>> = {
  azurerm_resource_group: {
    properties: 'one group, named from the prefix, in the configured region',
    check: (all) => expect(all).toEqual([expect.objectContaining({ name: 'rg-mcpgw', location: 'westeurope' })]),
  },
  azurerm_virtual_network: {
    properties: 'one network, the documented address space',
    check: (all) => expect(all.map((v) => v.address_space)).toEqual([['10.60.0.0/16']]),
  },
  azurerm_subnet: {
    properties: 'private-endpoint subnet enforces NSGs (network policies on); one apps subnet per server, delegated to its hosting; no empty default apps subnet',
    check: (all) => {
      expect(all.find((s) => s.name === 'snet-private-endpoints')?.private_endpoint_network_policies).toBe('Enabled');
      const apps = all.filter((s) => s.name.startsWith('snet-apps'));
      expect(apps.map((s) => [s.name, s.address_prefixes[0], s.delegation[0].service_delegation.name]).sort()).toEqual([
        ['snet-apps-app-1', '10.60.1.64/26', 'Microsoft.Web/serverFarms'],
        ['snet-apps-func-1', '10.60.1.0/26', 'Microsoft.App/environments'],
      ]);
      expect(all).toHaveLength(2 + apps.length);
    },
  },
  azurerm_network_security_group: {
    properties: 'one per subnet, each sending its logs to the workspace',
    check: (all, { json }) => {
      const nsgIds = Object.keys(json.resource.azurerm_network_security_group).map((id) => `\${azurerm_network_security_group.${id}.id}`);
      expect(nsgIds).toHaveLength(resources(json, 'azurerm_subnet').length);
      const targets = resources(json, 'azurerm_monitor_diagnostic_setting').map((d) => d.target_resource_id);
      expect(nsgIds.filter((id) => !targets.includes(id))).toEqual([]);
      expect(all).toHaveLength(nsgIds.length);
    },
  },
  azurerm_subnet_network_security_group_association: {
    properties: 'every subnet has its security group',
    check: (all, { json }) => {
      const subnets = Object.keys(json.resource.azurerm_subnet).map((id) => `\${azurerm_subnet.${id}.id}`);
      expect(all.map((a) => a.subnet_id).sort()).toEqual(subnets.sort());
    },
  },
  azurerm_network_security_rule: {
    properties: 'inbound only: HTTPS from the virtual network to the private endpoints, everything else denied; nothing from the Internet',
    check: (all) => {
      expect(all.every((r) => r.direction === 'Inbound')).toBe(true);
      expect(all.filter((r) => r.access === 'Allow').map((r) => [r.source_address_prefix, r.destination_port_range])).toEqual([['VirtualNetwork', '443']]);
      expect(all.filter((r) => r.access === 'Deny').map((r) => [r.source_address_prefix, r.priority])).toEqual([['*', 4096]]);
    },
  },
  azurerm_private_dns_zone: {
    properties: 'privatelink zones only (vault, sites, blob, queue)',
    check: (all) =>
      expect(all.map((z) => z.name).sort()).toEqual([
        'privatelink.azurewebsites.net',
        'privatelink.blob.core.windows.net',
        'privatelink.queue.core.windows.net',
        'privatelink.vaultcore.azure.net',
      ]),
  },
  azurerm_private_dns_zone_virtual_network_link: {
    properties: 'no auto-registration into privatelink zones',
    check: (all) => expect(all.every((l) => l.registration_enabled === false)).toBe(true),
  },
  azurerm_private_endpoint: {
    properties: 'in the private-endpoints subnet, automatic approval, for the vault, the apps (sites) and the storage (blob, queue); none for the gateway',
    check: (all, { json }) => {
      const subnet = refOf(json, 'azurerm_subnet', (s) => s.name === 'snet-private-endpoints');
      expect(all.every((pe) => pe.subnet_id === subnet && pe.private_service_connection.is_manual_connection === false)).toBe(true);
      expect(all.map((pe) => pe.private_service_connection.subresource_names[0]).sort()).toEqual(['blob', 'queue', 'sites', 'sites', 'vault']);
    },
  },
  azurerm_key_vault: {
    properties: 'public_network_access_enabled false, default-deny ACLs, RBAC, purge protection, 90-day soft delete',
    check: (all) =>
      expect(all).toEqual([
        expect.objectContaining({
          public_network_access_enabled: false,
          network_acls: expect.objectContaining({ default_action: 'Deny' }),
          rbac_authorization_enabled: true,
          purge_protection_enabled: true,
          soft_delete_retention_days: 90,
        }),
      ]),
  },
  azurerm_storage_account: {
    properties: 'public_network_access_enabled false, no shared keys, default-deny rules, HTTPS and TLS 1.2 only, no public blobs, no local users',
    check: (all) => {
      for (const a of all) {
        expect(a).toMatchObject({
          public_network_access_enabled: false,
          shared_access_key_enabled: false,
          network_rules: { default_action: 'Deny', bypass: ['None'] },
          https_traffic_only_enabled: true,
          min_tls_version: 'TLS1_2',
          allow_nested_items_to_be_public: false,
          local_user_enabled: false,
          cross_tenant_replication_enabled: false,
        });
      }
    },
  },
  azurerm_storage_container: {
    properties: 'private access',
    check: (all) => expect(all.every((c) => c.container_access_type === 'private')).toBe(true),
  },
  azurerm_user_assigned_identity: {
    properties: "the Functions app's identity; its only grants are the role assignments reviewed below",
    check: (all, { json }) => {
      const ids = Object.keys(json.resource.azurerm_user_assigned_identity).map((id) => `\${azurerm_user_assigned_identity.${id}.principal_id}`);
      const roles = resources(json, 'azurerm_role_assignment').filter((r) => ids.includes(r.principal_id)).map((r) => r.role_definition_name);
      expect(roles.sort()).toEqual(['Monitoring Metrics Publisher', 'Storage Blob Data Owner', 'Storage Queue Data Contributor']);
      expect(all).toHaveLength(1);
    },
  },
  azurerm_role_assignment: {
    properties: 'least privilege: only data-plane and telemetry roles, each scoped to one resource (never a group or subscription)',
    check: (all) => {
      const allowed = ['Key Vault Secrets User', 'Monitoring Metrics Publisher', 'Storage Blob Data Owner', 'Storage Queue Data Contributor'];
      for (const a of all) {
        expect(allowed).toContain(a.role_definition_name);
        expect(a.scope).toMatch(/^\$\{azurerm_(key_vault|application_insights|storage_account)\.[^}]+\.id\}$/);
        expect(a.principal_type).toBe('ServicePrincipal');
      }
    },
  },
  azurerm_service_plan: {
    properties: 'Linux, Flex Consumption (FC1) for Functions, P1v3 (VNet integration and private endpoints) for App Service',
    check: (all) => expect(all.map((p) => [p.os_type, p.sku_name]).sort()).toEqual([['Linux', 'FC1'], ['Linux', 'P1v3']]),
  },
  azurerm_function_app_flex_consumption: {
    properties: 'public access off after lockDown (main site denies all before), HTTPS and TLS 1.2, no basic-auth publishing, VNet-integrated, identity-based storage',
    check: (all, { lockDown }) => {
      for (const app of all) {
        expect(app).toMatchObject({
          public_network_access_enabled: !lockDown,
          https_only: true,
          webdeploy_publish_basic_authentication_enabled: false,
          storage_authentication_type: 'UserAssignedIdentity',
          site_config: { minimum_tls_version: '1.2', scm_minimum_tls_version: '1.2', remote_debugging_enabled: false, ip_restriction_default_action: 'Deny', vnet_route_all_enabled: true },
        });
        expect(isRef(app.virtual_network_subnet_id, 'azurerm_subnet')).toBe(true);
        expect(Object.values(app.app_settings).join(' ')).not.toMatch(/AccountKey=|SharedAccessSignature=/i);
      }
    },
  },
  azurerm_linux_web_app: {
    properties: 'public access off after lockDown, HTTPS/TLS 1.2, FTPS and basic auth off, Easy Auth requiring a token and admitting only the gateway identity',
    check: (all, { json, lockDown }) => {
      for (const app of all) {
        expect(app).toMatchObject({
          public_network_access_enabled: !lockDown,
          https_only: true,
          ftp_publish_basic_authentication_enabled: false,
          webdeploy_publish_basic_authentication_enabled: false,
          site_config: { ftps_state: 'Disabled', minimum_tls_version: '1.2', remote_debugging_enabled: false, ip_restriction_default_action: 'Deny' },
          auth_settings_v2: { auth_enabled: true, require_authentication: true, unauthenticated_action: 'Return401', login: { token_store_enabled: false } },
        });
        expect(app.auth_settings_v2.active_directory_v2.allowed_identities).toEqual([gatewayPrincipal(json)]);
      }
    },
  },
  azapi_resource_action: {
    properties: "the Functions host's MCP extension key only: created, then read as a sensitive value (never the master key)",
    check: (all) => {
      expect(all.map((a) => [a.method, a.action]).sort()).toEqual([['POST', 'listkeys'], ['PUT', 'systemKeys/mcp_extension']]);
      for (const a of all) expect(a.response_export_values).toBeUndefined();
      expect(all.find((a) => a.action === 'listkeys')?.sensitive_response_export_values).toEqual(['systemKeys.mcp_extension']);
    },
  },
  azapi_resource: {
    properties: 'Key Vault secrets with write-only values; the APIM logger with write-only credentials; native MCP APIs over HTTPS requiring subscriptions, and their policies',
    check: (all) => {
      const kinds = all.map((r) => r.type.split('@')[0]);
      expect([...new Set(kinds)].sort()).toEqual([
        'Microsoft.ApiManagement/service/apis',
        'Microsoft.ApiManagement/service/apis/policies',
        'Microsoft.ApiManagement/service/loggers',
        'Microsoft.KeyVault/vaults/secrets',
      ]);
      for (const r of all) {
        if (r.type.startsWith('Microsoft.KeyVault/vaults/secrets')) {
          expect(r.body.properties.value).toBeUndefined();
          expect(r.sensitive_body.properties.value).toBeDefined();
        }
        if (r.type.startsWith('Microsoft.ApiManagement/service/loggers')) {
          expect(r.body.properties.credentials).toBeUndefined();
          expect(r.sensitive_body.properties.credentials.identityClientId).toBe('SystemAssigned');
        }
        if (r.type.startsWith('Microsoft.ApiManagement/service/apis@')) {
          expect(r.body.properties).toMatchObject({ type: 'mcp', protocols: ['https'], subscriptionRequired: true });
        }
      }
    },
  },
  azurerm_api_management: {
    properties: 'the only resource with public network access; system identity; SSL 3, TLS 1.0/1.1 and weak ciphers off; outbound VNet integration',
    check: (all) =>
      expect(all).toEqual([
        expect.objectContaining({
          public_network_access_enabled: true,
          identity: { type: 'SystemAssigned' },
          virtual_network_type: 'External',
          min_api_version: '2021-08-01',
          security: expect.objectContaining({ frontend_tls10_enabled: false, frontend_tls11_enabled: false, backend_tls11_enabled: false, triple_des_ciphers_enabled: false }),
        }),
      ]),
  },
  azurerm_api_management_api: {
    properties: 'only the anonymous RFC 9728 metadata API (HTTPS, GET operations answered by the gateway); MCP APIs are azapi resources',
    check: (all) => expect(all.map((a) => [a.name, a.subscription_required, a.protocols])).toEqual([['oauth-protected-resource', false, ['https']]]),
  },
  azurerm_api_management_api_operation: {
    properties: 'GET only (metadata)',
    check: (all) => expect(all.every((o) => o.method === 'GET')).toBe(true),
  },
  azurerm_api_management_api_operation_policy: {
    properties: 'metadata answered by the gateway (return-response before <base/>); no secret named value referenced',
    check: (all) => {
      for (const p of all) {
        expect(p.xml_content).toContain('<return-response>');
        expect(p.xml_content).not.toMatch(/functions-key|gateway-token/);
      }
    },
  },
  azurerm_api_management_backend: {
    properties: 'HTTPS URLs of the private apps, certificate chain and name validated',
    check: (all) => {
      for (const b of all) {
        expect(b.url).toMatch(/^https:\/\//);
        expect(b.tls).toEqual({ validate_certificate_chain: true, validate_certificate_name: true });
      }
    },
  },
  azurerm_api_management_named_value: {
    properties: 'secrets are Key Vault-backed (no value in the plan); plain values are ids and audiences only',
    check: (all) => {
      for (const nv of all) {
        if (nv.secret) {
          expect(nv.value).toBeUndefined();
          expect(nv.value_from_key_vault.secret_id).toMatch(/^\$\{azapi_resource\.[^}]+\.output\.properties\.secretUri\}$/);
        } else {
          expect(nv.name).toMatch(/-(entra-tenant-id|entra-client-id|entra-identifier-uri|backend-audience)$/);
        }
      }
      expect(all.filter((nv) => nv.secret).map((nv) => nv.name)).toEqual(['func-1-functions-key']);
    },
  },
  azurerm_api_management_policy: {
    properties: 'global policy: responses streamed (no buffering), fingerprinting headers removed',
    check: (all) => {
      expect(all).toHaveLength(1);
      expect(all[0].xml_content).toContain('<forward-request buffer-response="false" />');
      expect(all[0].xml_content).toContain('<set-header name="X-Powered-By" exists-action="delete" />');
    },
  },
  azurerm_api_management_diagnostic: {
    properties: 'no response bodies, no request bodies, no headers; keys and tokens masked in logged URLs',
    check: (all) => {
      for (const d of all) {
        expect([d.frontend_request.body_bytes, d.frontend_response.body_bytes, d.backend_request.body_bytes, d.backend_response.body_bytes]).toEqual([0, 0, 0, 0]);
        expect(d.frontend_request.headers_to_log).toEqual([]);
        expect(d.frontend_request.data_masking.query_params.map((q: Json) => q.value)).toEqual(expect.arrayContaining(['code', 'subscription-key', 'access_token']));
      }
    },
  },
  azurerm_log_analytics_workspace: {
    properties: 'no shared-key access',
    check: (all) => expect(all.map((w) => w.local_authentication_enabled)).toEqual([false]),
  },
  azurerm_application_insights: {
    properties: 'Entra-authenticated telemetry only; workspace-based',
    check: (all, { json }) => expect(all).toEqual([expect.objectContaining({ local_authentication_disabled: true, workspace_id: workspaceId(json) })]),
  },
  azurerm_monitor_action_group: {
    properties: 'the alerts notify it (no receivers unless alertEmail is set)',
    check: (all) => expect(all).toEqual([expect.objectContaining({ email_receiver: [] })]),
  },
  azurerm_monitor_scheduled_query_rules_alert_v2: {
    properties: 'the four MCP alerts, on the workspace, each notifying the action group',
    check: (all, { json }) => {
      expect(all.map((a) => a.name).sort()).toEqual(['mcpgw-mcp-auth-failures', 'mcpgw-mcp-backend-5xx', 'mcpgw-mcp-rate-limited', 'mcpgw-mcp-tool-calls']);
      const group = refOf(json, 'azurerm_monitor_action_group', () => true);
      expect(all.every((a) => a.scopes[0] === workspaceId(json) && a.action.action_groups[0] === group)).toBe(true);
    },
  },
  azurerm_monitor_diagnostic_setting: {
    properties:
      'into the one workspace; resource-specific tables for the gateway (what the alerts query), none asked for resources that have none (they would drift)',
    check: (all, { json }) => {
      expect(all.every((d) => d.log_analytics_workspace_id === workspaceId(json))).toBe(true);
      const dedicated = all.filter((d) => d.log_analytics_destination_type === 'Dedicated').map((d) => d.target_resource_id);
      expect(dedicated).toEqual(Object.keys(json.resource.azurerm_api_management).map((id) => `\${azurerm_api_management.${id}.id}`));
      const targets = all.map((d) => d.target_resource_id);
      for (const type of ['azurerm_api_management', 'azurerm_key_vault', 'azurerm_virtual_network', 'azurerm_function_app_flex_consumption', 'azurerm_linux_web_app']) {
        for (const id of Object.keys(json.resource[type])) expect(targets).toContain(`\${${type}.${id}.id}`);
      }
    },
  },
  azuread_application: {
    properties: 'single tenant, v2 tokens, no password or certificate credential',
    check: (all) => {
      expect(all).toEqual([expect.objectContaining({ sign_in_audience: 'AzureADMyOrg', api: expect.objectContaining({ requested_access_token_version: 2 }) })]);
      expect(all[0].password).toBeUndefined();
    },
  },
  azuread_application_identifier_uri: {
    properties: 'api://<client id> (a secure identifier URI pattern)',
    check: (all) => expect(all.map((u) => u.identifier_uri)).toEqual([expect.stringMatching(/^api:\/\/\$\{azuread_application\.[^}]+\.client_id\}$/)]),
  },
  azuread_application_pre_authorized: {
    properties: 'only the Azure CLI, for test tokens',
    check: (all) => expect(all.map((p) => p.authorized_client_id)).toEqual([AZURE_CLI_CLIENT_ID]),
  },
  azuread_service_principal: {
    properties: 'assignment required: only assigned users, groups and apps get tokens',
    check: (all) => expect(all.map((sp) => sp.app_role_assignment_required)).toEqual([true]),
  },
  azuread_app_role_assignment: {
    properties: 'the gateway identity, assigned the gateway role on the app (for its tokens to the App Service backends)',
    check: (all, { json }) =>
      expect(all).toEqual([
        expect.objectContaining({ principal_object_id: gatewayPrincipal(json), resource_object_id: refOf(json, 'azuread_service_principal', () => true, 'object_id') }),
      ]),
  },
  random_string: {
    properties: 'name suffixes only (lower-case letters and digits), not secrets',
    check: (all) => expect(all.every((r) => r.length === 6 && r.special === false && r.upper === false)).toBe(true),
  },
  'data.azurerm_client_config': {
    properties: 'read-only: the deployer tenant for the vault',
    check: (all) => expect(all).toHaveLength(1),
  },
  'data.azuread_client_config': {
    properties: 'read-only: the deployer tenant for the Entra app',
    check: (all) => expect(all).toHaveLength(1),
  },
};

function typesIn(json: Json): string[] {
  return [...Object.keys(json.resource ?? {}), ...Object.keys(json.data ?? {}).map((t) => `data.${t}`)].sort();
}

function byType(json: Json, type: string): Json[] {
  return type.startsWith('data.') ? Object.values(json.data?.[type.slice(5)] ?? {}) : resources(json, type);
}

describe('reference deployment: per-resource-type review', () => {
  let phase1: Plan;
  let locked: Plan;
  beforeAll(() => {
    phase1 = plan();
    locked = plan({ MCP_LOCK_DOWN: 'true' });
  });

  test('every resource type in the plan has been reviewed', () => {
    // A new type (a construct change, a new server kind) fails here until it gets a row in REVIEW.
    const unreviewed = [...new Set([...typesIn(phase1.json), ...typesIn(locked.json)])].filter((t) => !(t in REVIEW));
    expect(unreviewed).toEqual([]);
  });

  test('every reviewed type is in the plan (a row for a type that is gone is stale)', () => {
    expect(Object.keys(REVIEW).filter((t) => !typesIn(phase1.json).includes(t))).toEqual([]);
  });

  test.each(Object.entries(REVIEW).map(([type, review]) => [type, review.properties, review] as const))('%s: %s', (type, _properties, review) => {
    for (const [p, lockDown] of [[phase1, false], [locked, true]] as const) {
      const all = byType(p.json, type);
      expect(all.length).toBeGreaterThan(0);
      review.check(all, { json: p.json, lockDown });
    }
  });

  test('after lockDown nothing but the gateway has public network access', () => {
    const open = Object.entries<Record<string, Json>>(locked.json.resource).flatMap(([type, byId]) =>
      Object.values(byId).filter((r) => r.public_network_access_enabled === true).map(() => type),
    );
    expect(open).toEqual(['azurerm_api_management']);
  });
});

describe('reference deployment: MCP policies', () => {
  let reference: Plan;
  beforeAll(() => {
    reference = plan({ MCP_SERVER_COUNT: '4' });
  });

  test("each MCP API's policy is the catalog's mcp-server rendering of the server's options, and lints clean", () => {
    const { json, stack } = reference;
    const namedValues = resources(json, 'azurerm_api_management_named_value').map((nv) => nv.name);
    const policies = resources(json, 'azapi_resource').filter((r) => r.type.startsWith('Microsoft.ApiManagement/service/apis/policies@'));
    expect(policies).toHaveLength(4);
    expect(stack.mcp.servers.map((s) => s.name)).toEqual(['func-1', 'app-1', 'func-2', 'app-2']);
    for (const server of stack.mcp.servers) {
      const apiRef = refOf(json, 'azapi_resource', (r) => r.type.startsWith('Microsoft.ApiManagement/service/apis@') && r.name === server.name);
      const policy = policies.find((p) => p.parent_id === apiRef);
      expect(policy?.body.properties.format).toBe('rawxml');
      const xml = policy?.body.properties.value as string;
      // The catalog's registry entry (JSON-able options, as the command line renders it), escaped as the plan holds text.
      expect(xml).toBe(terraformLiteral(render(recipe('mcp-server').build(server.mcpServer.policyOptions as unknown as Record<string, unknown>), { format: 'rawxml' })));
      expect(xml).toContain('validate-azure-ad-token');
      expect(lintPolicy(xml, { scope: 'mcp', namedValues, format: 'rawxml' }).findings).toEqual([]);
    }
  });
});

describe('reference deployment: bad input stops synth with the construct path and the bad value', () => {
  function reference(): ReferenceStack {
    return buildApp(readSettings({ env: {} }), { outdir: tempDir(), context: {} }).stack;
  }

  function expectError(build: () => void, constructPath: string, value: unknown, property?: string): ConstructValidationError {
    let error: unknown;
    try {
      build();
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConstructValidationError);
    const e = error as ConstructValidationError;
    expect(e.constructPath).toBe(constructPath);
    expect(e.value).toEqual(value);
    expect(e.message).toContain(`${constructPath}: invalid`);
    // As the error prints it: JSON, or `undefined`.
    expect(e.message).toContain(JSON.stringify(value) ?? String(value));
    if (property !== undefined) expect(e.property).toBe(property);
    return e;
  }

  const secureProps = { namePrefix: 'second', location: 'westeurope', publisherName: 'Contoso', publisherEmail: 'apis@contoso.com' };

  test('a tier that cannot reach private backends (BasicV2)', () => {
    const stack = reference();
    expectError(() => new SecureMcpGateway(stack, 'Second', { ...secureProps, gatewayTier: 'BasicV2' }), `${STACK_NAME}/Second`, 'BasicV2', 'gatewayTier');
  });

  test('a duplicate MCP server name, through the secure construct and on the gateway itself', () => {
    const stack = reference();
    expectError(() => stack.mcp.addAppServiceServer('func-1', { runtimeName: 'node', runtimeVersion: '22-lts' }), `${STACK_NAME}/Mcp`, 'func-1', 'server name');
    const func1 = stack.mcp.server('func-1')!;
    expectError(() => stack.mcp.gateway.addMcpServer('func-1', { backend: func1.backend }), `${STACK_NAME}/Mcp/Gateway`, 'func-1', 'addMcpServer name');
  });

  test('a duplicate MCP server path', () => {
    const stack = reference();
    expectError(() => stack.mcp.addFunctionServer('func-9', { runtimeName: 'node', runtimeVersion: '22', path: 'app-1' }), `${STACK_NAME}/Mcp`, 'app-1', 'server func-9 path');
    const app1 = stack.mcp.server('app-1')!;
    expectError(() => stack.mcp.gateway.addMcpServer('other', { backend: app1.backend, path: 'func-1' }), `${STACK_NAME}/Mcp/Gateway`, 'func-1', 'addMcpServer path');
  });

  test('Easy Auth without an Entra app', () => {
    const stack = reference();
    const subnet = stack.mcp.network.addAppsSubnet('noentra', { backendKind: 'AppService' });
    const e = expectError(
      () =>
        new AppServiceMcpBackend(stack, 'NoEntra', {
          resourceGroup: stack.mcp.resourceGroup,
          network: stack.mcp.network,
          subnet,
          monitoring: stack.mcp.monitoring,
          entraApp: undefined as unknown as McpEntraApp,
          runtimeName: 'node',
          runtimeVersion: '22-lts',
        }),
      `${STACK_NAME}/NoEntra`,
      undefined,
      'entraApp',
    );
    expect(e.message).toContain('Easy Auth');
  });

  test('a rate limit without authentication', () => {
    const stack = reference();
    const e = expectError(
      () => stack.mcp.addFunctionServer('open', { runtimeName: 'node', runtimeVersion: '22', tokenAuth: false, subscriptionKey: false, rateLimit: { calls: 10 } }),
      `${STACK_NAME}/Mcp/Gateway/McpServer-open`,
      { calls: 10 },
      'rateLimit',
    );
    expect(e.message).toContain('authentication first');
  });

  test('an invalid API Management name', () => {
    const stack = reference();
    expectError(() => new SecureMcpGateway(stack, 'Second', { ...secureProps, gatewayName: 'apim_contoso' }), `${STACK_NAME}/Second/Gateway`, 'apim_contoso', 'name');
  });

  test('a bad setting ends `npm run synth` with exit code 1, one line naming it, and no plan', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    const outdir = tempDir();
    const result = spawnSync('/bin/sh', ['-c', pkg.scripts.synth], {
      cwd: ROOT,
      env: { ...process.env, CDKTF_OUTDIR: outdir, MCP_SERVER_COUNT: 'lots' },
      encoding: 'utf8',
      timeout: 60_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr.trim()).toBe('invalid setting serverCount (environment variable MCP_SERVER_COUNT): "lots": expected an integer from 1 to 200');
    expect(existsSync(path.join(outdir, 'stacks', STACK_NAME, 'cdk.tf.json'))).toBe(false);
  });
});

describe('reference deployment: determinism', () => {
  test('two fresh apps with the same settings write byte-identical cdk.tf.json', () => {
    const env = { MCP_SERVER_COUNT: '3', MCP_ALERT_EMAIL: 'oncall@contoso.com' };
    const first = plan(env).text;
    const second = plan(env).text;
    expect(second).toBe(first);
    // Not vacuous: the settings reach the plan.
    expect(first).toContain('oncall@contoso.com');
    expect(first).not.toContain(os.tmpdir());
  });
});

describe('reference deployment: settings', () => {
  test('the defaults', () => {
    expect(readSettings()).toEqual({
      location: 'westeurope',
      namePrefix: 'mcpgw',
      publisherName: 'MCP platform team',
      publisherEmail: 'mcp-platform@example.com',
      alertEmails: [],
      lockDown: false,
      serverCount: 2,
    });
  });

  test('environment over context over defaults, for every setting', () => {
    const context: Record<string, unknown> = {
      location: 'northeurope',
      namePrefix: 'ctx',
      publisherName: 'Context team',
      publisherEmail: 'ctx@example.com',
      alertEmail: 'ctx-alerts@example.com',
      lockDown: true,
      serverCount: 5,
      stateStorageAccount: 'ctxstate',
      stateContainer: 'ctx-state',
      stateKey: 'ctx.tfstate',
      stateResourceGroup: 'rg-ctx-state',
    };
    const fromContext = readSettings({ context: (k) => context[k] });
    expect(fromContext).toEqual({
      location: 'northeurope',
      namePrefix: 'ctx',
      publisherName: 'Context team',
      publisherEmail: 'ctx@example.com',
      alertEmails: ['ctx-alerts@example.com'],
      lockDown: true,
      serverCount: 5,
      remoteState: { storageAccount: 'ctxstate', container: 'ctx-state', key: 'ctx.tfstate', resourceGroup: 'rg-ctx-state' },
    });
    const env = {
      MCP_LOCATION: 'swedencentral',
      MCP_NAME_PREFIX: 'envp',
      MCP_PUBLISHER_NAME: 'Env team',
      MCP_PUBLISHER_EMAIL: 'env@example.com',
      MCP_ALERT_EMAIL: 'a@example.com, b@example.com',
      MCP_LOCK_DOWN: '0',
      MCP_SERVER_COUNT: '7',
      MCP_STATE_STORAGE_ACCOUNT: 'envstate',
      MCP_STATE_CONTAINER: 'env-state',
      MCP_STATE_KEY: 'teams/env.tfstate',
      MCP_STATE_RESOURCE_GROUP: 'rg-env-state',
    };
    // One variable per setting, so this test covers the whole table.
    expect(Object.keys(env).sort()).toEqual(SETTING_DEFINITIONS.map((d) => d.env).sort());
    expect(readSettings({ context: (k) => context[k], env })).toEqual({
      location: 'swedencentral',
      namePrefix: 'envp',
      publisherName: 'Env team',
      publisherEmail: 'env@example.com',
      alertEmails: ['a@example.com', 'b@example.com'],
      lockDown: false,
      serverCount: 7,
      remoteState: { storageAccount: 'envstate', container: 'env-state', key: 'teams/env.tfstate', resourceGroup: 'rg-env-state' },
    });
    // An empty variable counts as unset: the context value stands.
    expect(readSettings({ context: (k) => context[k], env: { MCP_LOCATION: '  ' } }).location).toBe('northeurope');
  });

  test('context reaches the plan through the app, and the environment wins', () => {
    const { json } = plan({ MCP_LOCATION: 'swedencentral' }, { location: 'northeurope', namePrefix: 'ctxpfx', serverCount: 1 });
    expect(resources(json, 'azurerm_resource_group')).toEqual([expect.objectContaining({ name: 'rg-ctxpfx', location: 'swedencentral' })]);
    expect(Object.keys(json.output.mcp_endpoint_urls.value)).toEqual(['func-1']);
  });

  test.each([
    ['MCP_LOCATION', 'West Europe', 'location'],
    ['MCP_NAME_PREFIX', 'My_Prefix', 'namePrefix'],
    ['MCP_PUBLISHER_NAME', 'x'.repeat(101), 'publisherName'],
    ['MCP_PUBLISHER_EMAIL', 'platform', 'publisherEmail'],
    ['MCP_ALERT_EMAIL', 'a@example.com,oops', 'alertEmail'],
    ['MCP_LOCK_DOWN', 'yes', 'lockDown'],
    ['MCP_SERVER_COUNT', '0', 'serverCount'],
    ['MCP_SERVER_COUNT', '201', 'serverCount'],
    ['MCP_SERVER_COUNT', '2.5', 'serverCount'],
    ['MCP_STATE_STORAGE_ACCOUNT', 'My-Account', 'stateStorageAccount'],
    ['MCP_STATE_CONTAINER', 'a--b', 'stateContainer'],
    ['MCP_STATE_KEY', '/abs.tfstate', 'stateKey'],
    ['MCP_STATE_RESOURCE_GROUP', 'rg.', 'stateResourceGroup'],
  ])('%s=%j is refused, naming %s, the variable, the value and what is accepted', (variable, value, setting) => {
    let error: unknown;
    try {
      readSettings({ env: { MCP_STATE_STORAGE_ACCOUNT: 'okstate', MCP_STATE_CONTAINER: 'ok-state', [variable]: value } });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(SettingsError);
    const e = error as SettingsError;
    expect(e.setting).toBe(setting);
    expect(e.message).toContain(`invalid setting ${setting} (environment variable ${variable}): ${JSON.stringify(value)}: expected `);
    expect(e.accepted).toBe(SETTING_DEFINITIONS.find((d) => d.key === setting)?.accepted + (setting === 'alertEmail' ? ' (distinct)' : ''));
  });

  test('a bad context value names the context key', () => {
    expect(() => readSettings({ context: (k) => (k === 'serverCount' ? 'many' : undefined) })).toThrow(
      'invalid setting serverCount (cdktf.json context "serverCount"): "many": expected an integer from 1 to 200',
    );
  });

  test('remote state needs the storage account and the container', () => {
    expect(() => readSettings({ env: { MCP_STATE_CONTAINER: 'tfstate' } })).toThrow(/invalid setting stateStorageAccount \(set neither environment variable MCP_STATE_STORAGE_ACCOUNT/);
    expect(() => readSettings({ env: { MCP_STATE_STORAGE_ACCOUNT: 'sttfstate' } })).toThrow(/invalid setting stateContainer/);
    expect(() => readSettings({ env: { MCP_STATE_KEY: 'x.tfstate' } })).toThrow(/invalid setting stateStorageAccount/);
    expect(readSettings({ env: { MCP_STATE_STORAGE_ACCOUNT: 'sttfstate', MCP_STATE_CONTAINER: 'tfstate' } }).remoteState).toEqual({
      storageAccount: 'sttfstate',
      container: 'tfstate',
      key: DEFAULT_STATE_KEY,
    });
  });

  test('local state by default, relative to the stack directory; azurerm remote state with Entra ID when configured', () => {
    expect(plan({ MCP_SERVER_COUNT: '1' }).json.terraform.backend).toEqual({ local: { path: LOCAL_STATE_PATH } });
    // cdktf runs Terraform in <outdir>/stacks/<stack>: three levels up is the project root.
    expect(path.resolve(ROOT, 'cdktf.out', 'stacks', STACK_NAME, LOCAL_STATE_PATH)).toBe(path.join(ROOT, `terraform.${STACK_NAME}.tfstate`));
    const remote = plan({ MCP_SERVER_COUNT: '1', MCP_STATE_STORAGE_ACCOUNT: 'sttfstate', MCP_STATE_CONTAINER: 'tfstate', MCP_STATE_RESOURCE_GROUP: 'rg-tfstate' });
    expect(remote.json.terraform.backend).toEqual({
      azurerm: { storage_account_name: 'sttfstate', container_name: 'tfstate', key: DEFAULT_STATE_KEY, resource_group_name: 'rg-tfstate', use_azuread_auth: true },
    });
  });

  test('the outputs: gateway URL, MCP endpoints and metadata URLs by server, the Entra client id and scope', () => {
    const { json } = plan({ MCP_SERVER_COUNT: '3' });
    const gatewayUrl = refOf(json, 'azurerm_api_management', () => true, 'gateway_url');
    const clientId = refOf(json, 'azuread_application', () => true, 'client_id');
    expect(json.output.gateway_url.value).toBe(gatewayUrl);
    expect(json.output.mcp_endpoint_urls.value).toEqual({
      'func-1': `${gatewayUrl}/func-1/mcp`,
      'app-1': `${gatewayUrl}/app-1/mcp`,
      'func-2': `${gatewayUrl}/func-2/mcp`,
    });
    expect(json.output.protected_resource_metadata_urls.value['app-1']).toBe(`${gatewayUrl}/.well-known/oauth-protected-resource/app-1/mcp`);
    expect(json.output.entra_client_id.value).toBe(clientId);
    expect(json.output.entra_scope.value).toBe(`api://${clientId}/mcp.tools`);
    expect(Object.keys(json.output).sort()).toEqual([
      'backend_app_names',
      'entra_client_id',
      'entra_scope',
      'entra_service_principal_object_id',
      'gateway_name',
      'gateway_url',
      'mcp_endpoint_urls',
      'protected_resource_metadata_urls',
      'resource_group_name',
    ]);
  });

  test("the README's settings table lists every setting with its variable and default", () => {
    const doc = readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const rows = doc.split('\n').filter((line) => line.startsWith('| `'));
    for (const d of SETTING_DEFINITIONS) {
      const row = rows.find((r) => r.startsWith(`| \`${d.key}\` | \`${d.env}\` |`));
      expect(row).toBeDefined();
      const documentedDefault = row!.split('|')[3].trim();
      expect(documentedDefault).toEqual(d.default === undefined ? expect.stringMatching(/^\(none/) : `\`${d.default}\``);
    }
  });

  test('servers alternate Functions and App Service', () => {
    expect(serverPlan(5)).toEqual([
      { name: 'func-1', kind: 'functions' },
      { name: 'app-1', kind: 'app-service' },
      { name: 'func-2', kind: 'functions' },
      { name: 'app-2', kind: 'app-service' },
      { name: 'func-3', kind: 'functions' },
    ]);
  });

  test("cdktf.json's context is read unless the cdktf CLI passes it (CDKTF_CONTEXT_JSON)", () => {
    const dir = tempDir();
    const file = path.join(dir, 'cdktf.json');
    writeFileSync(file, JSON.stringify({ app: 'x', context: { serverCount: 3 } }));
    expect(loadContext({}, file)).toEqual({ serverCount: 3 });
    expect(loadContext({ CDKTF_CONTEXT_JSON: '{}' }, file)).toEqual({});
    expect(loadContext({}, path.join(dir, 'missing.json'))).toEqual({});
  });
});
