import { ApiManagementProduct } from '@cdktf/provider-azurerm/lib/api-management-product';
import { ApiManagementProductApi } from '@cdktf/provider-azurerm/lib/api-management-product-api';
import { ApiManagementSubscription } from '@cdktf/provider-azurerm/lib/api-management-subscription';
import { TerraformOutput, Testing } from 'cdktf';
import { McpBackendEndpoint } from '../../lib/constructs/backends/endpoint';
import { McpEntraApp } from '../../lib/constructs/entra';
import { McpGateway, McpServer, McpServerProps, routingPolicy } from '../../lib/constructs/gateway';
import { lintPolicy } from '../../lib/policy/lint';
import { LintScope } from '../../lib/policy/lint/types';
import { render } from '../../lib/policy/render';
import { ProtectedResourceMetadataOptions, protectedResourceMetadata } from '../../policies/mcp-authorization';
import { McpServerOptions, mcpServerPolicy } from '../../policies/mcp-server';
import {
  APP_SERVICE_BACKEND,
  FUNCTION_BACKEND,
  Json,
  Neighbours,
  SECRET_URI,
  build,
  caught,
  entraApp,
  gatewayProps,
  named,
  neighbours,
  newStack,
  only,
  ref,
  resources,
} from './gateway-fixtures';

interface Served {
  readonly json: Json;
  readonly text: string;
  readonly gateway: McpGateway;
  readonly server: McpServer;
  readonly app: McpEntraApp;
}

/** A gateway with one MCP server `weather`; `entra: true` protects it with an Entra app. */
function serve(props: Partial<McpServerProps> & { entra?: boolean } = {}, more?: (gateway: McpGateway, app: McpEntraApp) => void): Served {
  let server: McpServer | undefined;
  let app: McpEntraApp | undefined;
  const { entra = true, ...rest } = props;
  const built = build({}, (gateway, stack) => {
    app = entraApp(stack);
    server = gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, ...(entra ? { entraApp: app } : {}), ...rest });
    more?.(gateway, app);
  });
  return { json: built.json, text: built.text, gateway: built.gateway, server: server as McpServer, app: app as McpEntraApp };
}

/** The recipe's rendering of `options`, as the gateway must attach it. */
function recipeXml(options: McpServerOptions): string {
  return render(mcpServerPolicy(options), { format: 'rawxml' });
}

function lintErrors(xml: string, scope: LintScope, gateway: McpGateway) {
  return lintPolicy(xml, { scope, namedValues: gateway.namedValueNames() }).findings.filter((f) => f.severity === 'error');
}

/** The options a Functions backend with an Entra app must produce, written out independently of the library. */
const ENTRA_FUNCTIONS_OPTIONS: McpServerOptions = {
  subscriptionKey: false,
  token: {
    provider: 'entra',
    tenantId: '{{weather-entra-tenant-id}}',
    audiences: ['{{weather-entra-client-id}}'],
    requiredScopes: ['mcp.tools'],
    // The 403 challenge names the full scope clients request; the token's scp carries the bare value.
    challengeScopes: ['{{weather-entra-identifier-uri}}/mcp.tools'],
    mcpPath: 'weather/mcp',
  },
  backendAuth: { type: 'functions-key', namedValue: 'weather-functions-key' },
};

/** A server on a fresh gateway that must fail its checks; returns the error (naming the server's path). */
function badServer(props: Partial<McpServerProps> & { entra?: boolean }, before?: (gateway: McpGateway, app: McpEntraApp) => void) {
  const stack = newStack();
  const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
  const app = entraApp(stack);
  before?.(gateway, app);
  const { entra = true, ...rest } = props;
  const childrenBefore = gateway.node.children.length;
  const error = caught(() => gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, ...(entra ? { entraApp: app } : {}), ...rest }));
  // A server that fails its checks leaves nothing behind: no construct, no named value.
  expect(gateway.node.children.length).toBe(childrenBefore);
  return { error, gateway, stack };
}

