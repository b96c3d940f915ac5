#!/usr/bin/env node
/**
 * The cdktf app. Until the gateway constructs land it synthesizes a small stack that attaches the seed
 * production policy to an API, so `npm run synth` proves the toolchain end to end without Azure access.
 */
import { App, TerraformStack } from 'cdktf';
import { Construct } from 'constructs';
import { AzurermProvider } from '@cdktf/provider-azurerm/lib/provider';
import { ResourceGroup } from '@cdktf/provider-azurerm/lib/resource-group';
import { ApiManagement } from '@cdktf/provider-azurerm/lib/api-management';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { render } from '../lib/policy/render';
import { seedProductionPolicy } from '../policies/seed-production';

class SeedStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);
    new AzurermProvider(this, 'azurerm', { features: [{}] });
    const group = new ResourceGroup(this, 'ResourceGroup', { name: 'rg-mcp-gateway', location: 'westeurope' });
    const apim = new ApiManagement(this, 'Gateway', {
      name: 'apim-mcp-gateway',
      resourceGroupName: group.name,
      location: group.location,
      publisherName: 'Platform team',
      publisherEmail: 'platform@example.com',
      skuName: 'StandardV2_1',
      identity: { type: 'SystemAssigned' },
    });
    const api = new ApiManagementApi(this, 'McpApi', {
      name: 'mcp',
      resourceGroupName: group.name,
      apiManagementName: apim.name,
      revision: '1',
      displayName: 'MCP server',
      path: 'mcp',
      protocols: ['https'],
      subscriptionRequired: true,
    });
    new ApiManagementApiPolicy(this, 'McpApiPolicy', {
      apiName: api.name,
      apiManagementName: apim.name,
      resourceGroupName: group.name,
      xmlContent: render(seedProductionPolicy(), { format: 'rawxml' }),
    });
  }
}

const app = new App();
new SeedStack(app, 'azure-mcp-gateway');
app.synth();
