import { createHash } from 'node:crypto';

/** Namespace UUID of eventide's name-based record IDs (a fixed random v4 UUID). */
export const RECORD_UID_NAMESPACE = '6f1c3a52-8d4e-4b7a-9c21-5e0d7f3b8a64';

const NAMESPACE_BYTES = Buffer.from(RECORD_UID_NAMESPACE.replaceAll('-', ''), 'hex');

/**
 * A UUIDv5 (RFC 9562, SHA-1, name-based) of `name` in `namespace` (default
 * {@link RECORD_UID_NAMESPACE}): the same name always gives the same ID, so a delivery exported
 * twice carries the same `log.record.uid`.
 */
export function uuidV5(name: string, namespace?: string): string {
  const namespaceBytes = namespace === undefined ? NAMESPACE_BYTES : Buffer.from(namespace.replaceAll('-', ''), 'hex');
  const hash = createHash('sha1').update(namespaceBytes).update(name, 'utf8').digest();
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
