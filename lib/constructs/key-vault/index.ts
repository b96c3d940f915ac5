export {
  McpKeyVault,
  KEY_VAULT_SECRETS_API_VERSION,
  KEY_VAULT_SECRETS_USER_ROLE,
  KEY_VAULT_SUFFIX_LENGTH,
} from './mcp-key-vault';
export type { AddSecretOptions, McpKeyVaultProps, McpKeyVaultSecret, SecretSource } from './mcp-key-vault';
