import { checkHeader, cors, ipFilter, quota, quotaByKey, rateLimit, rateLimitByKey } from '../../lib/policy/builders/access';
import { policyDocument } from '../../lib/policy/document';
import { E, expr, namedValue } from '../../lib/policy/expressions';
import { samples } from '../conformance/access';
import { raw, smuggled, xml } from '../support/policy';
import { xsdErrors } from '../support/xsd';

describe('checkHeader', () => {
  it('writes the attributes in the reference order, ignore-case defaulting to false', () => {
    expect(raw(checkHeader({ name: 'X-Api-Version', failedCheckHttpcode: 400, failedCheckErrorMessage: 'bad version', values: ['1', '2'] }))).toBe(
      [
        '<check-header name="X-Api-Version" failed-check-httpcode="400" failed-check-error-message="bad version" ignore-case="false">',
        '    <value>1</value>',
        '    <value>2</value>',
        '</check-header>',
      ].join('\n'),
    );
  });

  it('keeps expressions raw in rawxml and escapes them in xml', () => {
    const p = checkHeader({ name: 'X-Tenant', failedCheckHttpcode: 403, failedCheckErrorMessage: expr('"no " + "tenant"'), ignoreCase: true });
    expect(raw(p)).toBe('<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="@("no " + "tenant")" ignore-case="true" />');
    expect(xml(p)).toBe(
      '<check-header name="X-Tenant" failed-check-httpcode="403" failed-check-error-message="@(&quot;no &quot; + &quot;tenant&quot;)" ignore-case="true" />',
    );
  });

  it('refuses a success status for a failed check', () => {
    expect(() => checkHeader({ name: 'X-A', failedCheckHttpcode: 200, failedCheckErrorMessage: 'x' })).toThrow(
      /<check-header> failed-check-httpcode must be an integer from 400 to 599, got 200/,
    );
  });

  it('refuses an empty list of values, which would otherwise silently mean "any value"', () => {
    expect(() => checkHeader({ name: 'X-A', failedCheckHttpcode: 400, failedCheckErrorMessage: 'x', values: [] })).toThrow(
      /<check-header> values is an empty list/,
    );
  });

  it('refuses a header name with a space', () => {
    expect(() => checkHeader({ name: 'X A', failedCheckHttpcode: 400, failedCheckErrorMessage: 'x' })).toThrow(/name must be an HTTP header name.*"X A"/);
  });
});

describe('ipFilter', () => {
  it('writes addresses before ranges', () => {
    expect(raw(ipFilter({ action: 'forbid', addresses: ['10.0.0.1', E.clientIp()], addressRanges: [{ from: '10.0.1.0', to: '10.0.1.255' }] }))).toBe(
      [
        '<ip-filter action="forbid">',
        '    <address>10.0.0.1</address>',
        '    <address>@(context.Request.IpAddress)</address>',
        '    <address-range from="10.0.1.0" to="10.0.1.255" />',
        '</ip-filter>',
      ].join('\n'),
    );
  });

  it('needs at least one address or range', () => {
    expect(() => ipFilter({ action: 'allow' })).toThrow(/needs at least one address or address range/);
  });

  it('refuses an action other than allow or forbid', () => {
    expect(() => ipFilter({ action: 'deny' as 'allow', addresses: ['10.0.0.1'] })).toThrow(/<ip-filter> action must be one of "allow", "forbid", got "deny"/);
  });

  it.each([
    ['999.1.1.1', /address\[0\] must be a single IPv4 or IPv6 address, got "999.1.1.1"$/],
    ['10.0.0.0/24', /got "10.0.0.0\/24" \(CIDR blocks are not accepted: use an address range\)/],
    ['2001:db8:::1', /got "2001:db8:::1"/],
  ])('refuses the address %s', (address, message) => {
    expect(() => ipFilter({ action: 'allow', addresses: [address] })).toThrow(message);
  });

  it('refuses a range that runs backwards, in IPv4 and IPv6', () => {
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: '10.0.0.9', to: '10.0.0.1' }] })).toThrow(
      /address-range\[0\] runs backwards: from "10.0.0.9" is above to "10.0.0.1"/,
    );
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: '2001:db8::1:0', to: '2001:db8::ffff' }] })).toThrow(/runs backwards/);
    // The same addresses the right way round pass; "::" expansion and IPv4 tails order correctly.
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: '2001:db8::ffff', to: '2001:db8::1:0' }] })).not.toThrow();
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: '::ffff:10.0.0.1', to: '::ffff:10.0.1.0' }] })).not.toThrow();
  });

  it('refuses a range mixing IPv4 and IPv6', () => {
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: '10.0.0.1', to: '::1' }] })).toThrow(/mixes IPv4 "10.0.0.1" with IPv6 "::1"/);
  });

  it('takes range bounds literally: the reference allows no expression there', () => {
    expect(() => ipFilter({ action: 'allow', addressRanges: [{ from: smuggled('"10.0.0.1"'), to: '10.0.0.2' }] })).toThrow(
      /<ip-filter> address-range\[0\] from does not accept a policy expression/,
    );
  });
});

