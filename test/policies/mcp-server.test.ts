import { attr } from '../../lib/policy/model';
import { lintDocument } from '../../lib/policy/lint';
import { McpServerOptions, mcpServerPolicy } from '../../policies/mcp-server';
import { KEY_CHALLENGE } from '../../policies/subscription-key';
import { allElements, answers, descendants, expressionCode, headerValues, headersOf, outline, raw } from './helpers';

const TOKEN = { provider: 'entra', tenantId: '{{entra-tenant-id}}', audiences: ['{{mcp-audience}}'], requiredScopes: ['mcp.tools'] } as const;

/** Every switch on (jwt forwarding instead of the managed identity, which would also write Authorization). */
const EVERYTHING: McpServerOptions = {
  cors: { allowedOrigins: ['https://app.example.com'] },
  ipAllowList: { addresses: ['203.0.113.0/24'] },
  subscriptionKey: { forwardToBackend: true },
  token: TOKEN,
  rateLimit: { key: 'jwt-subject', toolCallsOnly: true },
  subscriptionAllowList: { subscriptionIds: ['client-a'] },
  requestLimits: true,
  contentSafety: true,
  jwtForwarding: true,
  acknowledgeTokenPassthrough: true,
  backendAuth: { type: 'gateway-token' },
};

/** A readable outline of inbound: statement names, chooses by what they are about. */
function inboundSteps(options: McpServerOptions): string[] {
  const doc = mcpServerPolicy(options);
  return doc.sections.inbound.flatMap((n) => {
    if (n.type !== 'element') return [];
    if (n.name !== 'choose') return [n.name === 'set-variable' || n.name === 'set-header' ? `${n.name}:${String(attr(n, 'name'))}` : n.name];
    const inside = descendants(n.children).find((c) => ['llm-content-safety', 'set-header'].includes(c.name) && !descendants([c]).some((d) => d.name === 'set-status'));
    const codes = answers(n.children).map((a) => a.status);
    return [inside && codes.length === 0 ? `choose(${inside.name}${inside.name === 'set-header' ? `:${String(attr(inside, 'name'))}` : ''})` : `choose(${codes.join(',')})`];
  });
}

