/**
 * Subscription-key authentication done in the policy, so refusals have a JSON body and (next to OAuth) the
 * MCP authorization challenge:
 *
 * - before `<base/>`: a request without `Ocp-Apim-Subscription-Key` is answered 401;
 * - after `<base/>`: a request whose key identifies no subscription (`context.Subscription` is null) is
 *   answered 401, and the header is removed from the request for the backend: APIM forwards it by default,
 *   and the backend has no use for the caller's key. With `forwardToBackend` the key is instead captured
 *   before `<base/>` (an enclosing scope may remove the header) and put back after it;
 * - on-error: APIM's own subscription refusals (`context.LastError.Source == "authorization"`, when the API
 *   requires a subscription) get the same answer.
 *
 * Only the header is accepted: a key in the `subscription-key` query parameter ends up in logs.
 */
import { choose } from '../lib/policy/builders/control';
import { SetHeaderProps, setHeader, setVariable } from '../lib/policy/builders/transform';
import { PolicyDocument } from '../lib/policy/document';
import { code, expr } from '../lib/policy/expressions';
import { Value, ValueInput } from '../lib/policy/value';
import { Contribution, Part, composeParts } from './compose';
import { VARIABLES, checkOptions, jsonError, optBoolean } from './common';
import { ResourceLocation, bearerChallenge } from './mcp-authorization';

/** The header APIM reads subscription keys from. */
export const SUBSCRIPTION_KEY_HEADER = 'Ocp-Apim-Subscription-Key';

/** The challenge APIM itself sends for a missing key (RFC 9110 requires a challenge with every 401). */
export const KEY_CHALLENGE = `AzureApiManagementKey name="${SUBSCRIPTION_KEY_HEADER}", type="header"`;

export interface SubscriptionKeyOptions {
  /**
   * Passes the caller's key on to the backend (captured before `<base/>`, put back after it), for MCP
   * servers that check it themselves. Off, the header is deleted before the backend call (APIM would
   * otherwise forward it).
   * @default false
   */
  readonly forwardToBackend?: boolean;
}

const WHERE = 'subscription-key';
export const SUBSCRIPTION_KEY_OPTION_KEYS = ['forwardToBackend'] as const;

/**
 * The subscription-key part.
 * @param oauth where the MCP server's protected-resource metadata is, when it also accepts OAuth tokens: its
 *   401s then carry the Bearer challenge next to the key challenge
 */
export function subscriptionKeyPart(options: SubscriptionKeyOptions = {}, oauth?: ResourceLocation): Part {
  const o = checkOptions(WHERE, options, SUBSCRIPTION_KEY_OPTION_KEYS);
  const forward = optBoolean(WHERE, 'forwardToBackend', o.forwardToBackend, false);
  const challenges: (string | Value)[] = [...(oauth ? [bearerChallenge(oauth)] : []), KEY_CHALLENGE];
  const headers: SetHeaderProps[] = [{ name: 'WWW-Authenticate', existsAction: 'override', value: challenges as ValueInput[] }];
  const refuse = (error: string, description: string) => jsonError({ status: 401, error, description, headers });

  const capture: Contribution<'inbound'>[] = [
    choose({
      when: [
        {
          condition: expr(`string.IsNullOrEmpty(${code.requestHeader(SUBSCRIPTION_KEY_HEADER)})`),
          policies: [refuse('missing_subscription_key', `Send a subscription key in the ${SUBSCRIPTION_KEY_HEADER} header.`)],
        },
      ],
    }),
  ];
  if (forward) capture.push(setVariable({ name: VARIABLES.subscriptionKey, value: expr(code.requestHeader(SUBSCRIPTION_KEY_HEADER)) }));

  return {
    id: 'subscription-key',
    inbound: {
      capture,
      authenticate: [
        choose({
          when: [
            {
              condition: expr('context.Subscription == null'),
              policies: [refuse('invalid_subscription_key', 'The subscription key is not valid for an active subscription of this MCP server.')],
            },
          ],
        }),
      ],
      forward: forward
        ? [setHeader({ name: SUBSCRIPTION_KEY_HEADER, existsAction: 'override', value: expr(code.variable(VARIABLES.subscriptionKey)) })]
        : [setHeader({ name: SUBSCRIPTION_KEY_HEADER, existsAction: 'delete' })],
    },
    onError: {
      challenge: [
        choose({
          when: [
            {
              condition: expr('context.LastError.Source == "authorization"'),
              policies: [refuse('invalid_subscription_key', `Send a valid subscription key in the ${SUBSCRIPTION_KEY_HEADER} header.`)],
            },
          ],
        }),
      ],
    },
  };
}

/** The standalone policy. */
export function subscriptionKeyPolicy(options: SubscriptionKeyOptions = {}): PolicyDocument {
  return composeParts([subscriptionKeyPart(options)]);
}
