import { PolicyError } from '../../lib/policy/errors';
import { attr } from '../../lib/policy/model';
import { corsPolicy } from '../../policies/cors';
import { cidrRange, ipAllowListPolicy } from '../../policies/ip-allow-list';
import { jwtForwardingPolicy } from '../../policies/jwt-forwarding';
import { resourceLocation } from '../../policies/mcp-authorization';
import { subscriptionAllowListPolicy } from '../../policies/subscription-allow-list';
import { KEY_CHALLENGE, subscriptionKeyPart, subscriptionKeyPolicy } from '../../policies/subscription-key';
import { composeParts } from '../../policies/compose';
import { answers, bodyOf, descendants, expressionCode, headersOf, outline, raw } from './helpers';

describe('subscription-key', () => {
  const doc = subscriptionKeyPolicy();

  it('refuses a missing key before <base/> and an unknown subscription after it, both 401', () => {
    expect(outline(doc, 'inbound')).toEqual(['choose', 'base', 'choose', 'set-header']);
    const [missing, invalid] = doc.sections.inbound.filter((n) => n.type === 'element' && n.name === 'choose');
    expect(answers([missing]).map((a) => a.status)).toEqual(['401']);
    expect(raw(doc)).toContain('string.IsNullOrEmpty(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", ""))');
    expect(answers([invalid]).map((a) => a.status)).toEqual(['401']);
    expect(expressionCode(doc)).toContain('context.Subscription == null');
  });

  it('answers with a JSON error and the key challenge APIM itself sends', () => {
    for (const { node } of answers(doc.sections.inbound)) {
      expect(headersOf(node.children)).toEqual({ 'WWW-Authenticate': [KEY_CHALLENGE], 'Content-Type': ['application/json'] });
      expect(JSON.parse(bodyOf(node)).error).toMatch(/subscription_key/);
    }
  });

  it('by default removes the key from the backend request (APIM forwards it) and never captures it', () => {
    expect(descendants(doc.sections.inbound).filter((n) => n.name === 'set-variable')).toEqual([]);
    const remove = doc.sections.inbound.at(-1);
    expect(remove?.type === 'element' && [remove.name, attr(remove, 'name'), attr(remove, 'exists-action')]).toEqual([
      'set-header',
      'Ocp-Apim-Subscription-Key',
      'delete',
    ]);
    expect(raw(doc)).toContain('<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />');
    expect(raw(doc)).not.toContain('mcp-subscription-key');
  });

  it('with forwardToBackend stores the key before <base/> and re-injects it for the backend after it', () => {
    const on = subscriptionKeyPolicy({ forwardToBackend: true });
    expect(outline(on, 'inbound')).toEqual(['choose', 'set-variable', 'base', 'choose', 'set-header']);
    const [variable] = descendants(on.sections.inbound).filter((n) => n.name === 'set-variable');
    expect(attr(variable, 'name')).toBe('mcp-subscription-key');
    expect(headersOf(on.sections.inbound)).toEqual({
      'Ocp-Apim-Subscription-Key': ['@(context.Variables.GetValueOrDefault<string>("mcp-subscription-key", ""))'],
    });
  });

  it('gives APIM’s own subscription refusals (on-error, source "authorization") the same 401', () => {
    expect(outline(doc, 'on-error')).toEqual(['base', 'choose']);
    expect(expressionCode(doc)).toContain('context.LastError.Source == "authorization"');
    expect(answers(doc.sections['on-error']).map((a) => a.status)).toEqual(['401']);
  });

  it('is the default when forwardToBackend is false', () => {
    expect(raw(subscriptionKeyPolicy({ forwardToBackend: false }))).toBe(raw(doc));
  });

  it('adds the Bearer challenge before the key challenge when the server also takes OAuth tokens', () => {
    const location = resourceLocation('test', { resourceUrl: 'https://gw.example.com/weather/mcp' });
    const both = composeParts([subscriptionKeyPart({}, location)]);
    for (const { node } of answers(both.sections.inbound)) {
      expect(headersOf(node.children)['WWW-Authenticate']).toEqual([
        'Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource/weather/mcp"',
        KEY_CHALLENGE,
      ]);
    }
  });

  it('refuses unknown and mistyped options, naming them', () => {
    expect(() => subscriptionKeyPolicy({ forward: true } as never)).toThrow(/subscription-key: unknown option "forward"; accepted: forwardToBackend/);
    expect(() => subscriptionKeyPolicy({ forwardToBackend: 'yes' } as never)).toThrow(/option forwardToBackend must be true or false, got "yes"/);
  });
});

