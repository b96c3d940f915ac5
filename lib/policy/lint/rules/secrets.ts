/**
 * Rules on secrets: written as literals, leaked to logs or responses, named values that do not exist.
 */
import { ElementNode, attr, childElements } from '../../model';
import { Expression, Value } from '../../value';
import {
  deepValues,
  descendants,
  literalText,
  namedValueRefs,
  ownValues,
  requestHeaderReads,
  textValues,
  usesNamedValue,
  variableReads,
} from '../analysis';
import { DocumentRule, ElementInfo, LintContext, RuleReport } from '../types';

/** Request headers whose value is a credential. */
const SECRET_REQUEST_HEADERS = ['authorization', 'proxy-authorization', 'ocp-apim-subscription-key', 'x-functions-key', 'api-key', 'x-api-key'];

/** Headers that carry a credential when a policy sets them. */
const SECRET_HEADER_NAMES = [...SECRET_REQUEST_HEADERS, 'x-apim-gateway-token'];

/** Query parameters that carry a credential (Functions keys, SAS signatures, subscription keys, tokens). */
const SECRET_QUERY_PARAMETERS = ['code', 'sig', 'key', 'api-key', 'apikey', 'subscription-key', 'access_token', 'token'];

/** A named value whose name says it holds a secret. */
function secretName(name: string): boolean {
  return /key|secret|token|password|passwd|pwd|credential|connection-?string|signature/i.test(name);
}

const SUBSCRIPTION_KEY = /context\s*\.\s*Subscription\s*\??\s*\.\s*(Key|PrimaryKey|SecondaryKey)\b/;
const ACCESS_TOKEN = /\??\.\s*AccessToken\b/;
const SECRET_QUERY_READ = new RegExp(
  String.raw`context\s*\.\s*Request\s*\.\s*(?:Original)?Url\s*\.\s*Query\s*(?:\.\s*GetValueOrDefault\s*\(|\[)\s*@?"(${SECRET_QUERY_PARAMETERS.join('|')})"`,
  'i',
);

/** What secret an expression reads, in words, or undefined. `tainted` maps variables set from a secret. */
function secretInCode(code: string, tainted: ReadonlyMap<string, string>): string | undefined {
  for (const read of requestHeaderReads(code)) {
    if (!SECRET_REQUEST_HEADERS.includes(read.name)) continue;
    // Parsing the token to read its claims does not copy the token itself.
    if (/^\s*\??\s*\.\s*AsJwt\s*\(/.test(code.slice(read.end))) continue;
    return `the ${read.written} request header`;
  }
  const key = SUBSCRIPTION_KEY.exec(code);
  if (key) return `the subscription key (context.Subscription.${key[1]})`;
  if (ACCESS_TOKEN.test(code)) return 'an access token (.AccessToken)';
  const query = SECRET_QUERY_READ.exec(code);
  if (query) return `the "${query[1]}" query parameter`;
  for (const read of variableReads(code)) {
    const origin = tainted.get(read.name);
    if (origin) return `the variable "${read.name}" (${origin})`;
  }
  return secretNamedValue(code);
}

function secretNamedValue(code: string): string | undefined {
  const name = [...code.matchAll(/\{\{([A-Za-z0-9._-]{1,256})\}\}/g)].map((m) => m[1]).find(secretName);
  return name ? `the named value {{${name}}}` : undefined;
}

function secretInValue(value: Value, tainted: ReadonlyMap<string, string>): string | undefined {
  if (value instanceof Expression) return secretInCode(value.code, tainted);
  const name = namedValueRefs(value).find(secretName);
  return name ? `the named value {{${name}}}` : undefined;
}

/** Where a sink writes to, or undefined when the element does not reach logs or the caller. */
function sinkOf(info: ElementInfo): string | undefined {
  const { node } = info;
  const inOutgoingRequest = info.ancestors.some((a) => a.name === 'send-request' || a.name === 'send-one-way-request');
  if (inOutgoingRequest) return undefined;
  const inResponse = info.ancestors.some((a) => a.name === 'return-response');
  const responseSection = info.section === 'outbound' || info.section === 'on-error';
  switch (node.name) {
    case 'trace':
      return 'the trace (Application Insights and the request trace)';
    case 'log-to-eventhub':
      return 'Event Hubs';
    case 'emit-metric':
      return 'a metric dimension';
    case 'set-header':
      return inResponse || responseSection ? 'a response header' : undefined;
    case 'set-body':
      return inResponse || responseSection ? 'the response body' : undefined;
    default:
      return undefined;
  }
}

export const secretLeak: DocumentRule = {
  kind: 'document',
  id: 'secret-leak',
  severity: 'error',
  description:
    'A token, key or Authorization value (read directly, or through a variable set from one) written to a trace, ' +
    'Event Hubs, a metric, a response header or a response body.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    const tainted = new Map<string, string>();
    for (const info of ctx.elements) {
      const { node } = info;
      if (node.name === 'set-variable') {
        const name = attr(node, 'name');
        const value = attr(node, 'value');
        const secret = value === undefined ? undefined : secretInValue(value, tainted);
        if (typeof name === 'string' && secret) {
          tainted.set(name, `set from ${secret}${info.line !== undefined ? ` at line ${info.line}` : ''}`);
        }
        continue;
      }
      const sink = sinkOf(info);
      if (!sink) continue;
      const values = node.name === 'set-body' || node.name === 'log-to-eventhub' ? ownValues(node) : deepValues(node);
      const secret = values.map((v) => secretInValue(v, tainted)).find((s) => s !== undefined);
      if (!secret) continue;
      yield {
        node,
        message:
          `<${node.name}> writes ${secret} to ${sink}; credentials must not reach logs or callers: ` +
          'write a non-secret identifier instead (a token claim, the subscription id) or remove it',
      };
    }
  },
};

