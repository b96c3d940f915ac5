import { createHash } from 'node:crypto';
import { Token } from 'cdktf';
import { Construct } from 'constructs';
import { StringResource } from '@cdktf/provider-random/lib/string-resource';
import { invalid } from './errors';

/**
 * The naming rules of one Azure resource type, as its documentation lists them. Each rule is checked on
 * its own so that the error says which one a name breaks.
 */
export interface NameRule {
  /** What the error calls the resource, for example `Key Vault name`. */
  readonly resource: string;
  readonly minLength: number;
  readonly maxLength: number;
  /** Every character must match this single-character pattern, for example `/[a-z0-9-]/i`. */
  readonly allowedCharacters: RegExp;
  /** How `allowedCharacters` reads in an error, for example `letters, digits and hyphens`. */
  readonly allowedDescription: string;
  /** The first character must match this single-character pattern. @default - any allowed character */
  readonly start?: { readonly pattern: RegExp; readonly description: string };
  /** The last character must match this single-character pattern. @default - any allowed character */
  readonly end?: { readonly pattern: RegExp; readonly description: string };
  /** Refuse `--`. @default false */
  readonly noConsecutiveHyphens?: boolean;
}

/**
 * Checks `value` against `rule` and returns it. A name that is still a token (known only at apply) cannot
 * be checked at synth and is returned as it is.
 */
export function validatedName(scope: Construct, property: string, value: string, rule: NameRule): string {
  if (Token.isUnresolved(value)) return value;
  const summary = describeRule(rule);
  if (value.length < rule.minLength || value.length > rule.maxLength) {
    invalid(scope, property, value, `${rule.resource} must be ${rule.minLength}-${rule.maxLength} characters long (it has ${value.length}); ${summary}`);
  }
  const bad = [...value].find((ch) => !whole(rule.allowedCharacters).test(ch));
  if (bad !== undefined) {
    invalid(scope, property, value, `${rule.resource} may contain only ${rule.allowedDescription} (found ${JSON.stringify(bad)}); ${summary}`);
  }
  if (rule.start && !whole(rule.start.pattern).test(value[0])) {
    invalid(scope, property, value, `${rule.resource} must start with ${rule.start.description}; ${summary}`);
  }
  if (rule.end && !whole(rule.end.pattern).test(value[value.length - 1])) {
    invalid(scope, property, value, `${rule.resource} must end with ${rule.end.description}; ${summary}`);
  }
  if (rule.noConsecutiveHyphens && value.includes('--')) {
    invalid(scope, property, value, `${rule.resource} must not contain consecutive hyphens; ${summary}`);
  }
  return value;
}

function describeRule(rule: NameRule): string {
  const parts = [`${rule.minLength}-${rule.maxLength} ${rule.allowedDescription}`];
  if (rule.start) parts.push(`starting with ${rule.start.description}`);
  if (rule.end) parts.push(`ending with ${rule.end.description}`);
  if (rule.noConsecutiveHyphens) parts.push('no consecutive hyphens');
  return `accepted: ${parts.join(', ')}`;
}

function whole(pattern: RegExp): RegExp {
  return new RegExp(`^(?:${pattern.source})$`, pattern.flags.replace('g', ''));
}

/** The first `length` hex characters of the SHA-256 of `input`: short, stable, deterministic. */
export function shortHash(input: string, length = 8): string {
  return createHash('sha256').update(input).digest('hex').slice(0, length);
}

/**
 * Shortens `name` to `maxLength` by cutting it and appending a hash of the whole name, so two long names
 * that share a prefix still come out different. Names that fit are returned unchanged.
 */
export function truncateWithHash(name: string, maxLength: number, hashLength = 8): string {
  if (name.length <= maxLength) return name;
  const hash = shortHash(name, hashLength);
  const head = name.slice(0, maxLength - hashLength - 1).replace(/[^a-zA-Z0-9]+$/, '');
  return `${head}-${hash}`;
}

/**
 * A deterministic Azure name for a construct that was given none: `<prefix>-<construct id>-<hash of the
 * construct path>`, lower-case, letters, digits and hyphens only. The hash keeps two constructs with the
 * same id under different parents apart.
 */
export function defaultResourceName(scope: Construct, prefix: string, maxLength: number): string {
  const id = scope.node.id.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
  const hash = shortHash(scope.node.path, 6);
  const room = maxLength - prefix.length - hash.length - 2;
  const middle = id.slice(0, Math.max(room, 0)).replace(/-+$/, '');
  return middle ? `${prefix}-${middle}-${hash}` : `${prefix}-${hash}`;
}

/** Longest suffix `uniqueSuffix` makes; random_string accepts more, but Azure names are short. */
export const MAX_UNIQUE_SUFFIX_LENGTH = 16;

/**
 * A random suffix of `length` lower-case letters and digits, for globally unique Azure names (Key Vault,
 * storage) that must differ between deployments. It is a `random_string` resource: generated once at
 * the first apply and kept in state, so the synthesized plan stays byte-identical and later applies keep
 * the name. Returns the `result` token.
 *
 * The stack needs the random provider: `new RandomProvider(stack, 'random')` from
 * `@cdktf/provider-random/lib/provider` (cdktf refuses to synthesize without it).
 */
export function uniqueSuffix(scope: Construct, id: string, length: number): string {
  if (!Number.isInteger(length) || length < 1 || length > MAX_UNIQUE_SUFFIX_LENGTH) {
    invalid(scope, 'uniqueSuffix length', length, `an integer from 1 to ${MAX_UNIQUE_SUFFIX_LENGTH}`);
  }
  const suffix = new StringResource(scope, id, {
    length,
    lower: true,
    upper: false,
    numeric: true,
    special: false,
  });
  return suffix.result;
}
