/**
 * Token validation for any OpenID Connect issuer (`validate-jwt`): signature keys and issuer from the
 * OpenID configuration, audiences required, required scopes checked in the scope claim, the validated
 * token stored for keyed rate limits.
 */
import { validateJwt } from '../lib/policy/builders/tokens';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError } from '../lib/policy/errors';
import { checkOptions, optHttpsUrl, optInteger, optString, optStringList } from './common';
import { CheckedTokenCommon, TOKEN_COMMON_KEYS, TokenValidation, TokenValidationCommonOptions, checkTokenCommon, tokenDocument } from './token-common';

export interface OidcTokenOptions extends TokenValidationCommonOptions {
  /**
   * https URL of the issuer's OpenID configuration (`.../.well-known/openid-configuration`), from which the
   * signing keys and the issuer are read.
   */
  readonly openidConfigUrl: string;
  /**
   * Accepted `iss` values.
   * @default - the issuer of the OpenID configuration
   */
  readonly issuers?: readonly string[];
  /**
   * Name of the claim that carries the scopes, space-separated: `scp` (Microsoft Entra ID, Auth0) or
   * `scope` (RFC 9068 access tokens, Okta).
   * @default 'scp'
   */
  readonly scopeClaim?: string;
  /**
   * Tolerated clock difference with the issuer, in seconds (0-300).
   * @default - 0 (APIM's default; not written)
   */
  readonly clockSkew?: number;
}

const WHERE = 'oidc-token-validation';
export const OIDC_TOKEN_OPTION_KEYS = [...TOKEN_COMMON_KEYS, 'openidConfigUrl', 'issuers', 'scopeClaim', 'clockSkew'] as const;

function build(options: OidcTokenOptions): { validation: TokenValidation; common: CheckedTokenCommon } {
  const o = checkOptions(WHERE, options, OIDC_TOKEN_OPTION_KEYS);
  const common = checkTokenCommon(WHERE, o);
  const openid = optHttpsUrl(WHERE, 'openidConfigUrl', o.openidConfigUrl);
  if (openid === undefined) {
    throw new PolicyError(`${WHERE}: option openidConfigUrl is required: the issuer's OpenID configuration supplies the signing keys`);
  }
  const issuers = optStringList(WHERE, 'issuers', o.issuers);
  const scopeClaim = optString(WHERE, 'scopeClaim', o.scopeClaim, 'scp');
  const clockSkew = o.clockSkew === undefined ? undefined : optInteger(WHERE, 'clockSkew', o.clockSkew, 0, { min: 0, max: 300 });
  const statement = validateJwt({
    headerName: 'Authorization',
    failedValidationHttpcode: 401,
    failedValidationErrorMessage: 'Unauthorized',
    requireScheme: 'Bearer',
    clockSkew,
    outputTokenVariableName: common.tokenVariable,
    openidConfigUrls: [openid],
    audiences: common.audiences,
    issuers,
    requiredClaims: common.requiredScopes && [
      { name: scopeClaim, match: common.scopeMatch, separator: ' ', values: common.requiredScopes },
    ],
  });
  return {
    validation: {
      part: { id: 'token-validation', inbound: { authenticate: [statement] } },
      challenge: { requiredScopes: common.challengeScopes },
    },
    common,
  };
}

/** The `validate-jwt` part, for compositions. */
export function oidcTokenValidation(options: OidcTokenOptions): TokenValidation {
  return build(options).validation;
}

/** The standalone policy: validate-jwt after `<base/>`, with the MCP authorization challenge by default. */
export function oidcTokenPolicy(options: OidcTokenOptions): PolicyDocument {
  const { validation, common } = build(options);
  return tokenDocument(WHERE, validation, common);
}
