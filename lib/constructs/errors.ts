import { Construct } from 'constructs';

/**
 * Thrown at synth for bad construct input. The message names the construct path, the bad value and
 * what would be accepted, so a user can fix it without reading our code.
 */
export class ConstructValidationError extends Error {
  constructor(
    readonly constructPath: string,
    readonly property: string,
    readonly value: unknown,
    readonly accepted: string,
  ) {
    super(`${constructPath}: invalid ${property} ${describe(value)}: ${accepted}`);
    this.name = 'ConstructValidationError';
  }
}

/** Throws a {@link ConstructValidationError} for `scope` (its path is taken from the construct tree). */
export function invalid(scope: Construct, property: string, value: unknown, accepted: string): never {
  throw new ConstructValidationError(scope.node.path, property, value, accepted);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
