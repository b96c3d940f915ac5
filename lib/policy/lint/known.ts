/**
 * What the linter knows about element names beyond the section table.
 */
import { isKnownPolicy, POLICY_CONTAINERS } from '../sections';

/**
 * Policies in the APIM policy schemas (shared/apim-xsd) whose sections Microsoft's reference does not state,
 * so SECTION_TABLE cannot list them. They are real policies, so `unknown-element` accepts them.
 */
export const OTHER_DOCUMENTED_POLICIES: readonly string[] = ['set-request-metric-dimension-value'];

/** True for an element name that APIM accepts as a policy statement. */
export function isPolicyName(name: string): boolean {
  return isKnownPolicy(name) || OTHER_DOCUMENTED_POLICIES.includes(name);
}

/**
 * Where some non-policy elements belong, for a helpful message when one stands where a policy is
 * expected (from the policy schemas).
 */
export const CHILD_OF: Readonly<Record<string, readonly string[]>> = {
  when: ['choose'],
  otherwise: ['choose'],
  'set-url': ['send-request', 'send-one-way-request'],
  value: ['set-header', 'set-query-parameter', 'check-header'],
  'openid-config': ['validate-jwt'],
  audiences: ['validate-jwt', 'validate-azure-ad-token'],
  issuers: ['validate-jwt'],
  'issuer-signing-keys': ['validate-jwt'],
  'required-claims': ['validate-jwt', 'validate-azure-ad-token'],
  'client-application-ids': ['validate-azure-ad-token'],
  'allowed-origins': ['cors'],
  'allowed-methods': ['cors'],
  'allowed-headers': ['cors'],
  'expose-headers': ['cors'],
  address: ['ip-filter'],
  'address-range': ['ip-filter'],
  message: ['trace'],
  metadata: ['trace'],
  dimension: ['emit-metric'],
  'vary-by-header': ['cache-lookup'],
  'vary-by-query-parameter': ['cache-lookup'],
  'authentication-token': ['send-request'],
};

/** Policies whose children are statements of the enclosing section (choose through its branches). */
export function branchesOf(name: string): readonly string[] | undefined {
  return POLICY_CONTAINERS[name];
}

/** The known names closest to a misspelt one (edit distance at most 2), for "did you mean". */
export function closestNames(name: string, candidates: readonly string[]): string[] {
  const scored = candidates
    .map((c) => ({ c, d: editDistance(name, c) }))
    .filter((x) => x.d <= 2 && x.d < Math.max(name.length, x.c.length) / 2)
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.length ? scored.filter((x) => x.d === scored[0].d).map((x) => x.c) : [];
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(prev[j] + 1, row[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = row;
  }
  return prev[b.length];
}
