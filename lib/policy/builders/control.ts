/**
 * Builders for APIM's control-flow policies and the response-shaping ones they usually hold: base, choose,
 * return-response, set-status, mock-response, retry, wait, limit-concurrency and include-fragment.
 *
 * The containers (choose, retry, wait, limit-concurrency) are typed with the sections all their children
 * share, so a container holding an inbound-only policy cannot be placed in outbound.
 *
 * Attribute order, defaults and which attributes take policy expressions follow Microsoft's policy reference;
 * attribute names follow the schemas in shared/apim-xsd. Where the two disagree, a comment says so.
 */
import { PolicyError, show } from '../errors';
import { ElementNode, Policy, PolicyNode, Statement, element, isElement, policy } from '../model';
import { AllowedIn, Section } from '../sections';
import { Expression, LiteralInput, NamedValue, Value, ValueInput, toLiteral, toValue } from '../value';
import { IntRange, boolValue, enumValue, intLiteral, intValue, opt, showInput, textValue, variableName } from './internal/inputs';
import { SetBodyProps, SetHeaderProps, setBody, setHeader } from './transform';

/**
 * The sections every policy in `P` may stand in (the intersection of their sections). Containers use it so
 * that a `choose` holding an inbound-only policy cannot be placed in outbound. A statement list with no
 * policies (only comments, or nothing) fits every section.
 */
export type SharedSections<P> =
  (P extends Policy<infer S> ? (section: S) => void : never) extends (section: infer I) => void
    ? I & Section
    : never;

// ---------------------------------------------------------------------------------------------------------
// base

/**
 * `<base/>`: runs the policies of the enclosing scope here. At most one per section; where it stands decides
 * whether the parent scope's policies run before or after this section's.
 */
export function base(): Policy<AllowedIn<'base'>> {
  return policy(element('base'));
}

// ---------------------------------------------------------------------------------------------------------
// choose

/**
 * One `<when>` branch of a `choose`. Branches built apart from the `choose` call keep their sections when
 * typed with them, e.g. `ChooseWhen<Statement<'inbound'>>`; a bare `ChooseWhen` (sections `never`) fits nowhere.
 */
export interface ChooseWhen<P extends Statement<never> = Statement<never>> {
  /**
   * A policy expression returning a boolean. APIM's schema also accepts a boolean constant, but a constant
   * condition is dead code, so the builder asks for an expression.
   */
  readonly condition: ValueInput;
  /** The policies to run when the condition is true (may be empty). */
  readonly policies: readonly P[];
}

export interface ChooseProps<W extends ChooseWhen, O extends Statement<never>> {
  /** The branches, tried in order; the first whose condition is true runs. At least one. */
  readonly when: readonly W[];
  /**
   * Policies to run when no condition is true.
   * @default - no `<otherwise>` (nothing runs)
   */
  readonly otherwise?: readonly O[];
}

/**
 * `<choose>`: if / else-if / else. Its type allows the sections that every policy in every branch allows.
 */
export function choose<W extends ChooseWhen, O extends Statement<never> = never>(
  props: ChooseProps<W, O>,
): Policy<SharedSections<W['policies'][number] | O>> {
  if (!Array.isArray(props.when) || props.when.length === 0) {
    throw new PolicyError('<choose> needs at least one when branch, got none');
  }
  const branches: ElementNode[] = props.when.map((branch, index) => {
    const where = `<choose> when[${index}] condition`;
    const condition = toValue(branch.condition, where);
    if (!(condition instanceof Expression)) {
      throw new PolicyError(
        `${where} must be a policy expression such as expr('context.Request.Method == "GET"'), ` +
          `got ${show(condition.toString())}`,
      );
    }
    return element('when', [['condition', condition]], statements(branch.policies, `<choose> when[${index}]`));
  });
  if (props.otherwise !== undefined) {
    branches.push(element('otherwise', [], statements(props.otherwise, '<choose> otherwise')));
  }
  return policy(element('choose', [], branches));
}

// ---------------------------------------------------------------------------------------------------------
// set-status

