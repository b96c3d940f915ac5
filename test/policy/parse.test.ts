import { PolicyDocument, PolicyFragment, checkDocument } from '../../lib/policy/document';
import { PolicyError } from '../../lib/policy/errors';
import { block, expr } from '../../lib/policy/expressions';
import { PolicyParseError, maskExpressions } from '../../lib/policy/mask';
import { ElementNode, PolicyNode, comment, element, text } from '../../lib/policy/model';
import { parseDocument, parseElement, parseFragment, parsePolicy, parsePolicyWithLocations } from '../../lib/policy/parse';
import { raw } from '../../lib/policy/raw';
import { escapeAttribute, escapeText, render } from '../../lib/policy/render';
import { Expression, NamedValue, Template, Value, literal } from '../../lib/policy/value';

function doc(sections: Partial<Record<'inbound' | 'backend' | 'outbound' | 'on-error', PolicyNode[]>>): PolicyDocument {
  return {
    type: 'policies',
    sections: {
      inbound: sections.inbound ?? [],
      backend: sections.backend ?? [],
      outbound: sections.outbound ?? [],
      'on-error': sections['on-error'] ?? [],
    },
  };
}

function fragment(...children: PolicyNode[]): PolicyFragment {
  return { type: 'fragment', children };
}

/** The error a call throws, for checking its fields. */
function errorOf(f: () => unknown): PolicyParseError {
  try {
    f();
  } catch (e) {
    if (e instanceof PolicyParseError) return e;
    throw e;
  }
  throw new Error('expected a PolicyParseError, but nothing was thrown');
}

const header = (name: string, value: Value): ElementNode =>
  element('set-header', [['name', name], ['exists-action', 'override']], [element('value', [], [text(value)])]);

// The same policy in both formats, written the way APIM users write them.
const RAWXML = `<policies>
    <inbound>
        <base />
        <set-header name="Authorization" exists-action="override">
            <value>@(context.Request.Headers.GetValueOrDefault("Authorization",""))</value>
        </set-header>
        <set-variable name="brace" value="@{ var s = "}"; return s; }" />
        <set-variable name="path" value="@(@"C:\\temp\\""quoted""")" />
        <set-variable name="greeting" value="@($"Hello {context.User?.Email ?? "anon"}, {{braces}} {(1 + 2):N0}")" />
        <choose>
            <when condition="@(context.Request.Body.As<string>().IndexOf(')') > 0 && true)">
                <set-header name="x-comment" exists-action="override">
                    <value>@(/* ) " */ "a")</value>
                </set-header>
            </when>
        </choose>
        <set-body>@{
            // a ) and a " in a comment
            return "}";
        }</set-body>
        <set-header name="api-key" exists-action="override">
            <value>{{backend-key}}</value>
        </set-header>
        <set-header name="Authorization" exists-action="override">
            <value>Bearer {{token}}</value>
        </set-header>
    </inbound>
</policies>`;

const XML = `<?xml version="1.0" encoding="utf-8"?>
<policies>
    <inbound>
        <base />
        <set-header name="Authorization" exists-action="override">
            <value>@(context.Request.Headers.GetValueOrDefault("Authorization",""))</value>
        </set-header>
        <set-variable name="brace" value="@{ var s = &quot;}&quot;; return s; }" />
        <set-variable name="path" value='@(@"C:\\temp\\""quoted""")' />
        <set-variable name="greeting" value="@($&quot;Hello {context.User?.Email ?? &quot;anon&quot;}, {{braces}} {(1 + 2):N0}&quot;)" />
        <choose>
            <when condition="@(context.Request.Body.As&lt;string&gt;().IndexOf(')') &gt; 0 &amp;&amp; true)">
                <set-header name="x-comment" exists-action="override">
                    <value>@(/* ) &quot; */ "a")</value>
                </set-header>
            </when>
        </choose>
        <set-body>@{
            // a ) and a " in a comment
            return "}";
        }</set-body>
        <set-header name="api-key" exists-action="override">
            <value>{{backend-key}}</value>
        </set-header>
        <set-header name="Authorization" exists-action="override">
            <value>Bearer {{token}}</value>
        </set-header>
    </inbound>
</policies>`;

