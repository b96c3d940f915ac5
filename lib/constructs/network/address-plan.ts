/**
 * CIDR arithmetic for address plans: parse, size, containment, overlap, and a checker that says what is
 * wrong with a plan before anything is created. IPv4 only: Azure virtual networks can add IPv6, but the
 * constructs here plan IPv4 address spaces and subnets.
 *
 * Pure functions, no cdktf: the network construct turns the issues into synth errors.
 */

/** A parsed IPv4 CIDR block. `network` is the first address as an unsigned 32-bit integer. */
export interface Cidr {
  readonly network: number;
  readonly prefixLength: number;
  /** The canonical text, for example `10.60.0.0/24`. */
  readonly text: string;
}

/** Why a string is not a CIDR block we accept. */
export class CidrSyntaxError extends Error {
  constructor(
    readonly value: string,
    readonly reason: string,
  ) {
    super(`${JSON.stringify(value)} is not an IPv4 CIDR block: ${reason}`);
    this.name = 'CidrSyntaxError';
  }
}

const OCTET = /^(0|[1-9][0-9]{0,2})$/;

/**
 * Parses `a.b.c.d/n`. Strict: decimal octets 0-255 without leading zeros (which some tools read as
 * octal), a prefix length 0-32, and no host bits set, because Azure refuses `10.0.0.5/24` and asks for
 * `10.0.0.0/24`.
 */
export function parseCidr(value: string): Cidr {
  if (typeof value !== 'string') throw new CidrSyntaxError(String(value), 'expected a string');
  const parts = value.split('/');
  if (parts.length !== 2) throw new CidrSyntaxError(value, 'expected <address>/<prefix length>, for example 10.60.0.0/24');
  const [address, prefix] = parts;
  if (!/^(0|[1-9][0-9]?)$/.test(prefix) || Number(prefix) > 32) {
    throw new CidrSyntaxError(value, 'the prefix length must be a whole number from 0 to 32');
  }
  const octets = address.split('.');
  if (octets.length !== 4 || octets.some((o) => !OCTET.test(o) || Number(o) > 255)) {
    throw new CidrSyntaxError(value, 'the address must be four decimal numbers 0-255 separated by dots, without leading zeros');
  }
  const network = octets.reduce((acc, o) => acc * 256 + Number(o), 0);
  const prefixLength = Number(prefix);
  const size = 2 ** (32 - prefixLength);
  if (network % size !== 0) {
    const canonical = `${formatAddress(network - (network % size))}/${prefixLength}`;
    throw new CidrSyntaxError(value, `host bits are set; the block that contains it is ${canonical}`);
  }
  return { network, prefixLength, text: `${address}/${prefixLength}` };
}

/** Whether `value` parses with {@link parseCidr}. */
export function isCidr(value: string): boolean {
  try {
    parseCidr(value);
    return true;
  } catch {
    return false;
  }
}

/** The dotted form of an unsigned 32-bit address. */
export function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}

/** How many addresses the block holds (2^(32-n)). */
export function cidrSize(cidr: Cidr): number {
  return 2 ** (32 - cidr.prefixLength);
}

/** The last address of the block. */
export function lastAddress(cidr: Cidr): number {
  return cidr.network + cidrSize(cidr) - 1;
}

/** Whether every address of `inner` is in `outer`. */
export function cidrContains(outer: Cidr, inner: Cidr): boolean {
  return inner.network >= outer.network && lastAddress(inner) <= lastAddress(outer);
}

/** Whether the two blocks share at least one address. */
export function cidrsOverlap(a: Cidr, b: Cidr): boolean {
  return a.network <= lastAddress(b) && b.network <= lastAddress(a);
}

/**
 * The `index`-th block of prefix length `prefixLength` inside `parent` (0 is the first). Throws when
 * `parent` is too small to hold it.
 */
export function subnetAt(parent: Cidr, prefixLength: number, index: number): Cidr {
  if (prefixLength < parent.prefixLength || prefixLength > 32) {
    throw new RangeError(`a /${prefixLength} does not fit in ${parent.text}`);
  }
  const size = 2 ** (32 - prefixLength);
  const network = parent.network + index * size;
  if (!Number.isInteger(index) || index < 0 || network + size - 1 > lastAddress(parent)) {
    throw new RangeError(`${parent.text} has no /${prefixLength} number ${index}`);
  }
  return { network, prefixLength, text: `${formatAddress(network)}/${prefixLength}` };
}

/**
 * The lowest block of prefix length `prefixLength` that lies inside one of `space` (tried in the order
 * given) and overlaps none of `used`, or undefined when none is left. First fit, so the same inputs always
 * give the same block, and gaps left between explicit prefixes are filled before the end of the space.
 */