/** Standard reason phrases (RFC 9110 and the other IANA-registered codes) used when `reason` is left out. */
export const HTTP_REASON_PHRASES: Readonly<Record<number, string>> = {
  100: 'Continue',
  101: 'Switching Protocols',
  102: 'Processing',
  103: 'Early Hints',
  200: 'OK',
  201: 'Created',
  202: 'Accepted',
  203: 'Non-Authoritative Information',
  204: 'No Content',
  205: 'Reset Content',
  206: 'Partial Content',
  207: 'Multi-Status',
  208: 'Already Reported',
  226: 'IM Used',
  300: 'Multiple Choices',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  304: 'Not Modified',
  305: 'Use Proxy',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  406: 'Not Acceptable',
  407: 'Proxy Authentication Required',
  408: 'Request Timeout',
  409: 'Conflict',
  410: 'Gone',
  411: 'Length Required',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  414: 'URI Too Long',
  415: 'Unsupported Media Type',
  416: 'Range Not Satisfiable',
  417: 'Expectation Failed',
  421: 'Misdirected Request',
  422: 'Unprocessable Content',
  423: 'Locked',
  424: 'Failed Dependency',
  425: 'Too Early',
  426: 'Upgrade Required',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  451: 'Unavailable For Legal Reasons',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
  506: 'Variant Also Negotiates',
  507: 'Insufficient Storage',
  508: 'Loop Detected',
  511: 'Network Authentication Required',
};

const STATUS_RANGE: IntRange = { min: 100, max: 599 };

export interface SetStatusProps {
  /** The HTTP status code, 100-599. Policy expressions are allowed. */
  readonly code: number | NamedValue | Expression;
  /**
   * The reason phrase. Policy expressions are allowed. APIM requires one.
   * @default - the standard phrase for a literal code (401 gives 'Unauthorized'); required otherwise
   */
  readonly reason?: ValueInput;
}

/** `<set-status>`: sets the response status code and reason. */
export function setStatus(props: SetStatusProps): Policy<AllowedIn<'set-status'>> {
  const code = intValue(props.code, '<set-status> code', STATUS_RANGE);
  let reason: Value | undefined;
  if (props.reason !== undefined) {
    reason = toValue(props.reason, '<set-status> reason');
    if (typeof reason === 'string' && /[\r\n]/.test(reason)) {
      throw new PolicyError(`<set-status> reason ${show(reason)} must be a single line`);
    }
  } else {
    const phrase = typeof props.code === 'number' ? HTTP_REASON_PHRASES[props.code] : undefined;
    if (phrase === undefined) {
      throw new PolicyError(
        `<set-status> code ${showInput(props.code)} has no standard reason phrase to default to: give reason`,
      );
    }
    reason = phrase;
  }
  return policy(element('set-status', [
    ['code', code],
    ['reason', reason],
  ]));
}

// ---------------------------------------------------------------------------------------------------------
// return-response

export interface ReturnResponseProps {
  /**
   * A context variable holding a response (for example from send-request) to return, after the children
   * below have modified it. Policy expressions aren't allowed.
   * @default - a new response: 200 OK with no body unless the children say otherwise
   */
  readonly responseVariableName?: string;
  /**
   * The status line.
   * @default - 200 OK, or the status of the response variable
   */
  readonly status?: SetStatusProps;
  /**
   * Headers to set on the response, in order.
   * @default - none
   */
  readonly headers?: readonly SetHeaderProps[];
  /**
   * The body. A Liquid template is refused: return-response clears the bodies the template would read.
   * @default - no body, or the body of the response variable
   */
  readonly body?: SetBodyProps;
}

/** `<return-response>`: stops the pipeline and answers the caller. */
export function returnResponse(props: ReturnResponseProps = {}): Policy<AllowedIn<'return-response'>> {
  const where = '<return-response>';
  const variable = opt(props.responseVariableName, (v) => variableName(v, `${where} response-variable-name`));
  if (props.body?.template === 'liquid') {
    throw new PolicyError(
      `${where} set-body with template "liquid" gets an empty input (return-response clears the request and ` +
        'response bodies); build the body with an expression',
    );
  }
  const children: PolicyNode[] = [];
  // Schema order: set-status, then set-header (any number), then set-body.
  if (props.status !== undefined) children.push(setStatus(props.status));
  for (const header of props.headers ?? []) children.push(setHeader(header));
  if (props.body !== undefined) children.push(setBody(props.body));
  return policy(element('return-response', [['response-variable-name', variable]], children));
}

// ---------------------------------------------------------------------------------------------------------
// mock-response

