import {
  base,
  choose,
  includeFragment,
  limitConcurrency,
  mockResponse,
  retry,
  returnResponse,
  setStatus,
  wait,
} from '../../lib/policy/builders/control';
import { forwardRequest, setBackendService, setHeader, setVariable } from '../../lib/policy/builders/transform';
import { block, code, expr } from '../../lib/policy/expressions';
import { comment } from '../../lib/policy/model';
import { ConformanceSample, sample } from './types';

/** Every control builder with every option, each at the top level of a section that allows it. */
export const samples: ConformanceSample[] = [
  sample('base/all-options', 'inbound', base()),
  sample(
    'choose/all-options',
    'inbound',
    choose({
      when: [
        {
          condition: expr(`${code.requestHeader('Accept')}.Contains("text/event-stream")`),
          policies: [comment(' streaming clients '), setBackendService({ backendId: 'mcp-streaming' })],
        },
        {
          condition: expr('context.Request.Method == "DELETE"'),
          policies: [],
        },
      ],
      otherwise: [setHeader({ name: 'X-Route', value: 'default' })],
    }),
  ),
  sample(
    'return-response/all-options',
    'on-error',
    returnResponse({
      responseVariableName: 'backend-response',
      status: { code: 401, reason: 'Unauthorized' },
      headers: [
        {
          name: 'WWW-Authenticate',
          existsAction: 'override',
          value: 'Bearer resource_metadata="https://gw.example.com/.well-known/oauth-protected-resource"',
        },
        { name: 'Cache-Control', value: 'no-store' },
      ],
      body: { value: '{"error":"invalid_token"}', xsiNil: 'null', parseDate: false },
    }),
  ),
  sample('set-status/all-options', 'outbound', setStatus({ code: 503, reason: 'Backend unavailable' })),
  sample(
    'set-status/expressions',
    'backend',
    setStatus({ code: expr('context.Response.StatusCode'), reason: expr('context.Response.StatusReason') }),
  ),
  sample('set-status/default-reason', 'on-error', setStatus({ code: 429 })),
  sample('mock-response/all-options', 'inbound', mockResponse({ statusCode: 200, contentType: 'application/json' })),
  sample(
    'retry/all-options',
    'backend',
    retry({
      condition: expr('context.Response.StatusCode >= 500'),
      count: 3,
      interval: 1,
      maxInterval: 10,
      delta: 2,
      firstFastRetry: true,
      policies: [forwardRequest({ bufferRequestBody: true })],
    }),
  ),
  sample(
    'retry/expressions',
    'outbound',
    retry({
      condition: false,
      count: expr('context.Variables.GetValueOrDefault<int>("retries", 2)'),
      interval: expr('1 + 1'),
      policies: [setHeader({ name: 'X-Attempt', existsAction: 'skip', value: '1' })],
    }),
  ),
  sample(
    'wait/all-options',
    'inbound',
    wait({
      for: 'any',
      policies: [
        choose({ when: [{ condition: expr('true'), policies: [setVariable({ name: 'branch', value: 'one' })] }] }),
        choose({ when: [{ condition: expr('true'), policies: [setVariable({ name: 'branch', value: 'two' })] }] }),
      ],
    }),
  ),
  sample(
    'limit-concurrency/all-options',
    'backend',
    limitConcurrency({
      key: block(`return ${code.variable('connectionId')};`),
      maxCount: 3,
      policies: [forwardRequest({ timeout: 120 })],
    }),
  ),
  sample('include-fragment/all-options', 'outbound', includeFragment({ fragmentId: 'forward-context' })),
];
