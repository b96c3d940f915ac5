/**
 * Credentials the gateway presents to the MCP server behind it, so the backend can refuse calls that did
 * not come through the gateway:
 *
 * - `functions-key`: an Azure Functions host or function key in `x-functions-key`, from a named value (a
 *   `code` query parameter the caller may have sent is removed, so callers cannot pick the key);
 * - `gateway-token`: a shared secret in a header (`X-APIM-Gateway-Token` by default), from a named value,
 *   that the backend compares;
 * - `managed-identity`: a token of the gateway's managed identity for the backend's audience, in
 *   `Authorization` (authentication-managed-identity), the one without a shared secret.
 *
 * Secrets are only ever `{{named value}}` references (Key Vault-backed named values in the constructs).
 */
import { setHeader, setQueryParameter } from '../lib/policy/builders/transform';
import { authenticationManagedIdentity } from '../lib/policy/builders/tokens';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { namedValue } from '../lib/policy/expressions';
import { Contribution, Part, composeParts } from './compose';
import { checkOptions, optEnum, optHeaderName, optNamedValueName, optString } from './common';

export interface FunctionsKeyBackendAuth {
  /** @default 'functions-key' */
  readonly type?: 'functions-key';
  /**
   * Name of the named value holding the Functions key.
   * @default 'mcp-functions-key'
   */
  readonly namedValue?: string;
}

export interface GatewayTokenBackendAuth {
  readonly type: 'gateway-token';
  /**
   * Name of the (secret, Key Vault-backed) named value holding the shared token.
   * @default 'mcp-gateway-token'
   */
  readonly namedValue?: string;
  /**
   * The header the backend reads the token from.
   * @default 'X-APIM-Gateway-Token'
   */
  readonly headerName?: string;
}

export interface ManagedIdentityBackendAuth {
  readonly type: 'managed-identity';
  /**
   * The backend's audience: its application ID URI or client ID (e.g. `api://<client id>`), or a
   * `{{named value}}`.
   */
  readonly resource: string;
  /**
   * Client ID (a GUID) of a user-assigned identity of the gateway.
   * @default - the system-assigned identity
   */
  readonly clientId?: string;
}

export type BackendAuthOptions = FunctionsKeyBackendAuth | GatewayTokenBackendAuth | ManagedIdentityBackendAuth;
export const BACKEND_AUTH_TYPES = ['functions-key', 'gateway-token', 'managed-identity'] as const;

const WHERE = 'backend-auth';
const KEYS_BY_TYPE: Readonly<Record<(typeof BACKEND_AUTH_TYPES)[number], readonly string[]>> = {
  'functions-key': ['type', 'namedValue'],
  'gateway-token': ['type', 'namedValue', 'headerName'],
  'managed-identity': ['type', 'resource', 'clientId'],
};
export const BACKEND_AUTH_OPTION_KEYS = [...new Set(Object.values(KEYS_BY_TYPE).flat())];

export function backendAuthPart(options: BackendAuthOptions = {}): Part {
  const loose = checkOptions(WHERE, options, BACKEND_AUTH_OPTION_KEYS);
  const type = optEnum(WHERE, 'type', loose.type, BACKEND_AUTH_TYPES, 'functions-key');
  const o = checkOptions(`${WHERE} (type ${show(type)})`, loose, KEYS_BY_TYPE[type]);
  let statements: Contribution<'inbound'>[];
  switch (type) {
    case 'functions-key':
      statements = [
        setHeader({ name: 'x-functions-key', existsAction: 'override', value: namedValue(optNamedValueName(WHERE, 'namedValue', o.namedValue, 'mcp-functions-key')) }),
        setQueryParameter({ name: 'code', existsAction: 'delete' }),
      ];
      break;
    case 'gateway-token':
      statements = [
        setHeader({
          name: optHeaderName(WHERE, 'headerName', o.headerName, 'X-APIM-Gateway-Token'),
          existsAction: 'override',
          value: namedValue(optNamedValueName(WHERE, 'namedValue', o.namedValue, 'mcp-gateway-token')),
        }),
      ];
      break;
    case 'managed-identity': {
      const resource = optString(WHERE, 'resource', o.resource);
      if (resource === undefined) {
        throw new PolicyError(`${WHERE}: option resource is required with type "managed-identity": the backend's application ID URI or client ID`);
      }
      statements = [authenticationManagedIdentity({ resource, clientId: optString(WHERE, 'clientId', o.clientId) })];
      break;
    }
  }
  return { id: 'backend-auth', inbound: { 'backend-credentials': statements } };
}

/** The standalone policy. */
export function backendAuthPolicy(options: BackendAuthOptions = {}): PolicyDocument {
  return composeParts([backendAuthPart(options)]);
}
