import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { anomalyEventsConfigSchema } from '../../src/anomaly/config.js';
import { KubeEventWriter, namespaceFilter } from '../../src/anomaly/k8s-event-writer.js';
import type { EventRecord, Finding } from '../../src/model/event.js';
import { systemClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually, startSidecar } from '../integration/harness.js';

/** The writer as a pipeline observer in a running sidecar: its Events come back through the watch and are not scored. */
describe('anomaly Events in a running sidecar', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  let sidecar: Sidecar | undefined;
  afterEach(async () => {
    await sidecar?.stop();
    await receiver?.close();
    await sim?.close();
  });

  it('writes findings as Events, exports them once read back, and never feeds them to observers or the pattern detector', async () => {
    sim = await startSimulator({ seed: 51 });
    receiver = await startOtlpReceiver();
    sim.generate(300);
    ({ sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver, { source: { namespaces: { exclude: ['kube-system'] } } }));
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(sim.api.kubeconfigYaml());
    const writer = new KubeEventWriter(anomalyEventsConfigSchema.parse({}), {
      kubeConfig,
      clock: systemClock,
      logger: silentLogger(),
      metrics: createMetrics(),
      skips: sidecar.skips,
      watched: namespaceFilter({ include: [], exclude: ['kube-system'] }),
      reportingInstance: 'eventide-test-0',
    });
    const seen: EventRecord[] = [];
    sidecar.pipeline.addObserver(writer);
    sidecar.pipeline.addObserver({ onRecord: (r) => seen.push(r) });
    await eventually(() => eventRecords(receiver!).length > 0, () => 'no records');

    const subject = seen.find((r) => r.event.namespace !== '' && r.event.namespace !== 'kube-system')!;
    const finding: Finding = {
      detector: 'isolation_forest', kind: 'frequency', score: 2.4, key: `${subject.event.namespace}/${subject.event.reason}`,
      windowStartMs: 0, windowEndMs: 1, modelVersion: 't', body: 'rate of BackOff is 12x usual', timeMs: 1,
      subject: { event: subject.event, enrichment: subject.enrichment }, namespace: subject.event.namespace,
    };
    await sidecar.pipeline.emitFinding(finding, subject);
    await sidecar.pipeline.emitFinding({ ...finding, namespace: 'kube-system', subject: undefined }); // not watched
    await writer.flush();
    expect(writer.counts().created).toBeGreaterThanOrEqual(1); // pattern findings of the traffic are written too
    expect(writer.counts().skipped.namespace_not_watched).toBeGreaterThanOrEqual(1);

    const own = (): ReturnType<typeof eventRecords> =>
      eventRecords(receiver!).filter((r) => r.attributes['k8s.event.reporting_controller'] === 'eventide.io/anomaly-detector' && r.body === 'rate of BackOff is 12x usual');
    await eventually(() => own().length === 1, () => `${own().length} own Events exported`);
    expect(own()[0]!.attributes['k8s.object.name']).toBe(subject.event.regarding.name);
    expect(own()[0]!.attributes['k8s.event.reason']).toBe('AnomalyDetected');
    expect(own()[0]!.attributes['k8s.event.type']).toBe('Warning');
    await sidecar.pipeline.drain();
    expect(seen.filter((r) => r.event.reportingController === 'eventide.io/anomaly-detector')).toEqual([]);
    await writer.stop();
  });
});
