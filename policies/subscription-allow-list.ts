/**
 * Only some subscriptions may call the MCP server: by subscription ID, or by a pattern over the
 * subscription's display name. Everyone else is answered 403 with a JSON error. Runs after authentication
 * (and after the rate limit, in `mcp-server`).
 */
import { choose } from '../lib/policy/builders/control';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { code, csString, expr } from '../lib/policy/expressions';
import { Part, composeParts } from './compose';
import { checkOptions, jsonError, optString, optStringList } from './common';

export interface SubscriptionAllowListOptions {
  /**
   * IDs of the subscriptions allowed to call (`context.Subscription.Id`: the subscription's name in APIM,
   * not its display name). Give this or `subscriptionNamePattern`.
   * @default - not used
   */
  readonly subscriptionIds?: readonly string[];
  /**
   * A .NET regular expression the subscription's display name (`context.Subscription.Name`) must match as a
   * whole (it is anchored: `prod-.*` does not match `preprod-a`). Give this or `subscriptionIds`.
   * @default - not used
   */
  readonly subscriptionNamePattern?: string;
}

const WHERE = 'subscription-allow-list';
export const SUBSCRIPTION_ALLOW_LIST_OPTION_KEYS = ['subscriptionIds', 'subscriptionNamePattern'] as const;

/** The C# condition that is true for a caller the allow-list refuses. */
function refusedCode(o: Readonly<Record<string, unknown>>): string {
  const ids = optStringList(WHERE, 'subscriptionIds', o.subscriptionIds);
  const pattern = optString(WHERE, 'subscriptionNamePattern', o.subscriptionNamePattern);
  if ((ids === undefined) === (pattern === undefined)) {
    throw new PolicyError(
      `${WHERE}: give exactly one of subscriptionIds and subscriptionNamePattern, got ${ids === undefined ? 'neither' : 'both'}`,
    );
  }
  if (ids !== undefined) {
    return `!new[] { ${ids.map((id) => csString(id)).join(', ')} }.Contains(${code.subscriptionId()})`;
  }
  const anchored = `^(?:${pattern})$`;
  // JavaScript and .NET regular expressions share the syntax used for names; compiling catches typos early.
  let compiled: RegExp;
  try {
    compiled = new RegExp(anchored);
  } catch (e) {
    throw new PolicyError(`${WHERE}: option subscriptionNamePattern ${show(pattern)} is not a valid regular expression: ${(e as Error).message}`);
  }
  if (compiled.test('')) {
    throw new PolicyError(
      `${WHERE}: option subscriptionNamePattern ${show(pattern)} matches the empty name, so it allows every subscription; narrow it`,
    );
  }
  return `!System.Text.RegularExpressions.Regex.IsMatch(${code.subscriptionName()}, ${csString(anchored)})`;
}

export function subscriptionAllowListPart(options: SubscriptionAllowListOptions): Part {
  const o = checkOptions(WHERE, options, SUBSCRIPTION_ALLOW_LIST_OPTION_KEYS);
  return {
    id: 'subscription-allow-list',
    inbound: {
      authorize: [
        choose({
          when: [
            {
              condition: expr(refusedCode(o)),
              policies: [jsonError({ status: 403, error: 'forbidden', description: 'This subscription may not call this MCP server.' })],
            },
          ],
        }),
      ],
    },
  };
}

/** The standalone policy. */
export function subscriptionAllowListPolicy(options: SubscriptionAllowListOptions): PolicyDocument {
  return composeParts([subscriptionAllowListPart(options)]);
}
