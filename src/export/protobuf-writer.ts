/**
 * The byte-level protobuf writer of `encodeLogsRequest` (otlp-encoder.ts): varints, fixed64 times, doubles,
 * UTF-8 strings and length prefixes reserved ahead and filled in afterwards (moving the content
 * only when the length needs another number of bytes than reserved).
 */
import type { HrTime } from '@opentelemetry/api';

/** Node's native UTF-8 writer of Buffer (undocumented, present in every supported Node); `write` otherwise. */
interface NativeUtf8 {
  utf8Write?: (value: string, offset: number) => number;
}
const nativeUtf8 = typeof (Buffer.prototype as NativeUtf8).utf8Write === 'function';

/** Strings up to this many UTF-16 units are copied in JavaScript when ASCII (cheaper than a native call). */
const SHORT_STRING_UNITS = 24;

/** Writes `value` as UTF-8 at `offset` (room ensured by the caller); returns the bytes written. */
export function utf8Write(buf: Buffer, value: string, offset: number): number {
  const units = value.length;
  if (units <= SHORT_STRING_UNITS) {
    let i = 0;
    for (; i < units; i++) {
      const code = value.charCodeAt(i);
      if (code >= 0x80) break;
      buf[offset + i] = code;
    }
    if (i === units) return units;
  }
  return nativeUtf8 ? (buf as NativeUtf8).utf8Write!(value, offset) : buf.write(value, offset, 'utf8');
}

/** Bytes of `value` as an unsigned varint (values below 2^32). */
export function varintSize(value: number): number {
  if (value < 0x80) return 1;
  if (value < 0x4000) return 2;
  if (value < 0x200000) return 3;
  if (value < 0x10000000) return 4;
  return 5;
}

/** A grow-on-demand protobuf output buffer. Positions are byte offsets; callers write tag bytes into `buf` directly. */
export class Writer {
  buf: Buffer;
  pos = 0;

  constructor(capacity: number) {
    this.buf = Buffer.allocUnsafe(Math.max(64, capacity));
  }

  /** Makes room for `bytes` more bytes. */
  ensure(bytes: number): void {
    if (this.pos + bytes <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.pos + bytes) size *= 2;
    const bigger = Buffer.allocUnsafe(size);
    this.buf.copy(bigger, 0, 0, this.pos);
    this.buf = bigger;
  }

  /** Unsigned 32-bit varint (lengths, tags, small counts); caller ensured 5 bytes. */
  uvarint(value: number): void {
    const buf = this.buf;
    let v = value >>> 0;
    while (v > 0x7f) {
      buf[this.pos++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[this.pos++] = v;
  }

  /** A varint of any JS number the way the stock writer does it (negative: 10-byte two's complement). */
  varint(value: number): void {
    this.ensure(10);
    if (value >= 0 && value <= 0xffffffff) {
      this.uvarint(value);
      return;
    }
    let low: number;
    let high: number;
    if (value >= 0) {
      low = value >>> 0;
      high = (value / 0x100000000) >>> 0;
    } else {
      const abs = Math.abs(value);
      low = ~(abs >>> 0) >>> 0;
      high = ~((abs / 0x100000000) >>> 0) >>> 0;
      low = (low + 1) >>> 0;
      if (low === 0) high = (high + 1) >>> 0;
    }
    const buf = this.buf;
    while (high > 0 || low > 0x7f) {
      buf[this.pos++] = (low & 0x7f) | 0x80;
      low = ((low >>> 7) | (high << 25)) >>> 0;
      high >>>= 7;
    }
    buf[this.pos++] = low & 0x7f;
  }

  fixed32(value: number): void {
    this.ensure(4);
    this.buf.writeUInt32LE(value >>> 0, this.pos);
    this.pos += 4;
  }

  /** An HrTime as fixed64 nanoseconds, computed exactly as the stock serializer does (no BigInt). */
  hrTime(time: HrTime): void {
    const seconds = time[0];
    const nanos = time[1];
    const lower16 = (seconds & 0xffff) * 1_000_000_000;
    const upper = ((seconds / 0x10000) >>> 0) * 1_000_000_000;
    const lowWithCarry = (lower16 >>> 0) + (((upper & 0xffff) * 0x10000) >>> 0) + nanos;
    const high = (Math.floor(lower16 / 0x100000000) + ((upper / 0x10000) >>> 0) + Math.floor(lowWithCarry / 0x100000000)) >>> 0;
    const buf = this.buf;
    const low = lowWithCarry >>> 0;
    let p = this.pos;
    buf[p++] = low & 0xff;
    buf[p++] = (low >>> 8) & 0xff;
    buf[p++] = (low >>> 16) & 0xff;
    buf[p++] = low >>> 24;
    buf[p++] = high & 0xff;
    buf[p++] = (high >>> 8) & 0xff;
    buf[p++] = (high >>> 16) & 0xff;
    buf[p++] = high >>> 24;
    this.pos = p;
  }

  double(value: number): void {
    this.ensure(8);
    this.buf.writeDoubleLE(value, this.pos);
    this.pos += 8;
  }

  bytes(data: Uint8Array): void {
    this.ensure(5 + data.length);
    this.uvarint(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** Reserves `reserved` bytes for a length prefix; returns where they start. */
  begin(reserved: number): number {
    const start = this.pos;
    this.pos += reserved;
    return start;
  }

  /**
   * Writes the length of what follows the `reserved` bytes at `start` up to the current
   * position; moves that content when the length needs another number of bytes.
   */
  end(start: number, reserved: number): void {
    const length = this.pos - start - reserved;
    const size = varintSize(length);
    if (size !== reserved) {
      if (size > reserved) this.ensure(size - reserved);
      this.buf.copyWithin(start + size, start + reserved, this.pos);
      this.pos += size - reserved;
    }
    const buf = this.buf;
    let p = start;
    let v = length;
    while (v > 0x7f) {
      buf[p++] = (v & 0x7f) | 0x80;
      v >>>= 7;
    }
    buf[p] = v;
  }

  /** A string field's length and UTF-8 bytes (the tag is written by the caller). */
  string(value: string): void {
    const units = value.length;
    // UTF-8 takes at least one byte per UTF-16 unit and at most three
    this.ensure(5 + 3 * units);
    const reserved = varintSize(units);
    const start = this.begin(reserved);
    this.pos += utf8Write(this.buf, value, this.pos);
    this.end(start, reserved);
  }

  /** Copies pre-encoded bytes. */
  raw(data: Uint8Array): void {
    this.ensure(data.length);
    this.buf.set(data, this.pos);
    this.pos += data.length;
  }

  /** The bytes written so far. */
  finish(): Uint8Array {
    return this.buf.subarray(0, this.pos);
  }
}

/** Writes `value` as an unsigned varint at `at` (room reserved by the caller). */
export function writeVarintAt(buf: Buffer, at: number, value: number): void {
  let p = at;
  let v = value;
  while (v > 0x7f) {
    buf[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  buf[p] = v;
}
