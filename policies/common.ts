/**
 * What several recipes share: context variable names, JSON error answers, reading the JSON-RPC method, and
 * the checks that turn JSON-able options into typed values with errors naming the recipe, the option, the
 * bad value and what is accepted.
 */
import { returnResponse } from '../lib/policy/builders/control';
import { SetHeaderProps, setVariable } from '../lib/policy/builders/transform';
import { PolicyError, show } from '../lib/policy/errors';
import { block, code } from '../lib/policy/expressions';
import { Policy } from '../lib/policy/model';
import { AllowedIn } from '../lib/policy/sections';
import { Shared, shared } from './compose';

/** Context variables the recipes write; prefixed so they do not collide with the enclosing scopes' ones. */
export const VARIABLES = {
  /** The caller's subscription key, captured before `<base/>`. */
  subscriptionKey: 'mcp-subscription-key',
  /** The caller's `Authorization` header, captured before `<base/>`. */
  authorization: 'mcp-authorization',
  /** The validated token (a `Jwt`), from `output-token-variable-name`. */
  token: 'mcp-token',
  /** The JSON-RPC method of a POST body (`tools/call`, ...), or the empty string. */
  jsonRpcMethod: 'mcp-jsonrpc-method',
  /** Seconds until the rate limit admits the caller again, from `retry-after-variable-name`. */
  retryAfter: 'mcp-retry-after',
} as const;

/** The JSON-RPC method MCP clients use to call a tool. */
export const TOOLS_CALL = 'tools/call';

/**
 * C# that reads the JSON-RPC method of a POST body: the empty string for another method or a body that is
 * not a JSON object (a batch array, invalid JSON, no body), which `As<JObject>` would throw on.
 */
export const JSON_RPC_METHOD_CODE =
  'if (context.Request.Method != "POST") { return ""; } ' +
  'try { return context.Request.Body?.As<JObject>(preserveContent: true)?["method"]?.ToString() ?? ""; } ' +
  'catch { return ""; }';

/**
 * Reads the JSON-RPC method of a POST body into {@link VARIABLES.jsonRpcMethod}, once per document (shared
 * by the rate limit and content safety). `preserveContent: true` keeps the body for the backend. Only the
 * request body is read: reading the response body would buffer MCP's streamed answers.
 */
export function jsonRpcMethodCapture(): Shared<'inbound'> {
  return shared('jsonrpc-method', setVariable({ name: VARIABLES.jsonRpcMethod, value: block(JSON_RPC_METHOD_CODE) }));
}

/** C# for "this request is a JSON-RPC tools/call", reading the variable {@link jsonRpcMethodCapture} wrote. */
export function isToolsCallCode(): string {
  return `${code.variable(VARIABLES.jsonRpcMethod)} == "${TOOLS_CALL}"`;
}

/** The body of an error answer: `{"error": code, "error_description": text}`, as OAuth error answers look. */
export function errorBody(error: string, description: string): string {
  return JSON.stringify({ error, error_description: description });
}

export interface JsonErrorProps {
  readonly status: number;
  readonly error: string;
  readonly description: string;
  /** @default - none besides Content-Type */
  readonly headers?: readonly SetHeaderProps[];
}

/** `return-response` with the status, the extra headers and a JSON error body. */
export function jsonError(props: JsonErrorProps): Policy<AllowedIn<'return-response'>> {
  return returnResponse({
    status: { code: props.status },
    headers: [...(props.headers ?? []), { name: 'Content-Type', existsAction: 'override', value: 'application/json' }],
    body: { value: errorBody(props.error, props.description) },
  });
}

// ---------------------------------------------------------------------------------------------------------
// Options as JSON: checks that name the recipe and option

/** A JSON-able options object. */
export type OptionsInput = Readonly<Record<string, unknown>> | undefined;

/**
 * The options as a plain object, refusing anything else and any key the recipe does not know.
 * @param where names the recipe, e.g. `rate-limit`
 */
export function checkOptions(where: string, options: unknown, keys: readonly string[]): Readonly<Record<string, unknown>> {
  if (options === undefined || options === null) return {};
  if (typeof options !== 'object' || Array.isArray(options)) {
    throw new PolicyError(`${where}: options must be an object, got ${show(options)}`);
  }
  const unknown = Object.keys(options).filter((k) => !keys.includes(k));
  if (unknown.length > 0) {
    throw new PolicyError(`${where}: unknown option ${unknown.map((k) => show(k)).join(', ')}; accepted: ${keys.join(', ')}`);
  }
  return options as Readonly<Record<string, unknown>>;
}

