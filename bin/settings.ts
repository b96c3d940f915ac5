/**
 * The reference deployment's settings: each from an environment variable, else from `cdktf.json` context, else
 * its default; parsed and checked here so that a bad value stops synth with one error that names the setting,
 * where it came from, the value and what is accepted.
 */
import { EMAIL_PATTERN, LOCATION_ACCEPTED, LOCATION_PATTERN, NAME_PREFIX_ACCEPTED, NAME_PREFIX_PATTERN } from '../lib/constructs/secure-mcp-gateway';

/** Where the Terraform state lives when it is not local: an Azure Storage blob, read with Entra ID. */
export interface RemoteStateSettings {
  readonly storageAccount: string;
  readonly container: string;
  /** The blob name. */
  readonly key: string;
  /** @default - none (not needed with Entra ID authentication) */
  readonly resourceGroup?: string;
}

export interface Settings {
  readonly location: string;
  readonly namePrefix: string;
  readonly publisherName: string;
  readonly publisherEmail: string;
  /** Who the alerts e-mail; empty for nobody. */
  readonly alertEmails: readonly string[];
  readonly lockDown: boolean;
  /** MCP servers, alternating Functions and App Service, starting with Functions. */
  readonly serverCount: number;
  /** Remote state; undefined for local state. */
  readonly remoteState?: RemoteStateSettings;
}

export type SettingKey =
  | 'location'
  | 'namePrefix'
  | 'publisherName'
  | 'publisherEmail'
  | 'alertEmail'
  | 'lockDown'
  | 'serverCount'
  | 'stateStorageAccount'
  | 'stateContainer'
  | 'stateKey'
  | 'stateResourceGroup';

/** One setting: its context key, environment variable, default and what it accepts (the README's table). */
export interface SettingDefinition {
  readonly key: SettingKey;
  readonly env: string;
  /** The default as text; undefined when there is none. */
  readonly default?: string;
  readonly accepted: string;
  readonly description: string;
}

export const MIN_SERVERS = 1;
export const MAX_SERVERS = 200;
export const DEFAULT_STATE_KEY = 'azure-mcp-gateway.tfstate';

const BOOLEAN_ACCEPTED = 'true or false (also 1 or 0)';
const EMAIL_ACCEPTED = 'an e-mail address such as platform@example.com';

export const SETTING_DEFINITIONS: readonly SettingDefinition[] = [
  { key: 'location', env: 'MCP_LOCATION', default: 'westeurope', accepted: LOCATION_ACCEPTED, description: 'Azure region of the resource group and everything in it' },
  { key: 'namePrefix', env: 'MCP_NAME_PREFIX', default: 'mcpgw', accepted: NAME_PREFIX_ACCEPTED, description: 'Start of every Azure name' },
  { key: 'publisherName', env: 'MCP_PUBLISHER_NAME', default: 'MCP platform team', accepted: '1-100 characters', description: 'API Management publisher name' },
  {
    key: 'publisherEmail',
    env: 'MCP_PUBLISHER_EMAIL',
    default: 'mcp-platform@example.com',
    accepted: EMAIL_ACCEPTED,
    description: 'Where API Management sends service notifications (set your own)',
  },
  {
    key: 'alertEmail',
    env: 'MCP_ALERT_EMAIL',
    accepted: 'an e-mail address, or several separated by commas',
    description: 'Who the four MCP alerts e-mail (default: nobody)',
  },
  { key: 'lockDown', env: 'MCP_LOCK_DOWN', default: 'false', accepted: BOOLEAN_ACCEPTED, description: 'Phase 2: public network access off on every backend' },
  {
    key: 'serverCount',
    env: 'MCP_SERVER_COUNT',
    default: '2',
    accepted: `an integer from ${MIN_SERVERS} to ${MAX_SERVERS}`,
    description: 'MCP servers behind the gateway, alternating Functions (func-1, func-2, ...) and App Service (app-1, ...)',
  },
  {
    key: 'stateStorageAccount',
    env: 'MCP_STATE_STORAGE_ACCOUNT',
    accepted: '3-24 lower-case letters and digits',
    description: 'Remote state: the storage account (setting it switches from local state)',
  },
  {
    key: 'stateContainer',
    env: 'MCP_STATE_CONTAINER',
    accepted: '3-63 lower-case letters, digits and single hyphens, starting and ending with a letter or digit',
    description: 'Remote state: the blob container (required with remote state)',
  },
  {
    key: 'stateKey',
    env: 'MCP_STATE_KEY',
    default: DEFAULT_STATE_KEY,
    accepted: "a blob name: 1-1024 letters, digits, '.', '_', '-' and '/', not starting or ending with '/'",
    description: 'Remote state: the blob holding the state',
  },
  {
    key: 'stateResourceGroup',
    env: 'MCP_STATE_RESOURCE_GROUP',
    accepted: "1-90 letters, digits, '_', '.', '(', ')' and '-', not ending with '.'",
    description: "Remote state: the storage account's resource group (optional with Entra ID authentication)",
  },
];

const DEFINITIONS = Object.fromEntries(SETTING_DEFINITIONS.map((d) => [d.key, d])) as Record<SettingKey, SettingDefinition>;

/** Where a setting's value came from. */
export type SettingOrigin = 'environment' | 'context' | 'default';

/** A bad setting: which one, where it came from, the value and what is accepted. */
export class SettingsError extends Error {
  constructor(
    readonly setting: SettingKey,
    readonly origin: SettingOrigin | 'missing',
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`invalid setting ${setting} (${describeOrigin(setting, origin)}): ${describeValue(value)}: expected ${accepted}`);
    this.name = 'SettingsError';
  }
}