const EXPECTED = doc({
  inbound: [
    element('base'),
    header('Authorization', expr('context.Request.Headers.GetValueOrDefault("Authorization","")')),
    element('set-variable', [['name', 'brace'], ['value', block(' var s = "}"; return s; ')]]),
    element('set-variable', [['name', 'path'], ['value', expr('@"C:\\temp\\""quoted"""')]]),
    element('set-variable', [
      ['name', 'greeting'],
      ['value', expr('$"Hello {context.User?.Email ?? "anon"}, {{braces}} {(1 + 2):N0}"')],
    ]),
    element('choose', [], [
      element('when', [['condition', expr("context.Request.Body.As<string>().IndexOf(')') > 0 && true")]], [
        header('x-comment', expr('/* ) " */ "a"')),
      ]),
    ]),
    element('set-body', [], [
      text(block('\n            // a ) and a " in a comment\n            return "}";\n        ')),
    ]),
    header('api-key', new NamedValue('backend-key')),
    header('Authorization', new Template(['Bearer ', new NamedValue('token')])),
  ],
});

describe('parsePolicy on real policies', () => {
  it('reads rawxml, named or detected', () => {
    expect(parsePolicy(RAWXML, { format: 'rawxml' })).toStrictEqual(EXPECTED);
    const parsed = parsePolicyWithLocations(RAWXML);
    expect(parsed.format).toBe('rawxml');
    expect(parsed.document).toStrictEqual(EXPECTED);
  });

  it('reads xml, named or detected, to the same document', () => {
    expect(parsePolicy(XML, { format: 'xml' })).toStrictEqual(EXPECTED);
    const parsed = parsePolicyWithLocations(XML);
    expect(parsed.format).toBe('xml');
    expect(parsed.document).toStrictEqual(EXPECTED);
  });

  it('renders the parsed rawxml back to the same text', () => {
    // The source is written in the renderer's layout except for the leaf set-header values.
    const again = render(parsePolicy(RAWXML));
    expect(parsePolicy(again)).toStrictEqual(EXPECTED);
    expect(again).toContain('<set-variable name="greeting" value="@($"Hello {context.User?.Email ?? "anon"}');
  });
});

describe('C# the expression scanner must step over', () => {
  // Each case is code whose brackets, quotes or braces would end a naive scan too early or too late.
  const cases: [string, string][] = [
    ['a method call with string arguments', 'context.Request.Headers.GetValueOrDefault("Authorization","")'],
    ['a closing bracket in a string', 'x == ")"'],
    ['an escaped quote and a backslash in a string', '"a\\")\\\\" + ")"'],
    ['a verbatim string with "" and a backslash at its end', '@"C:\\dir\\" + @"say ""hi"")"'],
    ['an interpolated string with a hole holding a string', '$"{("(")}-{x}"'],
    ['escaped braces in an interpolated string', '$"{{)}} {x}"'],
    ['a verbatim interpolated string, both prefixes', '$@"{x}"")" + @$"{y}""("'],
    ['nested interpolated strings', '$"{$"{$"{1})"}"}"'],
    ['a format clause in a hole', '$"{DateTime.UtcNow:yyyy-MM-dd}{x,5}{global::System.Math.PI}"'],
    ['char literals with a bracket and a quote', "c == ')' || c == '\\'' || c == '\"'"],
    ['a block comment with a bracket and a quote', '/* ) " */ x'],
    ['a line comment with a bracket and a quote', '// ) "\n x'],
    ['comparison and logic operators', 'a < b && c > d'],
    ['nested brackets of three kinds', 'f(a[1], new[] { (2) })'],
  ];

  it.each(cases)('%s, in an attribute and in text, in both formats', (_, code) => {
    const source = `@(${code})`;
    const rawxml = `<fragment><x a="${source}"><y>${source}</y></x></fragment>`;
    const xml = `<fragment><x a="${escapeAttribute(source)}"><y>${escapeText(source)}</y></x></fragment>`;
    const expected = fragment(element('x', [['a', expr(code)]], [element('y', [], [text(expr(code))])]));
    expect(parsePolicy(rawxml, { format: 'rawxml' })).toStrictEqual(expected);
    expect(parsePolicy(xml, { format: 'xml' })).toStrictEqual(expected);
    expect(parsePolicy(rawxml)).toStrictEqual(expected);
    expect(parsePolicy(xml)).toStrictEqual(expected);
  });

  it('keeps the code of a multi-statement block verbatim, whitespace included', () => {
    const parsed = parseFragment('<fragment><set-body>\n  @{ var s = "}"; return s; }\n</set-body></fragment>');
    expect(parsed).toStrictEqual(fragment(element('set-body', [], [text(block(' var s = "}"; return s; '))])));
  });

  it('reads an expression that ends before more text as literal text', () => {
    // APIM evaluates only a value that is one whole expression; the parser keeps the rest as written.
    const parsed = parseFragment('<fragment><x a="@(&quot;a&quot;) tail">@(1) + @(2)</x></fragment>', { format: 'xml' });
    expect(parsed).toStrictEqual(fragment(element('x', [['a', '@("a") tail']], [text('@(1) + @(2)')])));
  });

  it('reads an expression that only appears once XML is decoded (CDATA, a character reference)', () => {
    const parsed = parseFragment('<fragment><a><![CDATA[ @("<b>") ]]></a><b c="&#64;(1)"/></fragment>');
    expect(parsed).toStrictEqual(fragment(element('a', [], [text(expr('"<b>"'))]), element('b', [['c', expr('1')]])));
  });
});

