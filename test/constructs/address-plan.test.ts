import fc from 'fast-check';
import {
  CidrSyntaxError,
  checkAddressPlan,
  cidrContains,
  cidrSize,
  cidrsOverlap,
  formatAddress,
  isCidr,
  lastAddress,
  nextFreeBlock,
  parseCidr,
  subnetAt,
} from '../../lib/constructs/network/address-plan';

function syntaxReason(value: string): string {
  try {
    parseCidr(value);
  } catch (e) {
    expect(e).toBeInstanceOf(CidrSyntaxError);
    return (e as CidrSyntaxError).reason;
  }
  throw new Error(`${value} parsed`);
}

describe('parseCidr', () => {
  it('parses a canonical block into its first address and prefix length', () => {
    const c = parseCidr('10.60.1.0/24');
    expect(c).toEqual({ network: 10 * 2 ** 24 + 60 * 2 ** 16 + 1 * 2 ** 8, prefixLength: 24, text: '10.60.1.0/24' });
    expect(parseCidr('0.0.0.0/0').prefixLength).toBe(0);
    expect(parseCidr('255.255.255.255/32').network).toBe(2 ** 32 - 1);
  });

  it.each([
    ['10.60.0.0', 'expected <address>/<prefix length>'],
    ['10.60.0.0/24/1', 'expected <address>/<prefix length>'],
    ['10.60.0.0/33', 'prefix length'],
    ['10.60.0.0/-1', 'prefix length'],
    ['10.60.0.0/024', 'prefix length'],
    ['10.60.0/24', 'four decimal numbers'],
    ['10.256.0.0/16', 'four decimal numbers'],
    ['10.060.0.0/16', 'leading zeros'],
    ['10.6a.0.0/16', 'four decimal numbers'],
    [' 10.60.0.0/16', 'four decimal numbers'],
    ['fd00::/8', 'four decimal numbers'],
  ])('refuses %j (%s)', (value, reason) => {
    expect(syntaxReason(value)).toContain(reason);
  });

  it('refuses host bits and names the block that contains the address (Azure asks for the network address)', () => {
    expect(syntaxReason('10.60.0.5/24')).toContain('10.60.0.0/24');
    expect(syntaxReason('10.60.1.0/23')).toContain('10.60.0.0/23');
  });

  it('round-trips every canonical block', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 0, max: 32 }), (address, prefix) => {
        const size = 2 ** (32 - prefix);
        const text = `${formatAddress(address - (address % size))}/${prefix}`;
        expect(parseCidr(text).text).toBe(text);
        expect(isCidr(text)).toBe(true);
      }),
    );
  });
});

describe('cidr arithmetic', () => {
  const block = fc
    .tuple(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.integer({ min: 8, max: 30 }))
    .map(([address, prefix]) => {
      const size = 2 ** (32 - prefix);
      return parseCidr(`${formatAddress(address - (address % size))}/${prefix}`);
    });

  it('sizes blocks as 2^(32-n)', () => {
    expect(cidrSize(parseCidr('10.0.0.0/24'))).toBe(256);
    expect(cidrSize(parseCidr('10.0.0.0/29'))).toBe(8);
    expect(lastAddress(parseCidr('10.0.0.0/30'))).toBe(parseCidr('10.0.0.3/32').network);
  });

  it('knows containment and overlap at the edges', () => {
    const space = parseCidr('10.60.0.0/16');
    expect(cidrContains(space, parseCidr('10.60.255.0/24'))).toBe(true);
    expect(cidrContains(space, parseCidr('10.61.0.0/24'))).toBe(false);
    expect(cidrContains(space, parseCidr('10.60.0.0/15'))).toBe(false);
    expect(cidrsOverlap(parseCidr('10.60.0.0/24'), parseCidr('10.60.0.128/25'))).toBe(true);
    expect(cidrsOverlap(parseCidr('10.60.0.0/25'), parseCidr('10.60.0.128/25'))).toBe(false);
  });

  it('overlap is symmetric, containment implies overlap, and a block contains itself', () => {
    fc.assert(
      fc.property(block, block, (a, b) => {
        expect(cidrsOverlap(a, b)).toBe(cidrsOverlap(b, a));
        if (cidrContains(a, b)) expect(cidrsOverlap(a, b)).toBe(true);
        expect(cidrContains(a, a)).toBe(true);
        // Two CIDR blocks either nest or are disjoint.
        expect(cidrsOverlap(a, b)).toBe(cidrContains(a, b) || cidrContains(b, a));
      }),
    );
  });

  it('carves numbered sub-blocks that stay inside their parent and do not overlap', () => {
    const parent = parseCidr('10.60.0.0/22');
    expect([0, 1, 2, 3].map((i) => subnetAt(parent, 24, i).text)).toEqual(['10.60.0.0/24', '10.60.1.0/24', '10.60.2.0/24', '10.60.3.0/24']);
    expect(() => subnetAt(parent, 24, 4)).toThrow(RangeError);
    expect(() => subnetAt(parent, 21, 0)).toThrow(RangeError);
    fc.assert(
      fc.property(block, fc.integer({ min: 0, max: 4 }), fc.nat(15), fc.nat(15), (p, extra, i, j) => {
        const prefix = Math.min(p.prefixLength + extra, 32);
        const count = 2 ** (prefix - p.prefixLength);
        const x = subnetAt(p, prefix, i % count);
        const y = subnetAt(p, prefix, j % count);
        expect(cidrContains(p, x)).toBe(true);
        expect(cidrsOverlap(x, y)).toBe(i % count === j % count);
      }),
    );
  });
});

