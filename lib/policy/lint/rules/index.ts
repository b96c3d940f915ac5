import { LintRule } from '../types';
import {
  corsAnyOriginWithCredentials,
  jwtWeakValidation,
  jwtWithoutAudience,
  mcpWithoutAuth,
  rateLimitBeforeAuth,
  rateLimitKeyUnvalidated,
} from './auth';
import { responseBodyInMcp, unauthenticated401InMcp } from './mcp';
import { literalSecret, secretLeak, undeclaredNamedValue } from './secrets';
import { parseError, unbalancedExpression } from './source';
import { duplicateBase, missingBase, notAllowedInSection, unknownElement } from './structure';

/** Every lint rule, in the order the README lists them. */
export const LINT_RULES: readonly LintRule[] = [
  parseError,
  unbalancedExpression,
  unknownElement,
  notAllowedInSection,
  duplicateBase,
  missingBase,
  rateLimitBeforeAuth,
  rateLimitKeyUnvalidated,
  jwtWithoutAudience,
  jwtWeakValidation,
  corsAnyOriginWithCredentials,
  secretLeak,
  literalSecret,
  undeclaredNamedValue,
  responseBodyInMcp,
  unauthenticated401InMcp,
  mcpWithoutAuth,
];
