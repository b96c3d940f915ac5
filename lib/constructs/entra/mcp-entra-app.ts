import { createHash } from 'node:crypto';
import { AppRoleAssignment } from '@cdktf/provider-azuread/lib/app-role-assignment';
import { Application } from '@cdktf/provider-azuread/lib/application';
import { ApplicationFederatedIdentityCredential } from '@cdktf/provider-azuread/lib/application-federated-identity-credential';
import { ApplicationIdentifierUri } from '@cdktf/provider-azuread/lib/application-identifier-uri';
import { ApplicationPreAuthorized } from '@cdktf/provider-azuread/lib/application-pre-authorized';
import { DataAzureadClientConfig } from '@cdktf/provider-azuread/lib/data-azuread-client-config';
import { ServicePrincipal } from '@cdktf/provider-azuread/lib/service-principal';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { Principal } from '../common';
import { invalid } from '../errors';
import { ENTRA_AUTHORITY_HOST, ENTRA_TOKEN_EXCHANGE_AUDIENCE } from './well-known-clients';

/** A delegated permission (OAuth 2.0 scope) the MCP API exposes to clients acting for a signed-in user. */
export interface McpDelegatedScope {
  /**
   * The `scp` claim value, for example `mcp.tools`: up to 120 characters without spaces, not starting with '.'.
   */
  readonly value: string;
  /** Title an administrator reads when consenting for the organization. */
  readonly adminConsentDisplayName: string;
  /** Description an administrator reads when consenting for the organization. */
  readonly adminConsentDescription: string;
  /**
   * Title a user reads when consenting for themselves.
   * @default - adminConsentDisplayName
   */
  readonly userConsentDisplayName?: string;
  /**
   * Description a user reads when consenting for themselves.
   * @default - adminConsentDescription
   */
  readonly userConsentDescription?: string;
  /**
   * Who may consent: `Admin` needs an administrator (a pre-authorized client needs no consent at all); `User`
   * lets users consent for themselves where the tenant's consent policy allows it.
   * @default 'Admin'
   */
  readonly consentType?: 'Admin' | 'User';
  /**
   * The permission's id. Pin it when the construct moves in the tree, since Entra refuses to change or remove
   * an enabled permission.
   * @default - a UUID v5 of the construct path and the value, the same on every synth
   */
  readonly id?: string;
}

/** An app role, for app-only callers (client credentials) or for assigning users and groups. */
export interface McpAppRole {
  /** The `roles` claim value: up to 120 characters without spaces, not starting with '.'. */
  readonly value: string;
  readonly displayName: string;
  readonly description: string;
  /**
   * Who can be assigned the role.
   * @default ['Application']
   */
  readonly allowedMemberTypes?: readonly ('Application' | 'User')[];
  /**
   * The role's id.
   * @default - a UUID v5 of the construct path and the value, the same on every synth
   */
  readonly id?: string;
}

/** Lets a user-assigned managed identity act as the app, so no client secret or certificate exists. */
export interface McpManagedIdentityCredential {
  /**
   * Object (principal) id of the user-assigned managed identity; system-assigned identities cannot be used.
   */
  readonly principalId: string;
  /**
   * Credential name: 3 to 120 letters, digits, '-' and '_', starting with a letter or digit.
   * @default 'mcp-managed-identity'
   */
  readonly name?: string;
  /**
   * @default - none
   */
  readonly description?: string;
}

