import { Principal } from '../common';

/**
 * What a backend construct hands to the gateway: where the MCP server listens and how the gateway proves
 * itself to it. The gateway turns this into an APIM backend entity and the mcp-server recipe's backend
 * credential; it never sees a secret value, only Key Vault references.
 */
export type McpBackendCredential =
  /** `x-functions-key` from a Key Vault-backed named value holding the MCP extension's system key. */
  | { readonly kind: 'functions-key'; readonly keyVaultSecretUri: string }
  /** A managed-identity token of the gateway for the backend's Entra audience (Easy Auth checks it). */
  | { readonly kind: 'managed-identity'; readonly audience: string }
  /** A shared secret header (`X-APIM-Gateway-Token`) the backend compares, from a Key Vault secret. */
  | { readonly kind: 'gateway-token'; readonly keyVaultSecretUri: string };

export interface McpBackendEndpoint {
  /** Unique among the gateway's servers; used in resource names. */
  readonly name: string;
  /** `https://<host>` of the backend, without a trailing slash. */
  readonly baseUrl: string;
  /** Path of the Streamable HTTP MCP endpoint on the backend, e.g. `/runtime/webhooks/mcp` or `/mcp`. */
  readonly mcpPath: string;
  /** Path of the legacy SSE endpoint, when the backend has one. */
  readonly ssePath?: string;
  readonly credential: McpBackendCredential;
  /** Azure resource id of the app, for the APIM backend entity's `resource_id`. */
  readonly resourceId: string;
}

/** Implemented by the backend constructs (FunctionMcpBackend, AppServiceMcpBackend). */
export interface McpBackend {
  readonly endpoint: McpBackendEndpoint;
  /**
   * Lets `principal` (a gateway's managed identity) call the backend with the endpoint's credential: whatever
   * grants, allowed identities or role assignments that takes. `McpGateway.addMcpServer` calls it once per
   * backend with the gateway's identity; calling it again for the same principal adds nothing.
   */
  authorizeGateway(principal: Principal): void;
}
