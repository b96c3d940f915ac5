import { checkHeader, cors, ipFilter, quota, quotaByKey, rateLimit, rateLimitByKey } from '../../lib/policy/builders/access';
import { E, expr } from '../../lib/policy/expressions';
import { ConformanceSample, sample } from './types';

export const samples: ConformanceSample[] = [
  sample(
    'check-header/all-options',
    'inbound',
    checkHeader({
      name: 'X-Api-Version',
      failedCheckHttpcode: 400,
      failedCheckErrorMessage: 'Unsupported or missing X-Api-Version',
      ignoreCase: true,
      values: ['2025-06-18', '2025-03-26'],
    }),
  ),
  // Expressions in every attribute that takes one.
  sample(
    'check-header/expressions',
    'inbound',
    checkHeader({
      name: expr('"X-Tenant"'),
      failedCheckHttpcode: expr('403'),
      failedCheckErrorMessage: expr('"tenant " + context.Request.Url.Host + " refused"'),
      ignoreCase: expr('true'),
    }),
  ),

  sample(
    'ip-filter/all-options',
    'inbound',
    ipFilter({
      action: 'allow',
      addresses: ['13.66.201.169', '2001:db8::1', E.variable('office-ip')],
      addressRanges: [
        { from: '13.66.140.128', to: '13.66.140.143' },
        { from: '2001:db8::100', to: '2001:db8::1ff' },
      ],
    }),
  ),
  sample('ip-filter/forbid-expression', 'inbound', ipFilter({ action: expr('"forbid"'), addresses: ['192.0.2.7'] })),

  sample(
    'cors/all-options',
    'inbound',
    cors({
      allowCredentials: true,
      terminateUnmatchedRequest: false,
      allowedOrigins: ['https://app.example.com', 'http://localhost:6274'],
      allowedMethods: ['GET', 'POST', 'DELETE'],
      preflightResultMaxAge: 300,
      allowedHeaders: ['Authorization', 'Content-Type', 'Mcp-Session-Id', 'Mcp-Protocol-Version'],
      exposeHeaders: ['Mcp-Session-Id', 'WWW-Authenticate'],
    }),
  ),
  // The wildcard origin (credentials refused with it) and expressions in the attributes that take them.
  sample(
    'cors/any-origin',
    'inbound',
    cors({
      allowCredentials: false,
      terminateUnmatchedRequest: expr('true'),
      allowedOrigins: ['*'],
      allowedMethods: ['*'],
      preflightResultMaxAge: expr('600'),
      allowedHeaders: ['*'],
    }),
  ),

  sample(
    'rate-limit/all-options',
    'inbound',
    rateLimit({
      calls: 20,
      renewalPeriod: 90,
      retryAfterHeaderName: 'X-Retry-After',
      retryAfterVariableName: 'retryAfter',
      remainingCallsHeaderName: 'X-RateLimit-Remaining',
      remainingCallsVariableName: 'remainingCalls',
      totalCallsHeaderName: 'X-RateLimit-Limit',
      apis: [
        {
          name: 'mcp-weather',
          calls: 10,
          renewalPeriod: 60,
          operations: [
            { name: 'tools-call', calls: 5, renewalPeriod: 60 },
            { id: 'op-42', calls: 2, renewalPeriod: 30 },
          ],
        },
        { id: 'api-7', calls: 100, renewalPeriod: 300 },
      ],
    }),
  ),

  sample(
    'rate-limit-by-key/all-options',
    'inbound',
    rateLimitByKey({
      calls: 10,
      renewalPeriod: 60,
      incrementCondition: expr('context.Response.StatusCode >= 200 && context.Response.StatusCode < 400'),
      incrementCount: 2,
      counterKey: E.jwtClaim('jwt', 'oid'),
      retryAfterHeaderName: 'Retry-After',
      retryAfterVariableName: 'retryAfter',
      remainingCallsHeaderName: 'X-RateLimit-Remaining',
      remainingCallsVariableName: 'remainingCallsPerUser',
      totalCallsHeaderName: 'X-RateLimit-Limit',
    }),
  ),
  // Expressions in the numeric attributes.
  sample(
    'rate-limit-by-key/expressions',
    'inbound',
    rateLimitByKey({
      calls: expr('context.Product?.Name == "premium" ? 100 : 10'),
      renewalPeriod: expr('60'),
      incrementCount: expr('1'),
      counterKey: E.subscriptionId(),
    }),
  ),

  sample(
    'quota/all-options',
    'inbound',
    quota({
      calls: 10000,
      bandwidth: 40000,
      renewalPeriod: 3600,
      apis: [
        {
          name: 'mcp-weather',
          calls: 5000,
          bandwidth: 20000,
          operations: [
            { name: 'tools-call', calls: 1000 },
            { id: 'op-42', bandwidth: 500 },
          ],
        },
        { id: 'api-7', calls: 100 },
      ],
    }),
  ),

  sample(
    'quota-by-key/all-options',
    'inbound',
    quotaByKey({
      calls: 10000,
      bandwidth: 40000,
      renewalPeriod: 86400,
      incrementCondition: expr('context.Response.StatusCode >= 200 && context.Response.StatusCode < 400'),
      incrementCount: expr('1'),
      counterKey: E.jwtClaim('jwt', 'oid'),
      firstPeriodStart: '2025-01-01T00:00:00Z',
    }),
  ),
  // A lifetime quota (renewal period 0) with the start given as a Date.
  sample(
    'quota-by-key/lifetime',
    'inbound',
    quotaByKey({
      calls: 100,
      renewalPeriod: 0,
      counterKey: E.clientIp(),
      firstPeriodStart: new Date(Date.UTC(2025, 5, 18)),
    }),
  ),
];
