import { attr } from '../../lib/policy/model';
import { lintDocument } from '../../lib/policy/lint';
import { mcpServerPolicy } from '../../policies/mcp-server';
import { backendAuthPolicy } from '../../policies/backend-auth';
import { contentSafetyPolicy } from '../../policies/content-safety';
import { rateLimitPolicy } from '../../policies/rate-limit';
import { requestLimitsPolicy } from '../../policies/request-limits';
import { answers, bodyOf, descendants, expressionCode, headersOf, outline, raw } from './helpers';

const METHOD_READ =
  'if (context.Request.Method != "POST") { return ""; } ' +
  'try { return context.Request.Body?.As<JObject>(preserveContent: true)?["method"]?.ToString() ?? ""; } ' +
  'catch { return ""; }';

describe('rate-limit', () => {
  it('limits per subscription after <base/>, keyed on the API and subscription ID', () => {
    const doc = rateLimitPolicy();
    expect(outline(doc, 'inbound')).toEqual(['base', 'rate-limit-by-key']);
    const [limit] = descendants(doc.sections.inbound).filter((n) => n.name === 'rate-limit-by-key');
    expect(limit.attributes.map((a) => [a.name, a.value.toString()])).toEqual([
      ['calls', '60'],
      ['renewal-period', '60'],
      ['counter-key', '@(context.Api.Id + ":subscription:" + (context.Subscription?.Id ?? ""))'],
      ['retry-after-header-name', 'Retry-After'],
      ['retry-after-variable-name', 'mcp-retry-after'],
    ]);
  });

  it('sends X-RateLimit-Limit and X-RateLimit-Window in outbound', () => {
    const doc = rateLimitPolicy({ calls: 10, renewalPeriod: 30 });
    expect(outline(doc, 'outbound')).toEqual(['base', 'set-header', 'set-header']);
    expect(headersOf(doc.sections.outbound)).toEqual({ 'X-RateLimit-Limit': ['10'], 'X-RateLimit-Window': ['30'] });
  });

  it('answers a refused call with 429, Retry-After from the policy, the window headers and a JSON error', () => {
    const doc = rateLimitPolicy({ calls: 10, renewalPeriod: 30 });
    // The documented reason of the rate-limit policies; their Source is not documented.
    expect(expressionCode(doc)).toContain('context.LastError.Reason == "RateLimitExceeded"');
    expect(expressionCode(doc).filter((c) => c.includes('LastError.Source'))).toEqual([]);
    const [answer] = answers(doc.sections['on-error']);
    expect(answer.status).toBe('429');
    expect(headersOf(answer.node.children)).toEqual({
      'Retry-After': ['@(context.Variables.ContainsKey("mcp-retry-after") ? context.Variables["mcp-retry-after"].ToString() : "30")'],
      'X-RateLimit-Limit': ['10'],
      'X-RateLimit-Window': ['30'],
      'Content-Type': ['application/json'],
    });
    expect(JSON.parse(bodyOf(answer.node)).error).toBe('rate_limited');
  });

  it('keys on the client IP, a validated token claim or the MCP session', () => {
    const key = (options: Parameters<typeof rateLimitPolicy>[0]) =>
      String(attr(descendants(rateLimitPolicy(options).sections.inbound).find((n) => n.name === 'rate-limit-by-key')!, 'counter-key'));
    expect(key({ key: 'client-ip' })).toBe('@(context.Api.Id + ":client-ip:" + context.Request.IpAddress)');
    expect(key({ key: 'jwt-subject' })).toBe(
      '@(context.Api.Id + ":jwt-subject:" + (context.Variables.GetValueOrDefault<Jwt>("mcp-token")?.Claims.GetValueOrDefault("sub", "") ?? ""))',
    );
    expect(key({ key: 'jwt-subject', tokenVariable: 'jwt', subjectClaim: 'oid' })).toContain('GetValueOrDefault<Jwt>("jwt")?.Claims.GetValueOrDefault("oid", "")');
    expect(key({ key: 'session' })).toBe('@(context.Api.Id + ":session:" + context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", ""))');
  });

  it('is flagged by the linter when keyed on the session alone, which the caller chooses', () => {
    const token = { provider: 'entra', tenantId: '{{t}}', audiences: ['{{a}}'] } as const;
    const rules = (key: 'session' | 'jwt-subject') =>
      lintDocument(mcpServerPolicy({ subscriptionKey: false, token, rateLimit: { key } }), { scope: 'mcp' }).findings.map((f) => f.ruleId);
    expect(rules('session')).toEqual(['rate-limit-key-unvalidated']);
    expect(rules('jwt-subject')).toEqual([]);
  });

  it('counts only tools/call requests, reading the method from the request body before the limit', () => {
    const doc = rateLimitPolicy({ toolCallsOnly: true });
    expect(outline(doc, 'inbound')).toEqual(['base', 'set-variable', 'rate-limit-by-key']);
    const [read] = descendants(doc.sections.inbound).filter((n) => n.name === 'set-variable');
    // A block with try/catch: a body that is not a JSON object (a batch array, invalid JSON, none) reads as "".
    expect(String(attr(read, 'value'))).toBe(`@{${METHOD_READ}}`);
    const [limit] = descendants(doc.sections.inbound).filter((n) => n.name === 'rate-limit-by-key');
    expect(String(attr(limit, 'increment-condition'))).toBe('@(context.Variables.GetValueOrDefault<string>("mcp-jsonrpc-method", "") == "tools/call")');
    expect(expressionCode(doc).some((c) => /context\s*\.\s*Response\s*\.\s*Body/.test(c))).toBe(false);
  });

  it("uses APIM's rate-limit policy when asked, answered on the same documented reason", () => {
    const doc = rateLimitPolicy({ builtInPolicy: true });
    expect(outline(doc, 'inbound')).toEqual(['base', 'rate-limit']);
    expect(expressionCode(doc)).toContain('context.LastError.Reason == "RateLimitExceeded"');
  });

  it('refuses 0 calls, long windows, unknown keys and contradictory options', () => {
    expect(() => rateLimitPolicy({ calls: 0 })).toThrow(/option calls must be at least 1, got 0: a limit of 0 calls would refuse every request/);
    expect(() => rateLimitPolicy({ renewalPeriod: 301 })).toThrow(/option renewalPeriod must be an integer from 1 to 300, got 301/);
    expect(() => rateLimitPolicy({ key: 'user' as never })).toThrow(/option key must be one of "subscription", "client-ip", "jwt-subject", "session", got "user"/);
    expect(() => rateLimitPolicy({ builtInPolicy: true, key: 'client-ip' })).toThrow(/cannot be combined with key "client-ip"/);
    expect(() => rateLimitPolicy({ builtInPolicy: true, toolCallsOnly: true })).toThrow(/exclude each other/);
    expect(() => rateLimitPolicy({ tokenVariable: 'jwt' })).toThrow(/option tokenVariable only applies to key "jwt-subject"/);
  });
});

