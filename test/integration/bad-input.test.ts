import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually, startSidecar } from './harness.js';

const regarding = { kind: 'Pod', name: 'web-0', namespace: 'shop', uid: 'pod-uid-1', apiVersion: 'v1' };

function legacyEvent(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    apiVersion: 'events.k8s.io/v1',
    kind: 'Event',
    metadata: { name, namespace: 'shop', uid: `uid-${name}`, creationTimestamp: '2026-11-23T03:00:00Z' },
    regarding,
    reason: 'BackOff',
    type: 'Warning',
    note: 'Back-off restarting failed container',
    deprecatedSource: { component: 'kubelet', host: 'node-1' },
    deprecatedFirstTimestamp: '2026-11-23T03:00:00Z',
    deprecatedLastTimestamp: '2026-11-23T03:00:00Z',
    deprecatedCount: 1,
    ...extra,
  };
}

describe('bad input through the whole pipeline: skipped or truncated, counted, the stream goes on', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  let sidecar: Sidecar | undefined;

  afterEach(async () => {
    await sidecar?.stop();
    await receiver?.close();
    await sim?.close();
  });

  it('a megabyte note, missing fields, an unknown apiVersion, malformed and invalid UTF-8 lines', async () => {
    sim = await startSimulator({ seed: 2, incidentsPerHour: 0 });
    receiver = await startOtlpReceiver();
    sim.generate(50);
    ({ sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver));
    await eventually(() => eventRecords(receiver!).length >= 40, () => `${eventRecords(receiver!).length} records`);

    sim.api.faults.injectRawWatchLine('{"type":"ADDED","object":{"kind":"Event"'); // cut JSON
    sim.api.faults.injectRawWatchLine(Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0x7d, 0x0a])); // invalid UTF-8
    sim.api.faults.putRaw('events', legacyEvent('huge', { note: `x${'A'.repeat(2_000_000)} 10.1.2.3` }));
    sim.api.faults.putRaw('events', legacyEvent('no-uid', { metadata: { name: 'no-uid', namespace: 'shop', uid: '' } }));
    sim.api.faults.putRaw('events', legacyEvent('no-regarding', { regarding: undefined }));
    sim.api.faults.putRaw('events', legacyEvent('other-api', { apiVersion: 'example.com/v9' }));
    sim.api.faults.putRaw('events', legacyEvent('after', {}));
    const before = sim.emitted();
    sim.generate(50);

    await eventually(
      () => eventRecords(receiver!).some((r) => r.attributes['k8s.event.name'] === 'after') && sidecar!.skips.count('normalize') >= 3,
      () => JSON.stringify({ skips: sidecar!.skips.snapshot(), counts: sidecar!.pipeline.counts(), names: eventRecords(receiver!).slice(-8).map((r) => r.attributes["k8s.event.name"]), status: sidecar!.source.status() }),
    );
    const huge = eventRecords(receiver).find((r) => r.attributes['k8s.event.name'] === 'huge');
    expect(huge).toBeDefined();
    expect(String(huge!.body).length).toBeLessThanOrEqual(4096);
    expect(String(huge!.body)).toMatch(/…\[truncated \d+ bytes\]$/);
    expect(sidecar.skips.snapshot()).toMatchObject({ 'normalize/missing_uid': 1, 'normalize/missing_regarding': 1, 'normalize/unknown_api_version': 1 });
    expect(sidecar.skips.count('source', 'malformed_line')).toBe(2);
    expect(sim.emitted()).toBeGreaterThan(before);
  });
});
