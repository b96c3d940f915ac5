import {
  ChooseWhen,
  HTTP_REASON_PHRASES,
  base,
  choose,
  includeFragment,
  limitConcurrency,
  mockResponse,
  retry,
  returnResponse,
  setStatus,
  wait,
} from '../../lib/policy/builders/control';
import { forwardRequest, setBackendService, setBody, setHeader, setVariable } from '../../lib/policy/builders/transform';
import { policyDocument, policyFragment } from '../../lib/policy/document';
import { PolicyError } from '../../lib/policy/errors';
import { E, expr, namedValue } from '../../lib/policy/expressions';
import { ElementNode, Statement, comment, element, untypedPolicy } from '../../lib/policy/model';
import { render } from '../../lib/policy/render';
import { validateAgainstXsd } from '../../lib/policy/xsd';
import { samples } from '../conformance/control';
import { attrNames, expectPolicyError, raw, xml } from '../support/policy';
import { xsdErrors } from '../support/xsd';

// Policies with narrower section sets than "everywhere", to exercise the container typing.
const inboundOrBackend = () => setBackendService({ backendId: 'b' }); // inbound, backend
const notBackend = () => mockResponse(); // inbound, outbound, on-error
const everywhere = () => setVariable({ name: 'v', value: 1 }); // all four

describe('base', () => {
  it('renders an empty <base />', () => {
    expect(raw(base())).toBe('<base />');
  });
});

describe('choose', () => {
  const branchy = () =>
    choose({
      when: [
        { condition: expr('context.Request.Method == "GET"'), policies: [setHeader({ name: 'X-M', value: 'get' })] },
        { condition: expr('context.Request.Method == "POST"'), policies: [comment(' nothing to do ')] },
      ],
      otherwise: [everywhere()],
    });

  it('renders when branches in order and otherwise last, conditions verbatim in rawxml', () => {
    expect(raw(branchy())).toBe(
      [
        '<choose>',
        '    <when condition="@(context.Request.Method == "GET")">',
        '        <set-header name="X-M">',
        '            <value>get</value>',
        '        </set-header>',
        '    </when>',
        '    <when condition="@(context.Request.Method == "POST")">',
        '        <!-- nothing to do -->',
        '    </when>',
        '    <otherwise>',
        '        <set-variable name="v" value="1" />',
        '    </otherwise>',
        '</choose>',
      ].join('\n'),
    );
  });

  it('entity-escapes the conditions in the xml format', () => {
    expect(xml(branchy())).toContain('<when condition="@(context.Request.Method == &quot;GET&quot;)">');
  });

  it('leaves otherwise out unless given', () => {
    const p = choose({ when: [{ condition: expr('true'), policies: [] }] });
    expect(p.children.map((c) => (c as ElementNode).name)).toEqual(['when']);
  });

  it('needs at least one when', () => {
    expectPolicyError(() => choose({ when: [] }), 'at least one when');
  });

  it('refuses a literal condition, naming it and asking for an expression', () => {
    expectPolicyError(() => choose({ when: [{ condition: true, policies: [] }] }), 'when[0] condition', '"true"', 'expr(');
    expectPolicyError(
      () => choose({ when: [{ condition: expr('true'), policies: [] }, { condition: 'yes', policies: [] }] }),
      'when[1] condition',
      '"yes"',
    );
  });

  it('is typed with the sections all its children share', () => {
    // Each @ts-expect-error line fails to compile when the error it expects disappears.
    const inboundOnly = choose({ when: [{ condition: expr('true'), policies: [inboundOrBackend(), notBackend()] }] });
    policyDocument({ inbound: [inboundOnly] });
    // The runtime check agrees with each compile-time refusal below.
    // @ts-expect-error a choose holding set-backend-service (inbound, backend) does not fit outbound
    expect(() => policyDocument({ outbound: [choose({ when: [{ condition: expr('true'), policies: [inboundOrBackend()] }] })] })).toThrow(PolicyError);
    // @ts-expect-error set-backend-service and mock-response share only inbound
    expect(() => policyDocument({ backend: [inboundOnly] })).toThrow(PolicyError);
    const viaOtherwise = choose({ when: [{ condition: expr('true'), policies: [] }], otherwise: [inboundOrBackend()] });
    // @ts-expect-error the otherwise branch counts too
    expect(() => policyDocument({ outbound: [viaOtherwise] })).toThrow(PolicyError);
    const disjoint = choose({
      when: [
        { condition: expr('true'), policies: [inboundOrBackend()] },
        { condition: expr('false'), policies: [notBackend()] },
        { condition: expr('1 == 1'), policies: [forwardRequest()] },
      ],
    });
    // @ts-expect-error branches that share no section fit nowhere
    expect(() => policyDocument({ inbound: [disjoint] })).toThrow(PolicyError);

    // Only everywhere-policies (or none): fits every section.
    const anywhere = choose({ when: [{ condition: expr('true'), policies: [everywhere(), comment(' c ')] }] });
    const empty = choose({ when: [{ condition: expr('true'), policies: [] }] });
    const doc = policyDocument({ inbound: [anywhere], backend: [anywhere], outbound: [empty], onError: [anywhere] });
    expect(doc.sections['on-error']).toEqual([anywhere]);

    // Nested containers keep narrowing.
    const nested = choose({ when: [{ condition: expr('true'), policies: [anywhere, inboundOnly] }] });
    // @ts-expect-error nested choose holds inbound-only policies
    expect(() => policyDocument({ onError: [nested] })).toThrow(PolicyError);
  });

  it('keeps the sections of branches built apart when they are typed with them', () => {
    const branches: ChooseWhen<Statement<'inbound'>>[] = [{ condition: expr('true'), policies: [inboundOrBackend()] }];
    policyDocument({ inbound: [choose({ when: branches })] });
    // @ts-expect-error the branches were typed inbound-only
    policyDocument({ backend: [choose({ when: branches })] });
  });

  it('is checked at run time when a raw element the types cannot see is in the wrong section', () => {
    const rawRewrite = untypedPolicy(element('rewrite-uri', [['template', '/x']]));
    const p = choose({ when: [{ condition: expr('true'), policies: [rawRewrite] }] });
    expect(() => policyDocument({ outbound: [p] })).toThrow(
      'outbound/choose/when/rewrite-uri: <rewrite-uri> is not allowed in <outbound>; APIM allows it in: inbound',
    );
    expect(() => policyDocument({ inbound: [p] })).not.toThrow();
  });
});

