/**
 * Token and credential policies: validate-jwt, validate-azure-ad-token, authentication-managed-identity,
 * authentication-basic, authentication-certificate.
 *
 * Attribute order, expression support and defaults follow Microsoft's APIM policy reference; element and
 * attribute names follow the schemas in shared/apim-xsd where the two differ.
 */
import { PolicyError, show } from '../errors';
import { AllowedIn } from '../sections';
import { ElementNode, Policy, element, policy, text } from '../model';
import { Expression, LiteralInput, Value, ValueInput, toValue } from '../value';
import {
  Attr,
  INT32_MAX,
  boolLiteral,
  boolValue,
  countSet,
  enumValue,
  failureStatus,
  headerNameValue,
  intValue,
  listElement,
  nonEmptyList,
  plainText,
  present,
  textLiteral,
  textValue,
  variableName,
  opt,
} from './internal/inputs';

// ---------------------------------------------------------------------------------------------------------
// Shared parts of the two token validators

/** `all`: every listed value must be in the token; `any`: at least one. */
export type ClaimMatch = 'all' | 'any';

/** A `<claim>` under `<required-claims>`. */
export interface RequiredClaim {
  /** Claim name as it appears in the token. Policy expressions are allowed. */
  readonly name: ValueInput;
  /**
   * Whether the token must carry all the values or any one of them.
   * @default 'all'
   */
  readonly match?: ClaimMatch | Expression;
  /**
   * Separator for a claim that carries several values in one string (for example `,` or ` ` for `scp`).
   * @default - the claim is one value
   */
  readonly separator?: ValueInput;
  /**
   * Accepted values.
   * @default - none: the claim only has to be present
   */
  readonly values?: readonly ValueInput[];
}

function requiredClaims(claims: readonly RequiredClaim[] | undefined, owner: string): ElementNode | undefined {
  const list = nonEmptyList(claims, `${owner} requiredClaims`, 'omit it when no claim is required');
  if (list === undefined) return undefined;
  return element(
    'required-claims',
    [],
    list.map((claim, i) => {
      const where = `${owner} claim[${i}]`;
      const values = nonEmptyList(claim.values, `${where} values`, 'omit values to require only the claim') ?? [];
      return element(
        'claim',
        [
          ['name', textValue(claim.name, `${where} name`)],
          ['match', opt(claim.match, (v) => enumValue(v, `${where} match`, ['all', 'any']))],
          ['separator', opt(claim.separator, (v) => separator(v, `${where} separator`))],
        ],
        values.map((v, j) => element('value', [], [text(toValue(v, `${where} value[${j}]`))])),
      );
    }),
  );
}

/** A claim separator may be a space (`scp` is space-separated), but not empty. */
function separator(input: ValueInput, where: string): Value {
  if (plainText(input) === '') throw new PolicyError(`${where} must not be empty; omit it for a single-valued claim`);
  return toValue(input, where);
}

interface TokenSource {
  readonly headerName?: ValueInput;
  readonly queryParameterName?: ValueInput;
  readonly tokenValue?: ValueInput;
}

function tokenSource(props: TokenSource, owner: string): Attr[] {
  return [
    ['header-name', opt(props.headerName, (v) => headerNameValue(v, `${owner} header-name`))],
    ['query-parameter-name', opt(props.queryParameterName, (v) => textValue(v, `${owner} query-parameter-name`))],
    ['token-value', opt(props.tokenValue, (v) => textValue(v, `${owner} token-value`))],
  ];
}

function sourceCount(props: TokenSource): number {
  return countSet([props.headerName, props.queryParameterName, props.tokenValue]);
}

// ---------------------------------------------------------------------------------------------------------
// validate-jwt

/**
 * A key under `<issuer-signing-keys>`: exactly one of `value` (a Base64 symmetric key, normally a named
 * value), `certificateId`, or the RSA pair `n` + `e`. All literal.
 */
export interface JwtSigningKey {
  /**
   * Matched against the token's `kid` header.
   * @default - the key is tried for every token
   */
  readonly id?: LiteralInput;
  /**
   * Base64-encoded symmetric key. Keep it in a Key Vault-backed named value, never as literal text.
   * @default - not used
   */
  readonly value?: LiteralInput;
  /**
   * Identifier of a certificate uploaded to API Management, holding the public key.
   * @default - not used
   */
  readonly certificateId?: LiteralInput;
  /**
   * RSA modulus, Base64url; needs `e`.
   * @default - not used
   */
  readonly n?: LiteralInput;
  /**
   * RSA exponent, Base64url; needs `n`.
   * @default - not used
   */
  readonly e?: LiteralInput;
}

