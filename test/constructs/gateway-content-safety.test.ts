import { CognitiveAccount } from '@cdktf/provider-azurerm/lib/cognitive-account';
import { Testing } from 'cdktf';
import { ContentSafetyBackendProps, McpGateway, McpServer } from '../../lib/constructs/gateway';
import { FUNCTION_BACKEND, Json, RG, build, caught, entraApp, gatewayProps, named, neighbours, newStack, ref, refused, resources } from './gateway-fixtures';

/*
 * What the backend must send, written out here rather than taken from the library: the llm-content-safety
 * reference wants a backend at https://<name>.cognitiveservices.azure.com authenticated with a managed
 * identity holding Cognitive Services User; the REST body is Azure-Samples/AI-Gateway's content-safety lab's.
 */
const ACCOUNT_ID = '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.CognitiveServices/accounts/cs-mcp';
const ENDPOINT = 'https://cs-mcp.cognitiveservices.azure.com';
const CONTENT_SAFETY: ContentSafetyBackendProps = { endpoint: ENDPOINT, resourceId: ACCOUNT_ID };

/** The Content Safety backends of a plan (azapi backends), by logical id. */
function backends(json: Json): [string, Json][] {
  return Object.entries(resources(json, 'azapi_resource')).filter(([, r]) => String(r.type).startsWith('Microsoft.ApiManagement/service/backends@'));
}

function roleAssignments(json: Json, role = 'Cognitive Services User'): [string, Json][] {
  return Object.entries(resources(json, 'azurerm_role_assignment')).filter(([, r]) => r.role_definition_name === role);
}

describe('addContentSafetyBackend', () => {
  let id: string | undefined;
  const { json, gateway } = build({}, (gw) => {
    id = gw.addContentSafetyBackend(CONTENT_SAFETY);
  });

  test('returns the backend id, content-safety by default: what the recipe names by default', () => {
    expect(id).toBe('content-safety');
    expect(gateway.contentSafetyBackendIds()).toEqual(['content-safety']);
    expect(gateway.contentSafetyBackend('Content-Safety')?.backendId).toBe('content-safety');
  });

  test('is an azapi backend at the endpoint over http(s), authenticated with the gateway identity for Cognitive Services', () => {
    const [, backend] = named(json, 'azapi_resource', 'ContentSafetyBackend-content-safety_Backend');
    expect(backend).toMatchObject({
      type: 'Microsoft.ApiManagement/service/backends@2024-05-01',
      name: 'content-safety',
      parent_id: ref(json, 'azurerm_api_management', 'id'),
      // No published schema has credentials.managedIdentity yet: azapi would refuse the body.
      schema_validation_enabled: false,
    });
    expect(backend.body).toEqual({
      properties: {
        description: 'Azure AI Content Safety (llm-content-safety), authenticated with the gateway identity',
        url: ENDPOINT,
        protocol: 'http',
        credentials: { managedIdentity: { resource: 'https://cognitiveservices.azure.com' } },
        tls: { validateCertificateChain: true, validateCertificateName: true },
      },
    });
    // Nothing secret: no sensitive body, no key.
    expect(backend.sensitive_body).toBeUndefined();
  });

  test('grants the gateway identity Cognitive Services User on the account, before the backend exists', () => {
    expect(roleAssignments(json)).toHaveLength(1);
    const [grantKey, grant] = roleAssignments(json)[0];
    expect(grant).toMatchObject({
      scope: ACCOUNT_ID,
      role_definition_name: 'Cognitive Services User',
      principal_id: ref(json, 'azurerm_api_management', 'identity[0].principal_id'),
      principal_type: 'ServicePrincipal',
    });
    expect(named(json, 'azapi_resource', 'ContentSafetyBackend-content-safety_Backend')[1].depends_on).toEqual([`azurerm_role_assignment.${grantKey}`]);
  });

  test('takes references to the account (a Content Safety account in the same stack)', () => {
    const built = build({}, (gw, stack) => {
      const account = new CognitiveAccount(stack, 'ContentSafety', {
        name: 'cs-mcp',
        location: RG.location,
        resourceGroupName: RG.name,
        kind: 'ContentSafety',
        skuName: 'S0',
        customSubdomainName: 'cs-mcp',
      });
      gw.addContentSafetyBackend({ id: 'cs', endpoint: account.endpoint, resourceId: account.id });
    });
    const [, backend] = backends(built.json)[0];
    expect(backend.body.properties.url).toBe(ref(built.json, 'azurerm_cognitive_account', 'endpoint'));
    expect(roleAssignments(built.json)[0][1].scope).toBe(ref(built.json, 'azurerm_cognitive_account', 'id'));
  });

  test('backends on one account share one grant; another account gets its own', () => {
    const { json: shared } = build({}, (gw) => {
      gw.addContentSafetyBackend(CONTENT_SAFETY);
      gw.addContentSafetyBackend({ id: 'content-safety-2', endpoint: ENDPOINT, resourceId: ACCOUNT_ID.toUpperCase() });
      gw.addContentSafetyBackend({ id: 'content-safety-eu', endpoint: 'https://cs-mcp-eu.cognitiveservices.azure.com', resourceId: `${ACCOUNT_ID}-eu` });
    });
    expect(backends(shared).map(([, b]) => b.name).sort()).toEqual(['content-safety', 'content-safety-2', 'content-safety-eu']);
    const grants = roleAssignments(shared);
    expect(grants.map(([, g]) => g.scope).sort()).toEqual([ACCOUNT_ID, `${ACCOUNT_ID}-eu`]);
    const dependsOn = Object.fromEntries(backends(shared).map(([, b]) => [b.name, b.depends_on]));
    expect(dependsOn['content-safety']).toEqual(dependsOn['content-safety-2']);
    expect(dependsOn['content-safety-eu']).not.toEqual(dependsOn['content-safety']);
  });
});