describe('values, text and comments', () => {
  it('splits named values and templates out of literals, in attributes and text', () => {
    const parsed = parseFragment('<fragment><x a="{{key}}" b="Bearer {{token}}" c="{{not a name}}">{{v.1}}</x></fragment>');
    expect(parsed).toStrictEqual(
      fragment(
        element(
          'x',
          [
            ['a', new NamedValue('key')],
            ['b', new Template(['Bearer ', new NamedValue('token')])],
            ['c', '{{not a name}}'],
          ],
          [text(new NamedValue('v.1'))],
        ),
      ),
    );
  });

  it('decodes entities and character references in literals', () => {
    const parsed = parseFragment('<fragment><x a="&lt;&amp;&quot;&apos;&#x9;&#65;">&lt;&amp;&gt;&#x1F600;</x></fragment>');
    expect(parsed).toStrictEqual(fragment(element('x', [['a', '<&"\'\tA']], [text('<&>😀')])));
  });

  it('keeps comments verbatim, including brackets, quotes and what looks like an expression', () => {
    const parsed = parseDocument(
      '<policies><inbound><!-- @(x == "a" ) --><choose><!--"--><when condition="@(true)"/></choose></inbound></policies>',
    );
    expect(parsed).toStrictEqual(
      doc({ inbound: [comment(' @(x == "a" ) '), element('choose', [], [comment('"'), element('when', [['condition', expr('true')]])])] }),
    );
  });

  it('reads CDATA as text, merged with the text around it', () => {
    const parsed = parseFragment('<fragment><set-body>a<![CDATA[<b>&amp;</b>]]>c</set-body></fragment>');
    expect(parsed).toStrictEqual(fragment(element('set-body', [], [text('a<b>&amp;</b>c')])));
  });

  it('drops whitespace-only text beside elements and comments, and keeps it in a leaf', () => {
    const parsed = parseFragment('<fragment>\n  <a>\n    <b/>\n  </a>\n  <c>  </c>\n  <d>\n  <!--x-->\n  </d>\n  <e>  text  </e>\n</fragment>');
    expect(parsed).toStrictEqual(
      fragment(element('a', [], [element('b')]), element('c', [], [text('  ')]), element('d', [], [comment('x')]), element('e', [], [text('  text  ')])),
    );
  });

  it('drops the whitespace around an expression that is the whole text', () => {
    expect(parseFragment('<fragment><v>\n   @(1)\n</v></fragment>')).toStrictEqual(fragment(element('v', [], [text(expr('1'))])));
  });

  it('does not take non-XML whitespace (a no-break space) for whitespace around an expression', () => {
    expect(parseFragment('<fragment><v>\u00a0@(1)</v></fragment>')).toStrictEqual(fragment(element('v', [], [text('\u00a0@(1)')])));
  });

  it('ignores the XML declaration, processing instructions and comments outside the root', () => {
    const parsed = parsePolicy('<?xml version="1.0"?>\n<!-- header -->\n<?pi data?>\n<fragment><a/></fragment>\n<!-- trailer -->\n');
    expect(parsed).toStrictEqual(fragment(element('a')));
  });

  it('keeps unknown elements and names the builders cannot make (an XSLT stylesheet)', () => {
    const parsed = parseFragment(
      '<fragment><xsl-transform><xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"/></xsl-transform><future-policy x="1"/></fragment>',
    );
    expect(parsed.children.map((c) => (c as ElementNode).name)).toEqual(['xsl-transform', 'future-policy']);
    const sheet = (parsed.children[0] as ElementNode).children[0] as ElementNode;
    expect(sheet.name).toBe('xsl:stylesheet');
    expect(sheet.attributes.map((a) => a.name)).toEqual(['version', 'xmlns:xsl']);
  });

  it('is not confused by private-use characters in the source, which it uses for its tokens', () => {
    const parsed = parseFragment('<fragment><x a="\uE0020\uE003\uE002">@(1)</x></fragment>');
    expect(parsed).toStrictEqual(fragment(element('x', [['a', '\uE0020\uE003\uE002']], [text(expr('1'))])));
  });
});