export interface MockResponseProps {
  /**
   * Status code of the mocked response (100-599); selects the matching example or schema. Policy
   * expressions aren't allowed.
   * @default - 200 (APIM's default; the attribute is left out)
   */
  readonly statusCode?: number | NamedValue;
  /**
   * Content-Type of the mocked response (a media type such as 'application/json'); selects the matching
   * example or schema. Policy expressions aren't allowed.
   * @default - the first content type that has an example or schema
   */
  readonly contentType?: LiteralInput;
}

/** `<mock-response>`: answers with an example or schema-generated response of the API definition. */
export function mockResponse(props: MockResponseProps = {}): Policy<AllowedIn<'mock-response'>> {
  const where = '<mock-response>';
  const contentType =
    props.contentType === undefined ? undefined : toLiteral(props.contentType, `${where} content-type`);
  if (typeof contentType === 'string' && !/^[^\s/;]+\/[^\s/;]+$/.test(contentType)) {
    throw new PolicyError(`${where} content-type ${show(contentType)} must be a media type such as "application/json"`);
  }
  return policy(element('mock-response', [
    ['status-code', opt(props.statusCode, (v) => intLiteral(v, `${where} status-code`, STATUS_RANGE))],
    ['content-type', contentType],
  ]));
}

// ---------------------------------------------------------------------------------------------------------
// retry

export interface RetryProps<P extends Statement<never>> {
  /** Keep retrying while this is true. Policy expressions are allowed. */
  readonly condition: boolean | Expression;
  /** Number of retries, 1-50. Policy expressions are allowed. */
  readonly count: number | NamedValue | Expression;
  /** Seconds between attempts, 0 or more. Policy expressions are allowed. */
  readonly interval: number | NamedValue | Expression;
  /**
   * Upper bound in seconds for the wait between attempts, at least `interval`; with `delta` it selects the
   * exponential algorithm, so it needs `delta`. Policy expressions are allowed.
   * @default - no maximum (fixed or linear intervals)
   */
  readonly maxInterval?: number | NamedValue | Expression;
  /**
   * Seconds added to the wait per attempt (linear) or the exponential base (with `maxInterval`), 1 or more.
   * Policy expressions are allowed.
   * @default - fixed intervals
   */
  readonly delta?: number | NamedValue | Expression;
  /**
   * Retry the first time without waiting. Policy expressions are allowed.
   * @default - false (APIM's default; the attribute is left out)
   */
  readonly firstFastRetry?: boolean | Expression;
  /** The policies to run and retry: at least one, and no `wait` among them (APIM refuses it). */
  readonly policies: readonly P[];
}

/** `<retry>`: runs its policies, then repeats them while the condition holds and retries are left. */
export function retry<P extends Statement<never>>(
  props: RetryProps<P>,
): Policy<SharedSections<P> & AllowedIn<'retry'>> {
  const where = '<retry>';
  const interval = intValue(props.interval, `${where} interval`, { min: 0 });
  const maxInterval = opt(props.maxInterval, (v) => intValue(v, `${where} max-interval`, { min: 1 }));
  const delta = opt(props.delta, (v) => intValue(v, `${where} delta`, { min: 1 }));
  if (maxInterval !== undefined && delta === undefined) {
    throw new PolicyError(
      `${where} max-interval ${showInput(props.maxInterval)} needs delta: the exponential algorithm uses ` +
        'interval, delta and max-interval together',
    );
  }
  const { maxInterval: max, interval: min } = props;
  if (typeof max === 'number' && typeof min === 'number' && max < min) {
    throw new PolicyError(`${where} max-interval ${max} is less than interval ${min}`);
  }
  const children = statements(props.policies, where);
  requirePolicies(children, where);
  const nestedWait = findDescendant(children, 'wait');
  if (nestedWait) throw new PolicyError(`${where} may not contain <wait> (found at ${nestedWait})`);
  const condition = boolValue(props.condition, `${where} condition`);
  const count = intValue(props.count, `${where} count`, { min: 1, max: 50 });
  return policy(element(
    'retry',
    [
      ['condition', condition],
      ['count', count],
      ['interval', interval],
      ['max-interval', maxInterval],
      ['delta', delta],
      ['first-fast-retry', opt(props.firstFastRetry, (v) => boolValue(v, `${where} first-fast-retry`))],
    ],
    children,
  ));
}

// ---------------------------------------------------------------------------------------------------------
// wait

