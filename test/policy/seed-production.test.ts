import { SaxesParser } from 'saxes';
import { render } from '../../lib/policy/render';
import { validateAgainstXsd } from '../../lib/policy/xsd';
import { seedProductionPolicy } from '../../policies/seed-production';

interface Read {
  name: string;
  attributes: Record<string, string>;
  children: Read[];
  text: string;
}

// An independent reading of the well-formed `xml` rendering, so the assertions do not trust our own parser.
function read(xml: string): Read {
  const parser = new SaxesParser();
  const stack: Read[] = [{ name: '#root', attributes: {}, children: [], text: '' }];
  parser.on('opentag', (tag) => {
    const node: Read = { name: tag.name, attributes: { ...(tag.attributes as Record<string, string>) }, children: [], text: '' };
    stack[stack.length - 1].children.push(node);
    stack.push(node);
  });
  parser.on('text', (t) => {
    stack[stack.length - 1].text += t.trim();
  });
  parser.on('closetag', () => void stack.pop());
  parser.write(xml).close();
  return stack[0].children[0];
}

const names = (node: Read) => node.children.map((c) => c.name);
const section = (doc: Read, name: string) => doc.children.find((c) => c.name === name)!;

describe('seed-style production policy, built from builders alone', () => {
  const doc = read(render(seedProductionPolicy(), { format: 'xml' }));
  const inbound = section(doc, 'inbound');

  it('orders inbound: CORS, key check and header storage before <base/>, then JWT, rate limit, allow-list, re-injection', () => {
    expect(names(doc)).toEqual(['inbound', 'backend', 'outbound', 'on-error']);
    expect(names(inbound)).toEqual([
      'cors',
      'choose',
      'set-variable',
      'set-variable',
      'base',
      'validate-jwt',
      'rate-limit',
      'choose',
      'set-header',
      'set-header',
    ]);
  });

  it('answers a missing subscription key with a JSON 401 before <base/>', () => {
    const when = inbound.children[1].children[0];
    expect(when.attributes.condition).toBe(
      '@(context.Request.Headers.GetValueOrDefault("Ocp-Apim-Subscription-Key", "") == "")',
    );
    const response = when.children[0];
    expect(names(response)).toEqual(['set-status', 'set-header', 'set-body']);
    expect(response.children[0].attributes).toEqual({ code: '401', reason: 'Unauthorized' });
    expect(JSON.parse(response.children[2].text)).toEqual({ error: 'missing subscription key' });
  });

  it('stores the key and Authorization before <base/> and re-injects them after it', () => {
    expect(inbound.children[2].attributes.name).toBe('subscription-key');
    expect(inbound.children[3].attributes.name).toBe('authorization');
    const [key, auth] = inbound.children.slice(8);
    expect(key.attributes).toEqual({ name: 'Ocp-Apim-Subscription-Key', 'exists-action': 'override' });
    expect(key.children[0].text).toBe('@(context.Variables.GetValueOrDefault<string>("subscription-key", ""))');
    expect(auth.attributes.name).toBe('Authorization');
  });

  it('validates the JWT with OpenID config, audience and a required scope claim', () => {
    const jwt = inbound.children[5];
    expect(jwt.attributes['header-name']).toBe('Authorization');
    expect(jwt.attributes['failed-validation-httpcode']).toBe('401');
    expect(names(jwt)).toEqual(['openid-config', 'audiences', 'required-claims']);
    expect(jwt.children[0].attributes.url).toMatch(/^https:\/\/login\.microsoftonline\.com\/.+\/openid-configuration$/);
    expect(jwt.children[1].children.map((a) => a.text)).toEqual(['api://mcp-server']);
    const claim = jwt.children[2].children[0];
    expect(claim.attributes).toEqual({ name: 'scp', match: 'any', separator: ' ' });
    expect(claim.children.map((v) => v.text)).toEqual(['mcp.tools']);
  });

  it('rate-limits after authentication and rejects subscriptions outside the allow-list with 403', () => {
    expect(inbound.children[6].attributes).toEqual({ calls: '60', 'renewal-period': '60', 'retry-after-header-name': 'Retry-After' });
    const when = inbound.children[7].children[0];
    expect(when.attributes.condition).toContain('"mcp-clients"');
    expect(when.children[0].children[0].attributes.code).toBe('403');
  });

  it('reports the limit and window in outbound after <base/>', () => {
    const outbound = section(doc, 'outbound');
    expect(names(outbound)).toEqual(['base', 'set-header', 'set-header']);
    expect(outbound.children.slice(1).map((h) => [h.attributes.name, h.children[0].text])).toEqual([
      ['X-RateLimit-Limit', '60'],
      ['X-RateLimit-Window', '60'],
    ]);
  });

  it('takes its numbers from options', () => {
    const custom = read(render(seedProductionPolicy({ callsPerWindow: 5, windowSeconds: 10 }), { format: 'xml' }));
    expect(section(custom, 'inbound').children[6].attributes.calls).toBe('5');
    expect(section(custom, 'outbound').children[2].children[0].text).toBe('10');
  });

  it('renders byte-identical text each time and validates against the APIM schema', async () => {
    expect(render(seedProductionPolicy())).toBe(render(seedProductionPolicy()));
    const result = await validateAgainstXsd([{ fileName: 'seed.xml', contents: render(seedProductionPolicy(), { format: 'xml' }) }]);
    expect(result.errors).toEqual([]);
  });
});