/**
 * A key under `<decryption-keys>`: exactly one of `value` or `certificateId`. The reference also shows
 * `n` / `e` here, but the schema only allows `id` and `certificate-id` on a decryption key.
 */
export interface JwtDecryptionKey {
  /**
   * Matched against the token's `kid` header.
   * @default - the key is tried for every token
   */
  readonly id?: LiteralInput;
  /**
   * Base64-encoded key; keep it in a Key Vault-backed named value.
   * @default - not used
   */
  readonly value?: LiteralInput;
  /**
   * Identifier of a certificate uploaded to API Management.
   * @default - not used
   */
  readonly certificateId?: LiteralInput;
}

export interface ValidateJwtProps {
  /**
   * HTTP header holding the token; give exactly one of `headerName`, `queryParameterName`, `tokenValue`.
   * Policy expressions are allowed.
   * @default - not used
   */
  readonly headerName?: ValueInput;
  /**
   * Query parameter holding the token. Tokens in URLs end up in logs; prefer a header.
   * @default - not used
   */
  readonly queryParameterName?: ValueInput;
  /**
   * The token itself, usually an expression (without the `Bearer ` prefix).
   * @default - not used
   */
  readonly tokenValue?: ValueInput;
  /**
   * Status code answered when validation fails (400-599). Policy expressions are allowed.
   * @default 401
   */
  readonly failedValidationHttpcode?: ValueInput;
  /**
   * Response body text when validation fails. Policy expressions are allowed.
   * @default - a message naming the failure, such as "JWT not present."
   */
  readonly failedValidationErrorMessage?: ValueInput;
  /**
   * Whether the token must carry an `exp` claim. Policy expressions are allowed.
   * @default true
   */
  readonly requireExpirationTime?: ValueInput;
  /**
   * Token scheme the `Authorization` header must use, e.g. `Bearer`. APIM ignores it for any other
   * header, so it is refused with a different literal `headerName`.
   * @default - any scheme
   */
  readonly requireScheme?: ValueInput;
  /**
   * Whether the token must be signed. Policy expressions are allowed.
   * @default true
   */
  readonly requireSignedTokens?: ValueInput;
  /**
   * Tolerated clock difference with the issuer, in seconds. Policy expressions are allowed.
   * @default 0
   */
  readonly clockSkew?: ValueInput;
  /**
   * Context variable that receives the validated token as a `Jwt`. Literal only.
   * @default - not stored
   */
  readonly outputTokenVariableName?: LiteralInput;
  /**
   * OpenID configuration URLs (https) from which signing keys and issuer are read. Literal only.
   * @default - none (give these or `issuerSigningKeys`)
   */
  readonly openidConfigUrls?: readonly LiteralInput[];
  /**
   * Keys that may have signed the token.
   * @default - none (give these or `openidConfigUrls`)
   */
  readonly issuerSigningKeys?: readonly JwtSigningKey[];
  /**
   * Keys to decrypt encrypted tokens.
   * @default - none
   */
  readonly decryptionKeys?: readonly JwtDecryptionKey[];
  /**
   * Accepted `aud` values. Without audiences any token of the issuer passes, including tokens minted for
   * other resources: give them (the policy linter flags their absence). Policy expressions are allowed.
   * @default - the audience is not checked
   */
  readonly audiences?: readonly ValueInput[];
  /**
   * Accepted `iss` values. The reference is silent on expressions here; the C# policy toolkit allows them.
   * @default - the issuer from the OpenID configuration, or not checked
   */
  readonly issuers?: readonly ValueInput[];
  /**
   * Claims the token must carry.
   * @default - none
   */
  readonly requiredClaims?: readonly RequiredClaim[];
}

/**
 * `<validate-jwt>`: requires a valid JWT. The schema also has `issuer-signing-tokens`, `zumo-master-key`
 * and an `openid-config` `host` attribute, which the reference does not document; they are not offered.
 */