describe('setStatus', () => {
  it('renders code and the standard reason phrase by default', () => {
    expect(raw(setStatus({ code: 401 }))).toBe('<set-status code="401" reason="Unauthorized" />');
    expect(HTTP_REASON_PHRASES[429]).toBe('Too Many Requests');
  });

  it('renders an explicit reason and expressions', () => {
    expect(raw(setStatus({ code: 418, reason: "I'm a teapot" }))).toBe('<set-status code="418" reason="I\'m a teapot" />');
    expect(raw(setStatus({ code: expr('context.Response.StatusCode'), reason: expr('"x"') }))).toBe(
      '<set-status code="@(context.Response.StatusCode)" reason="@("x")" />',
    );
  });

  it('refuses codes outside 100-599 and fractions, naming the value', () => {
    expectPolicyError(() => setStatus({ code: 99 }), '<set-status> code', 'from 100 to 599', '99');
    expectPolicyError(() => setStatus({ code: 600 }), '600');
    expectPolicyError(() => setStatus({ code: 200.5 }), '200.5');
  });

  it('needs a reason when none can be defaulted', () => {
    expectPolicyError(() => setStatus({ code: expr('context.Response.StatusCode') }), 'no standard reason phrase', 'give reason');
    expectPolicyError(() => setStatus({ code: 299 }), 'code 299 has no', 'give reason');
  });

  it('refuses a multi-line reason', () => {
    expectPolicyError(() => setStatus({ code: 400, reason: 'bad\r\nX-Injected: 1' }), 'single line');
  });
});