describe('mcp-server', () => {
  it('composes every part in the fixed safe order', () => {
    expect(inboundSteps(EVERYTHING)).toEqual([
      'cors',
      'choose(403)', // other origins
      'ip-filter',
      'choose(401)', // missing subscription key
      'set-variable:mcp-subscription-key',
      'set-variable:mcp-authorization',
      'base',
      'choose(401)', // no subscription for the key
      'validate-azure-ad-token',
      'choose(411,413)', // the size check, before anything reads the body
      'set-variable:mcp-jsonrpc-method', // read once, for the rate limit and content safety
      'rate-limit-by-key',
      'choose(403)', // subscription allow-list
      'choose(llm-content-safety)',
      'set-header:Ocp-Apim-Subscription-Key',
      'choose(set-header:Authorization)',
      'set-header:X-APIM-Gateway-Token',
    ]);
    const doc = mcpServerPolicy(EVERYTHING);
    expect(outline(doc, 'backend')).toEqual(['base']);
    expect(outline(doc, 'outbound')).toEqual(['base', 'set-header', 'set-header', 'choose']);
    // 429, then the subscription key's and the token's challenges.
    expect(outline(doc, 'on-error')).toEqual(['base', 'choose', 'choose', 'choose']);
  });

  it('keeps the order whatever order the options are written in', () => {
    const reversed = Object.fromEntries(Object.entries(EVERYTHING).reverse()) as McpServerOptions;
    expect(raw(mcpServerPolicy(reversed))).toBe(raw(mcpServerPolicy(EVERYTHING)));
  });

  it('renders with defaults: subscription key (removed for the backend), request limits, rate limit per subscription', () => {
    expect(inboundSteps({})).toEqual([
      'choose(401)',
      'base',
      'choose(401)',
      'choose(411,413)',
      'rate-limit-by-key',
      'set-header:Ocp-Apim-Subscription-Key',
    ]);
    expect(raw(mcpServerPolicy({}))).toContain('<set-header name="Ocp-Apim-Subscription-Key" exists-action="delete" />');
    expect(raw(mcpServerPolicy({}))).not.toContain('mcp-subscription-key');
    expect(raw(mcpServerPolicy({}))).toContain('counter-key="@(context.Api.Id + ":subscription:" + (context.Subscription?.Id ?? ""))"');
  });

  it('never reads the response body, writes no trace and leaks no credential', () => {
    for (const options of [EVERYTHING, {}, { subscriptionKey: false, token: TOKEN, backendAuth: { type: 'managed-identity', resource: 'api://b' } } as McpServerOptions]) {
      const doc = mcpServerPolicy(options);
      expect(expressionCode(doc).filter((c) => /Response\s*\.\s*Body/.test(c))).toEqual([]);
      expect(allElements(doc).filter((e) => ['trace', 'log-to-eventhub', 'emit-metric'].includes(e.name))).toEqual([]);
      // Response headers (outbound, on-error, return-response) never carry a key or token variable.
      const responseHeaders = [
        ...descendants(doc.sections.outbound),
        ...descendants(doc.sections['on-error']),
        ...answers(doc.sections.inbound).flatMap((a) => descendants(a.node.children)),
      ].filter((e) => e.name === 'set-header');
      for (const h of responseHeaders) {
        expect(headerValues(h).join(' ')).not.toMatch(/mcp-subscription-key|mcp-authorization|Headers\.GetValueOrDefault\("(Authorization|Ocp-Apim-Subscription-Key)"|Subscription\??\.(Primary|Secondary)?Key/);
      }
      const leaks = lintDocument(doc, { scope: 'mcp' }).findings.filter((f) => ['secret-leak', 'literal-secret', 'response-body-in-mcp'].includes(f.ruleId));
      expect(leaks).toEqual([]);
    }
  });

  it('answers every 401 with the MCP authorization challenge when a token is validated', () => {
    const doc = mcpServerPolicy(EVERYTHING);
    const unauthorized = [...answers(doc.sections.inbound), ...answers(doc.sections['on-error'])].filter((a) => a.status === '401');
    // Missing key, no subscription, APIM's subscription refusal, no token, refused token.
    expect(unauthorized).toHaveLength(5);
    for (const { node } of unauthorized) {
      const [bearer, ...rest] = headersOf(node.children)['WWW-Authenticate'];
      expect(bearer).toMatch(/^@\("Bearer (error=\\"invalid_token\\", )?resource_metadata=\\"" \+ .*"\/\.well-known\/oauth-protected-resource\/mcp" \+ "\\""\)$/);
      expect(rest.every((v) => v === KEY_CHALLENGE)).toBe(true);
    }
    const forbidden = answers(doc.sections['on-error']).filter((a) => a.status === '403');
    expect(forbidden).toHaveLength(1);
    expect(headersOf(forbidden[0].node.children)['WWW-Authenticate'][0]).toContain('error=\\"insufficient_scope\\", scope=\\"mcp.tools\\"');
  });

  it('names the challengeScopes in the 403 challenge and still checks the bare scp values', () => {
    const doc = mcpServerPolicy({ subscriptionKey: false, token: { ...TOKEN, challengeScopes: ['api://weather/mcp.tools'] } });
    const [forbidden] = answers(doc.sections['on-error']).filter((a) => a.status === '403');
    expect(headersOf(forbidden.node.children)['WWW-Authenticate'][0]).toContain('scope=\\"api://weather/mcp.tools\\", resource_metadata');
    const claim = descendants(doc.sections.inbound).find((n) => n.name === 'claim')!;
    expect(attr(claim, 'name')).toBe('scp');
    expect(descendants([claim]).filter((n) => n.name === 'value').map((v) => v.children.map((c) => (c.type === 'text' ? String(c.value) : '')).join(''))).toEqual([
      'mcp.tools',
    ]);
    expect(() => mcpServerPolicy({ token: { ...TOKEN, requiredScopes: undefined, challengeScopes: ['api://weather/mcp.tools'] } })).toThrow(
      /mcp-server.token: entra-token-validation: option challengeScopes needs requiredScopes/,
    );
  });

  it('checks the request size before reading the JSON-RPC method from the body', () => {
    const steps = inboundSteps({ rateLimit: { toolCallsOnly: true }, contentSafety: true });
    expect(steps.indexOf('choose(411,413)')).toBeGreaterThan(-1);
    expect(steps.indexOf('choose(411,413)')).toBeLessThan(steps.indexOf('set-variable:mcp-jsonrpc-method'));
  });

  it('refuses jwtForwarding (token passthrough) unless acknowledged', () => {
    expect(() => mcpServerPolicy({ jwtForwarding: true })).toThrow(
      /mcp-server: option jwtForwarding passes the MCP client's access token on to the backend \(token passthrough.*accepted: jwtForwarding false.*acknowledgeTokenPassthrough true/,
    );
    expect(() => mcpServerPolicy({ jwtForwarding: true, backendAuth: { type: 'gateway-token' } })).toThrow(/option jwtForwarding passes/);
    expect(() => mcpServerPolicy({ acknowledgeTokenPassthrough: true })).toThrow(/acknowledgeTokenPassthrough only applies with jwtForwarding on/);
    expect(raw(mcpServerPolicy({ jwtForwarding: true, acknowledgeTokenPassthrough: true }))).toContain('<set-header name="Authorization" exists-action="override">');
  });

  it('gives the key challenge alone without a token, and no Bearer challenge with mcpAuthorization off', () => {
    const keyOnly = mcpServerPolicy({});
    const unauthorized = [...answers(keyOnly.sections.inbound), ...answers(keyOnly.sections['on-error'])].filter((a) => a.status === '401');
    expect(unauthorized).toHaveLength(3);
    for (const { node } of unauthorized) expect(headersOf(node.children)['WWW-Authenticate']).toEqual([KEY_CHALLENGE]);
    const off = mcpServerPolicy({ token: { ...TOKEN, mcpAuthorization: false } });
    expect(raw(off)).not.toContain('resource_metadata');
  });

  it('keys the default rate limit on the token subject when there is no subscription key', () => {
    const doc = mcpServerPolicy({ subscriptionKey: false, token: { ...TOKEN, tokenVariable: 'jwt' } });
    const limit = descendants(doc.sections.inbound).find((n) => n.name === 'rate-limit-by-key')!;
    expect(String(attr(limit, 'counter-key'))).toContain('GetValueOrDefault<Jwt>("jwt")?.Claims.GetValueOrDefault("sub", "")');
  });

  it('lints clean in MCP scope with everything on', () => {
    const findings = lintDocument(mcpServerPolicy(EVERYTHING), { scope: 'mcp' }).findings;
    expect(findings).toEqual([]);
  });

  it('refuses unsafe or contradictory combinations, naming the option', () => {
    expect(() => mcpServerPolicy({ subscriptionKey: false })).toThrow(/an MCP server needs authentication/);
    expect(() => mcpServerPolicy({ subscriptionKey: false, token: TOKEN, rateLimit: { key: 'subscription' } })).toThrow(
      /mcp-server.rateLimit: key "subscription" needs subscriptionKey on/,
    );
    expect(() => mcpServerPolicy({ rateLimit: { key: 'jwt-subject' } })).toThrow(/mcp-server.rateLimit: key "jwt-subject" needs token validation/);
    expect(() => mcpServerPolicy({ token: TOKEN, rateLimit: { key: 'jwt-subject', tokenVariable: 'other' } })).toThrow(
      /tokenVariable "other" is not the variable token validation stores the token in \("mcp-token"\)/,
    );
    expect(() => mcpServerPolicy({ subscriptionKey: false, token: TOKEN, subscriptionAllowList: { subscriptionIds: ['a'] } })).toThrow(
      /mcp-server.subscriptionAllowList: needs subscriptionKey on/,
    );
    expect(() => mcpServerPolicy({ jwtForwarding: true, backendAuth: { type: 'managed-identity', resource: 'api://b' } })).toThrow(
      /mcp-server.composition: parts "jwt-forwarding" and "backend-auth" both write the request header "authorization"/,
    );
    expect(() =>
      mcpServerPolicy({ jwtForwarding: true, acknowledgeTokenPassthrough: true, backendAuth: { type: 'managed-identity', resource: 'api://b' } }),
    ).toThrow(/parts "jwt-forwarding" and "backend-auth" both write the request header "authorization"/);
    expect(() => mcpServerPolicy({ token: { ...TOKEN, audiences: [] } })).toThrow(/mcp-server.token: entra-token-validation: option audiences is an empty list/);
    expect(() => mcpServerPolicy({ token: { tenantId: 'x' } as never })).toThrow(/mcp-server.token: option provider is required/);
    expect(() => mcpServerPolicy({ token: true } as never)).toThrow(/option token needs the provider and its options/);
    expect(() => mcpServerPolicy({ rateLimit: { calls: 0 } })).toThrow(/mcp-server.rateLimit: rate-limit: option calls must be at least 1, got 0/);
    expect(() => mcpServerPolicy({ cors: true } as never)).toThrow(/mcp-server.cors: cors: option allowedOrigins is required/);
    expect(() => mcpServerPolicy({ firewall: true } as never)).toThrow(/mcp-server: unknown option "firewall"/);
  });

  it('switches parts off with false', () => {
    expect(inboundSteps({ rateLimit: false, requestLimits: false, subscriptionKey: { forwardToBackend: false } })).toEqual([
      'choose(401)',
      'base',
      'choose(401)',
      'set-header:Ocp-Apim-Subscription-Key', // the delete
    ]);
    expect(inboundSteps({ rateLimit: false, requestLimits: false, subscriptionKey: false, token: TOKEN })).toEqual(['base', 'validate-azure-ad-token']);
    // Without the rate limit nothing is left to add to outbound or on-error.
    const doc = mcpServerPolicy({ rateLimit: false, subscriptionKey: { forwardToBackend: false } });
    expect(outline(doc, 'outbound')).toEqual(['base']);
  });
});
