/**
 * Thrown for a policy document that APIM would refuse or that our builders cannot express.
 * `path` locates the problem inside the document (for example `inbound/choose/when[0]/rate-limit`).
 */
export class PolicyError extends Error {
  constructor(
    message: string,
    readonly path?: string,
  ) {
    super(path ? `${path}: ${message}` : message);
    this.name = 'PolicyError';
  }
}

/** Quotes a value for an error message so that empty strings and whitespace stay visible. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (value === undefined) return 'undefined';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
