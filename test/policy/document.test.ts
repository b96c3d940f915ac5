import {
  PolicyError,
  base,
  checkDocument,
  choose,
  comment,
  element,
  expr,
  forwardRequest,
  policyDocument,
  policyFragment,
  rateLimit,
  render,
  setHeader,
  untypedPolicy,
  validateJwt,
} from '../../lib/policy';

describe('policy documents', () => {
  it('renders the four sections in order, each present even when empty', () => {
    expect(render(policyDocument({ inbound: [base()] }))).toBe(
      ['<policies>', '    <inbound>', '        <base />', '    </inbound>', '    <backend />', '    <outbound />', '    <on-error />', '</policies>'].join('\n'),
    );
  });

  it('renders a fragment with its <fragment> root', () => {
    const fragment = policyFragment([setHeader({ name: 'X-Gateway', existsAction: 'override', value: 'apim' })]);
    expect(render(fragment)).toBe(
      ['<fragment>', '    <set-header name="X-Gateway" exists-action="override">', '        <value>apim</value>', '    </set-header>', '</fragment>'].join('\n'),
    );
  });

  it('refuses a second <base/> in one section and says where', () => {
    expect(() => policyDocument({ inbound: [base(), setHeader({ name: 'a', value: 'b' }), base()] })).toThrow(
      /inbound\/base\[1\]: a second <base\/> in <inbound>/,
    );
  });

  it('refuses <base/> inside a fragment', () => {
    expect(() => policyFragment([base()])).toThrow(PolicyError);
  });

  it('refuses, at run time, a policy the section forbids (for nodes the types cannot see)', () => {
    const parsedRateLimit = untypedPolicy(element('rate-limit', [['calls', '5'], ['renewal-period', '60']]));
    expect(() => policyDocument({ outbound: [parsedRateLimit] })).toThrow(
      'outbound/rate-limit: <rate-limit> is not allowed in <outbound>; APIM allows it in: inbound',
    );
  });

  it('checks policies nested in containers against the enclosing section', () => {
    const nested = untypedPolicy(
      element('choose', [], [element('when', [['condition', expr('true')]], [element('forward-request')])]),
    );
    expect(() => policyDocument({ inbound: [nested] })).toThrow(/inbound\/choose\/when\/forward-request: <forward-request> is not allowed in <inbound>/);
    expect(() => checkDocument({ type: 'policies', sections: { inbound: [], backend: [nested], outbound: [], 'on-error': [] } })).not.toThrow();
  });

  it('keeps unknown (raw) policies in any section, in order', () => {
    const doc = policyDocument({ inbound: [untypedPolicy(element('some-future-policy', [['mode', 'on']])), comment(' kept ')] });
    expect(render(doc)).toContain('<some-future-policy mode="on" />\n        <!-- kept -->');
  });

  it('refuses a comment APIM could not read back', () => {
    expect(() => comment('a -- b')).toThrow(/may not contain "--"/);
  });

  it('is a compile error to put a policy in a section that forbids it', () => {
    // The lines under @ts-expect-error must fail type-checking (tsc --noEmit runs in `npm test`); at run time
    // the same mistakes are refused by the document check.
    expect(() =>
      policyDocument({
        // @ts-expect-error rate-limit is inbound-only
        outbound: [rateLimit({ calls: 5, renewalPeriod: 60 })],
      }),
    ).toThrow(/not allowed in <outbound>/);
    expect(() =>
      policyDocument({
        // @ts-expect-error forward-request is backend-only
        inbound: [forwardRequest()],
      }),
    ).toThrow(/not allowed in <inbound>/);
    expect(() =>
      policyDocument({
        // @ts-expect-error a choose holding an inbound-only policy cannot go in outbound
        outbound: [choose({ when: [{ condition: expr('true'), policies: [rateLimit({ calls: 1, renewalPeriod: 1 })] }] })],
      }),
    ).toThrow(/outbound\/choose\/when\/rate-limit/);
  });
});

describe('errors a user meets while building policies', () => {
  it('a rate limit of 0 calls', () => {
    expect(() => rateLimit({ calls: 0, renewalPeriod: 60 })).toThrow(PolicyError);
    expect(() => rateLimit({ calls: 0, renewalPeriod: 60 })).toThrow('<rate-limit> calls must be an integer from 1 to 2147483647, got 0');
  });

  it('validate-jwt with neither signing keys nor OpenID config', () => {
    expect(() => validateJwt({ headerName: 'Authorization', audiences: ['api://x'] })).toThrow(/<validate-jwt> has no way to check signatures: give openidConfigUrls .* or issuerSigningKeys/);
  });

  it('an expression in a literal-only attribute', () => {
    // rate-limit's calls is read literally by APIM (no policy expressions there).
    expect(() =>
      rateLimit({
        // @ts-expect-error the builder's type already refuses an expression here
        calls: expr('context.Variables["n"]'),
        renewalPeriod: 60,
      }),
    ).toThrow(/does not accept a policy expression/);
  });
});
