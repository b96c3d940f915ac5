import { ITerraformDependable } from 'cdktf';
import { Construct } from 'constructs';
import { AzapiJsonObject, AzapiResource } from '../azapi';

/**
 * The control-plane version that knows APIM's MCP server API type. Microsoft's "Manage MCP servers
 * programmatically in API Management" requires 2025-09-01-preview or later for MCP servers, their policies
 * and their product bindings; older versions do not return an API of type `mcp` at all.
 */
export const APIM_MCP_API_VERSION = '2025-09-01-preview';

/** Where a native (passthrough) MCP server takes MCP requests, relative to its API path: APIM's default. */
export const NATIVE_MCP_ENDPOINT_PATH = '/mcp';

/** What {@link nativeMcpApiBody} needs. */
export interface NativeMcpApiBodyProps {
  readonly displayName: string;
  /** @default - none */
  readonly description?: string;
  /** The API path on the gateway (clients call `<gateway>/<path>/mcp`). */
  readonly path: string;
  /** Name of the APIM backend entity whose URL is the backend's MCP endpoint (`https://<host>/<mcp path>`). */
  readonly backendId: string;
  readonly subscriptionRequired: boolean;
}

/**
 * The body of a passthrough MCP server (`Microsoft.ApiManagement/service/apis`, `type: "mcp"`) on the
 * streamable HTTP transport: the backend is a backend entity (`backendId`) whose URL is the MCP endpoint
 * itself, and `mcpProperties` names only the transport, so APIM serves the endpoint at its default
 * `<path>/mcp`.
 *
 * Public sources disagree on the rest of the shape. This one is what Azure-Samples/AI-Gateway's
 * `modules/apim-streamable-mcp/api.bicep` deploys and what a public client tested against the live service
 * sends (its note: the published schema and the service disagree on `mcpProperties.endpoints`, so it leaves
 * `endpoints` out). Microsoft's "Manage MCP servers programmatically in API Management" instead shows
 * `serviceUrl` plus `mcpProperties.endpoints: [{ name: "message", uriTemplate: "/mcp" }]`. See
 * docs/constructs/gateway.md.
 */
export function nativeMcpApiBody(props: NativeMcpApiBodyProps): AzapiJsonObject {
  return {
    properties: {
      type: 'mcp',
      displayName: props.displayName,
      ...(props.description !== undefined ? { description: props.description } : {}),
      path: props.path,
      protocols: ['https'],
      backendId: props.backendId,
      subscriptionRequired: props.subscriptionRequired,
      mcpProperties: { transportType: 'streamable' },
    },
  };
}

/*
 * Schema validation is off for the preview resources: azapi validates bodies against the schema embedded in
 * the provider release, which may predate 2025-09-01-preview or (as a public client noted) disagree with
 * the live service on `mcpProperties`; the bodies are pinned by our tests instead.
 */

/** The MCP server API, through the azapi binding. */
export function nativeMcpApi(
  scope: Construct,
  id: string,
  serviceId: string,
  name: string,
  body: AzapiJsonObject,
  dependsOn: ITerraformDependable[],
): AzapiResource {
  return new AzapiResource(scope, id, {
    type: `Microsoft.ApiManagement/service/apis@${APIM_MCP_API_VERSION}`,
    name,
    parentId: serviceId,
    body,
    schemaValidationEnabled: false,
    // `backendId` is a name, not a reference: the backend entity must exist first.
    dependsOn,
  });
}

/**
 * The MCP server's policy (`apis/policies`, name `policy`), in `rawxml`: azurerm's `api_management_api_policy`
 * talks to an older API version, which does not see APIs of type `mcp`.
 */
export function nativeMcpApiPolicy(scope: Construct, id: string, api: AzapiResource, xml: string, dependsOn: ITerraformDependable[]): AzapiResource {
  return new AzapiResource(scope, id, {
    type: `Microsoft.ApiManagement/service/apis/policies@${APIM_MCP_API_VERSION}`,
    name: 'policy',
    parentId: api.id,
    body: { properties: { format: 'rawxml', value: xml } },
    schemaValidationEnabled: false,
    // APIM refuses a policy that refers to a named value that does not exist yet.
    dependsOn: dependsOn.length > 0 ? dependsOn : undefined,
  });
}

/** Adds the MCP server to a product (`products/apis`, no body), for the same reason as the policy. */
export function nativeMcpProductApi(scope: Construct, id: string, productResourceId: string, api: AzapiResource, apiName: string): AzapiResource {
  return new AzapiResource(scope, id, {
    type: `Microsoft.ApiManagement/service/products/apis@${APIM_MCP_API_VERSION}`,
    name: apiName,
    parentId: productResourceId,
    body: {},
    schemaValidationEnabled: false,
    dependsOn: [api],
  });
}