describe('returnResponse', () => {
  it('renders response-variable-name and set-status, set-header, set-body in schema order', () => {
    const p = returnResponse({
      body: { value: '{"error":"invalid_token"}' },
      headers: [
        { name: 'WWW-Authenticate', value: 'Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource"' },
        { name: 'Content-Type', value: 'application/json' },
      ],
      status: { code: 401 },
      responseVariableName: 'r',
    });
    expect(xml(p)).toBe(
      [
        '<return-response response-variable-name="r">',
        '    <set-status code="401" reason="Unauthorized" />',
        '    <set-header name="WWW-Authenticate">',
        '        <value>Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource"</value>',
        '    </set-header>',
        '    <set-header name="Content-Type">',
        '        <value>application/json</value>',
        '    </set-header>',
        '    <set-body>{"error":"invalid_token"}</set-body>',
        '</return-response>',
      ].join('\n'),
    );
  });

  it('renders an empty return-response by default (200 OK, no body)', () => {
    expect(raw(returnResponse())).toBe('<return-response />');
  });

  it('checks its children with their own builders', () => {
    expectPolicyError(() => returnResponse({ status: { code: 1000 } }), '<set-status> code', '1000');
    expectPolicyError(() => returnResponse({ headers: [{ name: 'X', existsAction: 'bogus' as never, value: '1' }] }), '"bogus"');
  });

  it('refuses a Liquid body, which would read an emptied body', () => {
    expectPolicyError(() => returnResponse({ body: { template: 'liquid', value: '{{body.x}}' } }), 'liquid', 'empty input');
  });

  it('refuses an invalid variable name and an expression, which APIM reads literally', () => {
    expectPolicyError(() => returnResponse({ responseVariableName: 'a b' }), 'response-variable-name', '"a b"');
    expectPolicyError(
      // @ts-expect-error response-variable-name is literal-only
      () => returnResponse({ responseVariableName: expr('"r"') }),
      'response-variable-name',
      'does not accept a policy expression',
    );
  });
});

describe('mockResponse', () => {
  it('renders nothing by default and both attributes in docs order', () => {
    expect(raw(mockResponse())).toBe('<mock-response />');
    expect(raw(mockResponse({ contentType: 'application/json', statusCode: 404 }))).toBe(
      '<mock-response status-code="404" content-type="application/json" />',
    );
  });

  it('refuses an out-of-range status and a content type that is not a media type', () => {
    expectPolicyError(() => mockResponse({ statusCode: 700 }), '<mock-response> status-code', '700');
    expectPolicyError(() => mockResponse({ contentType: 'json' }), '"json"', 'media type');
  });

  it('refuses expressions, which APIM does not evaluate here', () => {
    // @ts-expect-error content-type is literal-only
    expectPolicyError(() => mockResponse({ contentType: expr('"a/b"') }), '<mock-response> content-type', 'does not accept');
    // @ts-expect-error status-code is literal-only
    expectPolicyError(() => mockResponse({ statusCode: expr('200') }), '<mock-response> status-code', 'does not accept');
  });
});

