import { afterEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import type { Sidecar } from '../../src/cli/assemble.js';
import { allOut, doubled, eventRecords, eventually, startSidecar } from './harness.js';

describe('pipeline end to end: simulator → eventide → OTLP/gRPC receiver', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  const sidecars: Sidecar[] = [];

  afterEach(async () => {
    for (const s of sidecars.splice(0)) await s.stop();
    await receiver?.close();
    await sim?.close();
  });

  it('exports every Event once per count, across dropped watches and a 410 relist, with nothing doubled', async () => {
    sim = await startSimulator({ seed: 11 });
    receiver = await startOtlpReceiver();
    sim.generate(1500);
    const { sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver);
    sidecars.push(sidecar);
    await allOut(sim, receiver);

    // Faults in the middle of a stream: dropped connections, then an expired resourceVersion (410 → relist).
    sim.generate(500);
    sim.api.faults.dropWatches();
    sim.generate(500);
    sim.api.faults.compact();
    sim.api.faults.dropWatches();
    sim.generate(500);
    await allOut(sim, receiver);
    await sidecar.pipeline.drain();

    expect(doubled(receiver)).toEqual([]);
    expect(sidecar.pipeline.counts().duplicates).toBeGreaterThan(0); // the relist re-delivered, the gate dropped
    expect(sidecar.skips.count()).toBe(0);
  });

  it('maps records per DESIGN.md, groups injected incidents, and redacts before export', async () => {
    sim = await startSimulator({ seed: 5, incidentsPerHour: 30 });
    receiver = await startOtlpReceiver();
    const { sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver, { export: { clusterName: 'sim' }, anomaly: { events: { enabled: true } } });
    sidecars.push(sidecar);
    for (let i = 0; i < 40; i++) {
      sim.generate(100);
      await new Promise((r) => setTimeout(r, 10));
    }
    await allOut(sim, receiver);

    const records = eventRecords(receiver);
    for (const r of records) {
      expect(r.resource['service.name']).toBe('eventide');
      expect(r.resource['k8s.cluster.name']).toBe('sim');
      expect(typeof r.attributes['eventide.category']).toBe('string');
      expect(['Info', 'Medium', 'High', 'Critical']).toContain(r.attributes['eventide.severity']);
      expect(r.attributes['eventide.correlation.id']).toMatch(/\S+/);
      expect(String(r.body)).not.toMatch(/\b\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3}\b/);
      expect(String(r.body)).not.toMatch(/[\w.+-]+@[\w-]+\.[\w.]+/);
    }
    const namespaced = records.filter((r) => r.attributes['k8s.object.kind'] === 'Pod');
    expect(namespaced.length).toBeGreaterThan(0);
    for (const r of namespaced) expect(r.resource['k8s.namespace.name']).toMatch(/\S+/);

    // DESIGN/issue: a FailedMount and the BackOff that follows share a group; a node's
    // NodeHasDiskPressure and the evictions on that node share a group.
    const byUid = new Map(records.map((r) => [String(r.attributes['k8s.event.uid']), r]));
    const chains = { FailedMount: ['FailedMount', 'BackOff'], NodePressure: ['NodeHasDiskPressure', 'Evicted'] } as const;
    let checked = 0;
    for (const incident of sim.incidents()) {
      const reasons: readonly string[] | undefined = chains[incident.kind as keyof typeof chains];
      if (!reasons) continue;
      const members = incident.eventUids.map((uid) => byUid.get(uid)).filter((r) => r && reasons.includes(String(r.attributes['k8s.event.reason'])));
      if (new Set(members.map((r) => r!.attributes['k8s.event.reason'])).size < reasons.length) continue; // expired by the event TTL
      checked++;
      const groups = new Set(members.map((r) => r!.attributes['eventide.correlation.id']));
      const detail = members.map((r) => `${String(r!.attributes['k8s.event.reason'])}@${String(r!.attributes['k8s.object.name'])}=${String(r!.attributes['eventide.correlation.id'])} node=${String(r!.attributes['k8s.node.name'])} inst=${String(r!.attributes['k8s.event.reporting_instance'])} t=${r!.timeUnixNano.slice(0, 13)} sev=${String(r!.attributes['eventide.severity'])}`);
      expect({ incident: incident.id, groups: groups.size, detail }).toEqual({ incident: incident.id, groups: 1, detail });
    }
    expect(checked).toBeGreaterThanOrEqual(2);

    // Pattern findings leave as anomaly records and as Kubernetes Events, which come back and are exported unscored.
    const findings = receiver.records().filter((r) => r.eventName === 'eventide.anomaly');
    expect(findings.length).toBeGreaterThan(0);
    expect(findings[0]!.attributes['eventide.anomaly.detector']).toBe('pattern');
    const own = (): number => eventRecords(receiver!).filter((r) => r.attributes['k8s.event.reporting_controller'] === 'eventide.io/anomaly-detector').length;
    await eventually(() => own() > 0, () => 'no anomaly Event of eventide exported');
  });

  it('resumes from the checkpoint after a restart without losing or repeating Events', async () => {
    sim = await startSimulator({ seed: 3 });
    receiver = await startOtlpReceiver();
    sim.generate(800);
    const first = await startSidecar(sim.api.kubeconfigYaml(), receiver);
    await allOut(sim, receiver);
    await first.sidecar.stop();

    sim.generate(800);
    const second = await startSidecar(sim.api.kubeconfigYaml(), receiver, {}, first.checkpointDir);
    sidecars.push(second.sidecar);
    await allOut(sim, receiver);
    await second.sidecar.pipeline.drain();

    expect(doubled(receiver)).toEqual([]);
  });
});
