import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { RoleAssignment } from '@cdktf/provider-azurerm/lib/role-assignment';
import { AzapiJsonObject, AzapiResource } from '../azapi';
import { invalid } from '../errors';
import { validatedName } from '../naming';
import { apimIdRule } from './apim-names';

/** The backend id the `content-safety` recipe's `llm-content-safety` names unless told otherwise. */
export const DEFAULT_CONTENT_SAFETY_BACKEND_ID = 'content-safety';

/**
 * The control-plane version of the backend entity, stable. The service takes `credentials.managedIdentity`
 * at it (reported working in azure-rest-api-specs#32665, whose 2024-05-01 spec lacks the property), but the
 * schemas azapi validates against lack it too (bicep-types-az#2666; 2025-09-01-preview as well), hence
 * schema validation off below.
 */
export const APIM_BACKEND_API_VERSION = '2024-05-01';

/** The Entra audience of Azure AI services (Content Safety included) that the gateway's token is for. */
export const COGNITIVE_SERVICES_AUDIENCE = 'https://cognitiveservices.azure.com';

/** The built-in role that calls the data plane of an Azure AI services account, and nothing else. */
export const COGNITIVE_SERVICES_USER_ROLE = 'Cognitive Services User';

/** Props of {@link McpGateway.addContentSafetyBackend}. */
export interface ContentSafetyBackendProps {
  /**
   * The backend id: what `contentSafety.backendId` of an MCP server names (1-80 letters, digits, '-' and
   * '_', starting and ending with a letter or digit).
   * @default 'content-safety'
   */
  readonly id?: string;
  /**
   * The Content Safety resource's endpoint, `https://<name>.cognitiveservices.azure.com` (the form
   * Microsoft's llm-content-safety reference gives; a trailing slash, as `endpoint` attributes carry it, is
   * fine). Literal values are checked; a reference such as `account.endpoint` is taken as it is.
   */
  readonly endpoint: string;
  /**
   * The Cognitive Services account's resource id: where the gateway's identity gets `Cognitive Services User`.
   * Backends on one account share one grant.
   */
  readonly resourceId: string;
}

/** What {@link ContentSafetyBackend} needs from its gateway. */
export interface ContentSafetyBackendHost {
  readonly serviceId: string;
  readonly principalId: string;
}

/**
 * The Content Safety backend id an MCP server's `contentSafety` option names: none when it is off, the
 * recipe's default (`content-safety`) for `true` or an object without `backendId`. For pre-checks before
 * `addMcpServer` (which refuses a server whose backend the gateway lacks).
 */
export function contentSafetyBackendIdOf(option: boolean | { readonly backendId?: string } | undefined): string | undefined {
  if (option === undefined || option === false) return undefined;
  return option === true ? DEFAULT_CONTENT_SAFETY_BACKEND_ID : (option.backendId ?? DEFAULT_CONTENT_SAFETY_BACKEND_ID);
}

// https://<host>[/]: no path, query or fragment (the policy appends the Content Safety API paths itself).
const ENDPOINT = /^https:\/\/[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?\/?$/;
const ACCOUNT_ID = /^\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.CognitiveServices\/accounts\/[^/]+$/i;

/** @internal Checks the props of a Content Safety backend before anything exists. */
export function checkContentSafetyBackendProps(scope: Construct, props: ContentSafetyBackendProps): string {
  const id = props?.id ?? DEFAULT_CONTENT_SAFETY_BACKEND_ID;
  if (typeof id !== 'string' || Token.isUnresolved(id)) {
    invalid(scope, 'addContentSafetyBackend id', id, 'a literal id: it is part of the construct id and what the policy names');
  }
  validatedName(scope, 'addContentSafetyBackend id', id, apimIdRule('backend id'));
  const endpoint = props?.endpoint;
  if (typeof endpoint !== 'string' || (!Token.isUnresolved(endpoint) && !ENDPOINT.test(endpoint))) {
    invalid(
      scope,
      'addContentSafetyBackend endpoint',
      endpoint,
      'the https endpoint of the Content Safety resource, https://<name>.cognitiveservices.azure.com, without path, query or fragment',
    );
  }
  const resourceId = props?.resourceId;
  if (typeof resourceId !== 'string' || (!Token.isUnresolved(resourceId) && !ACCOUNT_ID.test(resourceId))) {
    invalid(
      scope,
      'addContentSafetyBackend resourceId',
      resourceId,
      'the resource id of the Cognitive Services account, /subscriptions/<id>/resourceGroups/<group>/providers/Microsoft.CognitiveServices/accounts/<name>',
    );
  }
  return id;
}

/**
 * An APIM backend entity for Azure AI Content Safety, the one `llm-content-safety backend-id` names:
 * its URL is the resource's endpoint and APIM authenticates with the gateway's system-assigned identity
 * (`credentials.managedIdentity`, audience {@link COGNITIVE_SERVICES_AUDIENCE}), which gets
 * `Cognitive Services User` on the account. Created by {@link McpGateway.addContentSafetyBackend}.
 *
 * The backend goes through azapi: azurerm 4.55's `api_management_backend` has no managed-identity credentials.
 */
export class ContentSafetyBackend extends Construct {
  readonly backendId: string;
  readonly endpoint: string;
  readonly accountId: string;
  /** `Microsoft.ApiManagement/service/backends`. */
  readonly backend: AzapiResource;
  /** The gateway identity's `Cognitive Services User` grant on the account (shared by backends on one account). */
  readonly roleAssignment: RoleAssignment;

  /** @internal `grant` is the existing grant on the same account, if another backend made one. */
  constructor(scope: Construct, id: string, host: ContentSafetyBackendHost, backendId: string, props: ContentSafetyBackendProps, grant?: RoleAssignment) {
    super(scope, id);
    this.backendId = backendId;
    this.endpoint = props.endpoint;
    this.accountId = props.resourceId;
    this.roleAssignment =
      grant ??
      new RoleAssignment(this, 'CognitiveServicesUser', {
        scope: props.resourceId,
        roleDefinitionName: COGNITIVE_SERVICES_USER_ROLE,
        principalId: host.principalId,
        // The identity is created in the same deployment: name the type so Entra replication delay does not fail it.
        principalType: 'ServicePrincipal',
      });
    this.backend = new AzapiResource(this, 'Backend', {
      type: `Microsoft.ApiManagement/service/backends@${APIM_BACKEND_API_VERSION}`,
      name: backendId,
      parentId: host.serviceId,
      body: contentSafetyBackendBody(props.endpoint),
      // azapi validates against the embedded schema, which lacks credentials.managedIdentity.
      schemaValidationEnabled: false,
      // The grant exists before any policy can call the backend (role assignments still take minutes to apply).
      dependsOn: [this.roleAssignment],
    });
  }
}

/** The backend body: the endpoint over http(s) with TLS checks on, authenticated by the gateway's identity. */
export function contentSafetyBackendBody(endpoint: string): AzapiJsonObject {
  return {
    properties: {
      description: 'Azure AI Content Safety (llm-content-safety), authenticated with the gateway identity',
      url: endpoint,
      protocol: 'http',
      credentials: { managedIdentity: { resource: COGNITIVE_SERVICES_AUDIENCE } },
      tls: { validateCertificateChain: true, validateCertificateName: true },
    },
  };
}