describe('native MCP server (default)', () => {
  const { json, gateway, server } = serve();

  test('is an azapi Microsoft.ApiManagement/service/apis of type mcp on the preview version', () => {
    const [, api] = named(json, 'azapi_resource', 'McpServer-weather_Api_');
    const [backendKey] = only(json, 'azurerm_api_management_backend');
    expect(api).toMatchObject({
      type: 'Microsoft.ApiManagement/service/apis@2025-09-01-preview',
      name: 'weather',
      parent_id: ref(json, 'azurerm_api_management', 'id'),
      // The preview body is pinned by these tests, not by azapi's embedded schema.
      schema_validation_enabled: false,
      depends_on: [`azurerm_api_management_backend.${backendKey}`],
    });
    expect(api.body).toEqual({
      properties: {
        type: 'mcp',
        displayName: 'weather',
        path: 'weather',
        protocols: ['https'],
        backendId: 'weather-backend',
        // Token validation only: no subscription key is asked for.
        subscriptionRequired: false,
        mcpProperties: { transportType: 'streamable' },
      },
    });
    expect(server.apiType).toBe('mcp');
  });

  test('the backend entity is the MCP endpoint itself, with TLS checks and the app as resource', () => {
    const [, backend] = only(json, 'azurerm_api_management_backend');
    expect(backend).toMatchObject({
      name: 'weather-backend',
      protocol: 'http',
      url: 'https://func-weather.azurewebsites.net/runtime/webhooks/mcp',
      resource_id: `https://management.azure.com${FUNCTION_BACKEND.resourceId}`,
      tls: { validate_certificate_chain: true, validate_certificate_name: true },
    });
    // No credentials on the entity: the Functions key comes from the policy's named value.
    expect(backend).not.toHaveProperty('credentials');
  });

  test("the policy is the mcp-server recipe's rendering of the expected options, attached as rawxml", () => {
    const [, policy] = named(json, 'azapi_resource', 'McpServer-weather_ApiPolicy');
    expect(policy).toMatchObject({
      type: 'Microsoft.ApiManagement/service/apis/policies@2025-09-01-preview',
      name: 'policy',
      parent_id: ref(json, 'azapi_resource', 'id', 'McpServer-weather_Api_'),
    });
    expect(policy.body.properties.format).toBe('rawxml');
    expect(policy.body.properties.value).toBe(recipeXml(ENTRA_FUNCTIONS_OPTIONS));
    // insufficient_scope names the scope as clients request it from Entra (`<identifier URI>/<scope>`).
    expect(policy.body.properties.value).toContain('error=\\"insufficient_scope\\", scope=\\"{{weather-entra-identifier-uri}}/mcp.tools\\"');
    expect(server.policyOptions).toEqual(ENTRA_FUNCTIONS_OPTIONS);
    // The named values it refers to exist before it.
    const nvKeys = Object.keys(resources(json, 'azurerm_api_management_named_value')).map((k) => `azurerm_api_management_named_value.${k}`);
    expect([...policy.depends_on].sort()).toEqual(nvKeys.sort());
  });

  test('the policy lints clean in scope mcp, its named values all declared', () => {
    expect(lintErrors(server.policyXml, 'mcp', gateway)).toEqual([]);
    for (const name of ['weather-entra-tenant-id', 'weather-entra-client-id', 'weather-functions-key']) {
      expect(server.policyXml).toContain(`{{${name}}}`);
    }
  });

  test('the Functions key is a Key Vault-backed secret named value sent as x-functions-key', () => {
    const [, nv] = named(json, 'azurerm_api_management_named_value', 'weather-functions-key');
    expect(nv).toMatchObject({ secret: true, value_from_key_vault: { secret_id: SECRET_URI } });
    expect(server.policyXml).toContain('<set-header name="x-functions-key" exists-action="override">');
    // The key never appears as a literal anywhere in the plan's policies.
    expect(JSON.stringify(json)).not.toMatch(/x-functions-key[^{]*<value>[^{]/);
  });

  test('the Entra ids reach the policy through plain named values, so the policy text is literal', () => {
    const [, tenant] = named(json, 'azurerm_api_management_named_value', 'weather-entra-tenant-id');
    const [, client] = named(json, 'azurerm_api_management_named_value', 'weather-entra-client-id');
    expect(tenant).toMatchObject({ secret: false, value: '72f988bf-86f1-41af-91ab-2d7cd011db47' });
    expect(client).toMatchObject({ secret: false, value: ref(json, 'azuread_application', 'client_id') });
    expect(server.policyXml).not.toContain('${');
  });
});

describe('protected-resource metadata', () => {
  const { json, gateway, server } = serve();
  const expected: ProtectedResourceMetadataOptions = {
    mcpPath: 'weather/mcp',
    authorizationServers: ['https://login.microsoftonline.com/{{weather-entra-tenant-id}}/v2.0'],
    scopesSupported: ['{{weather-entra-identifier-uri}}/mcp.tools'],
    resourceName: 'weather',
  };

  test('an anonymous API at /.well-known/oauth-protected-resource', () => {
    const [, api] = named(json, 'azurerm_api_management_api', 'ProtectedResourceMetadata');
    expect(api).toMatchObject({
      name: 'oauth-protected-resource',
      path: '.well-known/oauth-protected-resource',
      subscription_required: false,
      protocols: ['https'],
    });
  });

  test('serves /<path>/mcp and the bare path with the metadata recipe, lint-clean at operation scope', () => {
    const operations = Object.values(resources(json, 'azurerm_api_management_api_operation')).filter((o) => String(o.api_name).includes('ProtectedResourceMetadata'));
    expect(operations.map((o) => [o.method, o.url_template]).sort()).toEqual([
      ['GET', '/'],
      ['GET', '/weather/mcp'],
    ]);
    const xml = render(protectedResourceMetadata(expected), { format: 'rawxml' });
    const policies = Object.values(resources(json, 'azurerm_api_management_api_operation_policy')).filter((p) => String(p.api_name).includes('ProtectedResourceMetadata'));
    expect(policies).toHaveLength(2);
    for (const p of policies) expect(p.xml_content).toBe(xml);
    expect(server.protectedResourceMetadataOptions).toEqual(expected);
    expect(lintErrors(xml, 'operation', gateway)).toEqual([]);
    // It answers before <base/>: nothing inherited can ask the caller for credentials first.
    expect(xml.indexOf('<return-response>')).toBeLessThan(xml.indexOf('<base />'));
  });

  test('the challenge of the MCP policy points at the path-suffixed metadata URL', () => {
    expect(server.policyXml).toContain('"/.well-known/oauth-protected-resource/weather/mcp"');
  });

  test('only the first server serves the bare path, and a second claim is refused', () => {
    const { json: two } = serve({}, (gw, app) => gw.addMcpServer('docs', { backend: APP_SERVICE_BACKEND, entraApp: app }));
    const roots = Object.values(resources(two, 'azurerm_api_management_api_operation')).filter((o) => o.url_template === '/');
    expect(roots).toHaveLength(1);
    expect(roots[0].operation_id).toBe('metadata-root');
    expect(roots[0].description).toContain('weather');
    const { error } = badServer({ metadataAtRoot: true }, (gw, app) => gw.addMcpServer('docs', { backend: APP_SERVICE_BACKEND, entraApp: app }));
    expect(error.message).toContain('metadataAtRoot');
    expect(error.message).toContain('"docs" already serves');
  });

  test('a server with subscription keys only publishes no metadata', () => {
    const { json: keyed, gateway: gw } = serve({ entra: false });
    expect(Object.keys(resources(keyed, 'azurerm_api_management_api')).filter((k) => k.includes('ProtectedResourceMetadata'))).toEqual([]);
    expect(caught(() => gw.protectedResourceMetadataUrl('weather')).message).toContain('entraApp');
  });
});

describe('HTTP pass-through MCP server', () => {
  const { json, gateway, server } = serve({ apiType: 'http', entra: false, backend: APP_SERVICE_BACKEND, product: { subscriptions: ['client-a'] } });

  test('is an azurerm http API with a subscription, forwarding to the backend over https', () => {
    const [, api] = named(json, 'azurerm_api_management_api', 'McpServer-weather');
    expect(api).toMatchObject({
      name: 'weather',
      path: 'weather',
      api_type: 'http',
      protocols: ['https'],
      revision: '1',
      service_url: 'https://app-docs.azurewebsites.net',
      subscription_required: true,
    });
    expect(Object.keys(resources(json, 'azapi_resource')).filter((k) => k.includes('McpServer'))).toEqual([]);
  });

  test('has the streamable HTTP and legacy SSE operations', () => {
    const operations = Object.values(resources(json, 'azurerm_api_management_api_operation')).filter((o) => String(o.api_name).includes('McpServer-weather'));
    expect(operations.map((o) => [o.operation_id, o.method, o.url_template]).sort()).toEqual([
      ['mcp-delete', 'DELETE', '/mcp'],
      ['mcp-get', 'GET', '/mcp'],
      ['mcp-post', 'POST', '/mcp'],
      ['messages-post', 'POST', '/messages'],
      ['sse-get', 'GET', '/sse'],
    ]);
  });

  test('each operation routes to the backend entity and the backend path, after the API policy', () => {
    const policies = Object.values(resources(json, 'azurerm_api_management_api_operation_policy')).filter((p) => String(p.api_name).includes('McpServer-weather'));
    const byOperation = Object.fromEntries(policies.map((p) => [/Operation-([a-z-]+)_/.exec(p.operation_id)![1], p.xml_content]));
    expect(byOperation).toEqual({
      'mcp-post': render(routingPolicy('weather-backend', '/mcp')),
      'mcp-get': render(routingPolicy('weather-backend', '/mcp')),
      'mcp-delete': render(routingPolicy('weather-backend', '/mcp')),
      'sse-get': render(routingPolicy('weather-backend', '/sse')),
      'messages-post': render(routingPolicy('weather-backend', '/messages')),
    });
    expect(byOperation['mcp-post']).toContain('<set-backend-service backend-id="weather-backend" />');
    for (const xml of Object.values(byOperation)) expect(lintErrors(xml, 'operation', gateway)).toEqual([]);
    // The pass-through entity is the host; the operations add the path.
    expect(only(json, 'azurerm_api_management_backend')[1].url).toBe('https://app-docs.azurewebsites.net');
  });

  test('the API policy is the recipe rendering: subscription key, managed-identity token for the backend', () => {
    const expected: McpServerOptions = {
      subscriptionKey: { forwardToBackend: false },
      backendAuth: { type: 'managed-identity', resource: '{{weather-backend-audience}}' },
    };
    const [, policy] = named(json, 'azurerm_api_management_api_policy', 'McpServer-weather');
    expect(policy.xml_content).toBe(recipeXml(expected));
    expect(server.policyOptions).toEqual(expected);
    expect(lintErrors(policy.xml_content, 'mcp', gateway)).toEqual([]);
    expect(policy.xml_content).toContain('<authentication-managed-identity resource="{{weather-backend-audience}}" />');
    expect(named(json, 'azurerm_api_management_named_value', 'weather-backend-audience')[1]).toMatchObject({ secret: false, value: 'api://docs-mcp' });
  });

  test('a Functions backend is rewritten to its own paths', () => {
    const { json: fn } = serve({ apiType: 'http', entra: false });
    const policies = Object.values(resources(fn, 'azurerm_api_management_api_operation_policy'));
    const xml = policies.map((p) => p.xml_content as string);
    expect(xml).toContain(render(routingPolicy('weather-backend', '/runtime/webhooks/mcp')));
    expect(xml).toContain(render(routingPolicy('weather-backend', '/runtime/webhooks/mcp/sse')));
    expect(xml).toContain(render(routingPolicy('weather-backend', '/runtime/webhooks/mcp/messages')));
  });

  test('a backend without SSE gets the streamable HTTP operations only', () => {
    const { ssePath: _ssePath, ...streamableOnly } = APP_SERVICE_BACKEND;
    const { json: s } = serve({ apiType: 'http', entra: false, backend: streamableOnly as McpBackendEndpoint });
    const ops = Object.values(resources(s, 'azurerm_api_management_api_operation')).map((o) => o.url_template);
    expect(ops.sort()).toEqual(['/mcp', '/mcp', '/mcp']);
  });
});

describe('products and subscriptions', () => {
  test('a product requires subscriptions with approval; its subscriptions are active, without tracing', () => {
    const { text, json } = serve({ apiType: 'http', entra: false, backend: APP_SERVICE_BACKEND, product: { subscriptions: ['client-a', 'client-b'] } });
    expect(text).toHaveResourceWithProperties(ApiManagementProduct, {
      product_id: 'weather-clients',
      display_name: 'weather clients',
      published: true,
      subscription_required: true,
      approval_required: true,
    });
    expect(text).toHaveResourceWithProperties(ApiManagementProductApi, {
      product_id: ref(json, 'azurerm_api_management_product', 'product_id'),
      api_name: ref(json, 'azurerm_api_management_api', 'name', 'McpServer-weather'),
    });
    const subscriptions = Object.values(resources(json, 'azurerm_api_management_subscription'));
    expect(subscriptions.map((s) => s.subscription_id).sort()).toEqual(['client-a', 'client-b']);
    for (const s of subscriptions) {
      expect(s).toMatchObject({ product_id: ref(json, 'azurerm_api_management_product', 'id'), state: 'active', allow_tracing: false });
    }
    expect(text).toHaveResourceWithProperties(ApiManagementSubscription, { display_name: 'client-a' });
  });

  test('a native MCP server joins its product through the preview products/apis', () => {
    const { json } = serve({ entra: false, product: { productId: 'weather-partners', approvalRequired: false, subscriptionsLimit: 2 } });
    const [, binding] = named(json, 'azapi_resource', 'ProductApi');
    expect(binding).toMatchObject({
      type: 'Microsoft.ApiManagement/service/products/apis@2025-09-01-preview',
      name: 'weather',
      parent_id: ref(json, 'azurerm_api_management_product', 'id'),
      body: {},
    });
    expect(resources(json, 'azurerm_api_management_product_api')).toEqual({});
    expect(only(json, 'azurerm_api_management_product')[1]).toMatchObject({ product_id: 'weather-partners', approval_required: false, subscriptions_limit: 2 });
    // Subscription keys on: the native API asks for one.
    expect(named(json, 'azapi_resource', 'McpServer-weather_Api_')[1].body.properties.subscriptionRequired).toBe(true);
  });

  test('product and subscription ids are unique in the gateway', () => {
    const first = (gw: McpGateway) => gw.addMcpServer('docs', { backend: APP_SERVICE_BACKEND, product: { productId: 'mcp-clients', subscriptions: ['client-a'] } });
    expect(badServer({ entra: false, product: { productId: 'MCP-clients' } }, first).error.message).toContain('invalid product.productId "MCP-clients"');
    expect(badServer({ entra: false, product: { subscriptions: ['Client-A'] } }, first).error.message).toContain('invalid product.subscriptions "Client-A"');
  });

  test('a subscription allow-list reaches the policy', () => {
    const { server } = serve({ entra: false, product: { subscriptions: ['client-a'] }, subscriptionAllowList: ['client-a'] });
    expect(server.policyOptions.subscriptionAllowList).toEqual({ subscriptionIds: ['client-a'] });
    expect(server.policyXml).toBe(recipeXml(server.policyOptions));
    expect(server.policyXml).toContain('"client-a"');
  });
});

describe('policy options from props', () => {
  test('CORS, IP allow-list, rate limit, request limits and scopes pass through to the recipe', () => {
    const { server, gateway } = serve({
      cors: { allowedOrigins: ['https://app.example.com'] },
      ipAllowList: ['203.0.113.0/24'],
      rateLimit: { calls: 20, key: 'jwt-subject', toolCallsOnly: true },
      requestLimits: { maxBodyBytes: 65536 },
      requiredRoles: ['mcp.agent'],
      clientApplicationIds: ['aebc6443-996d-45c2-90f0-388ff96faa56'],
    });
    const expected: McpServerOptions = {
      cors: { allowedOrigins: ['https://app.example.com'] },
      ipAllowList: { addresses: ['203.0.113.0/24'] },
      subscriptionKey: false,
      token: {
        provider: 'entra',
        tenantId: '{{weather-entra-tenant-id}}',
        audiences: ['{{weather-entra-client-id}}'],
        requiredScopes: ['mcp.tools'],
        challengeScopes: ['{{weather-entra-identifier-uri}}/mcp.tools'],
        requiredRoles: ['mcp.agent'],
        clientApplicationIds: ['aebc6443-996d-45c2-90f0-388ff96faa56'],
        mcpPath: 'weather/mcp',
      },
      rateLimit: { calls: 20, key: 'jwt-subject', toolCallsOnly: true },
      requestLimits: { maxBodyBytes: 65536 },
      backendAuth: { type: 'functions-key', namedValue: 'weather-functions-key' },
    };
    expect(server.policyOptions).toEqual(expected);
    expect(server.policyXml).toBe(recipeXml(expected));
    expect(lintErrors(server.policyXml, 'mcp', gateway)).toEqual([]);
  });

  test("content safety on tool calls reaches the recipe, naming the gateway's Content Safety backend", () => {
    let server: McpServer | undefined;
    build({}, (gateway, stack) => {
      gateway.addContentSafetyBackend({
        id: 'content-safety-eu',
        endpoint: 'https://cs-mcp-eu.cognitiveservices.azure.com',
        resourceId: '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.CognitiveServices/accounts/cs-mcp-eu',
      });
      server = gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, entraApp: entraApp(stack), contentSafety: { backendId: 'content-safety-eu', categories: { Hate: 4 } } });
    });
    const s = server as McpServer;
    expect(s.policyOptions.contentSafety).toEqual({ backendId: 'content-safety-eu', categories: { Hate: 4 } });
    expect(s.policyXml).toBe(recipeXml(s.policyOptions));
    expect(s.policyXml).toContain('<llm-content-safety backend-id="content-safety-eu"');
    expect(s.contentSafetyBackend?.backendId).toBe('content-safety-eu');
  });

  test('a custom resource URL is used for the token challenge and the metadata', () => {
    const { server } = serve({ resourceUrl: 'https://mcp.contoso.com/weather/mcp' });
    expect(server.policyOptions.token).toMatchObject({ resourceUrl: 'https://mcp.contoso.com/weather/mcp' });
    expect(server.protectedResourceMetadataOptions).toMatchObject({ resourceUrl: 'https://mcp.contoso.com/weather/mcp' });
    expect(server.policyXml).toContain('resource_metadata="https://mcp.contoso.com/.well-known/oauth-protected-resource/weather/mcp"');
  });
});

