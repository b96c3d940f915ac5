import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { invalid } from '../errors';
import { NameRule, defaultResourceName, shortHash, truncateWithHash, uniqueSuffix, validatedName } from '../naming';
import { BackendKind, McpAppsSubnet, McpNetwork, isCidr } from '../network';

/** Length of the random suffix appended to the app name (after a hyphen) and to the storage account name. */
export const BACKEND_NAME_SUFFIX_LENGTH = 6;

// Microsoft.Web/sites ("Naming rules and restrictions for Azure resources"): 2-60 characters, alphanumerics
// and hyphens, not starting or ending with a hyphen; globally unique (it becomes <name>.azurewebsites.net).
// We accept lower-case only: the name is a host name, and mixed case only invites case-only diffs.
function siteNameRule(minLength: number, maxLength: number, resource: string): NameRule {
  return {
    resource,
    minLength,
    maxLength,
    allowedCharacters: /[a-z0-9-]/,
    allowedDescription: 'lower-case letters, digits and hyphens',
    start: { pattern: /[a-z0-9]/, description: 'a letter or digit' },
    end: { pattern: /[a-z0-9]/, description: 'a letter or digit' },
  };
}

// Microsoft.Storage/storageAccounts: 3-24 lower-case letters and digits, globally unique.
function storageNameRule(minLength: number, maxLength: number, resource: string): NameRule {
  return {
    resource,
    minLength,
    maxLength,
    allowedCharacters: /[a-z0-9]/,
    allowedDescription: 'lower-case letters and digits',
  };
}

/** The Azure names of one backend: the app's, and the names derived from it for its other resources. */
export interface BackendNames {
  /** The literal part of the app name (the whole name without the suffix): construct ids, endpoint names, hints. */
  readonly base: string;
  /** The app name: `<base>-<suffix>`, or `base` without the suffix. */
  readonly app: string;
  /** The storage account name (only when asked for). */
  readonly storage?: string;
  /** The literal part of the storage account name. */
  readonly storageBase?: string;
  /** A resource-group-level name for a companion resource, `<base>-<role>[-<suffix>]`, at most `maxLength` long. */
  derived(role: string, maxLength: number): string;
}

export interface BackendNameProps {
  readonly name?: string;
  readonly uniqueSuffix?: boolean;
  readonly storageAccountName?: string;
}

/**
 * Validates the names a backend was given (or makes deterministic defaults) before anything is created, then
 * creates the random suffix when asked. `prefix` starts default names (`func`, `app`).
 */
export function backendNames(scope: Construct, props: BackendNameProps, prefix: string, withStorage: boolean): BackendNames {
  const suffixed = props.uniqueSuffix ?? true;
  const appRoom = 60 - (suffixed ? BACKEND_NAME_SUFFIX_LENGTH + 1 : 0);
  const base =
    props.name !== undefined
      ? literal(scope, 'name', props.name)
      : defaultResourceName(scope, prefix, appRoom);
  validatedName(
    scope,
    'name',
    base,
    suffixed
      ? siteNameRule(1, appRoom, `app name base (before "-" and the ${BACKEND_NAME_SUFFIX_LENGTH}-character suffix)`)
      : siteNameRule(2, 60, 'app name'),
  );

  const storageRoom = 24 - (suffixed ? BACKEND_NAME_SUFFIX_LENGTH : 0);
  let storageBase: string | undefined;
  if (withStorage) {
    if (props.storageAccountName !== undefined) {
      storageBase = literal(scope, 'storageAccountName', props.storageAccountName);
    } else {
      const letters = base.replace(/[^a-z0-9]/g, '');
      // Without the random suffix a hash of the construct path keeps two backends apart.
      storageBase = suffixed ? `st${letters}`.slice(0, storageRoom) : `st${letters.slice(0, storageRoom - 10)}${shortHash(scope.node.path, 8)}`;
    }
    validatedName(
      scope,
      'storageAccountName',
      storageBase,
      suffixed
        ? storageNameRule(1, storageRoom, `storage account name base (before the ${BACKEND_NAME_SUFFIX_LENGTH}-character suffix)`)
        : storageNameRule(3, 24, 'storage account name'),
    );
  } else if (props.storageAccountName !== undefined) {
    invalid(scope, 'storageAccountName', props.storageAccountName, 'no value: this backend has no storage account');
  }

  const suffix = suffixed ? uniqueSuffix(scope, 'NameSuffix', BACKEND_NAME_SUFFIX_LENGTH) : undefined;
  return {
    base,
    app: suffix === undefined ? base : `${base}-${suffix}`,
    storageBase,
    storage: storageBase === undefined ? undefined : suffix === undefined ? storageBase : `${storageBase}${suffix}`,
    derived(role: string, maxLength: number): string {
      const room = maxLength - (suffix === undefined ? 0 : BACKEND_NAME_SUFFIX_LENGTH + 1);
      const head = truncateWithHash(`${base}-${role}`, room);
      return suffix === undefined ? head : `${head}-${suffix}`;
    },
  };
}

function literal(scope: Construct, property: string, value: string): string {
  if (typeof value !== 'string' || Token.isUnresolved(value)) {
    invalid(scope, property, value, 'a literal name (not a token): it names the endpoint, the private endpoints and the companion resources');
  }
  return value;
}

/**
 * The apps subnet a backend joins: `subnet`, or the network's default one. It must be delegated for `kind`;
 * `why` says, for the error, what `kind` needs and what the subnet is delegated to instead.
 */
