import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventRecordUid, RECORD_UID_NAMESPACE, uuidV5 } from '../../src/export/record-uid.js';
import { runs } from '../fuzz/arbitraries.js';

/** RFC 9562 UUIDv5 through node:crypto's SHA-1: the reference the record IDs must match. */
function referenceUuidV5(name: string, namespace = RECORD_UID_NAMESPACE): string {
  const hash = createHash('sha1').update(Buffer.from(namespace.replaceAll('-', ''), 'hex')).update(name, 'utf8').digest();
  hash[6] = (hash[6]! & 0x0f) | 0x50;
  hash[8] = (hash[8]! & 0x3f) | 0x80;
  const hex = hash.toString('hex', 0, 16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20, 32)}`;
}

const text = fc.oneof(
  fc.string(),
  fc.string({ unit: 'grapheme', maxLength: 60 }),
  fc.string({ unit: 'binary', maxLength: 60 }), // lone surrogates included
  fc.uuid(),
  fc.string({ minLength: 100, maxLength: 1_500 }),
);

const count = fc.oneof(fc.integer({ min: 0, max: 1_000 }), fc.integer(), fc.double(), fc.constantFrom(0x7fffffff, 0x80000000, 2 ** 53, -1, Number.NaN, Infinity));

describe('uuidV5 / eventRecordUid', () => {
  it('gives the UUIDv5 of node:crypto SHA-1 for any name, in the default and in another namespace (property)', () => {
    fc.assert(
      fc.property(text, fc.uuid(), (name, namespace) => {
        expect(uuidV5(name)).toBe(referenceUuidV5(name));
        expect(uuidV5(name, namespace)).toBe(referenceUuidV5(name, namespace));
      }),
      runs(500),
    );
  });

  it('every message length from 0 to 300 bytes (one, two and more SHA-1 blocks, padding at each boundary)', () => {
    for (let length = 0; length <= 300; length++) {
      const name = 'x'.repeat(length);
      expect(uuidV5(name)).toBe(referenceUuidV5(name));
      expect(uuidV5(`é${name}`)).toBe(referenceUuidV5(`é${name}`));
    }
  });

  it('eventRecordUid is the UUIDv5 of `<uid>/<count>`, or `<namespace>/<name>/<count>` without a uid (property)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.constant(''), text), count, text, text, (uid, n, namespace, name) => {
        const key = uid !== '' ? uid : `${namespace}/${name}`;
        expect(eventRecordUid(uid, n, namespace, name)).toBe(referenceUuidV5(`${key}/${n}`));
      }),
      runs(500),
    );
  });

  it('keeps the values records were exported with (pinned, computed by the former node:crypto implementation)', () => {
    expect(eventRecordUid('e-uid-1', 4)).toBe(referenceUuidV5('e-uid-1/4'));
    expect(eventRecordUid('0b6c3f2e-0001-4a5b-9c8d-1e2f3a4b5c6d', 17)).toBe('0e133f51-fbce-5f43-b349-cbc72ea17cba');
    expect(eventRecordUid('', 1, 'shop', 'web.17a1')).toBe(referenceUuidV5('shop/web.17a1/1'));
  });
});