/** The policies the docs allow directly inside `wait` (the schema allows a few more). */
export const WAIT_CHILDREN = ['send-request', 'cache-lookup-value', 'choose'] as const;

export interface WaitProps<P extends Statement<never>> {
  /**
   * 'all' waits for every child; 'any' completes with the first and cancels the others. Policy expressions
   * are allowed. Always written out: the docs default it to 'all' but the schema requires it.
   * @default 'all'
   */
  readonly for?: 'all' | 'any' | Expression;
  /** The policies to run in parallel: at least one, each a send-request, cache-lookup-value or choose. */
  readonly policies: readonly P[];
}

/** `<wait>`: runs its direct children in parallel and waits for all or any of them. */
export function wait<P extends Statement<never>>(props: WaitProps<P>): Policy<SharedSections<P> & AllowedIn<'wait'>> {
  const where = '<wait>';
  const children = statements(props.policies, where);
  requirePolicies(children, where);
  for (const child of children.filter(isElement)) {
    if (!(WAIT_CHILDREN as readonly string[]).includes(child.name)) {
      throw new PolicyError(`${where} may only hold ${WAIT_CHILDREN.join(', ')} directly, got <${child.name}>`);
    }
  }
  const waitFor = enumValue(props.for ?? 'all', `${where} for`, ['all', 'any']);
  return policy(element('wait', [['for', waitFor]], children));
}

// ---------------------------------------------------------------------------------------------------------
// limit-concurrency

export interface LimitConcurrencyProps<P extends Statement<never>> {
  /** The concurrency scope; policies sharing a key share the limit. Policy expressions are allowed. */
  readonly key: ValueInput;
  /** Requests allowed inside at once, 1 or more. Policy expressions aren't allowed. */
  readonly maxCount: number | NamedValue;
  /** The policies to guard: at least one. */
  readonly policies: readonly P[];
}

/** `<limit-concurrency>`: lets at most `maxCount` requests run its policies at once; others get 429. */
export function limitConcurrency<P extends Statement<never>>(
  props: LimitConcurrencyProps<P>,
): Policy<SharedSections<P> & AllowedIn<'limit-concurrency'>> {
  const where = '<limit-concurrency>';
  const key = textValue(props.key, `${where} key`);
  const maxCount = intLiteral(props.maxCount, `${where} max-count`, { min: 1 });
  const children = statements(props.policies, where);
  requirePolicies(children, where);
  return policy(element(
    'limit-concurrency',
    [
      ['key', key],
      ['max-count', maxCount],
    ],
    children,
  ));
}

// ---------------------------------------------------------------------------------------------------------
// include-fragment

// The API Management resource name rule for policy fragments: word characters and inner hyphens, 80 at most.
const FRAGMENT_ID = /^(?=.{1,80}$)(\w+|\w[\w-]*\w)$/;

export interface IncludeFragmentProps {
  /** Name of the policy fragment in the API Management instance. Policy expressions aren't allowed. */
  readonly fragmentId: string;
}

/** `<include-fragment>`: pastes a policy fragment's policies here. */
export function includeFragment(props: IncludeFragmentProps): Policy<AllowedIn<'include-fragment'>> {
  const where = '<include-fragment> fragment-id';
  const id = toLiteral(props.fragmentId, where);
  if (typeof id !== 'string' || !FRAGMENT_ID.test(id)) {
    throw new PolicyError(
      `${where} ${show(id.toString())} is not a fragment name: use 1-80 letters, digits, '_' or inner '-'`,
    );
  }
  return policy(element('include-fragment', [['fragment-id', id]]));
}

// ---------------------------------------------------------------------------------------------------------
// helpers

function statements(nodes: readonly Statement<never>[] | undefined, where: string): PolicyNode[] {
  if (!Array.isArray(nodes)) throw new PolicyError(`${where} needs a list of policies, got ${show(nodes)}`);
  return [...nodes];
}

function requirePolicies(children: readonly PolicyNode[], where: string): void {
  if (!children.some(isElement)) throw new PolicyError(`${where} needs at least one policy inside`);
}

/** The path of the first descendant element with the name, or undefined. */
function findDescendant(nodes: readonly PolicyNode[], name: string, path = ''): string | undefined {
  for (const node of nodes.filter(isElement)) {
    const here = `${path}/${node.name}`;
    if (node.name === name) return here.slice(1);
    const found = findDescendant(node.children, name, here);
    if (found) return found;
  }
  return undefined;
}
