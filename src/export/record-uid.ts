import * as crypto from 'node:crypto';

/** Namespace UUID of eventide's name-based record IDs (a fixed random v4 UUID). */
export const RECORD_UID_NAMESPACE = '6f1c3a52-8d4e-4b7a-9c21-5e0d7f3b8a64';

/** The 16 bytes of a UUID in its text form. */
function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

const NAMESPACE_BYTES = uuidBytes(RECORD_UID_NAMESPACE);

/** One-shot `crypto.hash` (Node ≥ 20.12), cheaper per call than `createHash`; undefined before. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer }).hash;

/**
 * The hashed name (namespace bytes, then the name as UTF-8), reused and grown when a name does
 * not fit: the `<uid>/<count>` name of a record ID is written straight into it, not built as a
 * string first.
 */
let input = Buffer.allocUnsafe(256);
/** The 36 characters of the formatted UUID. */
const text = Buffer.allocUnsafe(36);
/** The two hex digits of each byte value, as character codes (high digit first). */
const HEX_PAIRS = Uint8Array.from({ length: 512 }, (_, i) => '0123456789abcdef'.charCodeAt(i % 2 === 0 ? (i >> 1) >> 4 : (i >> 1) & 0xf));

/** Makes room for `bytes` more bytes after `length` of {@link input}, keeping the first `length`. */
function reserve(length: number, bytes: number): void {
  if (length + bytes <= input.length) return;
  const bigger = Buffer.allocUnsafe(2 * (length + bytes));
  input.copy(bigger, 0, 0, length);
  input = bigger;
}

/** Writes `value` as UTF-8 at `at` of {@link input}; returns the position after it. */
function appendString(at: number, value: string): number {
  reserve(at, 3 * value.length); // at most 3 UTF-8 bytes per UTF-16 unit
  return at + input.write(value, at, 'utf8');
}

/** Writes the 16 namespace bytes at the start of {@link input}; returns 16. */
function startMessage(namespaceBytes: Buffer): number {
  namespaceBytes.copy(input, 0, 0, 16);
  return 16;
}

/** The UUIDv5 text (RFC 9562) of the first `length` bytes of {@link input}. */
function uuidOfInput(length: number): string {
  const message = input.subarray(0, length);
  const hash = oneShotHash !== undefined ? oneShotHash('sha1', message, 'buffer') : crypto.createHash('sha1').update(message).digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8]! & 0x3f) | 0x80; // variant 10
  for (let byte = 0, p = 0; byte < 16; byte++) {
    if (byte === 4 || byte === 6 || byte === 8 || byte === 10) text[p++] = 0x2d;
    const pair = 2 * hash[byte]!;
    text[p++] = HEX_PAIRS[pair]!;
    text[p++] = HEX_PAIRS[pair + 1]!;
  }
  return text.toString('latin1', 0, 36);
}

/**
 * A UUIDv5 (RFC 9562, SHA-1, name-based) of `name` in `namespace` (default
 * {@link RECORD_UID_NAMESPACE}): the same name always gives the same ID, so a delivery exported
 * twice carries the same `log.record.uid`.
 */
export function uuidV5(name: string, namespace?: string): string {
  return uuidOfInput(appendString(startMessage(namespace === undefined ? NAMESPACE_BYTES : uuidBytes(namespace)), name));
}

/**
 * `log.record.uid` of one delivery of an Event: a UUIDv5 of `<event uid>/<count>`
 * (`<namespace>/<name>/<count>` when the Event has no uid, as in some replay files).
 */
export function eventRecordUid(eventUid: string, count: number, namespace = '', name = ''): string {
  let end = startMessage(NAMESPACE_BYTES);
  end = eventUid !== '' ? appendString(end, eventUid) : appendString(appendString(appendString(end, namespace), '/'), name);
  return uuidOfInput(appendString(end, `/${count}`));
}