function fail(where: string, key: string, value: unknown, accepted: string): never {
  throw new PolicyError(`${where}: option ${key} must be ${accepted}, got ${show(value)}`);
}

export function optString(where: string, key: string, value: unknown, fallback: string): string;
export function optString(where: string, key: string, value: unknown): string | undefined;
export function optString(where: string, key: string, value: unknown, fallback?: string): string | undefined {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || value.trim() === '') fail(where, key, value, 'a non-empty string');
  return value;
}

export function optBoolean(where: string, key: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== 'boolean') fail(where, key, value, 'true or false');
  return value;
}

export function optInteger(where: string, key: string, value: unknown, fallback: number, range: { min: number; max: number }): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    fail(where, key, value, `an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

export function optEnum<T extends string>(where: string, key: string, value: unknown, allowed: readonly T[], fallback: T): T {
  if (value === undefined) return fallback;
  if (typeof value !== 'string' || !allowed.includes(value as T)) fail(where, key, value, `one of ${allowed.map((a) => show(a)).join(', ')}`);
  return value as T;
}

/**
 * A list of non-empty strings. An empty list is an error rather than "allow nothing" or "allow everything":
 * it usually means a computed list came out empty.
 */
export function optStringList(where: string, key: string, value: unknown): readonly string[] | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
    fail(where, key, value, 'a list of non-empty strings');
  }
  if (value.length === 0) throw new PolicyError(`${where}: option ${key} is an empty list; give at least one value or leave it out`);
  const seen = new Set<string>();
  for (const v of value as string[]) {
    if (seen.has(v)) throw new PolicyError(`${where}: option ${key} lists ${show(v)} twice`);
    seen.add(v);
  }
  return value as string[];
}

/** The nested options of a switchable part: `false` switches it off, `true` or an object switches it on. */
export function optSwitch(where: string, key: string, value: unknown, onByDefault: boolean): OptionsInput | false {
  if (value === undefined) return onByDefault ? {} : false;
  if (value === false) return false;
  if (value === true) return {};
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    fail(where, key, value, 'true, false or an options object');
  }
  return value as OptionsInput;
}

/** An https URL (or a `{{named value}}` reference, substituted by APIM), checked to have no fragment. */
export function optHttpsUrl(where: string, key: string, value: unknown): string | undefined {
  const text = optString(where, key, value);
  if (text === undefined || /^\{\{[A-Za-z0-9._-]+\}\}$/.test(text)) return text;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return fail(where, key, value, 'an absolute https URL');
  }
  if (url.protocol !== 'https:') fail(where, key, value, 'an https URL');
  if (url.hash !== '' || text.includes('#')) fail(where, key, value, 'an https URL without a fragment');
  if (/["\\\s]/.test(text)) fail(where, key, value, 'an https URL without quotes, backslashes or spaces');
  return text;
}

/**
 * The name of a named value (what APIM shows in its list), as options carry secrets: by name, never by
 * content.
 */
export function optNamedValueName(where: string, key: string, value: unknown, fallback: string): string {
  const name = optString(where, key, value, fallback);
  if (!/^[A-Za-z0-9._-]{1,256}$/.test(name)) {
    fail(where, key, value, "a named value name (1-256 letters, digits, '.', '-' or '_', without braces)");
  }
  return name;
}

/** An HTTP header name (an RFC 9110 token). */
export function optHeaderName(where: string, key: string, value: unknown, fallback: string): string {
  const name = optString(where, key, value, fallback);
  if (!/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(name)) fail(where, key, value, 'an HTTP header name');
  return name;
}

/** OAuth scope tokens (RFC 6749 section 3.3): printable ASCII without space, `"` or `\`. */
export function optScopes(where: string, key: string, value: unknown): readonly string[] | undefined {
  const scopes = optStringList(where, key, value);
  for (const s of scopes ?? []) {
    if (!/^[\x21\x23-\x5B\x5D-\x7E]+$/.test(s)) fail(where, key, s, 'OAuth scope values (printable ASCII without spaces, quotes or backslashes)');
  }
  return scopes;
}

/** A context variable name, as the expression helpers accept them. */
export function optVariableName(where: string, key: string, value: unknown, fallback: string): string {
  const name = optString(where, key, value, fallback);
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) fail(where, key, value, "a variable name (1-128 letters, digits, '_', '.' or '-')");
  return name;
}