describe('checkAddressPlan', () => {
  const sound = {
    addressSpace: ['10.60.0.0/16'],
    subnets: [
      { property: 'gatewaySubnetPrefix', prefix: '10.60.0.0/24', maxPrefixLength: 27 },
      { property: 'appsSubnetPrefix', prefix: '10.60.1.0/26', maxPrefixLength: 28 },
      { property: 'privateEndpointsSubnetPrefix', prefix: '10.60.2.0/29' },
    ],
  };

  it('finds nothing wrong with a sound plan, including subnets in a second address-space prefix', () => {
    expect(checkAddressPlan(sound)).toEqual([]);
    expect(
      checkAddressPlan({ addressSpace: ['10.60.0.0/24', '10.70.0.0/24'], subnets: [{ property: 'a', prefix: '10.70.0.0/25' }] }),
    ).toEqual([]);
  });

  it('reports bad syntax with the property and the value', () => {
    const issues = checkAddressPlan({ ...sound, subnets: [{ property: 'appsSubnetPrefix', prefix: '10.60.1.0/33' }] });
    expect(issues).toEqual([expect.objectContaining({ property: 'appsSubnetPrefix', value: '10.60.1.0/33' })]);
    expect(checkAddressPlan({ addressSpace: ['10.60.0.0'], subnets: [] })[0].property).toBe('addressSpace[0]');
  });

  it('reports an empty or self-overlapping address space', () => {
    expect(checkAddressPlan({ addressSpace: [], subnets: [] })[0].property).toBe('addressSpace');
    const issue = checkAddressPlan({ addressSpace: ['10.60.0.0/16', '10.60.128.0/17'], subnets: [] })[0];
    expect(issue.accepted).toContain('10.60.0.0/16 overlaps 10.60.128.0/17');
  });

  it('reports a subnet outside the address space', () => {
    const issues = checkAddressPlan({ ...sound, subnets: [{ property: 'gatewaySubnetPrefix', prefix: '10.61.0.0/24' }] });
    expect(issues).toEqual([{ property: 'gatewaySubnetPrefix', value: '10.61.0.0/24', accepted: 'a block inside the address space 10.60.0.0/16' }]);
  });

  it('reports the later of two overlapping subnets and names the earlier one', () => {
    const issues = checkAddressPlan({
      addressSpace: ['10.60.0.0/16'],
      subnets: [
        { property: 'gatewaySubnetPrefix', prefix: '10.60.0.0/24' },
        { property: 'appsSubnetPrefix', prefix: '10.60.0.128/25' },
      ],
    });
    expect(issues).toHaveLength(1);
    expect(issues[0]).toMatchObject({ property: 'appsSubnetPrefix', value: '10.60.0.128/25' });
    expect(issues[0].accepted).toContain('gatewaySubnetPrefix (10.60.0.0/24)');
  });

  it('reports a subnet smaller than its use allows, with the reason', () => {
    const issues = checkAddressPlan({
      addressSpace: ['10.60.0.0/16'],
      subnets: [{ property: 'gatewaySubnetPrefix', prefix: '10.60.0.0/28', maxPrefixLength: 27, sizeReason: 'v2 integration needs /27' }],
    });
    expect(issues).toEqual([
      { property: 'gatewaySubnetPrefix', value: '10.60.0.0/28', accepted: 'a /27 or larger (16 addresses is too few: v2 integration needs /27)' },
    ]);
  });

  it('applies Azure’s /29 floor to every subnet', () => {
    const issues = checkAddressPlan({ addressSpace: ['10.60.0.0/16'], subnets: [{ property: 'p', prefix: '10.60.0.0/30' }] });
    expect(issues[0].accepted).toContain('a /29 or larger');
  });
});