describe('retry', () => {
  const forward = () => forwardRequest({ bufferRequestBody: true });

  it('renders the attributes in the docs order around its policies', () => {
    const p = retry({
      policies: [forward()],
      firstFastRetry: true,
      delta: 2,
      maxInterval: 30,
      interval: 1,
      count: 5,
      condition: expr('context.Response.StatusCode >= 500'),
    });
    expect(raw(p)).toBe(
      [
        '<retry condition="@(context.Response.StatusCode >= 500)" count="5" interval="1" max-interval="30" delta="2" first-fast-retry="true">',
        '    <forward-request buffer-request-body="true" />',
        '</retry>',
      ].join('\n'),
    );
  });

  it('leaves the optional attributes out and accepts a boolean condition and named values', () => {
    const p = retry({ condition: true, count: namedValue('retries'), interval: 0, policies: [forward()] });
    expect(raw(p)).toContain('<retry condition="true" count="{{retries}}" interval="0">');
  });

  it('refuses counts outside 1-50 and negative intervals, naming the value', () => {
    const ok = { condition: true, interval: 1, policies: [forward()] };
    expectPolicyError(() => retry({ ...ok, count: 0 }), '<retry> count', 'from 1 to 50', '0');
    expectPolicyError(() => retry({ ...ok, count: 51 }), '51');
    expectPolicyError(() => retry({ ...ok, count: 3, interval: -1 }), '<retry> interval', '>= 0', '-1');
    expectPolicyError(() => retry({ ...ok, count: 3, delta: 0 }), '<retry> delta', '>= 1', '0');
  });

  it('applies the docs rules for the exponential algorithm', () => {
    const ok = { condition: true, count: 3, policies: [forward()] };
    expectPolicyError(() => retry({ ...ok, interval: 1, maxInterval: 10 }), 'max-interval 10 needs delta');
    expectPolicyError(() => retry({ ...ok, interval: 20, maxInterval: 10, delta: 1 }), 'max-interval 10 is less than interval 20');
  });

  it('needs a policy inside and refuses wait anywhere inside', () => {
    expectPolicyError(() => retry({ condition: true, count: 3, interval: 1, policies: [comment(' only a comment ')] }), 'at least one policy');
    const nestedWait = choose({
      when: [{ condition: expr('true'), policies: [wait({ policies: [choose({ when: [{ condition: expr('true'), policies: [] }] })] })] }],
    });
    expectPolicyError(() => retry({ condition: true, count: 3, interval: 1, policies: [nestedWait] }), 'may not contain <wait>', 'choose/when/wait');
  });

  it('is typed with the sections its policies share', () => {
    const r = retry({ condition: true, count: 2, interval: 1, policies: [forward()] });
    policyDocument({ backend: [r] });
    // @ts-expect-error forward-request inside makes the retry backend-only
    expect(() => policyDocument({ inbound: [r] })).toThrow('<forward-request> is not allowed in <inbound>');
  });
});

describe('wait', () => {
  const branch = (name: string) =>
    choose({ when: [{ condition: expr('true'), policies: [setVariable({ name, value: 1 })] }] });

  it('always writes for (the schema requires it), defaulting to all', () => {
    expect(raw(wait({ policies: [branch('a')] }))).toMatch(/^<wait for="all">\n {4}<choose>/);
    expect(attrNames(wait({ for: 'any', policies: [branch('a'), branch('b')] }))).toEqual(['for']);
    expect(raw(wait({ for: expr('"any"'), policies: [branch('a')] }))).toMatch(/^<wait for="@\("any"\)">/);
  });

  it('refuses children other than send-request, cache-lookup-value and choose, and an empty wait', () => {
    expectPolicyError(
      () => wait({ policies: [setVariable({ name: 'v', value: 1 })] }),
      'send-request, cache-lookup-value, choose',
      '<set-variable>',
    );
    expectPolicyError(() => wait({ policies: [] }), '<wait> needs at least one policy');
    expectPolicyError(() => wait({ for: 'some' as never, policies: [branch('a')] }), '"some"', '"all", "any"');
  });

  it('is typed with its own sections and its children\'s', () => {
    const w = wait({ policies: [branch('a')] });
    policyDocument({ inbound: [w], backend: [w], outbound: [w] });
    // @ts-expect-error wait is not allowed in on-error, whatever it holds
    expect(() => policyDocument({ onError: [w] })).toThrow('<wait> is not allowed in <on-error>');
  });
});

describe('limitConcurrency', () => {
  it('renders key and max-count around its policies', () => {
    const p = limitConcurrency({ key: E.variable('connectionId'), maxCount: 3, policies: [forwardRequest({ timeout: 120 })] });
    expect(raw(p)).toBe(
      [
        '<limit-concurrency key="@(context.Variables.GetValueOrDefault<string>("connectionId", ""))" max-count="3">',
        '    <forward-request timeout="120" />',
        '</limit-concurrency>',
      ].join('\n'),
    );
    expect(xml(p)).toContain('key="@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;connectionId&quot;, &quot;&quot;))"');
  });

  it('refuses max-count below 1, an empty key and an empty body', () => {
    const body = [everywhere()];
    expectPolicyError(() => limitConcurrency({ key: 'k', maxCount: 0, policies: body }), '<limit-concurrency> max-count', '>= 1', '0');
    expectPolicyError(() => limitConcurrency({ key: '', maxCount: 1, policies: body }), 'key must not be empty');
    expectPolicyError(() => limitConcurrency({ key: 'k', maxCount: 1, policies: [] }), 'at least one policy');
  });

  it('refuses an expression for max-count, which APIM reads literally', () => {
    expectPolicyError(
      // @ts-expect-error max-count is literal-only
      () => limitConcurrency({ key: 'k', maxCount: expr('3'), policies: [everywhere()] }),
      '<limit-concurrency> max-count',
      'does not accept a policy expression',
    );
  });

  it('is typed with the sections its policies share', () => {
    const l = limitConcurrency({ key: 'k', maxCount: 1, policies: [notBackend()] });
    policyDocument({ inbound: [l], outbound: [l], onError: [l] });
    // @ts-expect-error mock-response inside is not allowed in backend
    expect(() => policyDocument({ backend: [l] })).toThrow(PolicyError);
  });
});