/** True when literal text holds credential material once named values and a scheme word are left out. */
function hasLiteralCredential(value: Value): boolean {
  if (value instanceof Expression || usesNamedValue(value)) return false;
  const text = (literalText(value) ?? '').trim().replace(/^(bearer|basic|sharedaccesssignature|apikey|token)\b\s*/i, '');
  return text.length > 0;
}

function looksLikeJwt(text: string): boolean {
  return /eyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\./.test(text);
}

/** A long run of token characters mixing letters and digits, as generated keys are. */
function looksRandom(text: string): boolean {
  return /^[A-Za-z0-9+/=_.-]{20,}$/.test(text) && /[0-9]/.test(text) && /[A-Za-z]/.test(text);
}

function literalSecretInUrl(value: Value | undefined): string | undefined {
  if (value === undefined || value instanceof Expression) return undefined;
  const match = new RegExp(String.raw`[?&](${SECRET_QUERY_PARAMETERS.join('|')})=([^&#{}\s]+)`, 'i').exec(value.toString());
  return match ? match[1] : undefined;
}

const ADVICE = 'store it in a named value backed by Key Vault and write {{name}}, or use a managed identity';

export const literalSecret: DocumentRule = {
  kind: 'document',
  id: 'literal-secret',
  severity: 'error',
  description:
    'A credential written as a literal instead of a {{named value}}: a key or token header, an authentication-basic ' +
    'or certificate password, a JWT signing key, a code/sig/key query parameter.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const { node } of ctx.elements) {
      for (const message of literalSecrets(node)) yield { node, message };
    }
  },
};

function literalSecrets(node: ElementNode): string[] {
  const found: string[] = [];
  switch (node.name) {
    case 'set-header': {
      const name = attr(node, 'name');
      const header = typeof name === 'string' ? name.toLowerCase() : undefined;
      const values = childElements(node, 'value').flatMap(textValues);
      const known = header !== undefined && SECRET_HEADER_NAMES.includes(header);
      const secretish = header !== undefined && /key|token|secret|password|signature|auth/.test(header);
      const hit = values.find((v) => {
        if (!hasLiteralCredential(v)) return false;
        const text = literalText(v) ?? '';
        return known || looksLikeJwt(text) || (secretish && looksRandom(text.trim()));
      });
      if (hit !== undefined) found.push(`the ${String(name)} header is set to a literal credential; ${ADVICE}`);
      break;
    }
    case 'set-query-parameter': {
      const name = attr(node, 'name');
      const param = typeof name === 'string' ? name.toLowerCase() : undefined;
      if (param && SECRET_QUERY_PARAMETERS.includes(param) && childElements(node, 'value').flatMap(textValues).some(hasLiteralCredential)) {
        found.push(`the query parameter "${String(name)}" is set to a literal credential; ${ADVICE}`);
      }
      break;
    }
    case 'authentication-basic':
    case 'authentication-certificate': {
      const password = attr(node, 'password');
      if (password !== undefined && hasLiteralCredential(password)) {
        found.push(`<${node.name}> has a literal password; ${ADVICE}`);
      }
      break;
    }
    case 'validate-jwt':
    case 'validate-azure-ad-token': {
      const keys = [...descendants(node, 'issuer-signing-keys', 'key'), ...descendants(node, 'decryption-keys', 'key')];
      if (keys.some((k) => textValues(k).some(hasLiteralCredential))) {
        found.push(`<${node.name}> holds a literal signing or decryption key; anyone who reads the policy can mint tokens: ${ADVICE}`);
      }
      break;
    }
    case 'set-backend-service':
    case 'rewrite-uri': {
      const param = literalSecretInUrl(attr(node, node.name === 'rewrite-uri' ? 'template' : 'base-url'));
      if (param) found.push(`the URL carries a literal "${param}" credential; ${ADVICE}`);
      break;
    }
    case 'set-url': {
      const param = textValues(node).map(literalSecretInUrl).find((p) => p !== undefined);
      if (param) found.push(`the URL carries a literal "${param}" credential; ${ADVICE}`);
      break;
    }
    default:
      break;
  }
  return found;
}

export const undeclaredNamedValue: DocumentRule = {
  kind: 'document',
  id: 'undeclared-named-value',
  severity: 'error',
  description:
    'A {{name}} reference (in an attribute, text or expression) to a named value that is not among the declared ones; ' +
    'checked only when namedValues is given, names compared without regard to case.',
  *check(ctx: LintContext): Iterable<RuleReport> {
    if (!ctx.namedValues) return;
    const declared = new Set(ctx.namedValues.map((n) => n.toLowerCase()));
    for (const { node } of ctx.elements) {
      const names = new Set(ownValues(node).flatMap(namedValueRefs));
      for (const name of names) {
        if (declared.has(name.toLowerCase())) continue;
        yield {
          node,
          message: `{{${name}}} refers to a named value that is not declared; APIM refuses a policy that uses a missing named value: create it, or fix the name`,
        };
      }
    }
  },
};