describe('request-limits', () => {
  it('answers 411 without Content-Length and 413 over the limit, after <base/>, from the header alone', () => {
    const doc = requestLimitsPolicy({ maxBodyBytes: 1000 });
    expect(outline(doc, 'inbound')).toEqual(['base', 'choose']);
    expect(answers(doc.sections.inbound).map((a) => a.status)).toEqual(['411', '413']);
    expect(expressionCode(doc)).toEqual([
      'new[] { "POST", "PUT", "PATCH" }.Contains(context.Request.Method) && !context.Request.Headers.ContainsKey("Content-Length")',
      'long length; return !long.TryParse(context.Request.Headers.GetValueOrDefault("Content-Length", "0"), out length) || length > 1000;',
    ]);
  });

  it('leaves chunked bodies alone when told to, and refuses a limit below 1', () => {
    expect(answers(requestLimitsPolicy({ requireContentLength: false }).sections.inbound).map((a) => a.status)).toEqual(['413']);
    expect(raw(requestLimitsPolicy())).toContain('length > 262144');
    expect(() => requestLimitsPolicy({ maxBodyBytes: 0 })).toThrow(/option maxBodyBytes must be an integer from 1/);
  });
});

describe('content-safety', () => {
  it('runs Prompt Shields on tools/call requests only, after <base/>', () => {
    const doc = contentSafetyPolicy();
    expect(outline(doc, 'inbound')).toEqual(['base', 'set-variable', 'choose']);
    expect(raw(doc)).toContain(
      [
        '<choose>',
        '            <when condition="@(context.Variables.GetValueOrDefault<string>("mcp-jsonrpc-method", "") == "tools/call")">',
        '                <llm-content-safety backend-id="content-safety" shield-prompt="true" />',
      ].join('\n'),
    );
  });

  it('checks every request when toolCallsOnly is false, with categories and a blocklist', () => {
    const doc = contentSafetyPolicy({ toolCallsOnly: false, backendId: 'cs', categories: { Hate: 4, Violence: 2 }, outputType: 'EightSeverityLevels', blocklistId: 'b1' });
    expect(outline(doc, 'inbound')).toEqual(['base', 'llm-content-safety']);
    expect(raw(doc)).toContain(
      [
        '<llm-content-safety backend-id="cs" shield-prompt="true">',
        '            <categories output-type="EightSeverityLevels">',
        '                <category name="Hate" threshold="4" />',
        '                <category name="Violence" threshold="2" />',
        '            </categories>',
        '            <blocklists>',
        '                <id>b1</id>',
      ].join('\n'),
    );
  });

  it('fails closed: nothing catches its errors, so APIM answers them instead of calling the backend', () => {
    const doc = contentSafetyPolicy();
    expect(outline(doc, 'on-error')).toEqual(['base']);
  });

  it('refuses a check that checks nothing and bad categories', () => {
    expect(() => contentSafetyPolicy({ shieldPrompt: false })).toThrow(/would check nothing/);
    expect(() => contentSafetyPolicy({ categories: { Spam: 2 } as never })).toThrow(/option categories names "Spam"; accepted: Hate, SelfHarm, Sexual, Violence/);
    expect(() => contentSafetyPolicy({ categories: { Hate: 9 } })).toThrow(/categories.Hate must be a severity from 0 to 7, got 9/);
    expect(() => contentSafetyPolicy({ categories: {} })).toThrow(/option categories is empty/);
  });
});

