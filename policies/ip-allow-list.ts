/**
 * Only callers from listed addresses reach the MCP server (`ip-filter action="allow"`). It runs before
 * `<base/>` and before authentication: it needs no identity and is cheap. APIM answers others 403.
 *
 * The address is the one the gateway sees (`context.Request.IpAddress`): behind Front Door or Application
 * Gateway that is the proxy's, so filter there instead.
 */
import { IpAddressRange, ipFilter } from '../lib/policy/builders/access';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { isIP } from 'node:net';
import { Part, composeParts } from './compose';
import { checkOptions, optStringList } from './common';

export interface IpAllowListOptions {
  /**
   * Allowed addresses: single IPv4 or IPv6 addresses, or CIDR blocks (`203.0.113.0/24`, `2001:db8::/32`),
   * which become address ranges. At least one entry.
   */
  readonly addresses: readonly string[];
}

const WHERE = 'ip-allow-list';
export const IP_ALLOW_LIST_OPTION_KEYS = ['addresses'] as const;

function toNumber(address: string, family: 4 | 6): bigint {
  if (family === 4) return address.split('.').reduce((acc, p) => (acc << 8n) | BigInt(Number(p)), 0n);
  const [head, tail] = address.includes('::') ? address.split('::') : [address, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const parts = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return parts.reduce((acc, p) => (acc << 16n) | BigInt(parseInt(p, 16)), 0n);
}

function fromNumber(n: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((n >> s) & 0xffn)).join('.');
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return groups.join(':');
}

/** A CIDR block as the first and last address of its range. */
export function cidrRange(cidr: string): IpAddressRange {
  const [address, prefixText, extra] = cidr.split('/');
  const family = isIP(address);
  const bits = family === 4 ? 32 : 128;
  const prefix = Number(prefixText);
  if (extra !== undefined || (family !== 4 && family !== 6) || address.includes('%') || address.includes('.') !== (family === 4) || !/^\d{1,3}$/.test(prefixText) || prefix > bits) {
    throw new PolicyError(`${WHERE}: ${show(cidr)} is not an IPv4 or IPv6 CIDR block such as "203.0.113.0/24"`);
  }
  const f = family as 4 | 6;
  const hostBits = BigInt(bits - prefix);
  const n = toNumber(address, f);
  const first = (n >> hostBits) << hostBits;
  if (first !== n) {
    throw new PolicyError(`${WHERE}: ${show(cidr)} has host bits set; did you mean "${fromNumber(first, f)}/${prefix}"?`);
  }
  const last = first | ((1n << hostBits) - 1n);
  return { from: fromNumber(first, f), to: fromNumber(last, f) };
}

export function ipAllowListPart(options: IpAllowListOptions): Part {
  const o = checkOptions(WHERE, options, IP_ALLOW_LIST_OPTION_KEYS);
  const entries = optStringList(WHERE, 'addresses', o.addresses);
  if (entries === undefined) throw new PolicyError(`${WHERE}: option addresses is required: an allow-list without addresses would refuse every caller`);
  const addresses = entries.filter((e) => !e.includes('/'));
  for (const a of addresses) {
    if (isIP(a) === 0) throw new PolicyError(`${WHERE}: ${show(a)} is not an IPv4 or IPv6 address or CIDR block`);
  }
  const ranges = entries.filter((e) => e.includes('/')).map(cidrRange);
  return {
    id: 'ip-allow-list',
    inbound: {
      network: [
        ipFilter({
          action: 'allow',
          addresses: addresses.length > 0 ? addresses : undefined,
          addressRanges: ranges.length > 0 ? ranges : undefined,
        }),
      ],
    },
  };
}

/** The standalone policy. */
export function ipAllowListPolicy(options: IpAllowListOptions): PolicyDocument {
  return composeParts([ipAllowListPart(options)]);
}
