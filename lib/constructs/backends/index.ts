export type { McpBackend, McpBackendCredential, McpBackendEndpoint } from './endpoint';
export {
  FunctionMcpBackend,
  FLEX_INSTANCE_MEMORY_MB,
  FLEX_RUNTIMES,
  FUNCTION_STORAGE_ROLES,
  FUNCTIONS_HOST_API_VERSION,
  FUNCTIONS_MCP_PATH,
  FUNCTIONS_MCP_SSE_PATH,
  MCP_EXTENSION_KEY_NAME,
} from './function-backend';
export type { FlexRuntimeName, FunctionMcpBackendProps, StorageReplicationType } from './function-backend';
export { AppServiceMcpBackend, APP_SERVICE_RUNTIMES, APP_SERVICE_SKUS } from './app-service-backend';
export type { AppServiceMcpBackendProps, AppServiceRuntimeName, AppServiceSku } from './app-service-backend';
export { BACKEND_NAME_SUFFIX_LENGTH } from './shared';
