import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { ApiManagementNamedValue } from '@cdktf/provider-azurerm/lib/api-management-named-value';
import { invalid } from '../errors';
import { McpKeyVault } from '../key-vault';
import { NameRule } from '../naming';
import { apimIdRule } from './apim-names';

/**
 * Named value names. The gateway gives a named value the same `name` and `display_name`, so `{{name}}`
 * works whichever of the two a policy reference resolves; the rule is what both accept in azurerm 4.x
 * (`name`: 1-80 letters, digits, '-' and '_', starting and ending with a letter or digit; `display_name`:
 * letters, digits, '.', '-' and '_').
 */
export const NAMED_VALUE_NAME_RULE: NameRule = apimIdRule('named value name');

/**
 * Where a secret named value's content comes from.
 *
 * - `keyVaultSecretUri` (preferred): the gateway reads the secret from Key Vault with its managed identity
 *   (`value_from_key_vault`). A versionless URI (`https://<vault>.vault.azure.net/secrets/<name>`) follows
 *   rotations (APIM refreshes it every four hours); a versioned one pins that version. The gateway is
 *   granted `Key Vault Secrets User` on `keyVault` (default: the gateway's `keyVault` prop).
 * - `value`: the secret itself, stored in the named value and therefore in Terraform state in the clear.
 *   Only with `storeInTerraformState: true`, which says that was meant.
 */
export type SecretNamedValueSource =
  | { readonly keyVaultSecretUri: string; readonly keyVault?: McpKeyVault }
  | { readonly value: string; readonly storeInTerraformState: true };

/** A named value of the gateway. */
export interface McpNamedValue {
  readonly name: string;
  /** `{{name}}`, what a policy writes to use it. */
  readonly reference: string;
  readonly secret: boolean;
  /** True when APIM reads the value from Key Vault. */
  readonly keyVaultBacked: boolean;
  readonly resource: ApiManagementNamedValue;
}

export interface AddNamedValueOptions {
  /** Tags on the named value (APIM's own, for finding it in the portal). @default - none */
  readonly tags?: readonly string[];
}

// https://<vault>.vault.azure.net/secrets/<name>[/<version>] in the public, China and US Government clouds.
const KEY_VAULT_SECRET_URI =
  /^https:\/\/[a-z0-9-]{3,24}\.vault\.(azure\.net|azure\.cn|usgovcloudapi\.net)(:443)?\/secrets\/[A-Za-z0-9-]{1,127}(\/[0-9a-f]{32})?\/?$/i;

/** @internal Checks a Key Vault secret URI that is known at synth (tokens pass). */
export function checkKeyVaultSecretUri(scope: Construct, property: string, uri: string): void {
  if (Token.isUnresolved(uri)) return;
  if (typeof uri !== 'string' || !KEY_VAULT_SECRET_URI.test(uri)) {
    invalid(
      scope,
      property,
      uri,
      'a Key Vault secret URI, https://<vault>.vault.azure.net/secrets/<name> (versionless, to follow rotations) or .../secrets/<name>/<32 hex version>',
    );
  }
}

/** @internal Checks a plain named value's content. */
export function checkPlainValue(scope: Construct, property: string, value: string): void {
  if (Token.isUnresolved(value)) return;
  if (typeof value !== 'string' || value === '' || value.length > 4096) {
    invalid(scope, property, value, 'a non-empty string of at most 4096 characters');
  }
}