describe('sections', () => {
  it('accepts sections in any order and fills in missing ones', () => {
    const parsed = parseDocument('<policies><on-error><base/></on-error><outbound/><inbound><x/></inbound></policies>');
    expect(parsed).toStrictEqual(doc({ inbound: [element('x')], 'on-error': [element('base')] }));
  });

  it('reads a document that breaks the section rules, for the linter to report', () => {
    const source = '<policies><outbound><base/><base/><rate-limit calls="1" renewal-period="1"/></outbound></policies>';
    const parsed = parseDocument(source);
    expect(parsed.sections.outbound).toHaveLength(3);
    expect(() => checkDocument(parsed)).toThrow(PolicyError);
  });

  it('drops comments between sections, which the model has no place for', () => {
    expect(parseDocument('<policies><!-- c --><inbound/></policies>')).toStrictEqual(doc({}));
  });
});

describe('errors say where, in the original source', () => {
  it('points an unclosed expression at its start', () => {
    const source = '<policies>\n  <inbound>\n    <set-header name="x"><value>@(context.Request.Headers.GetValueOrDefault("a"</value></set-header>\n  </inbound>\n</policies>';
    for (const format of ['rawxml', 'xml', 'auto'] as const) {
      const e = errorOf(() => parsePolicy(source, { format }));
      expect([e.line, e.column]).toEqual([3, 33]);
      expect(e.message).toMatch(/^line 3, column 33: the policy expression @\( starting here never closes/);
    }
  });

  it('says where an xml attribute ends an unclosed expression', () => {
    const e = errorOf(() => parsePolicy('<fragment>\n<x a="@(f(&quot;a&quot;)" b="c"/></fragment>', { format: 'xml' }));
    expect([e.line, e.column]).toEqual([2, 7]);
    expect(e.message).toContain('the attribute value ends at line 2, column 25');
  });

  it('reports a bracket that does not match', () => {
    const e = errorOf(() => parsePolicy('<fragment><x a="@(a[1)])"/></fragment>', { format: 'rawxml' }));
    expect([e.line, e.column]).toEqual([1, 22]);
    expect(e.reason).toBe("')' does not match: expected ']' for the bracket at line 1, column 20 (in the policy expression starting at line 1, column 17)");
  });

  it('reports a bare & inside an xml expression', () => {
    const e = errorOf(() => parsePolicy('<fragment><x a="@(a && b)"/></fragment>', { format: 'xml' }));
    expect([e.line, e.column]).toEqual([1, 21]);
    expect(e.reason).toMatch(/^'&' must start an entity reference/);
  });

  it('maps malformed XML after a long expression back through the mask', () => {
    // The token that stands for the expression is shorter than it, so an unmapped column would be wrong.
    const source = '<policies>\n  <inbound>\n    <a x="@("((((" + ")))")"></b>\n  </inbound>\n</policies>';
    const e = errorOf(() => parsePolicy(source));
    expect([e.line, e.column]).toEqual([3, 30]);
    expect(e.reason).toBe('</b> does not close the open <a> (line 3, column 5)');
  });

  it('reports an element that is never closed where it opens', () => {
    const e = errorOf(() => parsePolicy('<policies>\r\n  <inbound>\r\n    <x a="@(1)">\r\n</policies>'));
    // </policies> closes nothing open at that depth, so the mismatch is reported first.
    expect([e.line, e.column]).toEqual([4, 1]);
    const f = errorOf(() => parsePolicy('<policies>\r\n  <inbound>\r\n    <x a="@(1)">'));
    expect([f.line, f.column]).toEqual([3, 5]);
    expect(f.reason).toBe('<x> is never closed');
  });

  it('reports saxes errors at the character that caused them', () => {
    const e = errorOf(() => parsePolicy('<policies>\n  <inbound a=1/>\n</policies>'));
    expect(e.line).toBe(2);
    expect(e.column).toBe(14);
    expect(e).toBeInstanceOf(PolicyError);
  });

  it('refuses a wrong root, naming it', () => {
    const e = errorOf(() => parsePolicy('\n  <policy><inbound/></policy>'));
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.reason).toBe('the root element must be <policies> (a policy document) or <fragment> (a policy fragment), got <policy>');
  });

  it('refuses a duplicate section at the second one', () => {
    const e = errorOf(() => parsePolicy('<policies>\n  <inbound/>\n  <outbound/>\n  <inbound><base/></inbound>\n</policies>'));
    expect([e.line, e.column]).toEqual([4, 3]);
    expect(e.reason).toBe('a second <inbound> section (the first is at line 2, column 3)');
  });

  it('refuses an unknown child of <policies>, text in it, and attributes on it or on a section', () => {
    expect(errorOf(() => parsePolicy('<policies><inbound/><set-header/></policies>')).reason).toBe(
      '<set-header> is not a section: <policies> holds <inbound>, <backend>, <outbound>, <on-error>',
    );
    const t = errorOf(() => parsePolicy('<policies>\n  stray <inbound/></policies>'));
    expect([t.line, t.column, t.reason]).toEqual([2, 3, 'text is not allowed directly in <policies>: it holds only the sections']);
    expect(errorOf(() => parsePolicy('<policies><inbound id="1"/></policies>')).reason).toBe('<inbound> takes no attributes, got id');
    expect(errorOf(() => parsePolicy('<fragment x="1"/>')).reason).toBe('<fragment> takes no attributes, got x');
  });

  it('names what it got when parseDocument or parseFragment gets the other root', () => {
    expect(errorOf(() => parseDocument('<fragment/>')).message).toBe(
      'line 1, column 1: expected a policy document (<policies>), got a policy fragment (<fragment>)',
    );
    expect(errorOf(() => parseFragment(' <policies/>')).message).toBe(
      'line 1, column 2: expected a policy fragment (<fragment>), got a policy document (<policies>)',
    );
  });

  it('refuses an unknown format option', () => {
    expect(() => parsePolicy('<fragment/>', { format: 'json' as 'xml' })).toThrow("format must be 'rawxml', 'xml' or 'auto', got \"json\"");
  });

  it('names the expression when an error falls on one', () => {
    const e = errorOf(() => parsePolicy('<policies>\n  @(context.Request.Method)\n</policies>'));
    expect([e.line, e.column]).toEqual([2, 3]);
    expect(e.reason).toBe('text is not allowed directly in <policies>: it holds only the sections (at the policy expression "@(context.Request.Method)")');
  });

  it('reports empty input and a second root', () => {
    expect(errorOf(() => parsePolicy('')).reason).toBe('no root element: expected <policies> or <fragment>');
    const e = errorOf(() => parsePolicy('<fragment/>\n<fragment/>'));
    expect([e.line, e.column]).toEqual([2, 1]);
  });

  it('reports the rawxml error when neither format reads an unclosed rawxml expression', () => {
    // The xml reading stops at the first raw quote; the rawxml reading gets further, so its error wins.
    const e = errorOf(() => parsePolicy('<fragment><x a="@(f("a")"/></fragment>'));
    expect(e.reason).toMatch(/never closes: reached the end of the input/);
  });
});

