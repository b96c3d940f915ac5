/**
 * Microsoft's first-party public clients, whose application (client) ids are the same in every tenant. Pass them
 * to {@link McpEntraAppProps.preAuthorizedClientIds} to let them get tokens for the MCP API without a consent
 * prompt; pre-authorize only the clients your users actually use.
 */

/**
 * Visual Studio Code's built-in Microsoft authentication provider, which its MCP client uses for Entra-protected
 * servers (`DEFAULT_CLIENT_ID` in microsoft/vscode extensions/microsoft-authentication/src/common/scopeData.ts).
 */
export const VS_CODE_CLIENT_ID = 'aebc6443-996d-45c2-90f0-388ff96faa56';

/**
 * Azure CLI (`AZURE_CLI_CLIENT_ID` in Azure/azure-cli src/azure-cli-core/azure/cli/core/auth/constants.py), handy
 * for `az account get-access-token --scope api://<client id>/mcp.tools` while testing.
 */
export const AZURE_CLI_CLIENT_ID = '04b07795-8ddb-461a-bbee-02f9e1bf7b46';

/**
 * Audience of the managed-identity token that a federated identity credential trusts, for the Entra ID global
 * service (US Government and China use their own values).
 */
export const ENTRA_TOKEN_EXCHANGE_AUDIENCE = 'api://AzureADTokenExchange';

/** Authority host of the Entra ID global service. */
export const ENTRA_AUTHORITY_HOST = 'https://login.microsoftonline.com';
