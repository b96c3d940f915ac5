/**
 * The policy catalog: MCP security recipes composed from lib/policy. Each recipe is a function from typed
 * options to a policy document; `RECIPES` lists them for the goldens and the command line.
 */
export * from './compose';
export * from './common';
export * from './catalog';
export * from './mcp-authorization';
export * from './subscription-key';
export * from './subscription-allow-list';
export * from './rate-limit';
export * from './jwt-forwarding';
export * from './token-common';
export * from './oidc-token';
export * from './entra-token';
export * from './cors';
export * from './backend-auth';
export * from './request-limits';
export * from './ip-allow-list';
export * from './content-safety';
export * from './mcp-server';
