/** Namespace UUID of eventide's name-based record IDs (a fixed random v4 UUID). */
export const RECORD_UID_NAMESPACE = '6f1c3a52-8d4e-4b7a-9c21-5e0d7f3b8a64';

/** The 16 bytes of a UUID in its text form. */
function uuidBytes(uuid: string): Buffer {
  return Buffer.from(uuid.replaceAll('-', ''), 'hex');
}

const NAMESPACE_BYTES = uuidBytes(RECORD_UID_NAMESPACE);

/** Node's native latin1 reader of Buffer (undocumented, present in every supported Node); `toString` otherwise. */
interface NativeLatin1 {
  latin1Slice?: (start: number, end: number) => string;
}
const nativeLatin1 = typeof (Buffer.prototype as NativeLatin1).latin1Slice === 'function';

/**
 * SHA-1 input (namespace bytes, then the name as UTF-8, then the padding), reused: grown when a
 * name does not fit. Names of eventide's record IDs are ~45 bytes, one 64-byte block with the namespace.
 */
let input = Buffer.allocUnsafe(256);
/** The message schedule of one block. */
const schedule = new Int32Array(80);
/** The running digest (h0..h4). */
const digest = new Int32Array(5);
/** The 36 characters of the formatted UUID. */
const text = Buffer.allocUnsafe(36);
/** Character codes of the hex digits. */
const HEX_CODES = Uint8Array.from('0123456789abcdef', (c) => c.charCodeAt(0));

/** Makes room for `bytes` more bytes after `length` of {@link input} (plus the SHA-1 padding), keeping the first `length`. */
function reserve(length: number, bytes: number): void {
  if (length + bytes + 72 <= input.length) return;
  const bigger = Buffer.allocUnsafe(2 * (length + bytes + 72));
  input.copy(bigger, 0, 0, length);
  input = bigger;
}

/** Writes `value` as UTF-8 at `at` of {@link input}; returns the position after it. */
function appendString(at: number, value: string): number {
  const units = value.length;
  reserve(at, 3 * units); // at most 3 UTF-8 bytes per UTF-16 unit
  const buf = input;
  let i = 0;
  for (; i < units; i++) {
    const code = value.charCodeAt(i);
    if (code >= 0x80) break;
    buf[at + i] = code;
  }
  return at + (i === units ? units : buf.write(value, at, 'utf8'));
}

/** Writes `/` and the decimal `count` at `at` of {@link input}; returns the position after it. */
function appendCount(at: number, count: number): number {
  if (!(Number.isInteger(count) && count >= 0 && count <= 0x7fffffff)) return appendString(at, `/${count}`);
  reserve(at, 11);
  const buf = input;
  buf[at] = 0x2f;
  let end = at + 1;
  for (let rest = count; rest >= 10; rest = Math.floor(rest / 10)) end++;
  for (let p = end, rest = count; p > at; rest = Math.floor(rest / 10)) buf[p--] = 0x30 + (rest % 10);
  return end + 1;
}

/** Writes the 16 namespace bytes at the start of {@link input}; returns 16. */
function startMessage(namespaceBytes: Uint8Array): number {
  const buf = input;
  for (let i = 0; i < 16; i++) buf[i] = namespaceBytes[i]!;
  return 16;
}

