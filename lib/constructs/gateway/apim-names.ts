import { NameRule } from '../naming';

/**
 * @internal The rule of the ids APIM takes for named values, policy fragments, products and subscriptions:
 * 1-80 letters, digits, '-' and '_', starting and ending with a letter or digit. `resource` is what an
 * error calls the id.
 */
export function apimIdRule(resource: string): NameRule {
  return {
    resource,
    minLength: 1,
    maxLength: 80,
    allowedCharacters: /[A-Za-z0-9_-]/,
    allowedDescription: "letters, digits, '-' and '_'",
    start: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
    end: { pattern: /[A-Za-z0-9]/, description: 'a letter or digit' },
  };
}
