import { llmContentSafety, validateContent, validateHeaders } from '../../lib/policy/builders/validation';
import { expr } from '../../lib/policy/expressions';
import { ConformanceSample, sample } from './types';

export const samples: ConformanceSample[] = [
  // Every attribute and child element; a mapping by `from` and one by `when` (exclusive within a mapping).
  sample(
    'validate-content/all-options',
    'inbound',
    validateContent({
      unspecifiedContentTypeAction: 'prevent',
      maxSize: 102400,
      sizeExceededAction: 'prevent',
      errorsVariableName: 'requestBodyValidation',
      anyContentTypeValue: 'application/json',
      missingContentTypeValue: 'application/json',
      contentTypeMappings: [
        { from: 'application/hal+json', to: 'application/json' },
        { when: expr('context.Request.Headers.GetValueOrDefault("Content-Type", "").Contains("+json")'), to: 'application/json' },
      ],
      contents: [
        {
          type: 'application/json',
          validateAs: 'json',
          schemaId: 'mcp-jsonrpc',
          schemaRef: '#/components/schemas/JSONRPCRequest',
          action: 'prevent',
          allowAdditionalProperties: false,
          caseInsensitivePropertyNames: true,
        },
        { type: 'application/xml', validateAs: 'xml', schemaId: 'legacy-xml', action: 'detect' },
        { type: 'application/soap+xml', validateAs: 'soap', action: expr('"ignore"') },
      ],
    }),
  ),
  // Expressions in the attributes that take them, in a section other than inbound.
  sample(
    'validate-content/expressions',
    'outbound',
    validateContent({
      unspecifiedContentTypeAction: expr('"detect"'),
      maxSize: expr('context.Variables.GetValueOrDefault<int>("maxBody", 65536)'),
      sizeExceededAction: expr('"prevent"'),
    }),
  ),
  sample(
    'validate-content/on-error',
    'on-error',
    validateContent({ unspecifiedContentTypeAction: 'ignore', maxSize: 0, sizeExceededAction: 'detect' }),
  ),

  sample(
    'validate-headers/all-options',
    'outbound',
    validateHeaders({
      specifiedHeaderAction: 'prevent',
      unspecifiedHeaderAction: 'detect',
      errorsVariableName: 'responseHeadersValidation',
      headers: [
        { name: 'Mcp-Session-Id', action: 'ignore' },
        { name: 'WWW-Authenticate', action: expr('"prevent"') },
      ],
    }),
  ),
  sample(
    'validate-headers/on-error',
    'on-error',
    validateHeaders({ specifiedHeaderAction: expr('"detect"'), unspecifiedHeaderAction: 'ignore' }),
  ),

  sample(
    'llm-content-safety/all-options',
    'inbound',
    llmContentSafety({
      backendId: 'content-safety-backend',
      shieldPrompt: true,
      outputType: 'EightSeverityLevels',
      categories: [
        { name: 'Hate', threshold: 4 },
        { name: 'SelfHarm', threshold: 2 },
        { name: 'Sexual', threshold: 4 },
        { name: 'Violence', threshold: 4 },
      ],
      blocklistIds: ['mcp-prompt-injection'],
    }),
  ),
  // Expressions in every attribute and element that takes one, checking completions in outbound.
  sample(
    'llm-content-safety/expressions',
    'outbound',
    llmContentSafety({
      backendId: expr('"content-safety-" + context.Deployment.Region'),
      shieldPrompt: expr('false'),
      outputType: expr('"FourSeverityLevels"'),
      categories: [{ name: expr('"Violence"'), threshold: expr('6') }],
      blocklistIds: [expr('"blocklist-" + context.Api.Name')],
    }),
  ),
];
