/**
 * Forwards the caller's `Authorization` header to the backend: captured before `<base/>` (an enclosing
 * scope or APIM may remove or replace it) and put back after it, only when the caller sent one.
 *
 * Forwarding a token is only right when the backend is the resource the token was issued for (the MCP
 * server itself, behind the gateway). A backend calling other APIs must get its own tokens (on-behalf-of),
 * never reuse this one: the MCP specification forbids token passthrough to upstream APIs.
 */
import { choose } from '../lib/policy/builders/control';
import { setHeader, setVariable } from '../lib/policy/builders/transform';
import { PolicyDocument } from '../lib/policy/document';
import { code, expr } from '../lib/policy/expressions';
import { Part, composeParts } from './compose';
import { VARIABLES, checkOptions } from './common';

/** The recipe takes no options; the type exists so every recipe has one. */
export type JwtForwardingOptions = Readonly<Record<string, never>>;

const WHERE = 'jwt-forwarding';

export function jwtForwardingPart(options: JwtForwardingOptions = {}): Part {
  checkOptions(WHERE, options, []);
  return {
    id: 'jwt-forwarding',
    inbound: {
      capture: [setVariable({ name: VARIABLES.authorization, value: expr(code.requestHeader('Authorization')) })],
      forward: [
        choose({
          when: [
            {
              condition: expr(`!string.IsNullOrEmpty(${code.variable(VARIABLES.authorization)})`),
              policies: [setHeader({ name: 'Authorization', existsAction: 'override', value: expr(code.variable(VARIABLES.authorization)) })],
            },
          ],
        }),
      ],
    },
  };
}

/** The standalone policy. */
export function jwtForwardingPolicy(options: JwtForwardingOptions = {}): PolicyDocument {
  return composeParts([jwtForwardingPart(options)]);
}
