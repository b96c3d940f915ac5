import { PolicyError, show } from './errors';
import { PolicyParseError, scanExpression } from './mask';
import { Expression, NamedValue, Template, template } from './value';

/** A single-statement policy expression, `@(code)`. */
export function expr(code: string): Expression {
  if (code.trim() === '') throw new PolicyError('an expression needs code: expr("") renders as @() which APIM refuses');
  return checkBalanced(new Expression('single', code));
}

/** A multi-statement policy expression, `@{ code }`; the code must `return` a value. */
export function block(code: string): Expression {
  if (code.trim() === '') throw new PolicyError('a block expression needs code: block("") renders as @{} which APIM refuses');
  return checkBalanced(new Expression('multi', code));
}

// Code whose brackets, strings or comments do not close would end the expression early (a `// c` swallows
// the closing `)`), so APIM and our parser would read something else than what was built.
function checkBalanced(expression: Expression): Expression {
  const text = expression.toString();
  let end = -1;
  try {
    end = scanExpression(text, 0, 'rawxml', '').end;
  } catch (error) {
    if (!(error instanceof PolicyParseError)) throw error;
    throw new PolicyError(`the expression ${show(text)} is not balanced C#: ${error.reason}`);
  }
  if (end !== text.length) {
    throw new PolicyError(
      `the expression ${show(text)} closes early, at ${show(text.slice(0, end))}: ` +
        'check for a line comment (//) or an unclosed string, bracket or char literal',
    );
  }
  return expression;
}

/** A `{{name}}` named value reference. */
export function namedValue(name: string): NamedValue {
  return new NamedValue(name);
}

/** Literal text with named values: ``lit`Bearer ${namedValue('token')}` ``. */
export function lit(strings: TemplateStringsArray, ...values: (string | NamedValue)[]): string | NamedValue | Template {
  const parts: (string | NamedValue)[] = [];
  strings.forEach((s, i) => {
    parts.push(s);
    if (i < values.length) parts.push(values[i]);
  });
  return template(parts);
}

const CS_ESCAPES: Record<string, string> = {
  '\\': '\\\\',
  '"': '\\"',
  '\0': '\\0',
  '\n': '\\n',
  '\r': '\\r',
  '\t': '\\t',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

/** A C# regular string literal for any text: `csString('say "hi"')` is `"say \"hi\""`. */
export function csString(value: string): string {
  return `"${value.replace(/[\\"\0\n\r\t\u2028\u2029]/g, (c) => CS_ESCAPES[c])}"`;
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function checkVariableName(name: string): void {
  if (!/^[A-Za-z0-9_.-]{1,128}$/.test(name)) {
    throw new PolicyError(`invalid context variable name ${show(name)}: use letters, digits, '_', '.' or '-'`);
  }
}

/**
 * C# code fragments for the values MCP policies read. Compose them into larger expressions, or wrap one
 * with {@link expr}; the `E` helpers below do the wrapping for the common cases.
 */
export const code = {
  /** The request header's value, or `fallback` when it is absent. */
  requestHeader(name: string, fallback = ''): string {
    return `context.Request.Headers.GetValueOrDefault(${csString(name)}, ${csString(fallback)})`;
  },
  /** The response header's value, or `fallback` when it is absent. */
  responseHeader(name: string, fallback = ''): string {
    return `context.Response.Headers.GetValueOrDefault(${csString(name)}, ${csString(fallback)})`;
  },
  /** The subscription id, or the empty string when the call carries no valid subscription. */
  subscriptionId(): string {
    return '(context.Subscription?.Id ?? "")';
  },
  /** The subscription name, or the empty string when the call carries no valid subscription. */
  subscriptionName(): string {
    return '(context.Subscription?.Name ?? "")';
  },
  /** A context variable as a string, or `fallback` when it is not set. */
  variable(name: string, fallback = ''): string {
    checkVariableName(name);
    return `context.Variables.GetValueOrDefault<string>(${csString(name)}, ${csString(fallback)})`;
  },
  /**
   * A claim of a JWT that validate-jwt / validate-azure-ad-token stored in `output-token-variable-name`,
   * or the empty string when the claim or the token is missing.
   */
  jwtClaim(tokenVariable: string, claim: string): string {
    checkVariableName(tokenVariable);
    return (
      `(context.Variables.GetValueOrDefault<Jwt>(${csString(tokenVariable)})?.Claims` +
      `.GetValueOrDefault(${csString(claim)}, "") ?? "")`
    );
  },
  /** The caller's IP address as the gateway sees it. */
  clientIp(): string {
    return 'context.Request.IpAddress';
  },
  /** The value of a C# identifier-safe member chain, checked so typos fail early. */
  member(path: string): string {
    for (const part of path.split('.')) {
      if (!IDENTIFIER.test(part)) throw new PolicyError(`invalid C# member path ${show(path)}`);
    }
    return path;
  },
};

/** Ready-made expressions for the values MCP policies read. */
export const E = {
  requestHeader: (name: string, fallback?: string) => expr(code.requestHeader(name, fallback)),
  subscriptionId: () => expr(code.subscriptionId()),
  subscriptionName: () => expr(code.subscriptionName()),
  variable: (name: string, fallback?: string) => expr(code.variable(name, fallback)),
  jwtClaim: (tokenVariable: string, claim: string) => expr(code.jwtClaim(tokenVariable, claim)),
  clientIp: () => expr(code.clientIp()),
};
