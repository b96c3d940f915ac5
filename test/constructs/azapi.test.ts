import 'cdktf/lib/testing/adapters/jest'; // types of the cdktf matchers (setup.ts installs them)
import { Testing, TerraformStack } from 'cdktf';
import { AzapiProvider, AzapiResource, AzapiResourceAction } from '../../lib/constructs/azapi';
import { Json, caught, only, synthesize, testStack } from '../support/constructs';

const PARENT = '/subscriptions/0000/resourceGroups/rg-mcp/providers/Microsoft.KeyVault/vaults/kv-mcp';

function newStack(withProvider = true): TerraformStack {
  return withProvider ? testStack('azapi') : testStack();
}

describe('AzapiProvider', () => {
  it('pins the azure/azapi source and a 2.x version constraint in required_providers', () => {
    const stack = newStack(false);
    new AzapiProvider(stack, 'azapi', { subscriptionId: 'sub', useCli: true, defaultLocation: 'westeurope' });
    const { json } = synthesize(stack);
    expect(json.terraform.required_providers.azapi).toEqual({ source: 'azure/azapi', version: '~> 2.5' });
    expect(json.provider.azapi).toEqual([{ subscription_id: 'sub', use_cli: true, default_location: 'westeurope' }]);
  });

  it('writes the alias so resources can choose a second provider', () => {
    const stack = newStack(false);
    const second = new AzapiProvider(stack, 'other', { alias: 'other' });
    new AzapiResource(stack, 'r', { type: 'Microsoft.Resources/resourceGroups@2024-07-01', name: 'rg', parentId: '/subscriptions/0', provider: second });
    const { json } = synthesize(stack);
    expect(json.provider.azapi).toEqual([{ alias: 'other' }]);
    expect(only(json, 'azapi_resource')[1].provider).toBe('azapi.other');
  });
});

describe('AzapiResource', () => {
  const secretConfig = {
    type: 'Microsoft.KeyVault/vaults/secrets@2024-11-01',
    name: 'api-key',
    parentId: PARENT,
    body: {
      properties: {
        contentType: 'text/plain',
        attributes: { enabled: true, exp: 1798761600 },
        labels: ['a', '42'],
      },
    },
    sensitiveBody: { properties: { value: 's3cret' } },
    sensitiveBodyVersion: { 'properties.value': '2' },
    responseExportValues: ['properties.secretUri'],
    schemaValidationEnabled: false,
    ignoreMissingProperty: true,
    tags: { CostCenter: 'mcp' },
  };

  it('renders body and sensitive_body as JSON objects with their key casing and value types kept', () => {
    const stack = newStack();
    new AzapiResource(stack, 'Secret', secretConfig);
    const resource = only(synthesize(stack).json, 'azapi_resource')[1];
    // An object, not a jsonencode()d string: azapi 2.x takes an HCL/JSON object for body.
    expect(resource.body).toEqual({
      properties: { contentType: 'text/plain', attributes: { enabled: true, exp: 1798761600 }, labels: ['a', '42'] },
    });
    expect(resource.sensitive_body).toEqual({ properties: { value: 's3cret' } });
    expect(resource.sensitive_body_version).toEqual({ 'properties.value': '2' });
  });

  it('writes every other attribute under its Terraform name', () => {
    const stack = newStack();
    new AzapiResource(stack, 'Secret', secretConfig);
    const resource = only(synthesize(stack).json, 'azapi_resource')[1];
    expect(resource).toMatchObject({
      type: 'Microsoft.KeyVault/vaults/secrets@2024-11-01',
      name: 'api-key',
      parent_id: PARENT,
      response_export_values: ['properties.secretUri'],
      schema_validation_enabled: false,
      ignore_missing_property: true,
      // Tag keys are the user's: no snake_casing.
      tags: { CostCenter: 'mcp' },
    });
    expect(resource).not.toHaveProperty('location');
    expect(resource).not.toHaveProperty('identity');
  });

  it('writes location, a JMESPath export map and the identity block', () => {
    const stack = newStack();
    new AzapiResource(stack, 'Api', {
      type: 'Microsoft.ApiManagement/service@2024-05-01',
      name: 'apim',
      parentId: '/subscriptions/0/resourceGroups/rg',
      location: 'westeurope',
      responseExportValues: { gateway: 'properties.gatewayUrl' },
      identity: { type: 'UserAssigned', identityIds: ['/id/1'] },
    });
    const resource = only(synthesize(stack).json, 'azapi_resource')[1];
    expect(resource.location).toBe('westeurope');
    expect(resource.response_export_values).toEqual({ gateway: 'properties.gatewayUrl' });
    expect(resource.identity).toEqual([{ type: 'UserAssigned', identity_ids: ['/id/1'] }]);
  });

  it('exposes id, output paths and the identity principal as references', () => {
    const stack = newStack();
    const secret = new AzapiResource(stack, 'Secret', secretConfig);
    new AzapiResource(stack, 'Consumer', {
      type: 'Microsoft.ApiManagement/service/namedValues@2024-05-01',
      name: 'nv',
      parentId: secret.id,
      body: { properties: { keyVault: { secretIdentifier: secret.outputString('properties.secretUri') } }, principal: secret.identityPrincipalId },
    });
    const consumer = synthesize(stack).json.resource.azapi_resource;
    const c = Object.values<Json>(consumer).find((r) => r.name === 'nv')!;
    const secretId = Object.keys(consumer).find((k) => k.startsWith('Secret'))!;
    expect(c.parent_id).toBe(`\${azapi_resource.${secretId}.id}`);
    expect(c.body.properties.keyVault.secretIdentifier).toBe(`\${azapi_resource.${secretId}.output.properties.secretUri}`);
    expect(c.body.principal).toBe(`\${azapi_resource.${secretId}.identity.0.principal_id}`);
  });

  it('prints HCL with bodies as objects, strings kept as strings and identity as a block', () => {
    const stack = newStack();
    new AzapiResource(stack, 'Secret', { ...secretConfig, identity: { type: 'SystemAssigned' } });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toContain('contentType = "text/plain"');
    // "42" is a string in the body: cdktf's fuzzy renderer would print 42 unquoted without our quoting.
    expect(hcl).toMatch(/labels = \[\s*"a",\s*"42",\s*\]/);
    expect(hcl).toContain('exp = 1798761600');
    expect(hcl).toContain('enabled = true');
    expect(hcl).toMatch(/sensitive_body_version = \{\s*"properties\.value" = "2"\s*\}/);
    expect(hcl).toMatch(/identity \{\s*type = "SystemAssigned"\s*\}/);
    expect(hcl).not.toContain('jsonencode');
  });

  it('is paired with AzapiProvider by cdktf validation', () => {
    // cdktf refuses a stack that uses a provider's resources without the provider construct.
    const missing = newStack(false);
    new AzapiResource(missing, 'Secret', secretConfig);
    expect(() => Testing.synth(missing, true)).toThrow(/azapi/);
    const present = newStack();
    new AzapiResource(present, 'Secret', secretConfig);
    expect(() => Testing.synth(present, true)).not.toThrow();
  });

  it('refuses a type without an api version, naming the construct path and the value', () => {
    const stack = newStack();
    const error = caught(() => new AzapiResource(stack, 'Bad', { type: 'Microsoft.KeyVault/vaults/secrets', name: 'x', parentId: PARENT }));
    expect(error.message).toContain('TestStack/Bad');
    expect(error.message).toContain('"Microsoft.KeyVault/vaults/secrets"');
    expect(error.message).toContain('@2024-11-01');
  });

  it('refuses null in a body (cdktf cannot print it as HCL), naming the path inside the body', () => {
    const stack = newStack();
    const body = { properties: { value: null } } as unknown as { properties: { value: string } };
    const error = caught(() => new AzapiResource(stack, 'Bad', { type: 'Microsoft.KeyVault/vaults/secrets@2024-11-01', name: 'x', parentId: PARENT, body }));
    expect(error.message).toContain('TestStack/Bad');
    expect(error.property).toBe('body.properties.value');
  });
});