describe('backend-auth', () => {
  it('sends the Functions key from a named value and drops a caller-chosen code parameter', () => {
    const doc = backendAuthPolicy();
    expect(outline(doc, 'inbound')).toEqual(['base', 'set-header', 'set-query-parameter']);
    expect(headersOf(doc.sections.inbound)).toEqual({ 'x-functions-key': ['{{mcp-functions-key}}'] });
    expect(raw(doc)).toContain('<set-query-parameter name="code" exists-action="delete" />');
    expect(headersOf(backendAuthPolicy({ namedValue: 'fn-key' }).sections.inbound)).toEqual({ 'x-functions-key': ['{{fn-key}}'] });
  });

  it('sends a gateway token header from a secret named value', () => {
    expect(headersOf(backendAuthPolicy({ type: 'gateway-token' }).sections.inbound)).toEqual({ 'X-APIM-Gateway-Token': ['{{mcp-gateway-token}}'] });
    expect(headersOf(backendAuthPolicy({ type: 'gateway-token', headerName: 'X-Gw', namedValue: 'gw' }).sections.inbound)).toEqual({ 'X-Gw': ['{{gw}}'] });
  });

  it("uses the gateway's managed identity for the backend's audience", () => {
    const doc = backendAuthPolicy({ type: 'managed-identity', resource: 'api://backend', clientId: '00000000-0000-0000-0000-0000000000aa' });
    expect(outline(doc, 'inbound')).toEqual(['base', 'authentication-managed-identity']);
    expect(raw(doc)).toContain('<authentication-managed-identity resource="api://backend" client-id="00000000-0000-0000-0000-0000000000aa" />');
  });

  it('takes secrets by named value name only and refuses options of another type', () => {
    expect(() => backendAuthPolicy({ namedValue: '{{fn-key}}' })).toThrow(/a named value name \(1-256 letters, digits, '.', '-' or '_', without braces\)/);
    expect(() => backendAuthPolicy({ type: 'managed-identity' } as never)).toThrow(/option resource is required with type "managed-identity"/);
    expect(() => backendAuthPolicy({ type: 'functions-key', resource: 'x' } as never)).toThrow(/backend-auth \(type "functions-key"\): unknown option "resource"/);
    expect(() => backendAuthPolicy({ type: 'basic' } as never)).toThrow(/option type must be one of "functions-key", "gateway-token", "managed-identity"/);
  });
});
