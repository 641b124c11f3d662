import * as crypto from 'node:crypto';

/** Namespace UUID of eventide's name-based record IDs (a fixed random v4 UUID). */
export const RECORD_UID_NAMESPACE = '6f1c3a52-8d4e-4b7a-9c21-5e0d7f3b8a64';

const NAMESPACE_BYTES = Buffer.from(RECORD_UID_NAMESPACE.replaceAll('-', ''), 'hex');

/** One-shot `crypto.hash` (Node ≥ 20.12), about 35% cheaper per call than `createHash`; undefined before. */
const oneShotHash = (crypto as { hash?: (algorithm: string, data: Uint8Array, outputEncoding: 'buffer') => Buffer }).hash;

/** Reused input of the one-shot hash: the default namespace's 16 bytes, then the name. */
const scratch = Buffer.allocUnsafe(16 + 1024);
NAMESPACE_BYTES.copy(scratch, 0);

/** SHA-1 of the 16 namespace bytes followed by `name` as UTF-8. */
function sha1Of(namespaceBytes: Buffer, name: string): Buffer {
  if (oneShotHash !== undefined && namespaceBytes === NAMESPACE_BYTES && name.length <= (scratch.length - 16) / 3) {
    // At most 3 UTF-8 bytes per UTF-16 unit, so the name always fits.
    const written = scratch.write(name, 16, 'utf8');
    return oneShotHash('sha1', scratch.subarray(0, 16 + written), 'buffer');
  }
  return crypto.createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
}

/**
 * A UUIDv5 (RFC 9562, SHA-1, name-based) of `name` in `namespace` (default
 * {@link RECORD_UID_NAMESPACE}): the same name always gives the same ID, so a delivery exported
 * twice carries the same `log.record.uid`.
 */
export function uuidV5(name: string, namespace?: string): string {
  const namespaceBytes = namespace === undefined ? NAMESPACE_BYTES : Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = sha1Of(namespaceBytes, name);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

/**
 * `log.record.uid` of one delivery of an Event: a UUIDv5 of `<event uid>/<count>`
 * (`<namespace>/<name>/<count>` when the Event has no uid, as in some replay files).
 */
export function eventRecordUid(eventUid: string, count: number, namespace = '', name = ''): string {
  const key = eventUid !== '' ? eventUid : `${namespace}/${name}`;
  return uuidV5(`${key}/${count}`);
}