describe('cors', () => {
  it('writes every element in the reference order', () => {
    expect(
      raw(
        cors({
          allowCredentials: true,
          terminateUnmatchedRequest: false,
          allowedOrigins: ['https://app.example.com'],
          allowedMethods: ['GET', 'POST'],
          preflightResultMaxAge: 300,
          allowedHeaders: ['Authorization'],
          exposeHeaders: ['Mcp-Session-Id'],
        }),
      ),
    ).toBe(
      [
        '<cors allow-credentials="true" terminate-unmatched-request="false">',
        '    <allowed-origins>',
        '        <origin>https://app.example.com</origin>',
        '    </allowed-origins>',
        '    <allowed-methods preflight-result-max-age="300">',
        '        <method>GET</method>',
        '        <method>POST</method>',
        '    </allowed-methods>',
        '    <allowed-headers>',
        '        <header>Authorization</header>',
        '    </allowed-headers>',
        '    <expose-headers>',
        '        <header>Mcp-Session-Id</header>',
        '    </expose-headers>',
        '</cors>',
      ].join('\n'),
    );
  });

  it('leaves out what was not given', () => {
    expect(raw(cors({ allowedOrigins: ['*'] }))).toBe(['<cors>', '    <allowed-origins>', '        <origin>*</origin>', '    </allowed-origins>', '</cors>'].join('\n'));
  });

  it('refuses credentials with the * origin, also when an expression decides them', () => {
    expect(() => cors({ allowCredentials: true, allowedOrigins: ['*'] })).toThrow(/allow-credentials "true" with the '\*' origin/);
    expect(() => cors({ allowCredentials: expr('true'), allowedOrigins: ['*'] })).toThrow(/with the '\*' origin/);
    // Explicitly false is fine.
    expect(() => cors({ allowCredentials: false, allowedOrigins: ['*'] })).not.toThrow();
  });

  it('refuses an empty origin list and * beside other origins', () => {
    expect(() => cors({ allowedOrigins: [] })).toThrow(/<cors> allowedOrigins is an empty list/);
    expect(() => cors({ allowedOrigins: ['*', 'https://a.example.com'] })).toThrow(/'\*' must stand alone/);
  });

  it.each([
    ['https://app.example.com/path', /no path, query or fragment/],
    ['app.example.com', /not a URI/],
    ['ftp://app.example.com', /scheme must be http or https/],
  ])('refuses the origin %s', (origin, message) => {
    expect(() => cors({ allowedOrigins: [origin] })).toThrow(message);
  });

  it('needs allowed methods for a preflight max age, and refuses an empty method list', () => {
    expect(() => cors({ allowedOrigins: ['*'], preflightResultMaxAge: 60 })).toThrow(/preflightResultMaxAge is an attribute of allowed-methods/);
    expect(() => cors({ allowedOrigins: ['*'], allowedMethods: [] })).toThrow(/allowedMethods is an empty list/);
    expect(() => cors({ allowedOrigins: ['*'], allowedMethods: ['GET'], preflightResultMaxAge: -1 })).toThrow(/preflight-result-max-age must be an integer from 0/);
  });
});

