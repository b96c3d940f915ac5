export {
  McpGateway,
  APIM_LOGGER_API_VERSION,
  APP_INSIGHTS_LOGGER_NAME,
  GATEWAY_SUFFIX_LENGTH,
  MASKED_QUERY_PARAMETERS,
  MIN_API_VERSION,
  WEAK_PROTOCOLS_AND_CIPHERS_OFF,
} from './mcp-gateway';
export type { AddPolicyFragmentOptions, McpGatewayProps } from './mcp-gateway';
export { McpServer, ProtectedResourceMetadataApi, MCP_API_TYPES, MCP_ENDPOINT_SUFFIX, routingPolicy } from './mcp-server-api';
export type { McpApiType, McpServerHost, McpServerProductProps, McpServerProps } from './mcp-server-api';
export { APIM_MCP_API_VERSION, NATIVE_MCP_ENDPOINT_PATH, nativeMcpApiBody } from './native-mcp-api';
export type { NativeMcpApiBodyProps } from './native-mcp-api';
export {
  APIM_BACKEND_API_VERSION,
  COGNITIVE_SERVICES_AUDIENCE,
  COGNITIVE_SERVICES_USER_ROLE,
  ContentSafetyBackend,
  DEFAULT_CONTENT_SAFETY_BACKEND_ID,
  contentSafetyBackendBody,
  contentSafetyBackendIdOf,
} from './content-safety-backend';
export type { ContentSafetyBackendHost, ContentSafetyBackendProps } from './content-safety-backend';
export { NAMED_VALUE_NAME_RULE } from './named-values';
export type { AddNamedValueOptions, McpNamedValue, SecretNamedValueSource } from './named-values';
export { CORRELATION_HEADER, FINGERPRINT_HEADERS, INTERNAL_ERROR_ANSWERS, defaultGlobalPolicy } from './global-policy';
export { GATEWAY_TIER_SPECS, TIERS_WITHOUT_PRIVATE_BACKENDS, gatewayNetworkSettings, skuName } from './tiers';
export type { GatewayNetworkSettings, GatewayTierSpec } from './tiers';