describe('includeFragment', () => {
  it('renders fragment-id', () => {
    expect(raw(includeFragment({ fragmentId: 'forward-context' }))).toBe('<include-fragment fragment-id="forward-context" />');
  });

  it('refuses a name API Management would not accept', () => {
    expectPolicyError(() => includeFragment({ fragmentId: 'my fragment' }), '"my fragment"', 'fragment name');
    expectPolicyError(() => includeFragment({ fragmentId: '-lead' }), '"-lead"');
    expectPolicyError(() => includeFragment({ fragmentId: 'x'.repeat(81) }), 'fragment name');
  });

  it('refuses an expression, which APIM reads literally', () => {
    // @ts-expect-error fragment-id is literal-only
    expectPolicyError(() => includeFragment({ fragmentId: expr('"f"') }), 'fragment-id', 'does not accept a policy expression');
  });

  it('fits every section and a fragment', () => {
    const inc = includeFragment({ fragmentId: 'f' });
    policyDocument({ inbound: [inc], backend: [inc], outbound: [inc], onError: [inc] });
    expect(policyFragment([inc]).children).toEqual([inc]);
  });
});

describe('sections at run time', () => {
  it('refuse a second <base/> and base inside a container', () => {
    expect(() => policyDocument({ inbound: [base(), base()] })).toThrow('a second <base/> in <inbound>');
    const inChoose = choose({ when: [{ condition: expr('true'), policies: [base()] }] });
    expect(() => policyDocument({ inbound: [inChoose] })).toThrow('<base/> may only stand directly in a section');
  });

  it('refuse a raw element in a section APIM does not allow it in', () => {
    const rawBody = untypedPolicy(element('set-body', [], []));
    expect(() => policyDocument({ onError: [rawBody] })).toThrow('<set-body> is not allowed in <on-error>');
  });
});

describe('control conformance samples', () => {
  // libxml2 in WebAssembly compiles the ~70 schema files per call.
  jest.setTimeout(60_000);

  it('are valid against the APIM schemas, one document per section', async () => {
    expect(await xsdErrors(samples)).toEqual([]);
  });

  it('would catch a builder output the schema refuses (the check can fail)', async () => {
    // The schema requires wait's `for`; a wait without it must be reported.
    const noFor = untypedPolicy(element('wait', [], [choose({ when: [{ condition: expr('true'), policies: [] }] })]));
    const doc = policyDocument({ inbound: [noFor] });
    const result = await validateAgainstXsd([{ fileName: 'no-for.xml', contents: render(doc, { format: 'xml' }) }]);
    expect(result.valid).toBe(false);
    expect(result.errors.join('\n')).toMatch(/no-for\.xml:3: .*'for' is required/);
  });

  it('cover every control builder at section top level', () => {
    const elements = new Set(samples.map((s) => s.policy.name));
    for (const name of [
      'base',
      'choose',
      'return-response',
      'set-status',
      'mock-response',
      'retry',
      'wait',
      'limit-concurrency',
      'include-fragment',
    ]) {
      expect(elements).toContain(name);
    }
  });

  it('hold the set-body children of return-response in a form setBody also builds', () => {
    const sample = samples.find((s) => s.name === 'return-response/all-options');
    const body = sample?.policy.children.find((c) => c.type === 'element' && c.name === 'set-body');
    expect(body).toEqual(setBody({ value: '{"error":"invalid_token"}', xsiNil: 'null', parseDate: false }));
  });
});