describe('AzapiResourceAction', () => {
  it('renders the action with its body object and export lists', () => {
    const stack = newStack();
    new AzapiResourceAction(stack, 'Keys', {
      type: 'Microsoft.Web/sites@2023-12-01',
      resourceId: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app',
      action: 'host/default/listKeys',
      method: 'POST',
      body: { filter: { kind: 'function' } },
      responseExportValues: ['properties.state'],
      sensitiveResponseExportValues: ['functionKeys.default'],
    });
    const action = only(synthesize(stack).json, 'azapi_resource_action')[1];
    expect(action).toEqual({
      type: 'Microsoft.Web/sites@2023-12-01',
      resource_id: '/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/sites/app',
      action: 'host/default/listKeys',
      method: 'POST',
      body: { filter: { kind: 'function' } },
      response_export_values: ['properties.state'],
      sensitive_response_export_values: ['functionKeys.default'],
    });
  });

  it('exposes output and sensitive_output paths as references', () => {
    const stack = newStack();
    const keys = new AzapiResourceAction(stack, 'Keys', { type: 'Microsoft.Web/sites@2023-12-01', resourceId: '/x', action: 'listKeys' });
    new AzapiResource(stack, 'Use', {
      type: 'Microsoft.ApiManagement/service/namedValues@2024-05-01',
      name: 'nv',
      parentId: '/p',
      sensitiveBody: { properties: { value: keys.sensitiveOutputString('functionKeys.default') } },
      body: { properties: { displayName: keys.outputString('properties.state') } },
    });
    const { json } = synthesize(stack);
    const actionId = Object.keys(json.resource.azapi_resource_action)[0];
    const use = only(json, 'azapi_resource')[1];
    expect(use.sensitive_body.properties.value).toBe(`\${azapi_resource_action.${actionId}.sensitive_output.functionKeys.default}`);
    expect(use.body.properties.displayName).toBe(`\${azapi_resource_action.${actionId}.output.properties.state}`);
  });

  it('prints HCL for the action', () => {
    const stack = newStack();
    new AzapiResourceAction(stack, 'Keys', { type: 'Microsoft.Web/sites@2023-12-01', resourceId: '/x', action: 'listKeys', sensitiveResponseExportValues: ['primaryKey'] });
    const hcl = Testing.synthHcl(stack);
    expect(hcl).toContain('resource "azapi_resource_action"');
    expect(hcl).toMatch(/sensitive_response_export_values = \[\s*"primaryKey",\s*\]/);
  });

  it('refuses an unknown method', () => {
    const stack = newStack();
    const method = 'GET' as unknown as 'POST';
    const error = caught(() => new AzapiResourceAction(stack, 'Bad', { type: 'Microsoft.Web/sites@2023-12-01', resourceId: '/x', method }));
    expect(error.message).toContain('TestStack/Bad');
    expect(error.message).toContain('"GET"');
  });
});
