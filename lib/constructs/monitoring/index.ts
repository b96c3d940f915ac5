export * from './mcp-monitoring';
export * from './alerts';
export * from './queries';
