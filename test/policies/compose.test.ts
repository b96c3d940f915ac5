import { authenticationManagedIdentity } from '../../lib/policy/builders/tokens';
import { setHeader, setVariable } from '../../lib/policy/builders/transform';
import { choose, returnResponse } from '../../lib/policy/builders/control';
import { PolicyError } from '../../lib/policy/errors';
import { comment } from '../../lib/policy/model';
import { expr } from '../../lib/policy/expressions';
import { INBOUND_BEFORE_BASE, INBOUND_PHASES, PART_ORDER, Part, composeParts, requestHeadersWritten, shared } from '../../policies/compose';
import { outline } from './helpers';

const mark = (name: string) => setVariable({ name, value: name });
const names = (doc: ReturnType<typeof composeParts>) =>
  doc.sections.inbound.map((n) => (n.type === 'element' ? (n.name === 'set-variable' ? String(n.attributes[0].value) : n.name) : '#'));

describe('composeParts', () => {
  it('writes one <base/> per section, inbound after the phases that must run before it', () => {
    // One marker per inbound phase, from a single part, shows where base lands among all of them.
    const part: Part = { id: 'cors', inbound: Object.fromEntries(INBOUND_PHASES.map((p) => [p, [mark(p)]])) };
    const doc = composeParts([part]);
    expect(names(doc)).toEqual([...INBOUND_BEFORE_BASE, 'base', ...INBOUND_PHASES.filter((p) => !INBOUND_BEFORE_BASE.includes(p))]);
    for (const section of ['backend', 'outbound', 'on-error'] as const) {
      expect(outline(doc, section).filter((n) => n === 'base')).toEqual(['base']);
      expect(outline(doc, section)[0]).toBe('base');
    }
  });

  it('orders by phase first and part second, whatever order the parts are given in', () => {
    const a: Part = { id: 'rate-limit', inbound: { 'rate-limit': [mark('limit')], classify: [mark('classify-by-rate-limit')] } };
    const b: Part = { id: 'token-validation', inbound: { authenticate: [mark('token')] } };
    const c: Part = { id: 'subscription-key', inbound: { authenticate: [mark('key')], capture: [mark('capture')] } };
    const expected = ['capture', 'base', 'key', 'token', 'classify-by-rate-limit', 'limit'];
    expect(names(composeParts([a, b, c]))).toEqual(expected);
    expect(names(composeParts([c, a, b]))).toEqual(expected);
  });

  it('puts every part of PART_ORDER in the same place in a phase as its index says', () => {
    const parts: Part[] = PART_ORDER.map((id) => ({ id, outbound: { 'response-headers': [setHeader({ name: `X-${id}`, value: id })] } }));
    const doc = composeParts([...parts].reverse());
    const headers = doc.sections.outbound.flatMap((n) => (n.type === 'element' && n.name === 'set-header' ? [n.attributes[0].value] : []));
    expect(headers).toEqual(PART_ORDER.map((id) => `X-${id}`));
  });

  it('writes a shared statement once, and refuses one shared key with two contents', () => {
    const read = shared('jsonrpc-method', mark('method'));
    const doc = composeParts([
      { id: 'rate-limit', inbound: { classify: [read] } },
      { id: 'content-safety', inbound: { classify: [read] } },
    ]);
    expect(names(doc)).toEqual(['base', 'method']);
    expect(() =>
      composeParts([
        { id: 'rate-limit', inbound: { classify: [read] } },
        { id: 'content-safety', inbound: { classify: [shared('jsonrpc-method', mark('other'))] } },
      ]),
    ).toThrow(/shared statement "jsonrpc-method" is contributed with different content by part "content-safety"/);
  });

  it('refuses a part given twice and a part it does not know', () => {
    expect(() => composeParts([{ id: 'cors' }, { id: 'cors' }])).toThrow(/the part "cors" is given twice/);
    expect(() => composeParts([{ id: 'nope' as 'cors' }])).toThrow(/unknown part "nope"/);
  });

  it('refuses two parts that write the same request header, also inside choose, case-insensitively', () => {
    const viaChoose = choose({ when: [{ condition: expr('true'), policies: [setHeader({ name: 'authorization', existsAction: 'override', value: 'x' })] }] });
    const err = (() => {
      try {
        composeParts([
          { id: 'jwt-forwarding', inbound: { forward: [viaChoose] } },
          { id: 'backend-auth', inbound: { 'backend-credentials': [authenticationManagedIdentity({ resource: 'api://backend' })] } },
        ]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(PolicyError);
    expect((err as Error).message).toMatch(/parts "jwt-forwarding" and "backend-auth" both write the request header "authorization"/);
    // One part may write a header twice (two branches of its own choose).
    expect(() => composeParts([{ id: 'jwt-forwarding', inbound: { capture: [viaChoose], forward: [viaChoose] } }])).not.toThrow();
  });

  it('counts only headers written for the backend', () => {
    expect(requestHeadersWritten(setHeader({ name: 'X-A', existsAction: 'delete' }))).toEqual([]);
    expect(requestHeadersWritten(authenticationManagedIdentity({ resource: 'r', outputTokenVariableName: 'v' }))).toEqual([]);
    expect(requestHeadersWritten(comment(' note '))).toEqual([]);
    // A return-response's headers go to the caller.
    expect(requestHeadersWritten(returnResponse({ headers: [{ name: 'Authorization', value: 'x' }] }))).toEqual([]);
    expect(requestHeadersWritten(authenticationManagedIdentity({ resource: 'r' }))).toEqual(['authorization']);
  });
});
