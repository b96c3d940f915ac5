/**
 * What the two token validation recipes (OpenID Connect `validate-jwt` and Microsoft Entra
 * `validate-azure-ad-token`) share: options, the MCP authorization challenge around them.
 */
import { PolicyDocument } from '../lib/policy/document';
import { Part, composeParts } from './compose';
import { ChallengeConfig, RESOURCE_OPTION_KEYS, ResourceOptions, challengePart, resourceLocation } from './mcp-authorization';
import { VARIABLES, optBoolean, optEnum, optScopes, optStringList, optVariableName } from './common';
import { PolicyError } from '../lib/policy/errors';

export interface TokenValidationCommonOptions extends ResourceOptions {
  /**
   * Accepted `aud` values: this MCP server's identifier (its resource URL, or for Entra the application ID URI
   * or client ID). Required: without it a token issued for any other API of the same issuer passes.
   */
  readonly audiences: readonly string[];
  /**
   * Scopes the token must carry in its scope claim (`scp`); a token without them is answered 403
   * `insufficient_scope`.
   * @default - no scope is required
   */
  readonly requiredScopes?: readonly string[];
  /**
   * The scopes the 403 `insufficient_scope` challenge names (`WWW-Authenticate: ... scope="..."`): what a
   * client must request to get them, such as `api://<app>/mcp.tools` for Microsoft Entra ID, whose tokens
   * carry the bare `mcp.tools` in `scp`. Needs `requiredScopes`.
   * @default - the requiredScopes
   */
  readonly challengeScopes?: readonly string[];
  /**
   * Whether the token needs all of `requiredScopes` or any one of them.
   * @default 'all'
   */
  readonly scopeMatch?: 'all' | 'any';
  /**
   * Context variable that receives the validated token (`output-token-variable-name`), for rate limits keyed
   * on a claim.
   * @default 'mcp-token'
   */
  readonly tokenVariable?: string;
  /**
   * Answers refusals as the MCP authorization specification asks: 401 with
   * `WWW-Authenticate: Bearer resource_metadata="..."` (`error="invalid_token"` for a refused token), 403
   * `insufficient_scope` for a missing scope or role. Off, validate-jwt's own 401 goes out without the
   * challenge, and MCP clients cannot discover the authorization server.
   * @default true
   */
  readonly mcpAuthorization?: boolean;
}

export const TOKEN_COMMON_KEYS = [...RESOURCE_OPTION_KEYS, 'audiences', 'requiredScopes', 'challengeScopes', 'scopeMatch', 'tokenVariable', 'mcpAuthorization'] as const;

export interface CheckedTokenCommon {
  readonly audiences: readonly string[];
  readonly requiredScopes?: readonly string[];
  /** The scopes the 403 challenge names: challengeScopes, else requiredScopes. */
  readonly challengeScopes?: readonly string[];
  readonly scopeMatch: 'all' | 'any';
  readonly tokenVariable: string;
  readonly mcpAuthorization: boolean;
  readonly resource: ResourceOptions;
}

export function checkTokenCommon(where: string, o: Readonly<Record<string, unknown>>): CheckedTokenCommon {
  const audiences = optStringList(where, 'audiences', o.audiences);
  if (audiences === undefined) {
    throw new PolicyError(
      `${where}: option audiences is required: without it any token of the issuer passes, including tokens issued for other APIs`,
    );
  }
  const resource: ResourceOptions = { resourceUrl: o.resourceUrl as string | undefined, mcpPath: o.mcpPath as string | undefined };
  // Checked here even when the challenge is off, so a bad value never waits for the switch to be flipped.
  resourceLocation(where, resource);
  const requiredScopes = optScopes(where, 'requiredScopes', o.requiredScopes);
  const challengeScopes = optScopes(where, 'challengeScopes', o.challengeScopes);
  if (challengeScopes !== undefined && requiredScopes === undefined) {
    throw new PolicyError(`${where}: option challengeScopes needs requiredScopes: without a required scope no 403 names them`);
  }
  return {
    audiences,
    requiredScopes,
    challengeScopes: challengeScopes ?? requiredScopes,
    scopeMatch: optEnum(where, 'scopeMatch', o.scopeMatch, ['all', 'any'], 'all'),
    tokenVariable: optVariableName(where, 'tokenVariable', o.tokenVariable, VARIABLES.token),
    mcpAuthorization: optBoolean(where, 'mcpAuthorization', o.mcpAuthorization, true),
    resource,
  };
}

/** A token validation part and what its challenge needs to know. */
export interface TokenValidation {
  readonly part: Part;
  readonly challenge: Pick<ChallengeConfig, 'requiredScopes'>;
}

/** The standalone document: the validator, and the challenge when MCP authorization is on. */
export function tokenDocument(where: string, validation: TokenValidation, common: CheckedTokenCommon): PolicyDocument {
  const parts: Part[] = [validation.part];
  if (common.mcpAuthorization) {
    parts.push(challengePart({ location: resourceLocation(where, common.resource), ...validation.challenge }));
  }
  return composeParts(parts);
}