describe('addContentSafetyBackend refuses', () => {
  /** The error of `add` on a fresh gateway; it names the gateway and leaves no backend behind. */
  function bad(props: Partial<ContentSafetyBackendProps>, before?: (gateway: McpGateway) => void) {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    before?.(gateway);
    const count = gateway.contentSafetyBackendIds().length;
    const children = gateway.node.children.length;
    const error = caught(() => gateway.addContentSafetyBackend({ ...CONTENT_SAFETY, ...props } as ContentSafetyBackendProps));
    expect(error.message).toContain(`${gateway.node.path}: invalid addContentSafetyBackend`);
    expect(gateway.contentSafetyBackendIds()).toHaveLength(count);
    expect(gateway.node.children).toHaveLength(children);
    return error.message;
  }

  test('a second backend with the same id, in any case', () => {
    const first = (gw: McpGateway) => gw.addContentSafetyBackend(CONTENT_SAFETY);
    expect(bad({}, first)).toContain('invalid addContentSafetyBackend id "content-safety": an id not used by another Content Safety backend');
    expect(bad({ id: 'Content-Safety' }, first)).toContain('invalid addContentSafetyBackend id "Content-Safety"');
  });

  test('an endpoint that is not https://<host>', () => {
    for (const endpoint of ['http://cs-mcp.cognitiveservices.azure.com', `${ENDPOINT}/contentsafety`, `${ENDPOINT}?x=1`, 'cs-mcp.cognitiveservices.azure.com', '']) {
      expect(bad({ endpoint })).toContain('invalid addContentSafetyBackend endpoint');
    }
    // The trailing slash that azurerm's endpoint attribute carries is fine.
    build({}, (gw) => gw.addContentSafetyBackend({ ...CONTENT_SAFETY, endpoint: `${ENDPOINT}/` }));
  });

  test('a resource id that is not a Cognitive Services account', () => {
    for (const resourceId of ['/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.Storage/storageAccounts/st', 'cs-mcp', '']) {
      expect(bad({ resourceId })).toContain('invalid addContentSafetyBackend resourceId');
    }
    expect(bad({ resourceId: undefined })).toContain('invalid addContentSafetyBackend resourceId undefined');
  });

  test('a malformed id, or the backend id of an MCP server', () => {
    expect(bad({ id: 'content safety' })).toContain('invalid addContentSafetyBackend id "content safety"');
    expect(bad({ id: '-content-safety' })).toContain('must start with a letter or digit');
    expect(bad({ id: 'weather-backend' }, (gw) => gw.addMcpServer('weather', { backend: FUNCTION_BACKEND }))).toContain('the backend of MCP server weather');
  });
});

