import { createHash } from 'node:crypto';

/**
 * A short stable id (16 hex characters of SHA-256) of the given parts. Deterministic, so a
 * replay of the same events yields the same correlation and pattern ids.
 */
export function stableId(...parts: ReadonlyArray<string | number>): string {
  return createHash('sha256').update(parts.join('\u0000')).digest('hex').slice(0, 16);
}