/** Updates {@link digest} with the 64-byte block of `buf` at `offset`. */
function sha1Block(buf: Uint8Array, offset: number): void {
  const w = schedule;
  for (let t = 0, p = offset; t < 16; t++, p += 4) w[t] = (buf[p]! << 24) | (buf[p + 1]! << 16) | (buf[p + 2]! << 8) | buf[p + 3]!;
  for (let t = 16; t < 80; t++) {
    const x = w[t - 3]! ^ w[t - 8]! ^ w[t - 14]! ^ w[t - 16]!;
    w[t] = (x << 1) | (x >>> 31);
  }
  let a = digest[0]!;
  let b = digest[1]!;
  let c = digest[2]!;
  let d = digest[3]!;
  let e = digest[4]!;
  // the four rounds of 20 steps, each with its own function and constant
  for (let t = 0; t < 20; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (~b & d)) + e + 0x5a827999 + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 20; t < 40; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0x6ed9eba1 + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 40; t < 60; t++) {
    const temp = (((a << 5) | (a >>> 27)) + ((b & c) | (b & d) | (c & d)) + e + 0x8f1bbcdc + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  for (let t = 60; t < 80; t++) {
    const temp = (((a << 5) | (a >>> 27)) + (b ^ c ^ d) + e + 0xca62c1d6 + w[t]!) | 0;
    e = d;
    d = c;
    c = (b << 30) | (b >>> 2);
    b = a;
    a = temp;
  }
  digest[0] = (digest[0]! + a) | 0;
  digest[1] = (digest[1]! + b) | 0;
  digest[2] = (digest[2]! + c) | 0;
  digest[3] = (digest[3]! + d) | 0;
  digest[4] = (digest[4]! + e) | 0;
}

/**
 * SHA-1 (FIPS 180-4) of the first `length` bytes of {@link input} into {@link digest}, padding in
 * place. In JavaScript: for the one-block messages of record IDs about five times cheaper than a
 * call into OpenSSL (`crypto.hash`), and nothing allocated; checked against `node:crypto` by a property test.
 */
function sha1OfInput(length: number): void {
  const buf = input;
  const blocks = Math.ceil((length + 9) / 64);
  const end = blocks * 64;
  buf[length] = 0x80;
  buf.fill(0, length + 1, end - 4);
  // bit length, big-endian; the upper 32 bits stay 0 (messages below 512 MiB)
  const bits = length * 8;
  buf[end - 4] = bits >>> 24;
  buf[end - 3] = (bits >>> 16) & 0xff;
  buf[end - 2] = (bits >>> 8) & 0xff;
  buf[end - 1] = bits & 0xff;
  digest[0] = 0x67452301;
  digest[1] = 0xefcdab89 | 0;
  digest[2] = 0x98badcfe | 0;
  digest[3] = 0x10325476;
  digest[4] = 0xc3d2e1f0 | 0;
  for (let offset = 0; offset < end; offset += 64) sha1Block(buf, offset);
}

/** Writes the `digits` low hex digits of `word` at `at` of {@link text}. */
function hex(word: number, digits: number, at: number): void {
  for (let shift = 4 * (digits - 1), p = at; shift >= 0; shift -= 4, p++) text[p] = HEX_CODES[(word >>> shift) & 0xf]!;
}

/** The UUIDv5 text of the message in {@link input} (its first `length` bytes). */
function uuidOfInput(length: number): string {
  sha1OfInput(length);
  // the first 16 bytes of the digest, version 5 in byte 6, variant 10 in byte 8
  const h1 = digest[1]!;
  const h2 = digest[2]!;
  hex(digest[0]!, 8, 0);
  hex(h1 >>> 16, 4, 9);
  hex((h1 & 0x0fff) | 0x5000, 4, 14);
  hex(((h2 >>> 16) & 0x3fff) | 0x8000, 4, 19);
  hex(h2, 4, 24);
  hex(digest[3]!, 8, 28);
  text[8] = text[13] = text[18] = text[23] = 0x2d;
  return nativeLatin1 ? (text as NativeLatin1).latin1Slice!(0, 36) : text.toString('latin1', 0, 36);
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
 * (`<namespace>/<name>/<count>` when the Event has no uid, as in some replay files). The name
 * is written straight into the hash input, without building the string.
 */
export function eventRecordUid(eventUid: string, count: number, namespace = '', name = ''): string {
  let end = startMessage(NAMESPACE_BYTES);
  if (eventUid !== '') {
    end = appendString(end, eventUid);
  } else {
    end = appendString(end, namespace);
    reserve(end, 1);
    input[end++] = 0x2f;
    end = appendString(end, name);
  }
  return uuidOfInput(appendCount(end, count));
}
