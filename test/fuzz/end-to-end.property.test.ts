import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually, startSidecar } from '../integration/harness.js';
import { coreEvent, eventsV1Event, leakIn, mutate, mutations, runs } from './arbitraries.js';

/**
 * Generated and mutated Events stored raw in the simulated API server (served verbatim, as a
 * misbehaving client or an old apiserver might) flow through the whole sidecar: each one is
 * either exported or counted as skipped, and no exported body carries an IP, e-mail or token.
 */
describe('end-to-end fuzz: raw Events → sidecar → OTLP receiver', () => {
  let sim: SimulatorHandle;
  let receiver: OtlpReceiver;
  let sidecar: Sidecar;

  beforeAll(async () => {
    sim = await startSimulator({ seed: 99 });
    receiver = await startOtlpReceiver();
    ({ sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver));
    await eventually(() => sidecar.source.status().ready, () => 'source not ready');
  });
  afterAll(async () => {
    await sidecar.stop();
    await receiver.close();
    await sim.close();
  });

  // The store needs a name, a namespace and a uid to keep Events apart; everything else is fair game.
  const KEEP = ['metadata.uid', 'metadata.name', 'metadata.namespace'];
  const rawEvent = fc.tuple(fc.oneof(coreEvent, eventsV1Event), mutations, fc.boolean()).map(([e, m, emptyUid]) => {
    const out = mutate(e, m, KEEP);
    if (emptyUid) (out.metadata as Record<string, unknown>).uid = ''; // normalize must skip it (missing_uid)
    return out;
  });
  let batchNo = 0;

  it('exports or counts every input, and leaks nothing', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rawEvent, { minLength: 1, maxLength: 40 }), async (events) => {
        batchNo++;
        const skipsBefore = sidecar.skips.count();
        const uids = new Set<string>();
        events.forEach((e, i) => {
          const meta = e.metadata as Record<string, unknown>;
          meta.name = `fuzz-${batchNo}-${i}`;
          const stored = sim.api.faults.putRaw('events', e);
          const uid = (stored.metadata as { uid: string }).uid;
          if (uid !== '') uids.add(uid);
        });
        const mine = (): string[] => eventRecords(receiver).map((r) => String(r.attributes['k8s.event.uid'])).filter((u) => uids.has(u));
        const accounted = (): number => new Set(mine()).size + (sidecar.skips.count() - skipsBefore);
        await eventually(
          () => accounted() >= events.length,
          () => `batch ${batchNo}: ${accounted()} of ${events.length} accounted for (skips ${JSON.stringify(sidecar.skips.snapshot())})`,
          15_000,
        );
        await sidecar.pipeline.drain();
        expect(accounted()).toBe(events.length);
        expect(mine().length).toBe(new Set(mine()).size); // each exported once
        for (const r of eventRecords(receiver)) {
          if (!uids.has(String(r.attributes['k8s.event.uid']))) continue;
          const leak = leakIn(String(r.body ?? ''));
          expect(leak === undefined ? undefined : `${String(leak)} in ${String(r.body)}`).toBeUndefined();
        }
      }),
      { ...runs(12), endOnFailure: true },
    );
    // The generators reach both outcomes: exported records and skips of several reasons.
    expect(eventRecords(receiver).length).toBeGreaterThan(0);
    expect(Object.keys(sidecar.skips.snapshot()).length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});