describe('nextFreeBlock', () => {
  const cidrs = (...texts: string[]) => texts.map(parseCidr);

  it('takes the first block of an empty space', () => {
    expect(nextFreeBlock(cidrs('10.60.0.0/16'), [], 26)?.text).toBe('10.60.0.0/26');
  });

  it('skips used blocks of any size and fills a gap before going further', () => {
    const used = cidrs('10.60.0.0/24', '10.60.1.0/24', '10.60.2.64/26', '10.60.2.128/27');
    expect(nextFreeBlock(cidrs('10.60.0.0/16'), used, 26)?.text).toBe('10.60.2.0/26');
    // The /27 leaves half of 10.60.2.128/26 free, too little for a /26: next is .192.
    expect(nextFreeBlock(cidrs('10.60.0.0/16'), [...used, parseCidr('10.60.2.0/26')], 26)?.text).toBe('10.60.2.192/26');
    // A /27 still fits next to the /27.
    expect(nextFreeBlock(cidrs('10.60.0.0/16'), [...used, parseCidr('10.60.2.0/26')], 27)?.text).toBe('10.60.2.160/27');
  });

  it('moves on to the next address-space prefix, skipping prefixes smaller than the block', () => {
    const space = cidrs('10.60.0.0/26', '10.61.0.0/27', '10.70.0.0/24');
    expect(nextFreeBlock(space, cidrs('10.60.0.0/26'), 26)?.text).toBe('10.70.0.0/26');
  });

  it('returns undefined when no block is left', () => {
    expect(nextFreeBlock(cidrs('10.60.0.0/24'), cidrs('10.60.0.0/25', '10.60.0.128/26', '10.60.0.192/27'), 26)).toBeUndefined();
    expect(nextFreeBlock(cidrs('10.60.0.0/24'), cidrs('10.60.0.0/25', '10.60.0.128/26', '10.60.0.192/27'), 27)?.text).toBe('10.60.0.224/27');
  });

  it('refuses a prefix length outside 0-32', () => {
    expect(() => nextFreeBlock(cidrs('10.60.0.0/16'), [], 33)).toThrow(RangeError);
    expect(() => nextFreeBlock(cidrs('10.60.0.0/16'), [], 26.5)).toThrow(RangeError);
  });

  it('finds the lowest free block, as trying every block in order would', () => {
    const space = parseCidr('10.60.0.0/22');
    const block = fc.tuple(fc.integer({ min: 23, max: 29 }), fc.nat()).map(([prefix, i]) => subnetAt(space, prefix, i % 2 ** (prefix - 22)));
    fc.assert(
      fc.property(fc.array(block, { maxLength: 12 }), fc.integer({ min: 24, max: 28 }), (used, prefix) => {
        const count = 2 ** (prefix - 22);
        let expected: string | undefined;
        for (let i = 0; i < count && expected === undefined; i++) {
          const candidate = subnetAt(space, prefix, i);
          if (!used.some((u) => cidrsOverlap(u, candidate))) expected = candidate.text;
        }
        const found = nextFreeBlock([space], used, prefix);
        expect(found?.text).toBe(expected);
        if (found) {
          expect(cidrContains(space, found)).toBe(true);
          expect(used.some((u) => cidrsOverlap(u, found))).toBe(false);
        }
      }),
    );
  });
});