describe('URLs', () => {
  test('mcpEndpointUrl and protectedResourceMetadataUrl hang off the gateway URL', () => {
    const stack = newStack();
    const n: Neighbours = neighbours(stack);
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(n));
    gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, entraApp: entraApp(stack), path: 'tools/weather' });
    new TerraformOutput(stack, 'mcp', { value: gateway.mcpEndpointUrl('weather') });
    new TerraformOutput(stack, 'prm', { value: gateway.protectedResourceMetadataUrl('weather') });
    const json = JSON.parse(Testing.synth(stack));
    const url = ref(json, 'azurerm_api_management', 'gateway_url');
    expect(json.output.mcp.value).toBe(`${url}/tools/weather/mcp`);
    expect(json.output.prm.value).toBe(`${url}/.well-known/oauth-protected-resource/tools/weather/mcp`);
    expect(caught(() => gateway.mcpEndpointUrl('nope')).message).toContain('"nope"');
  });
});

describe('MCP server errors', () => {
  test('a duplicate server name', () => {
    const { error } = badServer({}, (gw) => gw.addMcpServer('weather', { backend: FUNCTION_BACKEND, entraApp: undefined, subscriptionKey: true }));
    expect(error.message).toContain('TestStack/Gateway');
    expect(error.message).toContain('"weather"');
    expect(error.message).toContain('not used by another MCP server');
  });

  test('a duplicate path, in any case', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND });
    const error = caught(() => gateway.addMcpServer('forecast', { backend: FUNCTION_BACKEND, path: 'weather' }));
    expect(error.message).toContain('"weather"');
    expect(error.message).toContain('weather uses it');
  });

  test('a rate limit without any authentication', () => {
    const { error } = badServer({ entra: false, subscriptionKey: false });
    expect(error.message).toContain('TestStack/Gateway/McpServer-weather');
    expect(error.message).toContain('invalid rateLimit');
    expect(error.message).toContain('authentication first');
    // Explicit options name the value given.
    const explicit = badServer({ entra: false, subscriptionKey: false, rateLimit: { calls: 10 } }).error;
    expect(explicit.message).toContain('{"calls":10}');
  });

  test('no authentication at all, even without a rate limit', () => {
    const { error } = badServer({ entra: false, subscriptionKey: false, rateLimit: false });
    expect(error.message).toContain('invalid subscriptionKey false');
    expect(error.message).toContain('needs authentication');
  });

  test('the native MCP type on Consumption', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack, { networkTier: null }), { tier: 'Consumption' }));
    const error = caught(() => gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND }));
    expect(error.message).toContain('"mcp"');
    expect(error.message).toContain('Consumption tier has no native MCP server API type');
    // The pass-through type works there.
    expect(gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, apiType: 'http' }).apiType).toBe('http');
  });

  test.each([
    [{ product: {} }, 'no product without subscriptionKey'],
    [{ subscriptionAllowList: ['a'] }, 'no value without subscriptionKey'],
    [{ requiredScopes: ['mcp.admin'] }, 'scopes of the Entra app: mcp.tools'],
    [{ requiredRoles: ['mcp.admin'] }, 'app roles of the Entra app: mcp.agent'],
    [{ sseMessagesPath: '/messages' }, "apiType 'mcp'"],
    [{ path: '/weather' }, 'without leading or trailing'],
    [{ path: '.well-known/x' }, "lower-case letters, digits and '-'"],
    [{ cors: { allowedOrigins: ['*'] } }, 'mcp-server.cors'],
  ] as [Partial<McpServerProps>, string][])('refuses %j', (props, accepted) => {
    const { error } = badServer(props);
    expect(error.message).toContain(accepted);
  });

  test('entra-only props without an Entra app', () => {
    expect(badServer({ entra: false, requiredScopes: ['mcp.tools'] }).error.message).toContain('no value without entraApp');
  });

  test('a backend secret without a gateway Key Vault', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack), { keyVault: undefined }));
    const error = caught(() => gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND }));
    expect(error.message).toContain('invalid backend.credential "functions-key"');
    expect(error.message).toContain('keyVault');
  });

  test('a backend that is not https, or with a path that is not one', () => {
    expect(badServer({ backend: { ...FUNCTION_BACKEND, baseUrl: 'http://func-weather.azurewebsites.net' } }).error.message).toContain('"http://func-weather.azurewebsites.net"');
    expect(badServer({ backend: { ...FUNCTION_BACKEND, mcpPath: 'mcp' } }).error.message).toContain('invalid backend.mcpPath "mcp"');
  });

  test('a named value the server needs that already exists', () => {
    const { error } = badServer({}, (gw) => gw.addNamedValue('weather-entra-tenant-id', 'x'));
    expect(error.message).toContain('"weather-entra-tenant-id"');
  });

  test.each(['Weather', '1weather', 'weather_', 'w'.repeat(41)])('refuses the server name %j', (name) => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    const error = caught(() => gateway.addMcpServer(name, { backend: FUNCTION_BACKEND }));
    expect(error.message).toContain(JSON.stringify(name));
    expect(error.message).toContain('MCP server name');
  });

  test('a server that failed its checks can be added again, fixed', () => {
    const { gateway, stack } = badServer({ entra: false, subscriptionKey: false });
    gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND });
    expect(() => Testing.synth(stack, true)).not.toThrow();
    expect(Object.keys(resources(JSON.parse(Testing.synth(stack)), 'azurerm_api_management_named_value'))).toHaveLength(1);
  });
});