/** Props of {@link McpEntraApp}. */
export interface McpEntraAppProps {
  /** Application name users and administrators see on sign-in and consent screens. */
  readonly displayName: string;
  /**
   * @default - none
   */
  readonly description?: string;
  /**
   * Application ID URI. Must follow one of Entra's secure patterns: `api://<tenant id>/<name>`,
   * `api://<name>/<client id>`, `api://<verified domain>/<path>` or `https://<verified domain>[/<path>]`.
   * @default - `api://<client id>`, set by a separate resource once the client id exists
   */
  readonly identifierUri?: string;
  /**
   * Delegated permissions. Pass `[]` to expose only app roles.
   * @default - one scope, {@link MCP_TOOLS_SCOPE} (`mcp.tools`)
   */
  readonly scopes?: readonly McpDelegatedScope[];
  /**
   * App roles, for callers without a signed-in user.
   * @default - none
   */
  readonly appRoles?: readonly McpAppRole[];
  /**
   * Client ids allowed every delegated scope without a consent prompt, for example {@link VS_CODE_CLIENT_ID}.
   * @default - none
   */
  readonly preAuthorizedClientIds?: readonly string[];
  /**
   * Public-client redirect URIs, for clients that sign in with this app's own client id (authorization code with
   * PKCE): `https://...`, or `http://localhost` / `http://127.0.0.1` loopback (any port matches, RFC 8252).
   * @default - none: no public-client platform
   */
  readonly publicClientRedirectUris?: readonly string[];
  /**
   * Only users, groups and apps assigned to the service principal get tokens.
   * @default true
   */
  readonly appRoleAssignmentRequired?: boolean;
  /**
   * Object ids of the owners of the application and service principal.
   * @default - none
   */
  readonly owners?: readonly string[];
  /**
   * A user-assigned managed identity trusted as the app's credential (workload identity federation).
   * @default - none
   */
  readonly managedIdentityCredential?: McpManagedIdentityCredential;
  /**
   * Tenant id of the application, used in the issuer and the federated credential.
   * @default - the tenant of the azuread provider (`azuread_client_config` data source)
   */
  readonly tenantId?: string;
}

/** The default delegated scope: call MCP tools on behalf of the signed-in user. */
export const MCP_TOOLS_SCOPE: McpDelegatedScope = {
  value: 'mcp.tools',
  adminConsentDisplayName: 'Call MCP tools',
  adminConsentDescription: 'Allows the app to call MCP tools on behalf of the signed-in user.',
  userConsentDisplayName: 'Call MCP tools',
  userConsentDescription: 'Allows the app to call MCP tools on your behalf.',
};

/**
 * The app role an API Management gateway's managed identity is assigned on the Entra app of the App Service
 * backends it calls (`AppServiceMcpBackend.authorizeGateway` assigns it). The service principal requires
 * assignment, so without it Entra refuses the gateway a token for the backends' audience (AADSTS501051). Token
 * validation at the gateway requires delegated scopes, so the role opens nothing there.
 */
export const GATEWAY_APP_ROLE: McpAppRole = {
  value: 'mcp.gateway',
  displayName: 'MCP gateway',
  description: 'The API Management gateway calling the MCP servers behind it with its managed identity.',
  allowedMemberTypes: ['Application'],
};

/** RFC 4122 URL namespace; the namespace of our permission ids is derived from it. */
const URL_NAMESPACE = '6ba7b811-9dad-11d1-80b4-00c04fd430c8';
const GUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/**
 * A name-based (version 5, SHA-1) UUID as RFC 4122 section 4.3 defines it. The same name and namespace always
 * give the same UUID, which keeps synthesized plans byte-for-byte stable.
 */
