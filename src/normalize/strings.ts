/** String helpers of the normalize hot path: well-formedness and UTF-8 truncation. */

interface WellFormedString {
  isWellFormed(): boolean;
  toWellFormed(): string;
}

/** Returns `value` when it is a string (lone surrogates replaced by U+FFFD), else `''`. */
export function wellFormed(value: unknown): string {
  if (typeof value !== 'string') return '';
  const s = value as unknown as WellFormedString;
  return s.isWellFormed() ? value : s.toWellFormed();
}

/** Result of {@link truncateUtf8}. */
export interface Truncated {
  text: string;
  truncated: boolean;
}

function marker(cutBytes: number): string {
  return ` …[truncated ${cutBytes} bytes]`;
}

/** Largest byte index <= `limit` that starts a UTF-8 character in `buf`. */
function charBoundary(buf: Buffer, limit: number): number {
  let i = Math.max(0, Math.min(limit, buf.length));
  while (i > 0 && i < buf.length && ((buf[i] ?? 0) & 0xc0) === 0x80) i--;
  return i;
}

/**
 * Cuts `text` so that it plus the marker ` …[truncated N bytes]` fits `maxBytes` UTF-8 bytes
 * (N = bytes removed). The cut falls on a character boundary. Text that fits is returned as is.
 */
export function truncateUtf8(text: string, maxBytes: number): Truncated {
  // Each UTF-16 unit is at most 3 UTF-8 bytes: most notes skip the byte count entirely.
  if (text.length * 3 <= maxBytes) return { text, truncated: false };
  const totalBytes = Buffer.byteLength(text, 'utf8');
  if (totalBytes <= maxBytes) return { text, truncated: false };
  // Only the first maxBytes UTF-16 units can be kept (each is at least one byte): encode just those.
  const buf = Buffer.from(text.length > maxBytes ? text.slice(0, maxBytes) : text, 'utf8');
  let cut = totalBytes - maxBytes;
  let kept = 0;
  // The marker's length depends on N; a few rounds settle the digit count.
  for (let round = 0; round < 4; round++) {
    const budget = maxBytes - Buffer.byteLength(marker(cut), 'utf8');
    kept = charBoundary(buf, Math.max(0, budget));
    const nextCut = totalBytes - kept;
    if (nextCut === cut) break;
    cut = nextCut;
  }
  return { text: buf.toString('utf8', 0, kept) + marker(totalBytes - kept), truncated: true };
}
