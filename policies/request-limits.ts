/**
 * Request size limits: a body larger than the limit is answered 413, and (by default) a request that may
 * carry a body but sends no `Content-Length` is answered 411, so a chunked body cannot slip past the check.
 * The check reads the header only; the body is not buffered. HTTP framing makes `Content-Length` the
 * length of the body the gateway forwards.
 *
 * `validate-content max-size` is not used: its documented maximum is 100 KiB, and on an MCP API without a
 * schema it would also have to be told to ignore every content type.
 */
import { choose } from '../lib/policy/builders/control';
import { PolicyDocument } from '../lib/policy/document';
import { block, code, expr } from '../lib/policy/expressions';
import { Part, composeParts } from './compose';
import { checkOptions, jsonError, optBoolean, optInteger } from './common';

export interface RequestLimitsOptions {
  /**
   * Largest request body in bytes.
   * @default 262144 (256 KiB)
   */
  readonly maxBodyBytes?: number;
  /**
   * Answers 411 to a POST, PUT or PATCH without `Content-Length`.
   * @default true
   */
  readonly requireContentLength?: boolean;
}

const WHERE = 'request-limits';
export const REQUEST_LIMITS_OPTION_KEYS = ['maxBodyBytes', 'requireContentLength'] as const;

const BODY_METHODS = 'new[] { "POST", "PUT", "PATCH" }.Contains(context.Request.Method)';

export function requestLimitsPart(options: RequestLimitsOptions = {}): Part {
  const o = checkOptions(WHERE, options, REQUEST_LIMITS_OPTION_KEYS);
  const max = optInteger(WHERE, 'maxBodyBytes', o.maxBodyBytes, 262_144, { min: 1, max: Number.MAX_SAFE_INTEGER });
  const requireLength = optBoolean(WHERE, 'requireContentLength', o.requireContentLength, true);
  const when = [];
  if (requireLength) {
    when.push({
      condition: expr(`${BODY_METHODS} && !context.Request.Headers.ContainsKey("Content-Length")`),
      policies: [jsonError({ status: 411, error: 'length_required', description: 'Send the request body with a Content-Length header.' })],
    });
  }
  when.push({
    // An unparsable length is refused as well: it cannot be shown to be within the limit.
    condition: block(`long length; return !long.TryParse(${code.requestHeader('Content-Length', '0')}, out length) || length > ${max};`),
    policies: [jsonError({ status: 413, error: 'payload_too_large', description: `The request body may not exceed ${max} bytes.` })],
  });
  return { id: 'request-limits', inbound: { 'request-limits': [choose({ when })] } };
}

/** The standalone policy. */
export function requestLimitsPolicy(options: RequestLimitsOptions = {}): PolicyDocument {
  return composeParts([requestLimitsPart(options)]);
}