export function uuidV5(name: string, namespace: string): string {
  if (!GUID.test(namespace)) throw new Error(`uuidV5: namespace ${JSON.stringify(namespace)} is not a UUID`);
  const hash = createHash('sha1').update(Buffer.from(namespace.replace(/-/g, ''), 'hex')).update(name, 'utf8').digest();
  const bytes = hash.subarray(0, 16);
  bytes[6] = (bytes[6] & 0x0f) | 0x50;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Namespace of the scope and role ids this construct derives. */
const PERMISSION_ID_NAMESPACE = uuidV5('urn:azure-mcp-gateway:entra-permission-ids', URL_NAMESPACE);

// Microsoft Graph permissionScope/appRole `value`: at most 120 of these characters, no space, not starting with '.'.
const PERMISSION_VALUE = /^[0-9A-Za-z:!#$%&'()*+,\-./;<=>?@[\]^_`{|}~]{1,120}$/;
const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
const GUID_SRC = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const DOMAIN_SRC = '[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+';
// Entra's secure identifier URI patterns: each names the tenant, the app or a verified domain.
const IDENTIFIER_URI_PATTERNS = [
  new RegExp(`^api://${GUID_SRC}$`),
  new RegExp(`^api://${GUID_SRC}/[^/\\s]+$`),
  new RegExp(`^api://[^/\\s]+/${GUID_SRC}$`),
  new RegExp(`^api://${DOMAIN_SRC}/[^\\s]+$`),
  new RegExp(`^https://${DOMAIN_SRC}(?:/[^\\s]*)?$`),
];
const IDENTIFIER_URI_ACCEPTED =
  'api://<tenant id>/<name>, api://<name>/<client id>, api://<verified domain>/<path> or ' +
  'https://<verified domain>[/<path>] (Entra secure identifier URI patterns), or leave it out for api://<client id>';
const REDIRECT_URI_ACCEPTED =
  "https://<host>[/<path>], http://localhost[:<port>][/<path>] or http://127.0.0.1[:<port>][/<path>], at most " +
  "256 characters, without fragment, wildcard, credentials or any of ! $ ' ( ) , ;";

/**
 * The Entra application behind an MCP server's API: an `api://` identifier URI, v2 access tokens, delegated
 * scopes and app roles with stable ids, pre-authorized clients, public-client redirect URIs for PKCE, a service
 * principal that requires assignment, and optionally a managed identity as its only credential. It never creates
 * a client secret.
 */
export class McpEntraApp extends Construct {
  readonly application: Application;
  readonly servicePrincipal: ServicePrincipal;
  readonly federatedIdentityCredential?: ApplicationFederatedIdentityCredential;
  /** Application ID URI: `api://<client id>` unless set in props. */
  readonly identifierUri: string;
  /** Tenant id of the application. */
  readonly tenantId: string;
  /** Delegated scope ids, by scope value. */
  readonly scopeIds: Readonly<Record<string, string>>;
  /** App role ids, by role value. */
  readonly appRoleIds: Readonly<Record<string, string>>;
  /** Full scope strings clients request, `<identifierUri>/<value>`, in props order. */
  readonly scopes: readonly string[];
  /** Only assigned users, groups and apps get tokens (the service principal's `app_role_assignment_required`). */
  readonly appRoleAssignmentRequired: boolean;

  /** By role value and principal id: Entra refuses a second identical assignment. */
  private readonly roleAssignments = new Map<string, AppRoleAssignment>();

  constructor(scope: Construct, id: string, props: McpEntraAppProps) {
    super(scope, id);

    if (!Token.isUnresolved(props.displayName) && props.displayName.trim().length === 0) {
      invalid(this, 'displayName', props.displayName, 'a non-empty name');
    }
    const scopes = props.scopes ?? [MCP_TOOLS_SCOPE];
    const roles = props.appRoles ?? [];
    if (scopes.length === 0 && roles.length === 0) {
      invalid(this, 'scopes', scopes, 'at least one delegated scope or one app role (appRoles), or the API accepts nobody');
    }

    const ids = new Set<string>();
    const values = new Set<string>();
    const permissionId = (kind: 'scope' | 'role', value: string, explicit: string | undefined, prop: string) => {
      const chosen = explicit ?? uuidV5(`${this.node.path}/${kind}/${value}`, PERMISSION_ID_NAMESPACE);
      if (!GUID.test(chosen) || ids.has(chosen.toLowerCase())) {
        invalid(this, `${prop}.id`, chosen, 'a UUID not used by another scope or role of this app');
      }
      ids.add(chosen.toLowerCase());
      return chosen;
    };
    const checkValue = (prop: string, value: string) => {
      // A token would pass the character check but cannot name a stable id.
      if (Token.isUnresolved(value) || !PERMISSION_VALUE.test(value) || value.startsWith('.')) {
        invalid(this, `${prop}.value`, value, "1 to 120 letters, digits and ASCII punctuation, no spaces, not starting with '.'");
      }
      // Scopes and roles share one namespace of values in Entra.
      if (values.has(value)) invalid(this, `${prop}.value`, value, 'a value not used by another scope or role of this app');
      values.add(value);
    };
    const nonEmpty = (prop: string, text: string) => {
      if (!Token.isUnresolved(text) && text.trim().length === 0) invalid(this, prop, text, 'a non-empty text');
    };

    const scopeBlocks = scopes.map((s) => {
      checkValue('scopes', s.value);
      nonEmpty('scopes.adminConsentDisplayName', s.adminConsentDisplayName);
      nonEmpty('scopes.adminConsentDescription', s.adminConsentDescription);
      const consentType = s.consentType ?? 'Admin';
      if (consentType !== 'Admin' && consentType !== 'User') {
        invalid(this, 'scopes.consentType', consentType, "'Admin' or 'User'");
      }
      return {
        id: permissionId('scope', s.value, s.id, 'scopes'),
        value: s.value,
        type: consentType,
        enabled: true,
        adminConsentDisplayName: s.adminConsentDisplayName,
        adminConsentDescription: s.adminConsentDescription,
        userConsentDisplayName: s.userConsentDisplayName ?? s.adminConsentDisplayName,
        userConsentDescription: s.userConsentDescription ?? s.adminConsentDescription,
      };
    });
    const roleBlocks = roles.map((r) => {
      checkValue('appRoles', r.value);
      nonEmpty('appRoles.displayName', r.displayName);
      nonEmpty('appRoles.description', r.description);
      const memberTypes = r.allowedMemberTypes ?? ['Application'];
      if (
        memberTypes.length === 0 ||
        new Set(memberTypes).size !== memberTypes.length ||
        memberTypes.some((t) => t !== 'Application' && t !== 'User')
      ) {
        invalid(this, 'appRoles.allowedMemberTypes', memberTypes, "distinct values from 'Application' and 'User', at least one");
      }
      return {
        id: permissionId('role', r.value, r.id, 'appRoles'),
        value: r.value,
        displayName: r.displayName,
        description: r.description,
        allowedMemberTypes: [...memberTypes],
        enabled: true,
      };
    });

    const redirectUris = props.publicClientRedirectUris ?? [];
    checkRedirectUris(this, redirectUris);
    const owners = props.owners ?? [];
    checkGuids(this, 'owners', owners);
    const preAuthorized = props.preAuthorizedClientIds ?? [];
    checkGuids(this, 'preAuthorizedClientIds', preAuthorized);
    if (preAuthorized.length > 0 && scopeBlocks.length === 0) {
      invalid(this, 'preAuthorizedClientIds', preAuthorized, 'none while the app exposes no delegated scope to pre-authorize');
    }
    if (props.identifierUri !== undefined && !Token.isUnresolved(props.identifierUri)) {
      if (!IDENTIFIER_URI_PATTERNS.some((p) => p.test(props.identifierUri as string))) {
        invalid(this, 'identifierUri', props.identifierUri, IDENTIFIER_URI_ACCEPTED);
      }
    }
    if (props.tenantId !== undefined && !Token.isUnresolved(props.tenantId) && !GUID.test(props.tenantId)) {
      invalid(this, 'tenantId', props.tenantId, 'a tenant id (GUID)');
    }
    const mi = props.managedIdentityCredential;
    const credentialName = mi?.name ?? 'mcp-managed-identity';
    if (mi) {
      if (!Token.isUnresolved(mi.principalId) && !GUID.test(mi.principalId)) {
        invalid(this, 'managedIdentityCredential.principalId', mi.principalId, 'the object (principal) id of a user-assigned managed identity (GUID)');
      }
      if (!CREDENTIAL_NAME.test(credentialName)) {
        invalid(this, 'managedIdentityCredential.name', credentialName, "3 to 120 letters, digits, '-' and '_', starting with a letter or digit");
      }
    }

    // With the default URI the client id is not known until the application exists, so the URI is its own
    // resource and the application must not fight it over `identifier_uris` (azuread docs).
    const defaultUri = props.identifierUri === undefined;
    this.application = new Application(this, 'Application', {
      displayName: props.displayName,
      description: props.description,
      signInAudience: 'AzureADMyOrg',
      owners: owners.length > 0 ? [...owners] : undefined,
      identifierUris: defaultUri ? undefined : [props.identifierUri as string],
      api: {
        // v2 tokens carry the client id as `aud` and the v2 issuer.
        requestedAccessTokenVersion: 2,
        oauth2PermissionScope: scopeBlocks.length > 0 ? scopeBlocks : undefined,
      },
      appRole: roleBlocks.length > 0 ? roleBlocks : undefined,
      publicClient: redirectUris.length > 0 ? { redirectUris: [...redirectUris] } : undefined,
      lifecycle: defaultUri ? { ignoreChanges: ['identifier_uris'] } : undefined,
    });

    if (defaultUri) {
      this.identifierUri = `api://${this.application.clientId}`;
      new ApplicationIdentifierUri(this, 'IdentifierUri', {
        applicationId: this.application.id,
        identifierUri: this.identifierUri,
      });
    } else {
      this.identifierUri = props.identifierUri as string;
    }

    this.appRoleAssignmentRequired = props.appRoleAssignmentRequired ?? true;
    this.servicePrincipal = new ServicePrincipal(this, 'ServicePrincipal', {
      clientId: this.application.clientId,
      appRoleAssignmentRequired: this.appRoleAssignmentRequired,
      owners: owners.length > 0 ? [...owners] : undefined,
    });

    const scopeIdList = scopeBlocks.map((s) => s.id);
    preAuthorized.forEach((clientId, index) => {
      const childId = Token.isUnresolved(clientId) ? `PreAuthorized${index}` : `PreAuthorized-${clientId.toLowerCase()}`;
      new ApplicationPreAuthorized(this, childId, {
        applicationId: this.application.id,
        authorizedClientId: clientId,
        permissionIds: scopeIdList,
      });
    });

    this.tenantId = props.tenantId ?? new DataAzureadClientConfig(this, 'ClientConfig').tenantId;

    if (mi) {
      // Workload identity federation with a managed identity: Entra checks the MI token's iss, sub (the MI's
      // principal id) and aud against these values.
      this.federatedIdentityCredential = new ApplicationFederatedIdentityCredential(this, 'ManagedIdentityCredential', {
        applicationId: this.application.id,
        displayName: credentialName,
        description: mi.description,
        issuer: `${ENTRA_AUTHORITY_HOST}/${this.tenantId}/v2.0`,
        subject: mi.principalId,
        audiences: [ENTRA_TOKEN_EXCHANGE_AUDIENCE],
      });
    }

    this.scopeIds = Object.fromEntries(scopeBlocks.map((s) => [s.value, s.id]));
    this.appRoleIds = Object.fromEntries(roleBlocks.map((r) => [r.value, r.id]));
    this.scopes = scopeBlocks.map((s) => `${this.identifierUri}/${s.value}`);
  }

  /** Application (client) id. */
  get clientId(): string {
    return this.application.clientId;
  }

  /** The `aud` of the v2 access tokens the API receives: the client id. */
  get audience(): string {
    return this.application.clientId;
  }

  /** Object id of the application registration. */
  get applicationObjectId(): string {
    return this.application.objectId;
  }

  /** Resource id of the application (`/applications/<object id>`), what other azuread resources take. */
  get applicationResourceId(): string {
    return this.application.id;
  }

  /** Object id of the service principal (enterprise application), the target of app role assignments. */
  get servicePrincipalObjectId(): string {
    return this.servicePrincipal.objectId;
  }

  /** Issuer (`iss`) of the v2 access tokens: `https://login.microsoftonline.com/<tenant id>/v2.0`. */
  get issuer(): string {
    return `${ENTRA_AUTHORITY_HOST}/${this.tenantId}/v2.0`;
  }

  /**
   * Assigns the app role `value` to `principal` on the service principal (`azuread_app_role_assignment`,
   * construct id `AppRoleAssignment<n>`). Once per role and principal: a later call returns the same
   * assignment (tokens compare by their text).
   */
  assignAppRole(value: string, principal: Principal): AppRoleAssignment {
    const roleId = Object.prototype.hasOwnProperty.call(this.appRoleIds, value) ? this.appRoleIds[value] : undefined;
    if (roleId === undefined) {
      invalid(this, 'appRoles', Object.keys(this.appRoleIds), `a list that includes a role with value ${JSON.stringify(value)}, to assign it`);
    }
    const principalId = principal?.principalId;
    if (typeof principalId !== 'string' || principalId === '' || (!Token.isUnresolved(principalId) && !GUID.test(principalId))) {
      invalid(this, 'assignAppRole principalId', principalId, 'the object id of a service principal, managed identity, user or group (a GUID)');
    }
    const key = `${value}\n${principalId}`;
    let assignment = this.roleAssignments.get(key);
    if (assignment === undefined) {
      assignment = new AppRoleAssignment(this, `AppRoleAssignment${this.roleAssignments.size + 1}`, {
        appRoleId: roleId,
        principalObjectId: principalId,
        resourceObjectId: this.servicePrincipal.objectId,
      });
      this.roleAssignments.set(key, assignment);
    }
    return assignment;
  }

  /** The full scope string for a delegated scope value, `<identifierUri>/<value>`. */
  scopeFor(value: string): string {
    if (!(value in this.scopeIds)) {
      invalid(this, 'scopeFor value', value, `one of the app's scopes: ${Object.keys(this.scopeIds).join(', ') || '(none)'}`);
    }
    return `${this.identifierUri}/${value}`;
  }
}

function checkGuids(scope: Construct, prop: string, values: readonly string[]): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (Token.isUnresolved(value)) continue;
    if (!GUID.test(value) || seen.has(value.toLowerCase())) invalid(scope, prop, value, 'distinct object or client ids (GUIDs)');
    seen.add(value.toLowerCase());
  }
}

function checkRedirectUris(scope: Construct, uris: readonly string[]): void {
  const seen = new Set<string>();
  for (const uri of uris) {
    if (Token.isUnresolved(uri)) continue;
    if (uri.length > 256 || /[\s*!$'(),;#]/.test(uri)) invalid(scope, 'publicClientRedirectUris', uri, REDIRECT_URI_ACCEPTED);
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      return invalid(scope, 'publicClientRedirectUris', uri, REDIRECT_URI_ACCEPTED);
    }
    const loopback = url.protocol === 'http:' && (url.hostname === 'localhost' || url.hostname === '127.0.0.1');
    if ((url.protocol !== 'https:' && !loopback) || url.username !== '' || url.password !== '' || url.hostname === '') {
      invalid(scope, 'publicClientRedirectUris', uri, REDIRECT_URI_ACCEPTED);
    }
    // Entra ignores the port of loopback redirect URIs, so two that differ only by port are the same URI.
    const key = loopback ? `${url.protocol}//${url.hostname}${url.pathname}${url.search}` : url.href;
    if (seen.has(key)) invalid(scope, 'publicClientRedirectUris', uri, 'distinct URIs (the port of a loopback URI is ignored)');
    seen.add(key);
  }
}
