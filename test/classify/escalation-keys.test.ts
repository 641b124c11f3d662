import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EscalationKeys, escalationKey } from '../../src/classify/match.js';
import { buildEvent, buildRef } from '../support/builders.js';

// Deterministic by default; FC_SEED / FC_RUNS explore further.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 300), seed: Number(process.env.FC_SEED ?? 20261123) };

describe('EscalationKeys', () => {
  it('gives the same key as escalationKey for any sequence of Events, colliding slots included', () => {
    const ref = fc.record({
      uid: fc.constantFrom('', 'a', 'abc', '00000000-0000-4000-8000-000000000001', '00000000-0000-4000-8000-000000000011', 'ffffffff-0000-4000-8000-000000000001'),
      kind: fc.constantFrom('Pod', 'Node'),
      name: fc.constantFrom('web-1', 'web-2'),
      namespace: fc.constantFrom('', 'shop'),
    });
    const anEvent = fc
      .tuple(ref, fc.constantFrom('BackOff', 'Unhealthy', 'Failed', 'BackOffX'))
      .map(([r, reason]) => buildEvent({ reason, regarding: { ...buildRef(), ...r } }));
    fc.assert(
      fc.property(fc.constantFrom(1, 2, 4, 4096), fc.array(anEvent, { maxLength: 60 }), (size, events) => {
        const keys = new EscalationKeys(size);
        for (const e of events) expect(keys.of(e)).toBe(escalationKey(e));
      }),
      RUNS,
    );
  });
});
