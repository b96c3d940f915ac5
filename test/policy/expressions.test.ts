import {
  E,
  Expression,
  NamedValue,
  PolicyError,
  Template,
  block,
  code,
  csString,
  expr,
  lit,
  literal,
  namedValue,
  render,
  setHeader,
  text,
  toLiteral,
  toValue,
} from '../../lib/policy';

describe('expressions are values', () => {
  it('render single- and multi-statement forms', () => {
    expect(expr('context.Request.Method').toString()).toBe('@(context.Request.Method)');
    expect(block(' return "x"; ').toString()).toBe('@{ return "x"; }');
    expect(() => expr('  ')).toThrow(PolicyError);
  });

  it('escape any text into a C# string literal', () => {
    expect(csString('say "hi"\\ \n\t')).toBe('"say \\"hi\\"\\\\ \\n\\t"');
    expect(csString('ünïcødé 🚀')).toBe('"ünïcødé 🚀"');
  });

  it('provide the helpers MCP recipes need', () => {
    expect(E.requestHeader('Mcp-Session-Id', 'none').code).toBe('context.Request.Headers.GetValueOrDefault("Mcp-Session-Id", "none")');
    expect(code.subscriptionId()).toBe('(context.Subscription?.Id ?? "")');
    expect(code.subscriptionName()).toBe('(context.Subscription?.Name ?? "")');
    expect(E.variable('jwt-subject').code).toBe('context.Variables.GetValueOrDefault<string>("jwt-subject", "")');
    expect(code.jwtClaim('token', 'oid')).toBe('(context.Variables.GetValueOrDefault<Jwt>("token")?.Claims.GetValueOrDefault("oid", "") ?? "")');
    expect(() => code.variable('bad name')).toThrow(/invalid context variable name "bad name"/);
  });

  it('keep a header name with quotes safe inside the generated C#', () => {
    expect(E.requestHeader('a"b').code).toBe('context.Request.Headers.GetValueOrDefault("a\\"b", "")');
  });
});

describe('named values and literals', () => {
  it('render {{name}} and refuse invalid names', () => {
    expect(namedValue('functions-key').toString()).toBe('{{functions-key}}');
    expect(() => namedValue('has space')).toThrow(/invalid named value name "has space"/);
  });

  it('canonicalise literal text so built and parsed values are equal', () => {
    expect(literal('plain')).toBe('plain');
    expect(literal('{{key}}')).toEqual(new NamedValue('key'));
    expect(literal('Bearer {{token}}')).toEqual(new Template(['Bearer ', new NamedValue('token')]));
    expect(lit`Bearer ${namedValue('token')}`).toEqual(literal('Bearer {{token}}'));
  });

  it('separate literal-only attributes from expression-enabled ones', () => {
    expect(toValue(expr('1'), 'x')).toBeInstanceOf(Expression);
    expect(() => toLiteral(expr('1'), '<rate-limit> calls')).toThrow(
      '<rate-limit> calls does not accept a policy expression (got @(1))',
    );
    expect(() => toLiteral('@(context.User)', '<x> y')).toThrow(/reads as a policy expression; build it with expr\(\)/);
    expect(toLiteral(5, 'n')).toBe('5');
    expect(toLiteral(true, 'b')).toBe('true');
  });
});

describe('rendering formats', () => {
  const header = setHeader({
    name: 'X-Trace',
    existsAction: 'override',
    value: expr('context.Request.Headers.GetValueOrDefault("a", "<&>") + "\\""'),
  });

  it('rawxml keeps expressions verbatim; xml entity-escapes them', () => {
    expect(render(header, { format: 'rawxml' })).toContain('<value>@(context.Request.Headers.GetValueOrDefault("a", "<&>") + "\\"")</value>');
    expect(render(header, { format: 'xml' })).toContain(
      '<value>@(context.Request.Headers.GetValueOrDefault("a", "&lt;&amp;&gt;") + "\\"")</value>',
    );
  });

  it('escapes literal text the same in both formats, including entity-like text', () => {
    for (const format of ['rawxml', 'xml'] as const) {
      expect(render(text('a &amp; <b>'), { format })).toBe('a &amp;amp; &lt;b&gt;');
    }
  });
});

describe('expressions that would not read back as built', () => {
  it('refuse code whose line comment swallows the closing bracket', () => {
    expect(() => expr('x // note')).toThrow(/"@\(x \/\/ note\)" is not balanced C#: .*inside a \/\/ comment/);
  });

  it('refuse code that closes early or leaves a string open', () => {
    expect(() => expr('a) + (b')).toThrow(/closes early, at "@\(a\)"/);
    expect(() => block('return "x;')).toThrow(/inside a string literal/);
  });

  it('accept brackets inside strings, chars and block comments', () => {
    expect(expr('f(")") + \'(\' /* ) */').code).toBe('f(")") + \'(\' /* ) */');
  });
});