describe('backend credentials', () => {
  test('a gateway token comes from a Key Vault-backed named value in the configured header', () => {
    const backend: McpBackendEndpoint = { ...APP_SERVICE_BACKEND, credential: { kind: 'gateway-token', keyVaultSecretUri: 'https://kv-mcp.vault.azure.net/secrets/docs-token' } };
    const { server, json } = serve({ backend });
    expect(server.policyOptions.backendAuth).toEqual({ type: 'gateway-token', namedValue: 'weather-gateway-token' });
    expect(named(json, 'azurerm_api_management_named_value', 'weather-gateway-token')[1]).toMatchObject({
      secret: true,
      value_from_key_vault: { secret_id: 'https://kv-mcp.vault.azure.net/secrets/docs-token' },
    });
    expect(server.policyXml).toContain('<set-header name="X-APIM-Gateway-Token" exists-action="override">');
  });

  test('the backend construct itself is accepted in place of its endpoint, and authorizes the gateway once', () => {
    const authorizeGateway = jest.fn();
    const { server, json, gateway } = serve({ backend: { endpoint: APP_SERVICE_BACKEND, authorizeGateway } });
    expect(authorizeGateway).toHaveBeenCalledTimes(1);
    expect(authorizeGateway).toHaveBeenCalledWith({ principalId: gateway.principalId, principalType: 'ServicePrincipal' });
    expect(server.policyOptions.backendAuth).toEqual({ type: 'managed-identity', resource: '{{weather-backend-audience}}' });
    expect(only(json, 'azurerm_api_management_backend')[1].url).toBe('https://app-docs.azurewebsites.net/mcp');
  });
});

describe('plan snapshot', () => {
  test("the gateway's resources for a native and a pass-through server (policy texts left out: the equality tests above cover them)", () => {
    const { json } = serve({}, (gw) => gw.addMcpServer('docs', { backend: APP_SERVICE_BACKEND, apiType: 'http', product: { subscriptions: ['client-a'] } }));
    const mine = (type: string) => type.startsWith('azurerm_api_management') || type === 'azapi_resource';
    const plan = Object.fromEntries(
      Object.entries(json.resource as Json)
        .filter(([type]) => mine(type))
        .map(([type, all]) => [
          type,
          Object.fromEntries(
            Object.entries(all as Json).map(([key, r]) => {
              const { '//': _metadata, xml_content: xml, ...rest } = r as Json;
              if (rest.body?.properties?.value !== undefined) rest.body = { ...rest.body, properties: { ...rest.body.properties, value: '<policy>' } };
              return [key, xml === undefined ? rest : { ...rest, xml_content: '<policy>' }];
            }),
          ),
        ]),
    );
    expect(plan).toMatchSnapshot();
  });
});
