import { choose } from '../../policy/builders/control';
import { forwardRequest, setHeader } from '../../policy/builders/transform';
import { PolicyDocument, policyDocument } from '../../policy/document';
import { expr } from '../../policy/expressions';
import { jsonError } from '../../../policies/common';

/** The header that carries the gateway's request id to the backend and back to the caller. */
export const CORRELATION_HEADER = 'X-Correlation-Id';

/** Response headers that name the software behind the gateway; they help attackers and nobody else. */
export const FINGERPRINT_HEADERS = ['X-Powered-By', 'X-AspNet-Version', 'X-AspNetMvc-Version'] as const;

/**
 * Errors whose APIM message describes the gateway's internals (backend address, timeout, a failing policy
 * expression), with the generic answer that replaces them: `context.LastError.Reason`, status, error code,
 * description. Errors of the authentication and rate-limit policies are not listed: the MCP-server policy
 * answers those itself, after this scope's on-error.
 */
export const INTERNAL_ERROR_ANSWERS: readonly (readonly [reason: string, status: number, error: string, description: string])[] = [
  ['BackendConnectionFailure', 502, 'bad_gateway', 'The server behind the gateway could not be reached.'],
  ['Timeout', 504, 'gateway_timeout', 'The server behind the gateway did not answer in time.'],
  ['ExpressionValueEvaluationFailure', 500, 'internal_error', 'The gateway could not process the request.'],
];

/**
 * The global (all APIs) policy the gateway installs by default. Global is the outermost scope, so it has no
 * `<base/>`. It sets no CORS: CORS belongs to each MCP server, with that server's origins.
 *
 * - inbound: `X-Correlation-Id` set to APIM's request id for the backend (a caller-sent value is replaced, so
 *   logs correlate on an id the gateway chose);
 * - backend: `forward-request` without response buffering, so MCP's streamed answers (SSE, streamable HTTP)
 *   pass through as they arrive;
 * - outbound: the correlation id returned to the caller, fingerprinting headers removed;
 * - on-error: the same, and errors whose message would reveal internals answered with a generic JSON error
 *   (502 for an unreachable backend, 504 for a timeout, 500 for a failing expression).
 */
export function defaultGlobalPolicy(): PolicyDocument {
  const requestId = () => expr('context.RequestId.ToString()');
  const correlation = () => setHeader({ name: CORRELATION_HEADER, existsAction: 'override', value: requestId() });
  // return-response starts a new response, so the generic answers carry the correlation id themselves.
  const answer = (status: number, error: string, description: string) =>
    jsonError({ status, error, description, headers: [{ name: CORRELATION_HEADER, existsAction: 'override', value: requestId() }] });
  const stripFingerprints = () => FINGERPRINT_HEADERS.map((name) => setHeader({ name, existsAction: 'delete' }));
  return policyDocument({
    inbound: [correlation()],
    backend: [forwardRequest({ bufferResponse: false })],
    outbound: [correlation(), ...stripFingerprints()],
    onError: [
      correlation(),
      ...stripFingerprints(),
      choose({
        when: INTERNAL_ERROR_ANSWERS.map(([reason, status, error, description]) => ({
          condition: expr(`context.LastError.Reason == "${reason}"`),
          policies: [answer(status, error, description)],
        })),
      }),
    ],
  });
}