describe('locations', () => {
  it('gives each element its line, column and path, counting same-named siblings from 0', () => {
    const source = [
      '<policies>',
      '  <inbound>',
      '    <choose>',
      '      <when condition="@(a == "(")"><x/></when>',
      '      <when condition="@{',
      '        return ")";',
      '      }">',
      '        <set-header name="h"/>',
      '      </when>',
      '    </choose>',
      '  </inbound>',
      '  <outbound><y/></outbound>',
      '</policies>',
    ].join('\n');
    const parsed = parsePolicyWithLocations(source);
    const byPath = new Map([...parsed.locations.values()].map((l) => [l.path, [l.line, l.column]]));
    expect(Object.fromEntries(byPath)).toEqual({
      'policies/inbound/choose': [3, 5],
      'policies/inbound/choose/when[0]': [4, 7],
      'policies/inbound/choose/when[0]/x': [4, 37],
      'policies/inbound/choose/when[1]': [5, 7],
      'policies/inbound/choose/when[1]/set-header': [8, 9],
      'policies/outbound/y': [12, 13],
    });
    const setHeader = ((parsed.document as PolicyDocument).sections.inbound[0] as ElementNode).children[1] as ElementNode;
    expect(parsed.locations.get(setHeader.children[0] as ElementNode)?.path).toBe('policies/inbound/choose/when[1]/set-header');
    expect(parsed.expressions.map((e) => [e.kind, e.line, e.column, e.place])).toEqual([
      ['single', 4, 24, 'attribute'],
      ['multi', 5, 24, 'attribute'],
    ]);
  });

  it('paths a fragment from fragment/', () => {
    const parsed = parsePolicyWithLocations('<fragment><a/><a><b/></a></fragment>');
    expect([...parsed.locations.values()].map((l) => l.path)).toEqual(['fragment/a[0]', 'fragment/a[1]', 'fragment/a[1]/b']);
  });
});

