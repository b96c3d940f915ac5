import { ITerraformDependable, Token } from 'cdktf';
import { Construct } from 'constructs';
import { ApiManagementApi } from '@cdktf/provider-azurerm/lib/api-management-api';
import { ApiManagementApiOperation } from '@cdktf/provider-azurerm/lib/api-management-api-operation';
import { ApiManagementApiOperationPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-operation-policy';
import { ApiManagementApiPolicy } from '@cdktf/provider-azurerm/lib/api-management-api-policy';
import { ApiManagementBackend } from '@cdktf/provider-azurerm/lib/api-management-backend';
import { ApiManagementProduct } from '@cdktf/provider-azurerm/lib/api-management-product';
import { ApiManagementProductApi } from '@cdktf/provider-azurerm/lib/api-management-product-api';
import { ApiManagementSubscription } from '@cdktf/provider-azurerm/lib/api-management-subscription';
import { base } from '../../policy/builders/control';
import { rewriteUri, setBackendService } from '../../policy/builders/transform';
import { PolicyDocument, policyDocument } from '../../policy/document';
import { PolicyError } from '../../policy/errors';
import { lintPolicy } from '../../policy/lint';
import { render } from '../../policy/render';
import { ContentSafetyOptions } from '../../../policies/content-safety';
import { CorsOptions } from '../../../policies/cors';
import { PRM_WELL_KNOWN, ProtectedResourceMetadataOptions, protectedResourceMetadata } from '../../../policies/mcp-authorization';
import { McpServerOptions, mcpServerPolicy } from '../../../policies/mcp-server';
import { RateLimitOptions } from '../../../policies/rate-limit';
import { RequestLimitsOptions } from '../../../policies/request-limits';
import { AzapiResource } from '../azapi';
import { McpBackend, McpBackendEndpoint } from '../backends/endpoint';
import { ENTRA_AUTHORITY_HOST, McpEntraApp } from '../entra';
import { invalid } from '../errors';
import { NameRule, validatedName } from '../naming';
import { apimIdRule } from './apim-names';
import { ContentSafetyBackend, contentSafetyBackendIdOf } from './content-safety-backend';
import { McpNamedValue, SecretNamedValueSource } from './named-values';
import { nativeMcpApi, nativeMcpApiBody, nativeMcpApiPolicy, nativeMcpProductApi } from './native-mcp-api';
import { terraformLiteral } from './terraform-text';
import { GatewayTierSpec } from './tiers';

/**
 * How an MCP server is published:
 * - `mcp`: APIM's native MCP server API type (a passthrough MCP server, streamable HTTP), through azapi;
 * - `http`: a plain HTTP API that passes MCP through: `/mcp` (POST, GET, DELETE) for streamable HTTP, and
 *   `/sse` (GET) with `/messages` (POST) when the backend has the legacy SSE transport.
 */
export type McpApiType = 'mcp' | 'http';
export const MCP_API_TYPES: readonly McpApiType[] = ['mcp', 'http'];

/** A product that issues subscription keys for one MCP server. */
export interface McpServerProductProps {
  /**
   * The product's id (1-80 letters, digits, '-' and '_').
   * @default - `<server name>-clients`
   */
  readonly productId?: string;
  /** @default - `<display name> clients` */
  readonly displayName?: string;
  /** @default - none */
  readonly description?: string;
  /**
   * An administrator approves each subscription a developer asks for.
   * @default true
   */
  readonly approvalRequired?: boolean;
  /**
   * How many subscriptions one user may hold.
   * @default - no limit
   */
  readonly subscriptionsLimit?: number;
  /**
   * Subscriptions to create now, by id (1-80 letters, digits, '-' and '_'; unique in the gateway). The id is
   * also the display name and what `context.Subscription.Id` (and so `subscriptionAllowList`) sees; APIM
   * generates the keys, which Terraform state then holds.
   * @default - none
   */
  readonly subscriptions?: readonly string[];
}

/** Props of {@link McpGateway.addMcpServer}. Every part of the policy comes from the catalog's `mcp-server` recipe. */
export interface McpServerProps {
  /**
   * The MCP server behind the gateway: a backend construct, on which `addMcpServer` authorizes the gateway's
   * identity (`authorizeGateway`, once per backend), or a bare endpoint, for which nothing is authorized.
   */
  readonly backend: McpBackend | McpBackendEndpoint;
  /**
   * How the server is published on the gateway.
   * @default 'mcp'
   */
  readonly apiType?: McpApiType;
  /**
   * The API path: clients call `<gateway>/<path>/mcp`. Lower-case letters, digits and '-', segments
   * separated by '/'.
   * @default - the server name
   */
  readonly path?: string;
  /** @default - the server name */
  readonly displayName?: string;
  /** @default - none */
  readonly description?: string;
  /**
   * Callers present an APIM subscription key (`Ocp-Apim-Subscription-Key`); the API requires a subscription.
   * @default - true unless `entraApp` is given
   */
  readonly subscriptionKey?: boolean;
  /**
   * Puts the caller's subscription key back on the request for the backend (APIM removes it). The backend
   * has its own credential (`backendAuth` from the endpoint), so it does not need the caller's key.
   * @default false
   */
  readonly forwardSubscriptionKey?: boolean;
  /**
   * Callers present a Microsoft Entra access token for this app (`validate-azure-ad-token`: the app's tenant,
   * its client id as audience), refusals answered with the MCP authorization challenge, and the
   * protected-resource metadata served on the gateway.
   * @default - no token validation
   */
  readonly entraApp?: McpEntraApp;
  /**
   * Delegated scopes (`scp` values, such as `mcp.tools`) a token must carry; all of them unless `scopeMatch`
   * says `any`. Must be scopes of `entraApp`.
   * @default - every delegated scope of `entraApp`
   */
  readonly requiredScopes?: readonly string[];
  /** @default 'all' */
  readonly scopeMatch?: 'all' | 'any';
  /**
   * App roles (`roles` values) a token must carry, for app-only callers. Must be roles of `entraApp`.
   * @default - none
   */
  readonly requiredRoles?: readonly string[];
  /**
   * Client ids of the applications allowed to call (the token's `azp`).
   * @default - any client application of the tenant
   */
  readonly clientApplicationIds?: readonly string[];
  /**
   * The URL MCP clients connect to, when it is not the gateway's own (a custom domain, Front Door): the
   * resource identifier in the protected-resource metadata and the challenge.
   * @default - derived per request from the host the client called
   */
  readonly resourceUrl?: string;
  /**
   * Also serve this server's metadata at the bare `/.well-known/oauth-protected-resource` (RFC 9728's form
   * for a resource without a path), for clients that look there first. Only one server of a gateway can.
   * @default - true for the first server with `entraApp`, false for the others
   */
  readonly metadataAtRoot?: boolean;
  /**
   * The rate limit, after authentication (see the `rate-limit` recipe); `false` switches it off. A rate
   * limit needs authentication, or every caller would share, and could exhaust, one budget.
   * @default - the recipe's: 60 calls per 60 seconds per subscription (per token subject without keys)
   */
  readonly rateLimit?: RateLimitOptions | boolean;
  /**
   * Only these addresses and CIDR blocks may call (`ip-filter`, before authentication).
   * @default - any address
   */
  readonly ipAllowList?: readonly string[];
  /**
   * Only these subscription ids may call (needs `subscriptionKey`).
   * @default - any subscription of the API
   */
  readonly subscriptionAllowList?: readonly string[];
  /**
   * CORS for browser-based MCP clients (see the `cors` recipe: listed origins only, others refused).
   * @default - no CORS
   */
  readonly cors?: CorsOptions;
  /**
   * Request size limits (see `request-limits`).
   * @default - the recipe's: 256 KiB, Content-Length required
   */
  readonly requestLimits?: RequestLimitsOptions | boolean;
  /**
   * Azure AI Content Safety on tool calls (see `content-safety`). The Content Safety backend it names
   * (`backendId`, default `content-safety`) must have been added to the gateway with
   * `addContentSafetyBackend`; the server is refused otherwise, and its policy is applied after the backend.
   * @default false
   */
  readonly contentSafety?: ContentSafetyOptions | boolean;
  /**
   * `apiType: 'http'` only: the backend path that `/messages` (legacy SSE) is rewritten to.
   * @default - `messages` next to the backend's SSE path (`/sse` gives `/messages`)
   */
  readonly sseMessagesPath?: string;
  /**
   * A product that issues subscription keys for this server (needs `subscriptionKey`).
   * @default - none: subscriptions are created elsewhere (API-scoped, or an existing product)
   */
  readonly product?: McpServerProductProps;
}

/** What an MCP server needs from its gateway. Implemented by {@link McpGateway}. */
export interface McpServerHost {
  readonly serviceName: string;
  readonly serviceId: string;
  readonly resourceGroupName: string;
  readonly gatewayUrl: string;
  readonly tierSpec: GatewayTierSpec;
  /** Whether a Key Vault is known for Key Vault-backed named values without an explicit vault. */
  readonly hasDefaultKeyVault: boolean;
  addNamedValue(name: string, value: string): McpNamedValue;
  addSecretNamedValue(name: string, source: SecretNamedValueSource): McpNamedValue;
  namedValueNames(): readonly string[];
  /** Subscription ids already used in the gateway (lower-case). */
  readonly subscriptionIds: Set<string>;
  /** Product ids already used in the gateway (lower-case). */
  readonly productIds: Set<string>;
  /** The server (if any) whose metadata is served at the bare well-known path. */
  readonly rootMetadataServer?: string;
  claimRootMetadata(server: string): void;
  /** Any server already has token validation (so it claimed, or declined, the root metadata by default). */
  readonly hasOAuthServer: boolean;
  protectedResourceMetadataApi(): ProtectedResourceMetadataApi;
  /** The Content Safety backend with this id (case-insensitive), if the gateway has one. */
  contentSafetyBackend(id: string): ContentSafetyBackend | undefined;
  contentSafetyBackendIds(): readonly string[];
}

// Server names end up in API, backend, operation and named value names (80 characters at most there).
const SERVER_NAME_RULE: NameRule = {
  resource: 'MCP server name',
  minLength: 1,
  maxLength: 40,
  allowedCharacters: /[a-z0-9-]/,
  allowedDescription: "lower-case letters, digits and '-'",
  start: { pattern: /[a-z]/, description: 'a lower-case letter' },
  end: { pattern: /[a-z0-9]/, description: 'a lower-case letter or digit' },
  noConsecutiveHyphens: true,
};

const PATH = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\/[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*$/;
const BACKEND_PATH = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/** @internal Checks an MCP server name. */
export function checkServerName(scope: Construct, name: string): void {
  if (Token.isUnresolved(name)) invalid(scope, 'addMcpServer name', name, 'a literal name: it is part of construct ids and resource names');
  validatedName(scope, 'addMcpServer name', name, SERVER_NAME_RULE);
}

/** @internal Checks an MCP server's API path (no '.', so /.well-known stays the metadata API's). */
export function checkServerPath(scope: Construct, path: string): void {
  if (typeof path !== 'string' || Token.isUnresolved(path) || path.length > 200 || !PATH.test(path)) {
    invalid(
      scope,
      'addMcpServer path',
      path,
      "a literal path of at most 200 characters: lower-case letters, digits and '-' in segments separated by '/', without leading or trailing '/'",
    );
  }
}

interface PlannedOperation {
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly urlTemplate: string;
  readonly backendPath: string;
  readonly description: string;
}

interface PlannedNamedValue {
  readonly name: string;
  readonly create: (host: McpServerHost) => McpNamedValue;
}

/** The frontend path of an MCP server's streamable HTTP endpoint, below its API path. */
export const MCP_ENDPOINT_SUFFIX = 'mcp';

/**
 * One MCP server on the gateway: the backend entity, the API (native MCP type or HTTP pass-through), its
 * policy from the `mcp-server` recipe, the protected-resource metadata operations, and optionally a product
 * with subscriptions. Created by {@link McpGateway.addMcpServer}; everything is checked before anything is
 * created.
 */
export class McpServer extends Construct {
  readonly serverName: string;
  readonly path: string;
  readonly apiType: McpApiType;
  readonly displayName: string;
  /** The options the `mcp-server` recipe was rendered with (named values by `{{name}}`). */
  readonly policyOptions: McpServerOptions;
  readonly policyDocument: PolicyDocument;
  /** The API policy as attached (`rawxml`). */
  readonly policyXml: string;
  readonly backend: ApiManagementBackend;
  /** The backend entity's name, `<server name>-backend`. */
  readonly backendName: string;
  /** With `contentSafety`: the gateway's Content Safety backend the policy calls. */
  readonly contentSafetyBackend?: ContentSafetyBackend;
  /** `azurerm_api_management_api` for `http`, the azapi MCP server for `mcp`. */
  readonly api: ApiManagementApi | AzapiResource;
  readonly apiPolicy: ApiManagementApiPolicy | AzapiResource;
  /** `http` only: the pass-through operations, by operation id. */
  readonly operations: Readonly<Record<string, ApiManagementApiOperation>>;
  /** `http` only: the operation policies that route to the backend entity and path. */
  readonly operationPolicies: Readonly<Record<string, ApiManagementApiOperationPolicy>>;
  readonly namedValues: readonly McpNamedValue[];
  readonly product?: ApiManagementProduct;
  readonly productApi?: ApiManagementProductApi | AzapiResource;
  readonly subscriptions: readonly ApiManagementSubscription[];
  /** With `entraApp`: the options of the metadata recipe. */
  readonly protectedResourceMetadataOptions?: ProtectedResourceMetadataOptions;
  /** With `entraApp`: the metadata operation policy as attached (`rawxml`). */
  readonly protectedResourceMetadataXml?: string;
  readonly metadataAtRoot: boolean;
  /** `<gateway URL>/<path>/mcp`. */
  readonly mcpEndpointUrl: string;
  /** With `entraApp`: `<gateway URL>/.well-known/oauth-protected-resource/<path>/mcp`. */
  readonly protectedResourceMetadataUrl?: string;

  constructor(scope: Construct, id: string, host: McpServerHost, name: string, path: string, props: McpServerProps) {
    super(scope, id);
    this.serverName = name;
    this.path = path;

    // ---------------------------------------------------------------------------------------------------
    // Checks and the plan: nothing is created until every input has been checked.
    const endpoint = backendEndpoint(this, props.backend);
    const apiType = props.apiType ?? 'mcp';
    if (!MCP_API_TYPES.includes(apiType)) invalid(this, 'apiType', apiType, `one of ${MCP_API_TYPES.join(', ')}`);
    if (apiType === 'mcp' && !host.tierSpec.nativeMcp) {
      invalid(this, 'apiType', apiType, `'http': the ${host.tierSpec.tier} tier has no native MCP server API type`);
    }
    this.apiType = apiType;
    this.displayName = props.displayName ?? name;
    if (!Token.isUnresolved(this.displayName) && (this.displayName.trim() === '' || this.displayName.length > 300)) {
      invalid(this, 'displayName', this.displayName, 'a non-empty name of at most 300 characters');
    }

    const entra = props.entraApp;
    const subscriptionKey = props.subscriptionKey ?? entra === undefined;
    if (!subscriptionKey && entra === undefined) {
      if (props.rateLimit !== false) {
        invalid(
          this,
          'rateLimit',
          props.rateLimit ?? 'the default rate limit',
          'authentication first: with subscriptionKey false and no entraApp every caller is anonymous, so a rate limit would be one budget anyone can exhaust; turn on subscriptionKey or give entraApp',
        );
      }
      invalid(this, 'subscriptionKey', false, 'true, or an entraApp: an MCP server needs authentication');
    }
    if (props.subscriptionAllowList !== undefined && !subscriptionKey) {
      invalid(this, 'subscriptionAllowList', props.subscriptionAllowList, 'no value without subscriptionKey: without keys no caller has a subscription');
    }
    if (props.product !== undefined && !subscriptionKey) {
      invalid(this, 'product', props.product, 'no product without subscriptionKey: its subscriptions would not be asked for');
    }
    if (entra === undefined) {
      for (const prop of ['requiredScopes', 'scopeMatch', 'requiredRoles', 'clientApplicationIds', 'resourceUrl', 'metadataAtRoot'] as const) {
        if (props[prop] !== undefined) invalid(this, prop, props[prop], 'no value without entraApp (it configures token validation)');
      }
    }
    if (apiType === 'mcp' && props.sseMessagesPath !== undefined) {
      invalid(this, 'sseMessagesPath', props.sseMessagesPath, "no value with apiType 'mcp', which publishes the streamable HTTP transport only");
    }

    const appScopes = entra ? Object.keys(entra.scopeIds) : [];
    const appRoles = entra ? Object.keys(entra.appRoleIds) : [];
    const requiredScopes = props.requiredScopes ?? (appScopes.length > 0 ? appScopes : undefined);
    for (const s of props.requiredScopes ?? []) {
      if (!appScopes.includes(s)) invalid(this, 'requiredScopes', s, `scopes of the Entra app: ${appScopes.join(', ') || '(it has none)'}`);
    }
    for (const r of props.requiredRoles ?? []) {
      if (!appRoles.includes(r)) invalid(this, 'requiredRoles', r, `app roles of the Entra app: ${appRoles.join(', ') || '(it has none)'}`);
    }

    const metadataAtRoot = entra !== undefined && (props.metadataAtRoot ?? !host.hasOAuthServer);
    if (metadataAtRoot && host.rootMetadataServer !== undefined) {
      invalid(this, 'metadataAtRoot', true, `false: MCP server ${JSON.stringify(host.rootMetadataServer)} already serves the bare /.well-known/oauth-protected-resource`);
    }
    this.metadataAtRoot = metadataAtRoot;

    // Named values: the Entra ids are tokens until apply, so the policy refers to them by name and stays a
    // literal, byte-stable text; secrets only ever reach it as {{name}}.
    const planned: PlannedNamedValue[] = [];
    const ref = (n: string) => `{{${n}}}`;
    let tenantNv: string | undefined;
    let clientNv: string | undefined;
    let uriNv: string | undefined;
    if (entra) {
      tenantNv = `${name}-entra-tenant-id`;
      clientNv = `${name}-entra-client-id`;
      planned.push({ name: tenantNv, create: (h) => h.addNamedValue(tenantNv as string, entra.tenantId) });
      planned.push({ name: clientNv, create: (h) => h.addNamedValue(clientNv as string, entra.clientId) });
      if (appScopes.length > 0) {
        uriNv = `${name}-entra-identifier-uri`;
        planned.push({ name: uriNv, create: (h) => h.addNamedValue(uriNv as string, entra.identifierUri) });
      }
    }
    const backendAuth = backendAuthFor(this, host, name, endpoint, planned);
    const taken = new Set(host.namedValueNames().map((n) => n.toLowerCase()));
    for (const p of planned) {
      if (taken.has(p.name.toLowerCase())) {
        invalid(this, 'named value', p.name, `a name this MCP server can use: the gateway already has a named value ${JSON.stringify(p.name)}`);
      }
    }

    const location = props.resourceUrl !== undefined ? { resourceUrl: props.resourceUrl } : { mcpPath: `${path}/${MCP_ENDPOINT_SUFFIX}` };
    const options: Record<string, unknown> = {};
    if (props.cors !== undefined) options.cors = props.cors;
    if (props.ipAllowList !== undefined) options.ipAllowList = { addresses: props.ipAllowList };
    options.subscriptionKey = subscriptionKey ? { forwardToBackend: props.forwardSubscriptionKey ?? false } : false;
    if (entra) {
      options.token = compact({
        provider: 'entra',
        tenantId: ref(tenantNv as string),
        audiences: [ref(clientNv as string)],
        requiredScopes,
        // The 403 challenge names the scopes as clients request them: `<identifier URI>/<scope>`.
        challengeScopes: uriNv && requiredScopes ? requiredScopes.map((s) => `${ref(uriNv as string)}/${s}`) : undefined,
        scopeMatch: props.scopeMatch,
        requiredRoles: props.requiredRoles,
        clientApplicationIds: props.clientApplicationIds,
        ...location,
      });
    }
    if (props.rateLimit !== undefined) options.rateLimit = props.rateLimit;
    if (props.subscriptionAllowList !== undefined) options.subscriptionAllowList = { subscriptionIds: props.subscriptionAllowList };
    if (props.requestLimits !== undefined) options.requestLimits = props.requestLimits;
    if (props.contentSafety !== undefined) options.contentSafety = props.contentSafety;
    options.backendAuth = backendAuth;
    this.policyOptions = options as McpServerOptions;

    const namedValues = [...host.namedValueNames(), ...planned.map((p) => p.name)];
    this.policyDocument = recipeOrInvalid(this, 'MCP server policy', () => mcpServerPolicy(this.policyOptions));
    this.policyXml = render(this.policyDocument, { format: 'rawxml' });
    lintOrInvalid(this, 'MCP server policy', this.policyXml, 'mcp', namedValues);
    this.contentSafetyBackend = contentSafetyBackendFor(this, host, props.contentSafety);

    if (entra) {
      const prm: ProtectedResourceMetadataOptions = compact({
        ...location,
        authorizationServers: [`${ENTRA_AUTHORITY_HOST}/${ref(tenantNv as string)}/v2.0`],
        scopesSupported: uriNv ? appScopes.map((s) => `${ref(uriNv as string)}/${s}`) : undefined,
        resourceName: Token.isUnresolved(this.displayName) ? undefined : this.displayName,
      }) as unknown as ProtectedResourceMetadataOptions;
      this.protectedResourceMetadataOptions = prm;
      const document = recipeOrInvalid(this, 'protected-resource metadata policy', () => protectedResourceMetadata(prm));
      this.protectedResourceMetadataXml = render(document, { format: 'rawxml' });
      lintOrInvalid(this, 'protected-resource metadata policy', this.protectedResourceMetadataXml, 'operation', namedValues);
    }

    const operations = apiType === 'http' ? planOperations(this, endpoint, props.sseMessagesPath) : [];
    const backendName = `${name}-backend`;
    this.backendName = backendName;
    const operationXml = new Map(operations.map((op) => [op.id, render(routingPolicy(backendName, op.backendPath), { format: 'rawxml' })]));
    for (const [opId, xml] of operationXml) lintOrInvalid(this, `operation ${opId} policy`, xml, 'operation', namedValues);

    const product = props.product;
    const productId = product?.productId ?? `${name}-clients`;
    const subscriptionIds = product?.subscriptions ?? [];
    if (product) {
      validatedName(this, 'product.productId', productId, apimIdRule('product id'));
      if (host.productIds.has(productId.toLowerCase())) invalid(this, 'product.productId', productId, 'a product id not used by another MCP server of this gateway');
      if (product.subscriptionsLimit !== undefined && (!Number.isInteger(product.subscriptionsLimit) || product.subscriptionsLimit < 1)) {
        invalid(this, 'product.subscriptionsLimit', product.subscriptionsLimit, 'a whole number of 1 or more');
      }
      const seen = new Set<string>();
      for (const s of subscriptionIds) {
        validatedName(this, 'product.subscriptions', s, apimIdRule('subscription id'));
        const key = s.toLowerCase();
        if (seen.has(key) || host.subscriptionIds.has(key)) {
          invalid(this, 'product.subscriptions', s, 'subscription ids not used elsewhere in the gateway');
        }
        seen.add(key);
      }
    }

    // ---------------------------------------------------------------------------------------------------
    // Resources.
    this.namedValues = planned.map((p) => p.create(host));
    if (metadataAtRoot) host.claimRootMetadata(name);

    const common = { apiManagementName: host.serviceName, resourceGroupName: host.resourceGroupName };
    this.backend = new ApiManagementBackend(this, 'Backend', {
      ...common,
      name: backendName,
      title: this.displayName,
      description: `MCP server ${name}`,
      protocol: 'http',
      // The native MCP type forwards to the backend URL as it is; the pass-through operations add the path.
      url: apiType === 'mcp' ? `${endpoint.baseUrl}${endpoint.mcpPath}` : endpoint.baseUrl,
      resourceId: managementUri(endpoint.resourceId),
      tls: { validateCertificateChain: true, validateCertificateName: true },
    });

    const subscriptionRequired = subscriptionKey;
    // APIM refuses a policy naming a named value or backend that does not exist yet.
    const policyDependencies: ITerraformDependable[] = [
      ...this.namedValues.map((nv) => nv.resource),
      ...(this.contentSafetyBackend ? [this.contentSafetyBackend.backend] : []),
    ];
    if (apiType === 'mcp') {
      const api = nativeMcpApi(
        this,
        'Api',
        host.serviceId,
        name,
        nativeMcpApiBody({ displayName: this.displayName, description: props.description, path, backendId: backendName, subscriptionRequired }),
        [this.backend],
      );
      this.api = api;
      this.apiPolicy = nativeMcpApiPolicy(this, 'ApiPolicy', api, terraformLiteral(this.policyXml), policyDependencies);
      this.operations = {};
      this.operationPolicies = {};
    } else {
      const api = new ApiManagementApi(this, 'Api', {
        ...common,
        name,
        revision: '1',
        displayName: this.displayName,
        description: props.description,
        path,
        protocols: ['https'],
        apiType: 'http',
        serviceUrl: endpoint.baseUrl,
        subscriptionRequired,
      });
      this.api = api;
      this.apiPolicy = new ApiManagementApiPolicy(this, 'ApiPolicy', {
        ...common,
        apiName: api.name,
        xmlContent: terraformLiteral(this.policyXml),
        dependsOn: policyDependencies.length > 0 ? policyDependencies : undefined,
      });
      const ops: Record<string, ApiManagementApiOperation> = {};
      const opPolicies: Record<string, ApiManagementApiOperationPolicy> = {};
      for (const op of operations) {
        ops[op.id] = new ApiManagementApiOperation(this, `Operation-${op.id}`, {
          ...common,
          apiName: api.name,
          operationId: op.id,
          displayName: `${op.method} ${op.urlTemplate}`,
          description: op.description,
          method: op.method,
          urlTemplate: op.urlTemplate,
        });
        opPolicies[op.id] = new ApiManagementApiOperationPolicy(this, `OperationPolicy-${op.id}`, {
          ...common,
          apiName: api.name,
          operationId: ops[op.id].operationId,
          xmlContent: terraformLiteral(operationXml.get(op.id) as string),
          dependsOn: [this.backend],
        });
      }
      this.operations = ops;
      this.operationPolicies = opPolicies;
    }

    if (entra) {
      const prmApi = host.protectedResourceMetadataApi();
      prmApi.addOperation(`metadata-${name}`, `/${path}/${MCP_ENDPOINT_SUFFIX}`, `Metadata of MCP server ${name}`, this.protectedResourceMetadataXml as string, this.namedValues);
      if (metadataAtRoot) {
        prmApi.addOperation('metadata-root', '/', `Metadata of MCP server ${name} (bare well-known path)`, this.protectedResourceMetadataXml as string, this.namedValues);
      }
      this.protectedResourceMetadataUrl = `${host.gatewayUrl}${PRM_WELL_KNOWN}/${path}/${MCP_ENDPOINT_SUFFIX}`;
    }
    this.mcpEndpointUrl = `${host.gatewayUrl}/${path}/${MCP_ENDPOINT_SUFFIX}`;

    const subscriptions: ApiManagementSubscription[] = [];
    if (product) {
      host.productIds.add(productId.toLowerCase());
      this.product = new ApiManagementProduct(this, 'Product', {
        ...common,
        productId,
        displayName: product.displayName ?? `${this.displayName} clients`,
        description: product.description,
        published: true,
        subscriptionRequired: true,
        approvalRequired: product.approvalRequired ?? true,
        subscriptionsLimit: product.subscriptionsLimit,
      });
      this.productApi =
        this.api instanceof AzapiResource
          ? nativeMcpProductApi(this, 'ProductApi', this.product.id, this.api, name)
          : new ApiManagementProductApi(this, 'ProductApi', { ...common, productId: this.product.productId, apiName: this.api.name });
      for (const s of subscriptionIds) {
        host.subscriptionIds.add(s.toLowerCase());
        subscriptions.push(
          new ApiManagementSubscription(this, `Subscription-${s}`, {
            ...common,
            subscriptionId: s,
            displayName: s,
            productId: this.product.id,
            state: 'active',
            // Tracing would let the key holder read the gateway's policy trace, secrets included.
            allowTracing: false,
            dependsOn: [this.productApi],
          }),
        );
      }
    }
    this.subscriptions = subscriptions;
  }
}

/**
 * The protected-resource metadata API of a gateway: anonymous (no subscription), at
 * `/.well-known/oauth-protected-resource`, one GET operation per MCP server (`/<path>/mcp`, RFC 9728's
 * path-suffixed form) and optionally the bare path, each answered by the metadata recipe's operation policy
 * before `<base/>`, so nothing inherited asks for credentials.
 */
export class ProtectedResourceMetadataApi extends Construct {
  /** The API's name (its id in APIM). */
  static readonly API_NAME = 'oauth-protected-resource';
  readonly api: ApiManagementApi;
  readonly operations: Record<string, ApiManagementApiOperation> = {};
  readonly operationPolicies: Record<string, ApiManagementApiOperationPolicy> = {};
  private readonly common: { apiManagementName: string; resourceGroupName: string };

  constructor(scope: Construct, id: string, host: Pick<McpServerHost, 'serviceName' | 'resourceGroupName'>) {
    super(scope, id);
    this.common = { apiManagementName: host.serviceName, resourceGroupName: host.resourceGroupName };
    this.api = new ApiManagementApi(this, 'Api', {
      ...this.common,
      name: ProtectedResourceMetadataApi.API_NAME,
      revision: '1',
      displayName: 'OAuth protected resource metadata',
      description: 'RFC 9728 metadata of the MCP servers: where MCP clients get access tokens.',
      path: PRM_WELL_KNOWN.slice(1),
      protocols: ['https'],
      apiType: 'http',
      subscriptionRequired: false,
    });
  }

  /** @internal Adds a GET operation answered by `xml`. */
  addOperation(operationId: string, urlTemplate: string, description: string, xml: string, namedValues: readonly McpNamedValue[]): void {
    const operation = new ApiManagementApiOperation(this, `Operation-${operationId}`, {
      ...this.common,
      apiName: this.api.name,
      operationId,
      displayName: `GET ${urlTemplate}`,
      description,
      method: 'GET',
      urlTemplate,
    });
    this.operations[operationId] = operation;
    this.operationPolicies[operationId] = new ApiManagementApiOperationPolicy(this, `OperationPolicy-${operationId}`, {
      ...this.common,
      apiName: this.api.name,
      operationId: operation.operationId,
      xmlContent: terraformLiteral(xml),
      dependsOn: namedValues.map((nv) => nv.resource),
    });
  }
}

/**
 * The Content Safety backend `contentSafety` names, which must be one of the gateway's: without it APIM
 * refuses the policy (or every checked call fails). Runs after the recipe has checked the options.
 */
function contentSafetyBackendFor(scope: Construct, host: McpServerHost, option: McpServerProps['contentSafety']): ContentSafetyBackend | undefined {
  const id = contentSafetyBackendIdOf(option);
  if (id === undefined) return undefined;
  const backend = host.contentSafetyBackend(id);
  if (backend === undefined) {
    const known = host.contentSafetyBackendIds();
    invalid(
      scope,
      'contentSafety backendId',
      id,
      `the id of a Content Safety backend of this gateway (${known.length > 0 ? known.join(', ') : 'it has none yet'}): call ` +
        `gateway.addContentSafetyBackend({ id: ${JSON.stringify(id)}, endpoint: 'https://<name>.cognitiveservices.azure.com', resourceId: <the account id> }) ` +
        'before addMcpServer, so APIM has the backend the llm-content-safety policy names',
    );
  }
  return backend;
}

function backendEndpoint(scope: Construct, backend: McpBackend | McpBackendEndpoint): McpBackendEndpoint {
  const endpoint = backend && 'endpoint' in backend ? backend.endpoint : (backend as McpBackendEndpoint | undefined);
  if (!endpoint || typeof endpoint !== 'object') invalid(scope, 'backend', backend, 'a backend construct or its endpoint');
  const { baseUrl, mcpPath, ssePath } = endpoint;
  if (!Token.isUnresolved(baseUrl) && (typeof baseUrl !== 'string' || !/^https:\/\/[^\s/?#]+$/i.test(baseUrl))) {
    invalid(scope, 'backend.baseUrl', baseUrl, 'https://<host>, without path, query or trailing slash (the gateway only talks TLS to backends)');
  }
  for (const [prop, value] of [['backend.mcpPath', mcpPath], ['backend.ssePath', ssePath]] as const) {
    if (value === undefined && prop === 'backend.ssePath') continue;
    if (typeof value !== 'string' || Token.isUnresolved(value) || !BACKEND_PATH.test(value) || value.includes('//')) {
      invalid(scope, prop, value, "a literal path starting with '/', such as /mcp or /runtime/webhooks/mcp");
    }
  }
  return endpoint;
}

/** The `backendAuth` option for the endpoint's credential, planning the named value it reads. */
function backendAuthFor(
  scope: Construct,
  host: McpServerHost,
  name: string,
  endpoint: McpBackendEndpoint,
  planned: PlannedNamedValue[],
): Record<string, string> {
  const credential = endpoint.credential;
  switch (credential?.kind) {
    case 'functions-key':
    case 'gateway-token': {
      if (!host.hasDefaultKeyVault) {
        invalid(
          scope,
          'backend.credential',
          credential.kind,
          "a gateway with a keyVault: the backend's secret is read from Key Vault with the gateway's identity, which needs a Key Vault Secrets User grant on that vault",
        );
      }
      const nv = `${name}-${credential.kind}`;
      const uri = credential.keyVaultSecretUri;
      planned.push({ name: nv, create: (h) => h.addSecretNamedValue(nv, { keyVaultSecretUri: uri }) });
      return { type: credential.kind, namedValue: nv };
    }
    case 'managed-identity': {
      const nv = `${name}-backend-audience`;
      const audience = credential.audience;
      planned.push({ name: nv, create: (h) => h.addNamedValue(nv, audience) });
      return { type: 'managed-identity', resource: `{{${nv}}}` };
    }
    default:
      return invalid(scope, 'backend.credential', credential, 'a functions-key, managed-identity or gateway-token credential');
  }
}

function planOperations(scope: Construct, endpoint: McpBackendEndpoint, sseMessagesPath: string | undefined): PlannedOperation[] {
  const streamable: PlannedOperation[] = [
    { id: 'mcp-post', method: 'POST', urlTemplate: '/mcp', backendPath: endpoint.mcpPath, description: 'MCP streamable HTTP: JSON-RPC messages' },
    { id: 'mcp-get', method: 'GET', urlTemplate: '/mcp', backendPath: endpoint.mcpPath, description: 'MCP streamable HTTP: server-to-client event stream' },
    { id: 'mcp-delete', method: 'DELETE', urlTemplate: '/mcp', backendPath: endpoint.mcpPath, description: 'MCP streamable HTTP: end the session' },
  ];
  if (endpoint.ssePath === undefined) {
    if (sseMessagesPath !== undefined) invalid(scope, 'sseMessagesPath', sseMessagesPath, 'no value: the backend has no SSE endpoint (ssePath)');
    return streamable;
  }
  const messages = sseMessagesPath ?? `${endpoint.ssePath.replace(/\/[^/]*$/, '')}/messages`;
  if (!BACKEND_PATH.test(messages) || messages.includes('//')) {
    invalid(scope, 'sseMessagesPath', messages, "a path starting with '/', such as /messages");
  }
  return [
    ...streamable,
    { id: 'sse-get', method: 'GET', urlTemplate: '/sse', backendPath: endpoint.ssePath, description: 'MCP legacy SSE transport: event stream' },
    { id: 'messages-post', method: 'POST', urlTemplate: '/messages', backendPath: messages, description: 'MCP legacy SSE transport: JSON-RPC messages' },
  ];
}

/**
 * The operation policy of a pass-through operation: the API policy first (`<base/>`), then the backend
 * entity and the backend's own path. `rewrite-uri` keeps the query string (the SSE session id).
 */
export function routingPolicy(backendId: string, backendPath: string): PolicyDocument {
  return policyDocument({
    inbound: [base(), setBackendService({ backendId }), rewriteUri({ template: backendPath })],
    backend: [base()],
    outbound: [base()],
    onError: [base()],
  });
}

/** ARM's management URI of a resource, what a backend entity's `resource_id` takes for App Service apps. */
function managementUri(resourceId: string): string {
  return `https://management.azure.com${resourceId}`;
}

function recipeOrInvalid<T>(scope: Construct, what: string, build: () => T): T {
  try {
    return build();
  } catch (e) {
    if (e instanceof PolicyError) invalid(scope, what, scope.node.id, e.message);
    throw e;
  }
}

function lintOrInvalid(scope: Construct, what: string, xml: string, lintScope: 'mcp' | 'operation', namedValues: readonly string[]): void {
  const errors = lintPolicy(xml, { scope: lintScope, namedValues, format: 'rawxml' }).findings.filter((f) => f.severity === 'error');
  if (errors.length > 0) {
    invalid(scope, what, scope.node.id, `a policy that lints clean; found: ${errors.map((f) => `${f.ruleId} at ${f.path ?? '?'}: ${f.message}`).join('; ')}`);
  }
}

/** The object without its undefined members, so rendered options compare equal to hand-written ones. */
function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
