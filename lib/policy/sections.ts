/**
 * Which policies each section of a policy document allows, as data.
 *
 * Source: the "Policy sections" line of each policy's page in Microsoft's APIM policy reference
 * (summarised in shared/apim-policy-usage.tsv). Where Microsoft's C# policy toolkit allows more than the
 * docs, the docs win: the gateway enforces what they describe.
 */
export const SECTIONS = ['inbound', 'backend', 'outbound', 'on-error'] as const;
export type Section = (typeof SECTIONS)[number];

const ALL = ['inbound', 'backend', 'outbound', 'on-error'] as const;

export const SECTION_TABLE = {
  base: ALL,
  'authentication-basic': ['inbound'],
  'authentication-certificate': ['inbound'],
  'authentication-managed-identity': ['inbound'],
  'azure-openai-emit-token-metric': ['inbound'],
  'azure-openai-semantic-cache-lookup': ['inbound'],
  'azure-openai-semantic-cache-store': ['outbound'],
  'azure-openai-token-limit': ['inbound'],
  'cache-lookup': ['inbound'],
  'cache-lookup-value': ALL,
  'cache-remove-value': ALL,
  'cache-store': ['outbound'],
  'cache-store-value': ALL,
  'check-header': ['inbound'],
  choose: ALL,
  cors: ['inbound'],
  'cross-domain': ['inbound'],
  'emit-metric': ALL,
  'find-and-replace': ALL,
  'forward-request': ['backend'],
  'get-authorization-context': ['inbound'],
  'include-fragment': ALL,
  'invoke-dapr-binding': ['inbound', 'outbound', 'on-error'],
  'ip-filter': ['inbound'],
  'json-to-xml': ['inbound', 'outbound', 'on-error'],
  jsonp: ['outbound'],
  'limit-concurrency': ALL,
  'llm-content-safety': ['inbound', 'outbound'],
  'llm-emit-token-metric': ['inbound'],
  'llm-semantic-cache-lookup': ['inbound'],
  'llm-semantic-cache-store': ['outbound'],
  'llm-token-limit': ['inbound'],
  'log-to-eventhub': ALL,
  'mock-response': ['inbound', 'outbound', 'on-error'],
  proxy: ['inbound'],
  'publish-to-dapr': ['inbound'],
  quota: ['inbound'],
  'quota-by-key': ['inbound'],
  'rate-limit': ['inbound'],
  'rate-limit-by-key': ['inbound'],
  'redirect-content-urls': ['inbound', 'outbound'],
  retry: ALL,
  'return-response': ALL,
  'rewrite-uri': ['inbound'],
  'send-one-way-request': ALL,
  'send-request': ALL,
  'send-service-bus-message': ['inbound', 'outbound', 'on-error'],
  'set-backend-service': ['inbound', 'backend'],
  'set-body': ['inbound', 'outbound', 'backend'],
  'set-header': ALL,
  'set-method': ['inbound', 'on-error'],
  'set-query-parameter': ['inbound', 'backend'],
  'set-status': ALL,
  'set-variable': ALL,
  trace: ['inbound', 'outbound', 'backend'],
  'validate-azure-ad-token': ['inbound'],
  'validate-client-certificate': ['inbound'],
  'validate-content': ['inbound', 'outbound', 'on-error'],
  'validate-graphql-request': ['inbound'],
  'validate-headers': ['outbound', 'on-error'],
  'validate-jwt': ['inbound'],
  'validate-odata-request': ['inbound'],
  'validate-parameters': ['inbound'],
  'validate-status-code': ['outbound', 'on-error'],
  wait: ['inbound', 'outbound', 'backend'],
  'xml-to-json': ['inbound', 'outbound', 'on-error'],
  'xsl-transform': ['inbound', 'outbound'],
} as const satisfies Record<string, readonly Section[]>;

export type KnownPolicyName = keyof typeof SECTION_TABLE;
/** The sections a named policy may appear in. */
export type AllowedIn<N extends KnownPolicyName> = (typeof SECTION_TABLE)[N][number];

/** Elements whose children are policies of the enclosing section (so the section rules apply inside). */
export const POLICY_CONTAINERS: Readonly<Record<string, readonly string[]>> = {
  choose: ['when', 'otherwise'],
  retry: [],
  wait: [],
  'limit-concurrency': [],
};

export function isKnownPolicy(name: string): name is KnownPolicyName {
  return Object.prototype.hasOwnProperty.call(SECTION_TABLE, name);
}

/** The sections a policy may appear in, or undefined for an element this table does not know. */
export function sectionsOf(name: string): readonly Section[] | undefined {
  return isKnownPolicy(name) ? SECTION_TABLE[name] : undefined;
}

/** Maps a section to its element name and back (`onError` in code, `on-error` in XML). */
export const SECTION_KEYS = { inbound: 'inbound', backend: 'backend', outbound: 'outbound', onError: 'on-error' } as const;