describe('format detection', () => {
  it('reads a text without expressions, or without entity references in them, as rawxml', () => {
    expect(parsePolicyWithLocations('<fragment><a b="&lt;"/></fragment>').format).toBe('rawxml');
    expect(parsePolicyWithLocations('<fragment><a b="@(x.y)"/></fragment>').format).toBe('rawxml');
  });

  it('reads xml when an expression holds an entity reference, even beside raw quotes in text', () => {
    // xml leaves `"` raw in text, so a raw quote there does not rule xml out.
    const parsed = parsePolicyWithLocations('<fragment><v>@(f("a") &amp;&amp; b)</v><w c="@(1 &gt; 0)"/></fragment>');
    expect(parsed.format).toBe('xml');
    expect(parsed.document).toStrictEqual(
      fragment(element('v', [], [text(expr('f("a") && b'))]), element('w', [['c', expr('1 > 0')]])),
    );
  });

  it('falls back to rawxml when an entity reference sits beside a raw quote in an attribute', () => {
    const parsed = parsePolicyWithLocations('<fragment><a b="@(x == "&amp;")"/></fragment>');
    expect(parsed.format).toBe('rawxml');
    expect(parsed.document).toStrictEqual(fragment(element('a', [['b', expr('x == "&amp;"')]])));
  });

  it('tries xml when the rawxml scan fails', () => {
    // Read as rawxml, the `'` opens a char literal that runs off the end.
    const parsed = parsePolicyWithLocations('<fragment><a b="@(s == &quot;\'&quot;)"/></fragment>');
    expect(parsed.format).toBe('xml');
    expect(parsed.document).toStrictEqual(fragment(element('a', [['b', expr('s == "\'"')]])));
  });

  it('reads the one ambiguous case, an entity reference in text valid in both formats, as xml', () => {
    const source = '<fragment><v>@("&amp;")</v></fragment>';
    expect(parsePolicy(source)).toStrictEqual(fragment(element('v', [], [text(expr('"&"'))])));
    expect(parsePolicy(source, { format: 'rawxml' })).toStrictEqual(fragment(element('v', [], [text(expr('"&amp;"'))])));
  });
});