export function validateJwt(props: ValidateJwtProps): Policy<AllowedIn<'validate-jwt'>> {
  const owner = '<validate-jwt>';
  if (sourceCount(props) !== 1) {
    const given = {
      headerName: str(props.headerName),
      queryParameterName: str(props.queryParameterName),
      tokenValue: str(props.tokenValue),
    };
    throw new PolicyError(
      `${owner} needs exactly one of headerName, queryParameterName or tokenValue, got ${sourceCount(props)} (${show(given)})`,
    );
  }
  const openid = nonEmptyList(props.openidConfigUrls, `${owner} openidConfigUrls`, 'omit it and give issuerSigningKeys');
  const signingKeys = nonEmptyList(props.issuerSigningKeys, `${owner} issuerSigningKeys`, 'omit it and give openidConfigUrls');
  if (openid === undefined && signingKeys === undefined) {
    throw new PolicyError(
      `${owner} has no way to check signatures: give openidConfigUrls (keys from the issuer's OpenID configuration) ` +
        'or issuerSigningKeys',
    );
  }
  if (props.requireScheme !== undefined) {
    const header = plainText(props.headerName);
    if (props.headerName === undefined || (header !== undefined && header.toLowerCase() !== 'authorization')) {
      const instead = props.headerName === undefined ? 'a query parameter or token value' : `header-name ${show(header)}`;
      throw new PolicyError(
        `${owner} require-scheme ${show(str(props.requireScheme))} only applies to the Authorization header; ` +
          `APIM ignores it with ${instead}`,
      );
    }
  }
  const decryption = nonEmptyList(props.decryptionKeys, `${owner} decryptionKeys`, 'omit it when tokens are not encrypted');
  const audiences = nonEmptyList(props.audiences, `${owner} audiences`, 'omit it only if the audience is checked elsewhere');
  const issuers = nonEmptyList(props.issuers, `${owner} issuers`, 'omit it to accept the issuer of the OpenID configuration');

  const children = present<ElementNode>([
    ...(openid ?? []).map((url, i) => element('openid-config', [['url', httpsUrl(url, `${owner} openid-config[${i}] url`)]])),
    signingKeys &&
      element(
        'issuer-signing-keys',
        [],
        signingKeys.map((k, i) => signingKey(k, `${owner} issuer-signing-key[${i}]`)),
      ),
    decryption &&
      element(
        'decryption-keys',
        [],
        decryption.map((k, i) => decryptionKey(k, `${owner} decryption-key[${i}]`)),
      ),
    listElement('audiences', 'audience', audiences?.map((a, i) => textValue(a, `${owner} audience[${i}]`))),
    listElement('issuers', 'issuer', issuers?.map((a, i) => textValue(a, `${owner} issuer[${i}]`))),
    requiredClaims(props.requiredClaims, owner),
  ]);
  return policy(element(
    'validate-jwt',
    [
      ...tokenSource(props, owner),
      ...failure(props, owner),
      ['require-expiration-time', opt(props.requireExpirationTime, (v) => boolValue(v, `${owner} require-expiration-time`))],
      ['require-scheme', opt(props.requireScheme, (v) => textValue(v, `${owner} require-scheme`))],
      ['require-signed-tokens', opt(props.requireSignedTokens, (v) => boolValue(v, `${owner} require-signed-tokens`))],
      ['clock-skew', opt(props.clockSkew, (v) => intValue(v, `${owner} clock-skew`, { min: 0, max: INT32_MAX }))],
      ['output-token-variable-name', outputVariable(props.outputTokenVariableName, owner)],
    ],
    children,
  ));
}

function str(v: ValueInput | undefined): string | undefined {
  return v === undefined ? undefined : String(v);
}

interface FailureProps {
  readonly failedValidationHttpcode?: ValueInput;
  readonly failedValidationErrorMessage?: ValueInput;
}

function failure(props: FailureProps, owner: string): Attr[] {
  return [
    [
      'failed-validation-httpcode',
      opt(props.failedValidationHttpcode, (v) => failureStatus(v, `${owner} failed-validation-httpcode`)),
    ],
    [
      'failed-validation-error-message',
      opt(props.failedValidationErrorMessage, (v) => toValue(v, `${owner} failed-validation-error-message`)),
    ],
  ];
}

