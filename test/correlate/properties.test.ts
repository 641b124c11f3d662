import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { correlateConfigSchema, patternConfigSchema } from '../../src/correlate/config.js';
import { Correlator } from '../../src/correlate/correlator.js';
import { PatternDetector } from '../../src/correlate/pattern.js';
import type { EventRecord } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { buildEvent, buildRecord, buildRef } from '../support/builders.js';
import { at, cls } from './helpers.js';

const recordArb = fc
  .record({
    pod: fc.integer({ min: 0, max: 8 }),
    node: fc.integer({ min: 0, max: 2 }),
    uid: fc.integer({ min: 0, max: 30 }),
    count: fc.integer({ min: 1, max: 40 }),
    minute: fc.oneof(fc.integer({ min: 0, max: 120 }), fc.constant(Number.NaN)),
    warning: fc.boolean(),
    kind: fc.constantFrom('Pod', 'Node', 'PersistentVolumeClaim'),
    reason: fc.constantFrom('BackOff', 'Evicted', 'Pulled', 'NodeHasDiskPressure'),
  })
  .map(({ pod, node, uid, count, minute, warning, kind, reason }): EventRecord => {
    const name = kind === 'Node' ? `n${node}` : `p${pod}`;
    const regarding = buildRef({ kind, name, uid: pod === 0 ? '' : kind === 'Node' ? name : `u-${kind}-${pod}` });
    const event = buildEvent({ uid: uid === 0 ? '' : `e${uid}`, regarding, count, reason, type: warning ? 'Warning' : 'Normal', timeMs: at(minute), reportingInstance: `n${node}` });
    return buildRecord(event, {
      enrichment: { nodeName: `n${node}`, pvcNames: pod % 3 === 0 ? ['data'] : [], workload: { kind: 'Deployment', name: `d${pod % 2}` } },
      classification: cls(warning ? 'High' : 'Info'),
    });
  });

describe('correlate properties', () => {
  it('never throws, respects bounds and is deterministic for any sequence', () => {
    fc.assert(
      fc.property(fc.array(recordArb, { maxLength: 80 }), (records) => {
        const config = correlateConfigSchema.parse({ maxGroups: 3, maxKeys: 12 });
        const run = (): { ids: string[]; patterns: (string | undefined)[] } => {
          const c = new Correlator(config, { clock: new ManualClock(0) });
          const p = new PatternDetector(patternConfigSchema.parse({ maxKeys: 4, thresholds: { BackOff: 3 } }), { clock: new ManualClock(0) });
          const copies = records.map((r) => ({ ...r, patternId: undefined }));
          const ids = copies.map((r) => {
            const id = c.assign(r);
            p.observe(r);
            expect(c.openGroups()).toBeLessThanOrEqual(3);
            expect(p.keyCount()).toBeLessThanOrEqual(4);
            return id;
          });
          return { ids, patterns: copies.map((r) => r.patternId) };
        };
        expect(run()).toEqual(run());
      }),
      { numRuns: 60, seed: 20261123 },
    );
  });
});