describe('maskExpressions', () => {
  it('replaces each expression by a token and maps masked offsets back', () => {
    const source = '<a x="@("))")" y="1">\n  @{ return "<"; }\n</a>';
    const masked = maskExpressions(source, 'rawxml');
    expect(masked.expressions.map((e) => [e.kind, e.code, e.line, e.column, e.place])).toEqual([
      ['single', '"))"', 1, 7, 'attribute'],
      ['multi', ' return "<"; ', 2, 3, 'text'],
    ]);
    expect(masked.masked).toBe(`<a x="${masked.expressions[0].token}" y="1">\n  ${masked.expressions[1].token}\n</a>`);
    const y = masked.masked.indexOf('y=');
    expect(source.slice(masked.toSourceOffset(y), masked.toSourceOffset(y) + 2)).toBe('y=');
    expect(masked.toSourceOffset(masked.expressions[1].maskedOffset + 1)).toBe(source.indexOf('@{'));
    expect(masked.toSourceOffset(masked.masked.indexOf('</a>'))).toBe(source.indexOf('</a>'));
  });

  it('decodes entity references in xml code only', () => {
    const source = '<a x="@(&quot;)&quot; + &#39;x&#x27;)"/>';
    expect(maskExpressions(source, 'xml').expressions[0].code).toBe('")" + \'x\'');
    // In rawxml the same text is verbatim code, and its first `)` closes it.
    expect(maskExpressions(source, 'rawxml').expressions[0].code).toBe('&quot;');
  });

  it('does not look inside comments, CDATA, processing instructions or tags', () => {
    const masked = maskExpressions('<!-- @( --><a><![CDATA[@(]]><?pi @( ?></a><b c=\'@(")")\'/>', 'rawxml');
    expect(masked.expressions.map((e) => e.code)).toEqual(['")"']);
  });

  it('throws a PolicyParseError where an unclosed expression starts', () => {
    const e = errorOf(() => maskExpressions('<a>\n\t@{ "}" ', 'rawxml'));
    expect(e).toBeInstanceOf(PolicyError);
    expect([e.line, e.column, e.offset]).toEqual([2, 2, 5]);
    expect(e.reason).toContain('bracket(s) open');
  });
});

describe('raw', () => {
  it('reads one element of either format into an untyped policy', () => {
    const expected = element('set-header', [['name', 'x'], ['exists-action', 'override']], [
      element('value', [], [text(expr('context.Variables.GetValueOrDefault<string>("a", "")'))]),
    ]);
    expect(raw('<set-header name="x" exists-action="override"><value>@(context.Variables.GetValueOrDefault<string>("a", ""))</value></set-header>')).toStrictEqual(expected);
    expect(raw('<set-header name="x" exists-action="override"><value>@(context.Variables.GetValueOrDefault&lt;string&gt;(&quot;a&quot;, &quot;&quot;))</value></set-header>')).toStrictEqual(expected);
  });

  it('says what it got when the text is not exactly one element', () => {
    expect(errorOf(() => raw('')).reason).toBe('expected exactly one element, got none');
    expect(errorOf(() => raw('<a/>\n<b/>')).message).toBe('line 2, column 1: expected exactly one element, got a second one: <b>');
    expect(errorOf(() => raw('<a/> tail')).message).toBe('line 1, column 6: expected exactly one element, got text outside it');
    expect(errorOf(() => raw('<!-- why --><a/>')).message).toBe('line 1, column 1: expected exactly one element, got a comment besides it');
  });

  it('refuses documents, fragments and sections', () => {
    expect(() => raw('<policies/>')).toThrow('raw() takes one policy element, got <policies>');
    expect(() => raw('<inbound/>')).toThrow('raw() takes one policy element, got <inbound>');
  });

  it('parseElement reads any single element, in the format asked for', () => {
    expect(parseElement('<inbound a="@(&quot;x&quot;)"/>', { format: 'xml' })).toStrictEqual(element('inbound', [['a', expr('"x"')]]));
  });
});

describe('literal values', () => {
  it('uses the same canonical form as literal()', () => {
    const parsed = parseFragment('<fragment><x a="{{a}}{{b}}" b="" /></fragment>');
    expect((parsed.children[0] as ElementNode).attributes).toStrictEqual([
      { name: 'a', value: literal('{{a}}{{b}}') },
      { name: 'b', value: '' },
    ]);
    expect(literal('{{a}}{{b}}')).toBeInstanceOf(Template);
    expect(new Expression('single', 'x')).toStrictEqual(expr('x'));
  });
});