describe('subscription-allow-list', () => {
  it('answers 403 with a JSON error to a subscription ID not in the list, after <base/>', () => {
    const doc = subscriptionAllowListPolicy({ subscriptionIds: ['client-a', 'client "b"'] });
    expect(outline(doc, 'inbound')).toEqual(['base', 'choose']);
    expect(expressionCode(doc)).toContain('!new[] { "client-a", "client \\"b\\"" }.Contains((context.Subscription?.Id ?? ""))');
    const [answer] = answers(doc.sections.inbound);
    expect(answer.status).toBe('403');
    expect(JSON.parse(bodyOf(answer.node))).toEqual({ error: 'forbidden', error_description: 'This subscription may not call this MCP server.' });
  });

  it('matches a name pattern as a whole', () => {
    const doc = subscriptionAllowListPolicy({ subscriptionNamePattern: 'prod-.+' });
    expect(expressionCode(doc)).toContain(
      '!System.Text.RegularExpressions.Regex.IsMatch((context.Subscription?.Name ?? ""), "^(?:prod-.+)$")',
    );
  });

  it('refuses an empty list, both or neither selector, a broken or match-all pattern', () => {
    expect(() => subscriptionAllowListPolicy({ subscriptionIds: [] })).toThrow(/option subscriptionIds is an empty list/);
    expect(() => subscriptionAllowListPolicy({})).toThrow(/exactly one of subscriptionIds and subscriptionNamePattern, got neither/);
    expect(() => subscriptionAllowListPolicy({ subscriptionIds: ['a'], subscriptionNamePattern: 'a' })).toThrow(/got both/);
    expect(() => subscriptionAllowListPolicy({ subscriptionNamePattern: 'prod-(' })).toThrow(/"prod-\(" is not a valid regular expression/);
    expect(() => subscriptionAllowListPolicy({ subscriptionNamePattern: '.*' })).toThrow(/matches the empty name, so it allows every subscription/);
    expect(() => subscriptionAllowListPolicy({ subscriptionIds: ['a', 'a'] })).toThrow(/lists "a" twice/);
  });
});

describe('jwt-forwarding', () => {
  it('stores Authorization before <base/> and puts it back after, only when it was sent', () => {
    const doc = jwtForwardingPolicy();
    expect(outline(doc, 'inbound')).toEqual(['set-variable', 'base', 'choose']);
    expect(raw(doc)).toContain('<set-variable name="mcp-authorization" value="@(context.Request.Headers.GetValueOrDefault("Authorization", ""))" />');
    expect(expressionCode(doc)).toContain('!string.IsNullOrEmpty(context.Variables.GetValueOrDefault<string>("mcp-authorization", ""))');
    const [header] = descendants(doc.sections.inbound).filter((n) => n.name === 'set-header');
    expect(attr(header, 'name')).toBe('Authorization');
    expect(() => jwtForwardingPolicy({ header: 'X' } as never)).toThrow(/jwt-forwarding: unknown option "header"/);
  });
});