describe('rateLimit', () => {
  it('writes limits with per-API and per-operation children', () => {
    expect(
      raw(
        rateLimit({
          calls: 20,
          renewalPeriod: 90,
          remainingCallsVariableName: 'remaining',
          apis: [{ name: 'weather', calls: 10, renewalPeriod: 60, operations: [{ id: 'op1', calls: 5, renewalPeriod: 60 }] }],
        }),
      ),
    ).toBe(
      [
        '<rate-limit calls="20" renewal-period="90" remaining-calls-variable-name="remaining">',
        '    <api name="weather" calls="10" renewal-period="60">',
        '        <operation id="op1" calls="5" renewal-period="60" />',
        '    </api>',
        '</rate-limit>',
      ].join('\n'),
    );
  });

  it('refuses a rate limit of 0 calls', () => {
    expect(() => rateLimit({ calls: 0, renewalPeriod: 60 })).toThrow(/<rate-limit> calls must be an integer from 1 to 2147483647, got 0: a limit of 0 calls/);
  });

  it('refuses renewal periods outside 1-300 seconds and non-integers', () => {
    expect(() => rateLimit({ calls: 1, renewalPeriod: 301 })).toThrow(/renewal-period must be an integer from 1 to 300, got 301/);
    expect(() => rateLimit({ calls: 1, renewalPeriod: 0 })).toThrow(/got 0/);
    expect(() => rateLimit({ calls: 1.5, renewalPeriod: 60 })).toThrow(/calls must be an integer .* got 1.5/);
    expect(() => rateLimit({ calls: 'ten', renewalPeriod: 60 })).toThrow(/got "ten"/);
  });

  it('accepts a named value for a literal-only count', () => {
    expect(raw(rateLimit({ calls: namedValue('mcp-calls'), renewalPeriod: '60' }))).toBe('<rate-limit calls="{{mcp-calls}}" renewal-period="60" />');
  });

  it('refuses an expression: APIM reads calls literally', () => {
    expect(() => rateLimit({ calls: smuggled('10'), renewalPeriod: 60 })).toThrow(/<rate-limit> calls does not accept a policy expression \(got @\(10\)\)/);
  });

  it('needs exactly one of name and id on api and operation', () => {
    expect(() => rateLimit({ calls: 1, renewalPeriod: 1, apis: [{ calls: 1, renewalPeriod: 1 }] })).toThrow(/<rate-limit> api\[0\] needs a name or an id/);
    expect(() =>
      rateLimit({ calls: 1, renewalPeriod: 1, apis: [{ name: 'a', calls: 1, renewalPeriod: 1, operations: [{ name: 'o', id: 'i', calls: 1, renewalPeriod: 1 }] }] }),
    ).toThrow(/api\[0\] operation\[0\] has both name "o" and id "i"/);
  });

  it('checks header and variable names', () => {
    expect(() => rateLimit({ calls: 1, renewalPeriod: 1, retryAfterHeaderName: 'Retry After' })).toThrow(/retry-after-header-name must be an HTTP header name/);
    expect(() => rateLimit({ calls: 1, renewalPeriod: 1, retryAfterVariableName: 'retry after' })).toThrow(/retry-after-variable-name must be a context variable name/);
  });
});