function describeOrigin(setting: SettingKey, origin: SettingOrigin | 'missing'): string {
  const d = DEFINITIONS[setting];
  switch (origin) {
    case 'environment':
      return `environment variable ${d.env}`;
    case 'context':
      return `cdktf.json context "${d.key}"`;
    case 'default':
      return 'default';
    case 'missing':
      return `set neither environment variable ${d.env} nor cdktf.json context "${d.key}"`;
  }
}

function describeValue(value: unknown): string {
  if (value === undefined) return 'no value';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}

/** What settings are read from. */
export interface SettingsSources {
  /** Context lookup, normally `key => app.node.tryGetContext(key)`. @default - no context */
  readonly context?: (key: string) => unknown;
  /** @default - no environment variables */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

interface Raw {
  readonly value: unknown;
  readonly origin: SettingOrigin;
}

/**
 * The settings: environment variable over context over default. An empty (or blank) environment variable counts
 * as unset, as in `MCP_LOCK_DOWN= npm run synth`.
 */
export function readSettings(sources: SettingsSources = {}): Settings {
  const raw = (key: SettingKey): Raw | undefined => {
    const d = DEFINITIONS[key];
    const fromEnv = sources.env?.[d.env];
    if (fromEnv !== undefined && fromEnv.trim() !== '') return { value: fromEnv, origin: 'environment' };
    const fromContext = sources.context?.(key);
    if (fromContext !== undefined && fromContext !== null) return { value: fromContext, origin: 'context' };
    return d.default === undefined ? undefined : { value: d.default, origin: 'default' };
  };
  const text = (key: SettingKey, check: (v: string) => boolean): string | undefined => {
    const r = raw(key);
    if (r === undefined) return undefined;
    const v = typeof r.value === 'string' ? r.value.trim() : r.value;
    if (typeof v !== 'string' || !check(v)) throw new SettingsError(key, r.origin, r.value, DEFINITIONS[key].accepted);
    return v;
  };
  const required = (key: SettingKey, check: (v: string) => boolean): string => text(key, check) as string;

  const location = required('location', (v) => LOCATION_PATTERN.test(v));
  const namePrefix = required('namePrefix', (v) => NAME_PREFIX_PATTERN.test(v));
  const publisherName = required('publisherName', (v) => v.length >= 1 && v.length <= 100);
  const publisherEmail = required('publisherEmail', (v) => EMAIL_PATTERN.test(v));

  const alert = raw('alertEmail');
  let alertEmails: string[] = [];
  if (alert !== undefined) {
    const list = typeof alert.value === 'string' ? alert.value.split(',').map((s) => s.trim()) : undefined;
    if (list === undefined || list.some((e) => !EMAIL_PATTERN.test(e)) || new Set(list.map((e) => e.toLowerCase())).size !== list.length) {
      throw new SettingsError('alertEmail', alert.origin, alert.value, `${DEFINITIONS.alertEmail.accepted} (distinct)`);
    }
    alertEmails = list;
  }

  const lock = raw('lockDown') as Raw;
  const lockDown = parseBoolean(lock.value);
  if (lockDown === undefined) throw new SettingsError('lockDown', lock.origin, lock.value, BOOLEAN_ACCEPTED);

  const count = raw('serverCount') as Raw;
  const serverCount = parseInteger(count.value);
  if (serverCount === undefined || serverCount < MIN_SERVERS || serverCount > MAX_SERVERS) {
    throw new SettingsError('serverCount', count.origin, count.value, DEFINITIONS.serverCount.accepted);
  }

  const storageAccount = text('stateStorageAccount', (v) => /^[a-z0-9]{3,24}$/.test(v));
  const container = text('stateContainer', (v) => /^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9])){1,61}[a-z0-9]$/.test(v));
  const key = text('stateKey', (v) => v.length <= 1024 && /^[A-Za-z0-9._-](?:[A-Za-z0-9._/-]*[A-Za-z0-9._-])?$/.test(v)) as string;
  const resourceGroup = text('stateResourceGroup', (v) => /^[A-Za-z0-9_.()-]{1,90}$/.test(v) && !v.endsWith('.'));
  // Any remote-state setting but the defaulted key asks for remote state; then account and container are needed.
  const keyGiven = raw('stateKey')?.origin !== 'default';
  const remoteAsked = storageAccount !== undefined || container !== undefined || resourceGroup !== undefined || keyGiven;
  let remoteState: RemoteStateSettings | undefined;
  if (remoteAsked) {
    const reason = `${DEFINITIONS.stateStorageAccount.accepted}; remote state needs both stateStorageAccount and stateContainer`;
    if (storageAccount === undefined) throw new SettingsError('stateStorageAccount', 'missing', undefined, reason);
    if (container === undefined) throw new SettingsError('stateContainer', 'missing', undefined, `${DEFINITIONS.stateContainer.accepted}; remote state needs both stateStorageAccount and stateContainer`);
    remoteState = { storageAccount, container, key, ...(resourceGroup !== undefined ? { resourceGroup } : {}) };
  }

  return { location, namePrefix, publisherName, publisherEmail, alertEmails, lockDown, serverCount, ...(remoteState ? { remoteState } : {}) };
}

/** The settings with every default: what `npm run synth` builds without configuration. */
export function defaultSettings(): Settings {
  return readSettings();
}

function parseBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const v = value.trim().toLowerCase();
    if (v === 'true' || v === '1') return true;
    if (v === 'false' || v === '0') return false;
  }
  return undefined;
}

function parseInteger(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isInteger(value) ? value : undefined;
  if (typeof value === 'string' && /^\s*\d{1,6}\s*$/.test(value)) return Number(value);
  return undefined;
}
