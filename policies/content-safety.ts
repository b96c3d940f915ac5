/**
 * Prompt Shields (and optional harm categories and a blocklist) of Azure AI Content Safety on the arguments
 * of MCP tool calls, with `llm-content-safety`. Flagged content is answered 403 by APIM.
 *
 * Needs an APIM backend (its ID is `backendId`) whose URL is the Content Safety resource
 * (`https://<name>.cognitiveservices.azure.com`) and whose credentials are the gateway's managed identity
 * with the Cognitive Services User role.
 *
 * It fails closed: when Content Safety cannot be reached or the text exceeds its limits, APIM answers 500
 * and the request never reaches the MCP server (the recipe does not catch that error). The policy reads
 * the request body, never the response, so streamed answers are untouched.
 */
import { choose } from '../lib/policy/builders/control';
import { ContentSafetyCategory, ContentSafetyCategoryThreshold, llmContentSafety } from '../lib/policy/builders/validation';
import { PolicyDocument } from '../lib/policy/document';
import { PolicyError, show } from '../lib/policy/errors';
import { expr } from '../lib/policy/expressions';
import { Contribution, Part, composeParts } from './compose';
import { checkOptions, isToolsCallCode, jsonRpcMethodCapture, optBoolean, optEnum, optString } from './common';

const CATEGORIES: readonly ContentSafetyCategory[] = ['Hate', 'SelfHarm', 'Sexual', 'Violence'];

export interface ContentSafetyOptions {
  /**
   * ID of the APIM backend that routes to the Azure AI Content Safety resource.
   * @default 'content-safety'
   */
  readonly backendId?: string;
  /**
   * Checks the text for prompt injection attacks (Prompt Shields).
   * @default true
   */
  readonly shieldPrompt?: boolean;
  /**
   * Harm categories to block from a severity on (0-7), e.g. `{ "Hate": 4, "Violence": 4 }`.
   * @default - none
   */
  readonly categories?: Readonly<Partial<Record<ContentSafetyCategory, number>>>;
  /**
   * Severity scale of the category answers.
   * @default - 'FourSeverityLevels' (APIM's default; not written)
   */
  readonly outputType?: 'FourSeverityLevels' | 'EightSeverityLevels';
  /**
   * ID of a blocklist in the Content Safety resource.
   * @default - none
   */
  readonly blocklistId?: string;
  /**
   * Checks only JSON-RPC `tools/call` requests (whose arguments an agent fills in); other MCP messages
   * carry no model-written text. False checks every request.
   * @default true
   */
  readonly toolCallsOnly?: boolean;
}

const WHERE = 'content-safety';
export const CONTENT_SAFETY_OPTION_KEYS = ['backendId', 'shieldPrompt', 'categories', 'outputType', 'blocklistId', 'toolCallsOnly'] as const;

function checkCategories(value: unknown): ContentSafetyCategoryThreshold[] | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new PolicyError(`${WHERE}: option categories must be an object of category to threshold, such as {"Hate": 4}, got ${show(value)}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) throw new PolicyError(`${WHERE}: option categories is empty; name at least one category or leave it out`);
  return entries.map(([name, threshold]) => {
    if (!CATEGORIES.includes(name as ContentSafetyCategory)) {
      throw new PolicyError(`${WHERE}: option categories names ${show(name)}; accepted: ${CATEGORIES.join(', ')}`);
    }
    if (typeof threshold !== 'number' || !Number.isInteger(threshold) || threshold < 0 || threshold > 7) {
      throw new PolicyError(`${WHERE}: option categories.${name} must be a severity from 0 to 7, got ${show(threshold)}`);
    }
    return { name: name as ContentSafetyCategory, threshold };
  });
}

export function contentSafetyPart(options: ContentSafetyOptions = {}): Part {
  const o = checkOptions(WHERE, options, CONTENT_SAFETY_OPTION_KEYS);
  const backendId = optString(WHERE, 'backendId', o.backendId, 'content-safety');
  const shieldPrompt = optBoolean(WHERE, 'shieldPrompt', o.shieldPrompt, true);
  const categories = checkCategories(o.categories);
  const outputType =
    o.outputType === undefined ? undefined : optEnum(WHERE, 'outputType', o.outputType, ['FourSeverityLevels', 'EightSeverityLevels'], 'FourSeverityLevels');
  const blocklist = optString(WHERE, 'blocklistId', o.blocklistId);
  const toolCallsOnly = optBoolean(WHERE, 'toolCallsOnly', o.toolCallsOnly, true);
  if (!shieldPrompt && !categories && !blocklist) {
    throw new PolicyError(`${WHERE}: with shieldPrompt false and no categories or blocklistId, the policy would check nothing`);
  }
  const check = llmContentSafety({
    backendId,
    shieldPrompt,
    outputType,
    categories,
    blocklistIds: blocklist === undefined ? undefined : [blocklist],
  });
  const classify: Contribution<'inbound'>[] = toolCallsOnly ? [jsonRpcMethodCapture()] : [];
  return {
    id: 'content-safety',
    inbound: {
      classify,
      'content-safety': [toolCallsOnly ? choose({ when: [{ condition: expr(isToolsCallCode()), policies: [check] }] }) : check],
    },
  };
}

/** The standalone policy. */
export function contentSafetyPolicy(options: ContentSafetyOptions = {}): PolicyDocument {
  return composeParts([contentSafetyPart(options)]);
}