describe('ip-allow-list', () => {
  it('allows listed addresses and CIDR blocks before <base/>', () => {
    const doc = ipAllowListPolicy({ addresses: ['198.51.100.7', '203.0.113.0/24', '2001:db8::/32'] });
    expect(outline(doc, 'inbound')).toEqual(['ip-filter', 'base']);
    expect(raw(doc)).toContain(
      [
        '<ip-filter action="allow">',
        '            <address>198.51.100.7</address>',
        '            <address-range from="203.0.113.0" to="203.0.113.255" />',
        '            <address-range from="2001:db8:0:0:0:0:0:0" to="2001:db8:ffff:ffff:ffff:ffff:ffff:ffff" />',
      ].join('\n'),
    );
  });

  it('converts CIDR blocks exactly and refuses host bits or bad blocks', () => {
    expect(cidrRange('10.0.0.0/8')).toEqual({ from: '10.0.0.0', to: '10.255.255.255' });
    expect(cidrRange('192.0.2.1/32')).toEqual({ from: '192.0.2.1', to: '192.0.2.1' });
    expect(() => cidrRange('10.0.0.1/8')).toThrow(/has host bits set; did you mean "10.0.0.0\/8"/);
    expect(() => cidrRange('10.0.0.0/33')).toThrow(/not an IPv4 or IPv6 CIDR block/);
    expect(() => cidrRange('fe80::%eth0/64')).toThrow(/not an IPv4 or IPv6 CIDR block/);
  });

  it('refuses an empty or missing list and addresses that are not addresses', () => {
    expect(() => ipAllowListPolicy({ addresses: [] })).toThrow(/option addresses is an empty list/);
    expect(() => ipAllowListPolicy({} as never)).toThrow(/option addresses is required/);
    expect(() => ipAllowListPolicy({ addresses: ['example.com'] })).toThrow(/"example.com" is not an IPv4 or IPv6 address or CIDR block/);
  });
});

describe('cors', () => {
  const doc = corsPolicy({ allowedOrigins: ['https://App.example.com/', 'http://localhost:6274'] });

  it('allows the listed origins, the MCP methods and headers, before <base/>', () => {
    expect(outline(doc, 'inbound')).toEqual(['cors', 'choose', 'base']);
    const text = raw(doc);
    expect(text).toContain('<cors allow-credentials="false" terminate-unmatched-request="true">');
    expect(text).toContain('<origin>https://app.example.com</origin>');
    for (const m of ['GET', 'POST', 'DELETE']) expect(text).toContain(`<method>${m}</method>`);
    const [cors] = descendants(doc.sections.inbound).filter((n) => n.name === 'cors');
    const listed = (wrapper: string) =>
      descendants(cors.children)
        .filter((n) => n.name === wrapper)
        .flatMap((w) => descendants(w.children).map((h) => h.children.map((c) => (c.type === 'text' ? String(c.value) : '')).join('')));
    expect(listed('allowed-headers')).toEqual(['Authorization', 'Content-Type', 'Mcp-Session-Id', 'Mcp-Protocol-Version', 'Last-Event-ID']);
    expect(listed('expose-headers')).toEqual(['Mcp-Session-Id', 'WWW-Authenticate']);
  });

  it('refuses other origins with 403 (MCP asks servers to validate Origin), comparing in lower case', () => {
    expect(expressionCode(doc)).toContain(
      'context.Request.Headers.ContainsKey("Origin") && !new[] { "https://app.example.com", "http://localhost:6274" }.Contains(context.Request.Headers.GetValueOrDefault("Origin", "").ToLowerInvariant())',
    );
    expect(answers(doc.sections.inbound).map((a) => a.status)).toEqual(['403']);
    expect(outline(corsPolicy({ allowedOrigins: ['https://a.example.com'], rejectOtherOrigins: false }), 'inbound')).toEqual(['cors', 'base']);
  });

  it('adds extra headers after the MCP ones', () => {
    const text = raw(corsPolicy({ allowedOrigins: ['https://a.example.com'], extraAllowedHeaders: ['Ocp-Apim-Subscription-Key'], extraExposedHeaders: ['Retry-After'] }));
    expect(text).toContain('<header>Last-Event-ID</header>\n                <header>Ocp-Apim-Subscription-Key</header>');
    expect(text).toContain('<header>WWW-Authenticate</header>\n                <header>Retry-After</header>');
  });

  it('refuses *, paths, an empty list and a missing list', () => {
    expect(() => corsPolicy({ allowedOrigins: ['*'] })).toThrow(/may not contain "\*"/);
    expect(() => corsPolicy({ allowedOrigins: ['*'], allowCredentials: true })).toThrow(PolicyError);
    expect(() => corsPolicy({ allowedOrigins: ['https://a.example.com/app'] })).toThrow(/origins \(scheme, host and port only\), got "https:\/\/a.example.com\/app"/);
    expect(() => corsPolicy({ allowedOrigins: [] })).toThrow(/option allowedOrigins is an empty list/);
    expect(() => corsPolicy({} as never)).toThrow(/option allowedOrigins is required/);
  });
});