describe('rateLimitByKey', () => {
  it('writes the attributes in the reference order', () => {
    expect(
      raw(
        rateLimitByKey({
          totalCallsHeaderName: 'X-Limit',
          counterKey: E.clientIp(),
          incrementCount: 2,
          incrementCondition: expr('context.Response.StatusCode == 200'),
          renewalPeriod: 60,
          calls: 10,
          retryAfterHeaderName: 'Retry-After',
        }),
      ),
    ).toBe(
      '<rate-limit-by-key calls="10" renewal-period="60" increment-condition="@(context.Response.StatusCode == 200)" increment-count="2" ' +
        'counter-key="@(context.Request.IpAddress)" retry-after-header-name="Retry-After" total-calls-header-name="X-Limit" />',
    );
  });

  it('takes expressions for calls and renewal period', () => {
    expect(raw(rateLimitByKey({ calls: expr('5 * 2'), renewalPeriod: expr('60'), counterKey: E.subscriptionId() }))).toBe(
      '<rate-limit-by-key calls="@(5 * 2)" renewal-period="@(60)" counter-key="@((context.Subscription?.Id ?? ""))" />',
    );
  });

  it('refuses a rate limit of 0 calls, a period above 300 s and an increment of 0', () => {
    expect(() => rateLimitByKey({ calls: 0, renewalPeriod: 60, counterKey: E.clientIp() })).toThrow(/<rate-limit-by-key> calls .* got 0/);
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 3600, counterKey: E.clientIp() })).toThrow(/renewal-period must be an integer from 1 to 300, got 3600/);
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 60, incrementCount: 0, counterKey: E.clientIp() })).toThrow(/increment-count .* got 0/);
  });

  it('refuses an empty counter key and a string that reads as an expression', () => {
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 60, counterKey: '' })).toThrow(/counter-key must not be empty/);
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 60, counterKey: '@(context.Request.IpAddress)' })).toThrow(/build it with expr\(\)/);
  });

  it('leaves values holding named-value references to APIM, which substitutes them before the policy runs', () => {
    expect(raw(rateLimitByKey({ calls: '{{mcp-calls}}', renewalPeriod: 60, counterKey: 'k', retryAfterHeaderName: '{{retry-header}}' }))).toBe(
      '<rate-limit-by-key calls="{{mcp-calls}}" renewal-period="60" counter-key="k" retry-after-header-name="{{retry-header}}" />',
    );
  });

  it('points at expr() for a string that reads as an expression, also in a numeric attribute', () => {
    expect(() => rateLimitByKey({ calls: '@(10)', renewalPeriod: 60, counterKey: 'k' })).toThrow(
      /<rate-limit-by-key> calls got the string "@\(10\)", which reads as a policy expression; build it with expr\(\)/,
    );
  });

  it('refuses an expression in a literal-only header name', () => {
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 60, counterKey: 'k', remainingCallsHeaderName: smuggled('"X"') })).toThrow(
      /remaining-calls-header-name does not accept a policy expression/,
    );
  });

  it('refuses a non-boolean increment condition', () => {
    expect(() => rateLimitByKey({ calls: 1, renewalPeriod: 60, counterKey: 'k', incrementCondition: 'yes' })).toThrow(
      /increment-condition must be one of "true", "false", got "yes"/,
    );
  });
});

describe('quota', () => {
  it('writes quotas with per-API and per-operation children', () => {
    expect(raw(quota({ calls: 100, renewalPeriod: 0, apis: [{ id: 'a1', bandwidth: 10, operations: [{ name: 'op', calls: 5 }] }] }))).toBe(
      [
        '<quota calls="100" renewal-period="0">',
        '    <api id="a1" bandwidth="10">',
        '        <operation name="op" calls="5" />',
        '    </api>',
        '</quota>',
      ].join('\n'),
    );
  });

  it('needs calls or bandwidth, at every level', () => {
    expect(() => quota({ renewalPeriod: 60 })).toThrow(/<quota> needs calls, bandwidth or both/);
    expect(() => quota({ calls: 1, renewalPeriod: 60, apis: [{ name: 'a' }] })).toThrow(/<quota> api\[0\] needs calls, bandwidth or both/);
  });

  it('refuses a quota of 0 calls or 0 kilobytes and a negative period', () => {
    expect(() => quota({ calls: 0, renewalPeriod: 60 })).toThrow(/<quota> calls .* got 0/);
    expect(() => quota({ bandwidth: 0, renewalPeriod: 60 })).toThrow(/<quota> bandwidth .* got 0/);
    expect(() => quota({ calls: 1, renewalPeriod: -1 })).toThrow(/renewal-period must be an integer from 0/);
  });
});