describe('addMcpServer with content safety', () => {
  test('refuses a server whose Content Safety backend the gateway lacks, naming the id and what to call', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    const error = refused(gateway, 'McpServer-weather', () => gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, contentSafety: true }));
    expect(error.message).toContain('invalid contentSafety backendId "content-safety"');
    expect(error.message).toContain('it has none yet');
    expect(error.message).toContain('gateway.addContentSafetyBackend({ id: "content-safety"');
    expect(gateway.mcpServer('weather')).toBeUndefined();
    // The same for an id the gateway does not have, listing those it has.
    gateway.addContentSafetyBackend(CONTENT_SAFETY);
    const other = refused(gateway, 'McpServer-weather', () =>
      gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND, contentSafety: { backendId: 'content-safety-eu' } }),
    );
    expect(other.message).toContain('invalid contentSafety backendId "content-safety-eu": the id of a Content Safety backend of this gateway (content-safety)');
    // Without content safety no backend is needed.
    gateway.addMcpServer('plain', { backend: FUNCTION_BACKEND, contentSafety: false });
  });

  test('refuses a server whose <name>-backend is a Content Safety backend id', () => {
    const stack = newStack();
    const gateway = new McpGateway(stack, 'Gateway', gatewayProps(neighbours(stack)));
    gateway.addContentSafetyBackend({ ...CONTENT_SAFETY, id: 'weather-backend' });
    expect(caught(() => gateway.addMcpServer('weather', { backend: FUNCTION_BACKEND })).message).toContain(
      'invalid addMcpServer name "weather": a name whose backend (<name>-backend) is not the Content Safety backend "weather-backend"',
    );
  });

  describe.each(['mcp', 'http'] as const)('apiType %s', (apiType) => {
    let server: McpServer | undefined;
    const { json } = build({}, (gw, stack) => {
      gw.addContentSafetyBackend(CONTENT_SAFETY);
      server = gw.addMcpServer('weather', { backend: FUNCTION_BACKEND, apiType, entraApp: entraApp(stack), contentSafety: { categories: { Hate: 4 } } });
    });
    const [backendKey] = named(json, 'azapi_resource', 'ContentSafetyBackend-content-safety_Backend');

    test('the policy names the backend and is applied after it', () => {
      expect(server?.policyXml).toContain('<llm-content-safety backend-id="content-safety"');
      expect(server?.contentSafetyBackend?.backendId).toBe('content-safety');
      const [, policy] =
        apiType === 'mcp' ? named(json, 'azapi_resource', 'McpServer-weather_ApiPolicy') : named(json, 'azurerm_api_management_api_policy', 'McpServer-weather_ApiPolicy');
      expect(policy.depends_on).toEqual(expect.arrayContaining([`azapi_resource.${backendKey}`]));
      // The named values the policy reads are still waited for.
      expect(policy.depends_on).toEqual(expect.arrayContaining([expect.stringMatching(/^azurerm_api_management_named_value\./)]));
    });
  });
});

describe('two gateways in one stack', () => {
  test('each has its own backend and grant; a server refers only to its own gateway', () => {
    const stack = newStack();
    const n = neighbours(stack);
    const first = new McpGateway(stack, 'GatewayA', gatewayProps(n));
    const second = new McpGateway(stack, 'GatewayB', gatewayProps(n));
    first.addContentSafetyBackend(CONTENT_SAFETY);
    second.addContentSafetyBackend(CONTENT_SAFETY);
    first.addMcpServer('weather', { backend: FUNCTION_BACKEND, contentSafety: true });
    const third = new McpGateway(stack, 'GatewayC', gatewayProps(n));
    refused(third, 'McpServer-weather', () => third.addMcpServer('weather', { backend: FUNCTION_BACKEND, contentSafety: true }));

    const json = JSON.parse(Testing.synth(stack, true));
    const all = backends(json);
    expect(all.map(([, b]) => b.name)).toEqual(['content-safety', 'content-safety']);
    expect(new Set(all.map(([, b]) => b.parent_id))).toEqual(
      new Set([ref(json, 'azurerm_api_management', 'id', 'GatewayA_'), ref(json, 'azurerm_api_management', 'id', 'GatewayB_')]),
    );
    const grants = roleAssignments(json);
    expect(grants.map(([, g]) => g.scope)).toEqual([ACCOUNT_ID, ACCOUNT_ID]);
    expect(new Set(grants.map(([, g]) => g.principal_id))).toEqual(
      new Set([
        ref(json, 'azurerm_api_management', 'identity[0].principal_id', 'GatewayA_'),
        ref(json, 'azurerm_api_management', 'identity[0].principal_id', 'GatewayB_'),
      ]),
    );
    // Gateway A's policy waits for gateway A's backend.
    const [aBackend] = named(json, 'azapi_resource', 'GatewayA_ContentSafetyBackend-content-safety_Backend');
    expect(named(json, 'azapi_resource', 'GatewayA_McpServer-weather_ApiPolicy')[1].depends_on).toEqual(expect.arrayContaining([`azapi_resource.${aBackend}`]));
  });
});