export function appsSubnetFor(
  scope: Construct,
  props: { readonly network: McpNetwork; readonly subnet?: McpAppsSubnet },
  kind: BackendKind,
  why: string,
): McpAppsSubnet {
  // Checked here rather than left to `network.apps` (which throws too) so the error names this backend.
  if (props.subnet === undefined && props.network?.defaultAppsSubnet === false) {
    invalid(
      scope,
      'subnet',
      undefined,
      `an apps subnet from addAppsSubnet(id, { backendKind: '${kind}' }) on the network ${props.network.node.path}: ` +
        'it was built with defaultAppsSubnet: false, so it has no default apps subnet (network.apps) to fall back on',
    );
  }
  const subnet = props.subnet ?? props.network?.apps;
  if (subnet?.backendKind !== kind) {
    invalid(
      scope,
      props.subnet ? 'subnet' : 'network',
      subnet?.backendKind,
      `an apps subnet of kind '${kind}' (McpNetwork backendKind, or addAppsSubnet(id, { backendKind: '${kind}' })): ${why}`,
    );
  }
  return subnet;
}

/** What the app's public endpoint accepts in one phase of the lock-down. */
export interface PublicAccessSettings {
  readonly publicNetworkAccessEnabled: boolean;
  /** Main site: nobody from the internet, in either phase (private endpoint traffic skips access restrictions). */
  readonly ipRestrictionDefaultAction: 'Deny';
  /** Deployment (SCM) site: open to the deployer in phase 1 (narrowed to `deployerIpRanges` when given), closed in phase 2. */
  readonly scmIpRestrictionDefaultAction: 'Allow' | 'Deny';
  readonly scmIpRestriction: {
    readonly name: string;
    readonly ipAddress: string;
    readonly action: 'Allow';
    readonly priority: number;
    readonly description: string;
  }[];
}

/**
 * The two phases of the lock-down. Phase 1 (`lockDown` false) keeps public network access on so code can
 * be pushed to the deployment (SCM) site from a workstation, while the main site refuses every public
 * request; phase 2 turns public network access off for both, leaving the private endpoint as the only way in.
 */
export function publicAccess(scope: Construct, lockDown: boolean, deployerIpRanges: readonly string[] | undefined): PublicAccessSettings {
  if (typeof lockDown !== 'boolean') invalid(scope, 'lockDown', lockDown, 'true or false');
  if (deployerIpRanges !== undefined) {
    if (lockDown) {
      invalid(scope, 'deployerIpRanges', deployerIpRanges, 'no value with lockDown: true (the deployment site then accepts no public traffic at all)');
    }
    if (!Array.isArray(deployerIpRanges) || deployerIpRanges.length === 0) {
      invalid(scope, 'deployerIpRanges', deployerIpRanges, 'at least one IPv4 CIDR block, or leave it out to let any address reach the deployment site');
    }
    const seen = new Set<string>();
    for (const range of deployerIpRanges) {
      if (Token.isUnresolved(range) || !isCidr(range) || range.endsWith('/0') || seen.has(range)) {
        invalid(scope, 'deployerIpRanges', range, 'distinct literal IPv4 CIDR blocks narrower than /0, for example 203.0.113.7/32');
      }
      seen.add(range);
    }
  }
  if (lockDown) {
    return { publicNetworkAccessEnabled: false, ipRestrictionDefaultAction: 'Deny', scmIpRestrictionDefaultAction: 'Deny', scmIpRestriction: [] };
  }
  const ranges = deployerIpRanges ?? [];
  return {
    publicNetworkAccessEnabled: true,
    ipRestrictionDefaultAction: 'Deny',
    scmIpRestrictionDefaultAction: ranges.length > 0 ? 'Deny' : 'Allow',
    scmIpRestriction: ranges.map((ipAddress, i) => ({
      name: `deployer-${i + 1}`,
      ipAddress,
      action: 'Allow' as const,
      priority: 100 + i,
      description: 'Code deployment from a workstation before lockDown',
    })),
  };
}

/** App setting names: letters, digits, periods and underscores ("Configure an App Service app", app settings). */
export const APP_SETTING_NAME = /^[A-Za-z0-9_.]+$/;
export const APP_SETTING_NAME_ACCEPTED = 'a setting name of letters, digits, "." and "_" only (App Service app setting names)';

/** Values of app settings that must never hold a credential in the clear. */
const CREDENTIAL_PATTERNS: readonly RegExp[] = [
  /AccountKey=/i,
  /SharedAccessKey=/i,
  /SharedAccessSignature=/i,
  /(^|;)\s*(Password|Pwd)\s*=/i,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----/,
];

/**
 * Checks plain app settings: no name the construct sets itself, and no value that looks like a credential
 * (storage keys, SAS, connection-string passwords, private keys). Secrets belong in Key Vault.
 */
export function checkAppSettings(
  scope: Construct,
  settings: Readonly<Record<string, string>> | undefined,
  reserved: readonly string[],
  secretAdvice: string,
): void {
  if (settings === undefined) return;
  const taken = new Set(reserved.map((r) => r.toLowerCase()));
  for (const [name, value] of Object.entries(settings)) {
    if (!APP_SETTING_NAME.test(name)) {
      invalid(scope, 'appSettings', name, APP_SETTING_NAME_ACCEPTED);
    }
    if (taken.has(name.toLowerCase()) || name.toLowerCase().startsWith('azurewebjobsstorage')) {
      invalid(scope, 'appSettings', name, `a name the construct does not set itself (it sets ${reserved.join(', ')})`);
    }
    if (typeof value !== 'string') invalid(scope, `appSettings.${name}`, value, 'a string');
    if (!Token.isUnresolved(value) && CREDENTIAL_PATTERNS.some((p) => p.test(value))) {
      // The value is not echoed: it looks like a secret.
      invalid(scope, `appSettings.${name}`, '(value withheld: it looks like a credential)', secretAdvice);
    }
  }
}