describe('quotaByKey', () => {
  it('writes the attributes in the reference order', () => {
    expect(
      raw(
        quotaByKey({
          firstPeriodStart: new Date(Date.UTC(2025, 0, 1, 12, 30)),
          counterKey: E.clientIp(),
          incrementCount: 3,
          renewalPeriod: 3600,
          bandwidth: 40000,
          calls: 10000,
        }),
      ),
    ).toBe(
      '<quota-by-key calls="10000" bandwidth="40000" renewal-period="3600" increment-count="3" counter-key="@(context.Request.IpAddress)" ' +
        'first-period-start="2025-01-01T12:30:00Z" />',
    );
  });

  it('accepts 0 (lifetime) or at least 300 seconds as the period', () => {
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 0, counterKey: 'k' })).not.toThrow();
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 300, counterKey: 'k' })).not.toThrow();
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 299, counterKey: 'k' })).toThrow(/must be 0 \(never resets\) or at least 300 seconds, got 299/);
  });

  it('refuses a start that is not a UTC date-time that exists', () => {
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 0, counterKey: 'k', firstPeriodStart: '2025-01-01' })).toThrow(
      /first-period-start must be a UTC date-time such as "2025-01-01T00:00:00Z", got "2025-01-01"/,
    );
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 0, counterKey: 'k', firstPeriodStart: '2025-02-30T00:00:00Z' })).toThrow(/got "2025-02-30T00:00:00Z"/);
    expect(() => quotaByKey({ calls: 1, renewalPeriod: 0, counterKey: 'k', firstPeriodStart: new Date('nope') })).toThrow(/invalid Date/);
  });

  it('refuses an expression in the literal-only period', () => {
    expect(() => quotaByKey({ calls: 1, renewalPeriod: smuggled('300'), counterKey: 'k' })).toThrow(/<quota-by-key> renewal-period does not accept a policy expression/);
  });
});

describe('section rules', () => {
  // tsc fails on each expect-error line below if the builder's return type stopped limiting its sections;
  // policyDocument() refuses the same placement at run time.
  it('keeps access restrictions in inbound', () => {
    const key = E.clientIp();
    // @ts-expect-error rate-limit is inbound-only
    expect(() => policyDocument({ outbound: [rateLimit({ calls: 1, renewalPeriod: 1 })] })).toThrow(/<rate-limit> is not allowed in <outbound>/);
    // @ts-expect-error rate-limit-by-key is inbound-only
    expect(() => policyDocument({ backend: [rateLimitByKey({ calls: 1, renewalPeriod: 1, counterKey: key })] })).toThrow(/not allowed in <backend>/);
    // @ts-expect-error quota is inbound-only
    expect(() => policyDocument({ onError: [quota({ calls: 1, renewalPeriod: 0 })] })).toThrow(/not allowed in <on-error>/);
    // @ts-expect-error quota-by-key is inbound-only
    expect(() => policyDocument({ outbound: [quotaByKey({ calls: 1, renewalPeriod: 0, counterKey: key })] })).toThrow(/not allowed/);
    // @ts-expect-error cors is inbound-only
    expect(() => policyDocument({ outbound: [cors({ allowedOrigins: ['*'] })] })).toThrow(/not allowed/);
    // @ts-expect-error ip-filter is inbound-only
    expect(() => policyDocument({ backend: [ipFilter({ action: 'allow', addresses: ['10.0.0.1'] })] })).toThrow(/not allowed/);
    // @ts-expect-error check-header is inbound-only
    expect(() => policyDocument({ outbound: [checkHeader({ name: 'a', failedCheckHttpcode: 400, failedCheckErrorMessage: 'x' })] })).toThrow(/not allowed/);
    expect(() => policyDocument({ inbound: [rateLimit({ calls: 1, renewalPeriod: 1 }), cors({ allowedOrigins: ['*'] })] })).not.toThrow();
  });
});

describe('conformance samples', () => {
  it('are valid against the APIM schemas', async () => {
    expect(await xsdErrors(samples)).toEqual([]);
  }, 60_000);
});
