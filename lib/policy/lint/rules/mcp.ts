/**
 * Rules for policies in front of MCP servers (scope `mcp`).
 */
import { ElementNode, attr, childElements } from '../../model';
import { expressionCode, literalAttr, literalText, ownValues, textValues } from '../analysis';
import { DocumentRule, ElementInfo, LintContext, RuleReport } from '../types';

const RESPONSE_BODY = /context\s*\.\s*Response\s*\.\s*Body\b/;

/** Policies that read the whole response body when they stand in outbound. */
const BODY_READERS = ['find-and-replace', 'xml-to-json', 'json-to-xml', 'jsonp', 'xsl-transform', 'redirect-content-urls', 'validate-content'];

export const responseBodyInMcp: DocumentRule = {
  kind: 'document',
  id: 'response-body-in-mcp',
  severity: 'error',
  description:
    'An expression reading context.Response.Body, or an outbound policy that rewrites the response body, in front of an ' +
    'MCP server: the gateway buffers the response and MCP streaming (SSE, streamable HTTP) breaks.',
  scopes: ['mcp'],
  *check(ctx: LintContext): Iterable<RuleReport> {
    for (const info of ctx.elements) {
      const { node } = info;
      if (expressionCode(ownValues(node)).some((code) => RESPONSE_BODY.test(code))) {
        yield {
          node,
          message:
            'reading context.Response.Body makes the gateway buffer the whole response, which breaks MCP streaming; ' +
            'decide from the status code or headers instead',
        };
      } else if (info.section === 'outbound' && info.statement && readsBody(node)) {
        yield {
          node,
          message: `<${node.name}> in outbound reads the whole response body, which breaks MCP streaming; remove it from the MCP server's policy`,
        };
      }
    }
  },
};

function readsBody(node: ElementNode): boolean {
  if (BODY_READERS.includes(node.name)) return true;
  return node.name === 'set-body' && literalAttr(node, 'template') === 'liquid';
}

/** The statements that stand beside an element (the section's, or its parent's children). */
function siblings(ctx: LintContext, info: ElementInfo): readonly ElementNode[] {
  const parent = info.ancestors[info.ancestors.length - 1];
  if (parent) return childElements(parent);
  const section = ctx.sections.find((s) => s.section === info.section);
  if (section) return section.nodes;
  return 'children' in ctx.document ? ctx.document.children.filter((c): c is ElementNode => c.type === 'element') : [];
}

function isHeader(node: ElementNode, name: string): boolean {
  const value = attr(node, 'name');
  return node.name === 'set-header' && typeof value === 'string' && value.toLowerCase() === name;
}

/** What is wrong with the WWW-Authenticate among these statements, or undefined when it is right. */
function challengeProblem(statements: readonly ElementNode[], validatesTokens: boolean): string | undefined {
  const header = statements.find((s) => isHeader(s, 'www-authenticate'));
  if (!header) return 'without a WWW-Authenticate header';
  if (literalAttr(header, 'exists-action') === 'delete') return 'while deleting the WWW-Authenticate header';
  const values = childElements(header, 'value').flatMap(textValues);
  // An expression or a named value may well build the right challenge; only literal text is judged.
  const literal = values.every((v) => typeof v === 'string');
  // A server that takes only subscription keys has no authorization server to point to: any challenge
  // (APIM's own is `AzureApiManagementKey ...`) tells the client what to send. A Bearer challenge, or any
  // policy that validates tokens, is MCP authorization and must name the metadata document.
  const bearer = values.some((v) => /^\s*Bearer\b/i.test(literalText(v) ?? ''));
  if (!validatesTokens && !bearer) return undefined;
  if (literal && !values.some((v) => /resource_metadata\s*=/.test(literalText(v) ?? ''))) {
    return 'with a WWW-Authenticate header that has no resource_metadata';
  }
  return undefined;
}

export const unauthenticated401InMcp: DocumentRule = {
  kind: 'document',
  id: 'unauthenticated-401-in-mcp',
  severity: 'error',
  description:
    'A 401 (return-response or set-status) in front of an MCP server without a WWW-Authenticate challenge; ' +
    'where the policy validates tokens, the challenge must be Bearer resource_metadata="..." so MCP clients ' +
    'can discover where to get a token.',
  scopes: ['mcp'],
  *check(ctx: LintContext): Iterable<RuleReport> {
    const validatesTokens = ctx.elements.some((e) => e.node.name === 'validate-jwt' || e.node.name === 'validate-azure-ad-token');
    for (const info of ctx.elements) {
      const { node } = info;
      if (node.name !== 'set-status' || literalAttr(node, 'code') !== '401') continue;
      const parent = info.ancestors[info.ancestors.length - 1];
      const problem = challengeProblem(
        parent?.name === 'return-response' ? childElements(parent) : siblings(ctx, info),
        validatesTokens,
      );
      if (!problem) continue;
      yield {
        node,
        message:
          `a 401 ${problem}: MCP clients find the authorization server through it; add ` +
          '<set-header name="WWW-Authenticate"><value>Bearer resource_metadata="https://<gateway>/.well-known/oauth-protected-resource/<path>"</value></set-header>',
      };
    }
  },
};
