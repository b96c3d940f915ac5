import { Token } from 'cdktf';

/**
 * Text as Terraform must see it to keep it literal: Terraform reads `${` and `%{` in any string of the plan
 * as template syntax, and `$${` / `%%{` are their escaped forms. Policy XML can contain either (a C# block,
 * a Liquid template, a JSON body); unescaped, Terraform would try to evaluate them. Text that holds cdktf
 * tokens is returned unchanged, since their `${...}` must stay references.
 */
export function terraformLiteral(text: string): string {
  if (Token.isUnresolved(text)) return text;
  return text.replace(/\$\{/g, () => '$${').replace(/%\{/g, () => '%%{');
}