function outputVariable(input: LiteralInput | undefined, owner: string): Value | undefined {
  return opt(input, (v) => variableName(v, `${owner} output-token-variable-name`));
}

function signingKey(key: JwtSigningKey, where: string): ElementNode {
  const rsa = key.n !== undefined || key.e !== undefined ? true : undefined;
  const sources = countSet([key.value, key.certificateId, rsa]);
  if (sources !== 1) {
    throw new PolicyError(`${where} needs exactly one of value, certificateId or the pair n + e, got ${sources}`);
  }
  if ((key.n === undefined) !== (key.e === undefined)) {
    throw new PolicyError(`${where} needs both n (modulus) and e (exponent), got only ${key.n === undefined ? 'e' : 'n'}`);
  }
  return element(
    'key',
    [
      ['id', opt(key.id, (v) => textLiteral(v, `${where} id`))],
      ['certificate-id', opt(key.certificateId, (v) => textLiteral(v, `${where} certificate-id`))],
      ['n', opt(key.n, (v) => textLiteral(v, `${where} n`))],
      ['e', opt(key.e, (v) => textLiteral(v, `${where} e`))],
    ],
    key.value === undefined ? [] : [text(textLiteral(key.value, `${where} value`))],
  );
}

function decryptionKey(key: JwtDecryptionKey, where: string): ElementNode {
  if (countSet([key.value, key.certificateId]) !== 1) {
    throw new PolicyError(`${where} needs exactly one of value or certificateId`);
  }
  return element(
    'key',
    [
      ['id', opt(key.id, (v) => textLiteral(v, `${where} id`))],
      ['certificate-id', opt(key.certificateId, (v) => textLiteral(v, `${where} certificate-id`))],
    ],
    key.value === undefined ? [] : [text(textLiteral(key.value, `${where} value`))],
  );
}

/** An https URL, read literally: keys fetched over plain http could be swapped by anyone on the path. */
function httpsUrl(input: LiteralInput, where: string): Value {
  const value = textLiteral(input, where);
  const plain = plainText(input);
  if (plain !== undefined) {
    let ok = false;
    try {
      ok = new URL(plain).protocol === 'https:';
    } catch {
      ok = false;
    }
    if (!ok) throw new PolicyError(`${where} must be an https URL, got ${show(plain)}`);
  }
  return value;
}

// ---------------------------------------------------------------------------------------------------------
// validate-azure-ad-token

export interface ValidateAzureAdTokenProps {
  /**
   * Tenant ID or URL of the Microsoft Entra tenant, or `organizations` / `common`. Policy expressions are
   * allowed.
   */
  readonly tenantId: ValueInput;
  /**
   * HTTP header holding the token; give at most one of `headerName`, `queryParameterName`, `tokenValue`.
   * @default - the Authorization header (Bearer scheme)
   */
  readonly headerName?: ValueInput;
  /**
   * Query parameter holding the token. Tokens in URLs end up in logs; prefer a header.
   * @default - not used
   */
  readonly queryParameterName?: ValueInput;
  /**
   * The token itself, usually an expression (without the `Bearer ` prefix).
   * @default - not used
   */
  readonly tokenValue?: ValueInput;
  /**
   * Microsoft Entra endpoint for a sovereign cloud (`https://` optional). The reference is silent on
   * expressions here; taken literally.
   * @default - the global cloud, login.microsoftonline.com
   */
  readonly authenticationEndpoint?: LiteralInput;
  /**
   * Status code answered when validation fails (400-599). Policy expressions are allowed.
   * @default 401
   */
  readonly failedValidationHttpcode?: ValueInput;
  /**
   * Response body text when validation fails. Policy expressions are allowed.
   * @default - a message naming the failure, such as "JWT not present."
   */
  readonly failedValidationErrorMessage?: ValueInput;
  /**
   * Context variable that receives the validated token as a `Jwt`. Literal only.
   * @default - not stored
   */
  readonly outputTokenVariableName?: LiteralInput;
  /**
   * Accepted client application (`azp` / `appid`) IDs. Literal only. Give these, `audiences`, or both.
   * @default - any client
   */
  readonly clientApplicationIds?: readonly LiteralInput[];
  /**
   * Accepted backend application IDs; only needed in advanced cases. Literal only.
   * @default - none
   */
  readonly backendApplicationIds?: readonly LiteralInput[];
  /**
   * Accepted `aud` values. Policy expressions are allowed. Give these, `clientApplicationIds`, or both.
   * @default - the audience is not checked
   */
  readonly audiences?: readonly ValueInput[];
  /**
   * Claims the token must carry.
   * @default - none
   */
  readonly requiredClaims?: readonly RequiredClaim[];
  /**
   * Certificate IDs (in API Management) of the keys that decrypt encrypted tokens.
   * @default - none
   */
  readonly decryptionKeyCertificateIds?: readonly LiteralInput[];
}

