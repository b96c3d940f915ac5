export * from './mcp-entra-app';
export * from './well-known-clients';
