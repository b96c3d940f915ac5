/**
 * Token validation for Microsoft Entra ID (`validate-azure-ad-token`): tenant, audiences (required), the
 * client applications allowed to call, and delegated scopes (`scp`) or app roles (`roles`) as required
 * claims; the validated token stored for keyed rate limits.
 */
import { validateAzureAdToken } from '../lib/policy/builders/tokens';
import { RequiredClaim } from '../lib/policy/builders/tokens';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { checkOptions, optEnum, optString, optStringList } from './common';
import { CheckedTokenCommon, TOKEN_COMMON_KEYS, TokenValidation, TokenValidationCommonOptions, checkTokenCommon, tokenDocument } from './token-common';

export interface EntraTokenOptions extends TokenValidationCommonOptions {
  /**
   * The tenant: its ID (a GUID), a verified domain, or a `{{named value}}` reference. `common` and
   * `organizations` are refused: an MCP server accepts tokens of its own tenant.
   */
  readonly tenantId: string;
  /**
   * Client IDs of the applications allowed to call (the token's `azp` / `appid`).
   * @default - any client application of the tenant
   */
  readonly clientApplicationIds?: readonly string[];
  /**
   * App roles the token must carry in its `roles` claim (application permissions, for app-only callers);
   * a token without them is answered 403 `insufficient_scope`. Given with `requiredScopes`, both are
   * required.
   * @default - no role is required
   */
  readonly requiredRoles?: readonly string[];
  /**
   * Whether the token needs all of `requiredRoles` or any one of them.
   * @default 'any'
   */
  readonly roleMatch?: 'all' | 'any';
}

const WHERE = 'entra-token-validation';
export const ENTRA_TOKEN_OPTION_KEYS = [...TOKEN_COMMON_KEYS, 'tenantId', 'clientApplicationIds', 'requiredRoles', 'roleMatch'] as const;

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DOMAIN = /^(?=.{1,253}$)([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$/;
const NAMED_VALUE = /^\{\{[A-Za-z0-9._-]{1,256}\}\}$/;

function build(options: EntraTokenOptions): { validation: TokenValidation; common: CheckedTokenCommon } {
  const o = checkOptions(WHERE, options, ENTRA_TOKEN_OPTION_KEYS);
  const common = checkTokenCommon(WHERE, o);
  const tenantId = optString(WHERE, 'tenantId', o.tenantId);
  if (tenantId === undefined) throw new PolicyError(`${WHERE}: option tenantId is required (the tenant ID, a verified domain or a {{named value}})`);
  if (!GUID.test(tenantId) && !DOMAIN.test(tenantId) && !NAMED_VALUE.test(tenantId)) {
    throw new PolicyError(
      `${WHERE}: option tenantId must be a tenant ID (GUID), a verified domain such as "contoso.onmicrosoft.com" or a {{named value}}, got ${show(tenantId)}` +
        (['common', 'organizations', 'consumers'].includes(tenantId.toLowerCase()) ? ': multi-tenant endpoints would accept tokens of any tenant' : ''),
    );
  }
  const clients = optStringList(WHERE, 'clientApplicationIds', o.clientApplicationIds);
  for (const c of clients ?? []) {
    if (!GUID.test(c) && !NAMED_VALUE.test(c)) {
      throw new PolicyError(`${WHERE}: option clientApplicationIds must list client IDs (GUIDs) or {{named values}}, got ${show(c)}`);
    }
  }
  const roles = optStringList(WHERE, 'requiredRoles', o.requiredRoles);
  const roleMatch = optEnum(WHERE, 'roleMatch', o.roleMatch, ['all', 'any'], 'any');
  const claims: RequiredClaim[] = [];
  if (common.requiredScopes) claims.push({ name: 'scp', match: common.scopeMatch, separator: ' ', values: common.requiredScopes });
  if (roles) claims.push({ name: 'roles', match: roleMatch, values: roles });
  const statement = validateAzureAdToken({
    tenantId,
    headerName: 'Authorization',
    failedValidationHttpcode: 401,
    failedValidationErrorMessage: 'Unauthorized',
    outputTokenVariableName: common.tokenVariable,
    clientApplicationIds: clients,
    audiences: common.audiences,
    requiredClaims: claims.length > 0 ? claims : undefined,
  });
  return {
    validation: {
      part: { id: 'token-validation', inbound: { authenticate: [statement] } },
      challenge: { requiredScopes: common.challengeScopes ?? (roles ? 'roles' : undefined) },
    },
    common,
  };
}

/** The `validate-azure-ad-token` part, for compositions. */
export function entraTokenValidation(options: EntraTokenOptions): TokenValidation {
  return build(options).validation;
}

/** The standalone policy: validate-azure-ad-token after `<base/>`, with the MCP authorization challenge by default. */
export function entraTokenPolicy(options: EntraTokenOptions): PolicyDocument {
  const { validation, common } = build(options);
  return tokenDocument(WHERE, validation, common);
}