/**
 * `<validate-azure-ad-token>`: requires a valid Microsoft Entra token. The schema also has
 * `require-scheme`, `allow-protected-forwarded-tokens` and `allow-proof-of-possession-tokens`, which the
 * reference does not document; they are not offered.
 */
export function validateAzureAdToken(props: ValidateAzureAdTokenProps): Policy<AllowedIn<'validate-azure-ad-token'>> {
  const owner = '<validate-azure-ad-token>';
  if (sourceCount(props) > 1) {
    throw new PolicyError(
      `${owner} takes at most one of headerName, queryParameterName or tokenValue, got ${sourceCount(props)}`,
    );
  }
  const clients = nonEmptyList(props.clientApplicationIds, `${owner} clientApplicationIds`, 'omit it and give audiences instead');
  const audiences = nonEmptyList(props.audiences, `${owner} audiences`, 'omit it and give clientApplicationIds instead');
  if (clients === undefined && audiences === undefined) {
    throw new PolicyError(
      `${owner} needs clientApplicationIds or audiences: without either, any token the tenant issues passes, ` +
        'whatever application it was issued for',
    );
  }
  const backends = nonEmptyList(props.backendApplicationIds, `${owner} backendApplicationIds`, 'omit it; it is rarely needed');
  const decryption = nonEmptyList(
    props.decryptionKeyCertificateIds,
    `${owner} decryptionKeyCertificateIds`,
    'omit it when tokens are not encrypted',
  );
  const appIds = (ids: readonly LiteralInput[] | undefined, kind: string) =>
    ids?.map((id, i) => textLiteral(id, `${owner} ${kind} application-id[${i}]`));
  const children = present<ElementNode>([
    listElement('client-application-ids', 'application-id', appIds(clients, 'client')),
    listElement('backend-application-ids', 'application-id', appIds(backends, 'backend')),
    listElement('audiences', 'audience', audiences?.map((a, i) => textValue(a, `${owner} audience[${i}]`))),
    requiredClaims(props.requiredClaims, owner),
    decryption &&
      element(
        'decryption-keys',
        [],
        decryption.map((id, i) =>
          element('key', [['certificate-id', textLiteral(id, `${owner} decryption-key[${i}] certificate-id`)]]),
        ),
      ),
  ]);
  return policy(element(
    'validate-azure-ad-token',
    [
      ['tenant-id', textValue(props.tenantId, `${owner} tenant-id`)],
      ...tokenSource(props, owner),
      ['authentication-endpoint', opt(props.authenticationEndpoint, (v) => textLiteral(v, `${owner} authentication-endpoint`))],
      ...failure(props, owner),
      ['output-token-variable-name', outputVariable(props.outputTokenVariableName, owner)],
    ],
    children,
  ));
}

// ---------------------------------------------------------------------------------------------------------
// authentication-managed-identity

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface AuthenticationManagedIdentityProps {
  /**
   * Application ID or ID URI of the target resource, e.g. `https://cognitiveservices.azure.com`. Policy
   * expressions are allowed.
   */
  readonly resource: ValueInput;
  /**
   * Client ID (a GUID) of a user-assigned identity. Literal only.
   * @default - the system-assigned identity
   */
  readonly clientId?: LiteralInput;
  /**
   * Context variable that receives the token as a string, instead of the `Authorization` header being
   * set. Literal only.
   * @default - not stored; the token goes into `Authorization: Bearer`
   */
  readonly outputTokenVariableName?: LiteralInput;
  /**
   * Whether the pipeline continues when no token is obtained. Literal only.
   * @default false
   */
  readonly ignoreError?: LiteralInput;
}