export function nextFreeBlock(space: readonly Cidr[], used: readonly Cidr[], prefixLength: number): Cidr | undefined {
  if (!Number.isInteger(prefixLength) || prefixLength < 0 || prefixLength > 32) {
    throw new RangeError(`prefix length ${prefixLength} is not a whole number from 0 to 32`);
  }
  const size = 2 ** (32 - prefixLength);
  for (const parent of space) {
    if (prefixLength < parent.prefixLength) continue;
    let network = parent.network;
    while (network + size - 1 <= lastAddress(parent)) {
      const candidate: Cidr = { network, prefixLength, text: `${formatAddress(network)}/${prefixLength}` };
      const blocking = used.filter((u) => cidrsOverlap(u, candidate));
      if (blocking.length === 0) return candidate;
      // Every aligned block that starts before the end of a blocking block overlaps it: skip past them all.
      const end = Math.max(...blocking.map(lastAddress)) + 1;
      network = Math.ceil(end / size) * size;
    }
  }
  return undefined;
}

/** Azure's smallest IPv4 subnet is a /29 (Azure reserves 5 addresses in every subnet). */
export const AZURE_SMALLEST_SUBNET_PREFIX = 29;

/** One subnet of a plan and the largest prefix length (smallest size) its use allows. */
export interface PlannedSubnet {
  /** The property it came from, named in issues (for example `gatewaySubnetPrefix`). */
  readonly property: string;
  readonly prefix: string;
  /** The subnet must be this size or larger: a /27 allows /27, /26, ... @default 29 */
  readonly maxPrefixLength?: number;
  /** Why that size, for the error (for example `APIM Standard v2 outbound integration needs /27 or larger`). */
  readonly sizeReason?: string;
}

export interface AddressPlan {
  /** The virtual network's address space. */
  readonly addressSpace: readonly string[];
  readonly subnets: readonly PlannedSubnet[];
  /** The property the address space came from. @default 'addressSpace' */
  readonly addressSpaceProperty?: string;
}

/** One thing wrong with a plan: the property, its bad value and what would be accepted. */
export interface AddressPlanIssue {
  readonly property: string;
  readonly value: string | readonly string[];
  readonly accepted: string;
}

/**
 * Everything wrong with `plan`, first problem first: CIDR syntax, address-space prefixes that overlap,
 * subnets outside the address space, subnets that overlap each other, subnets smaller than their use
 * needs. An empty list means the plan is sound.
 */
export function checkAddressPlan(plan: AddressPlan): AddressPlanIssue[] {
  const issues: AddressPlanIssue[] = [];
  const spaceProperty = plan.addressSpaceProperty ?? 'addressSpace';
  if (plan.addressSpace.length === 0) {
    issues.push({ property: spaceProperty, value: [], accepted: 'at least one IPv4 CIDR block, for example 10.60.0.0/16' });
    return issues;
  }
  const space: Cidr[] = [];
  plan.addressSpace.forEach((text, i) => {
    const parsed = tryParse(text);
    if (typeof parsed === 'string') issues.push({ property: `${spaceProperty}[${i}]`, value: text, accepted: parsed });
    else space.push(parsed);
  });
  for (let i = 0; i < space.length; i++) {
    for (let j = i + 1; j < space.length; j++) {
      if (cidrsOverlap(space[i], space[j])) {
        issues.push({
          property: spaceProperty,
          value: plan.addressSpace,
          accepted: `address-space prefixes that do not overlap (${space[i].text} overlaps ${space[j].text})`,
        });
      }
    }
  }
  const subnets: { subnet: PlannedSubnet; cidr: Cidr }[] = [];
  for (const subnet of plan.subnets) {
    const parsed = tryParse(subnet.prefix);
    if (typeof parsed === 'string') {
      issues.push({ property: subnet.property, value: subnet.prefix, accepted: parsed });
      continue;
    }
    subnets.push({ subnet, cidr: parsed });
  }
  if (issues.length > 0) return issues;
  for (const { subnet, cidr } of subnets) {
    if (!space.some((s) => cidrContains(s, cidr))) {
      issues.push({
        property: subnet.property,
        value: subnet.prefix,
        accepted: `a block inside the address space ${space.map((s) => s.text).join(', ')}`,
      });
    }
  }
  for (let i = 0; i < subnets.length; i++) {
    for (let j = i + 1; j < subnets.length; j++) {
      if (cidrsOverlap(subnets[i].cidr, subnets[j].cidr)) {
        issues.push({
          property: subnets[j].subnet.property,
          value: subnets[j].subnet.prefix,
          accepted: `a block that does not overlap ${subnets[i].subnet.property} (${subnets[i].cidr.text})`,
        });
      }
    }
  }
  for (const { subnet, cidr } of subnets) {
    const max = Math.min(subnet.maxPrefixLength ?? AZURE_SMALLEST_SUBNET_PREFIX, AZURE_SMALLEST_SUBNET_PREFIX);
    if (cidr.prefixLength > max) {
      const reason = subnet.sizeReason ?? `Azure's smallest subnet is a /${AZURE_SMALLEST_SUBNET_PREFIX}`;
      issues.push({
        property: subnet.property,
        value: subnet.prefix,
        accepted: `a /${max} or larger (${cidrSize(cidr)} addresses is too few: ${reason})`,
      });
    }
  }
  return issues;
}

function tryParse(text: string): Cidr | string {
  try {
    return parseCidr(text);
  } catch (e) {
    if (e instanceof CidrSyntaxError) return `an IPv4 CIDR block such as 10.60.0.0/24 (${e.reason})`;
    throw e;
  }
}