/** `<authentication-managed-identity>`: authenticates to the backend with the gateway's managed identity. */
export function authenticationManagedIdentity(
  props: AuthenticationManagedIdentityProps,
): Policy<AllowedIn<'authentication-managed-identity'>> {
  const owner = '<authentication-managed-identity>';
  let clientId: Value | undefined;
  if (props.clientId !== undefined) {
    clientId = textLiteral(props.clientId, `${owner} client-id`);
    const plain = plainText(props.clientId);
    if (plain !== undefined && !GUID.test(plain)) {
      throw new PolicyError(`${owner} client-id must be the identity's client ID, a GUID, got ${show(plain)}`);
    }
  }
  return policy(element('authentication-managed-identity', [
    ['resource', textValue(props.resource, `${owner} resource`)],
    ['client-id', clientId],
    ['output-token-variable-name', outputVariable(props.outputTokenVariableName, owner)],
    ['ignore-error', opt(props.ignoreError, (v) => boolLiteral(v, `${owner} ignore-error`))],
  ]));
}

// ---------------------------------------------------------------------------------------------------------
// authentication-basic

export interface AuthenticationBasicProps {
  /** User name of the Basic credential. Policy expressions are allowed. */
  readonly username: ValueInput;
  /**
   * Password of the Basic credential. Policy expressions are allowed. Pass a Key Vault-backed
   * `namedValue(...)`: literal text would put the secret in the policy XML for anyone who can read it.
   */
  readonly password: ValueInput;
}

/** `<authentication-basic>`: sets `Authorization: Basic` for the backend call. */
export function authenticationBasic(props: AuthenticationBasicProps): Policy<AllowedIn<'authentication-basic'>> {
  const owner = '<authentication-basic>';
  const username = textValue(props.username, `${owner} username`);
  if (plainText(props.username)?.includes(':')) {
    throw new PolicyError(`${owner} username ${show(props.username)} contains ':', the Basic authentication separator`);
  }
  return policy(element('authentication-basic', [
    ['username', username],
    ['password', textValue(props.password, `${owner} password`)],
  ]));
}

// ---------------------------------------------------------------------------------------------------------
// authentication-certificate

export interface AuthenticationCertificateProps {
  /**
   * Thumbprint (40 hex digits) of a certificate in API Management; give exactly one of `thumbprint`,
   * `certificateId` or `body`. Prefer `certificateId` for Key Vault certificates: their thumbprint changes
   * on rotation. Policy expressions are allowed.
   * @default - not used
   */
  readonly thumbprint?: ValueInput;
  /**
   * Certificate resource name in API Management. Policy expressions are allowed.
   * @default - not used
   */
  readonly certificateId?: ValueInput;
  /**
   * The certificate as a byte array, usually an expression. Policy expressions are allowed.
   * @default - not used
   */
  readonly body?: ValueInput;
  /**
   * Password of the certificate in `body`; a named value or expression rather than literal text.
   * @default - no password
   */
  readonly password?: ValueInput;
}

/** `<authentication-certificate>`: presents a client certificate to the backend. */
export function authenticationCertificate(
  props: AuthenticationCertificateProps,
): Policy<AllowedIn<'authentication-certificate'>> {
  const owner = '<authentication-certificate>';
  const sources = countSet([props.thumbprint, props.certificateId, props.body]);
  if (sources !== 1) {
    throw new PolicyError(`${owner} needs exactly one of thumbprint, certificateId or body, got ${sources}`);
  }
  if (props.password !== undefined && props.body === undefined) {
    throw new PolicyError(`${owner} password only applies to a certificate given in body`);
  }
  let thumbprint: Value | undefined;
  if (props.thumbprint !== undefined) {
    thumbprint = textValue(props.thumbprint, `${owner} thumbprint`);
    const plain = plainText(props.thumbprint);
    if (plain !== undefined && !/^[0-9A-Fa-f]{40}$/.test(plain)) {
      throw new PolicyError(`${owner} thumbprint must be 40 hexadecimal digits (SHA-1), got ${show(plain)}`);
    }
  }
  return policy(element('authentication-certificate', [
    ['thumbprint', thumbprint],
    ['certificate-id', opt(props.certificateId, (v) => textValue(v, `${owner} certificate-id`))],
    ['body', opt(props.body, (v) => textValue(v, `${owner} body`))],
    ['password', opt(props.password, (v) => textValue(v, `${owner} password`))],
  ]));
}
