import { describe, expect, it } from 'vitest';
import { parseSizes } from '../../src/bench/cli.js';
import { parsePhases } from '../../src/bench/config.js';
import { runBenchmark } from '../../src/bench/run.js';
import { renderReport } from '../../src/bench/table.js';

describe('eventide bench (tiny sizes: structure only, never speed)', () => {
  it('runs every phase in separate processes and delivers every event exactly once', async () => {
    const report = await runBenchmark({
      quick: true,
      config: {
        throughputEvents: 400,
        objects: 40,
        latencyRatePerSecond: 400,
        latencySeconds: 1,
        // Streamed after the measured Events and not counted: received stays at 400 / 100.
        rateLeadOutSeconds: 0.5,
        normalRatePerSecond: 100,
        normalSeconds: 1,
        normalWarmupSeconds: 0.5,
        // before the cost run, distinct Events fill the per-Event state; they are not counted in it
        normalFillEvents: 150,
        normalFillRatePerSecond: 600,
        memoryObjects: 300,
        churnSeconds: 1.5,
        churnRatePerSecond: 200,
        churnSampleSeconds: 0.4,
        warmupEvents: 50,
        timeoutSeconds: 60,
      },
    });
    // the ceiling ran before and after the eventide runs; its figure is both together
    expect(report.ceilingRuns).toHaveLength(2);
    expect(report.ceiling).toMatchObject({ offered: 800, received: 800, lost: 0, duplicates: 0 });
    for (const run of [...report.ceilingRuns!, report.throughputDetectorsOff, report.throughputDetectorsOn]) {
      expect(run).toMatchObject({ offered: 400, received: 400, lost: 0, duplicates: 0 });
      expect(run!.recordsPerSecond).toBeGreaterThan(0);
      expect(run!.cpuMicrosPerRecord).toBeGreaterThan(0);
      expect(run!.requests).toBeGreaterThan(0);
      expect(run!.requests).toBeLessThanOrEqual(400);
      expect(run!.cpuPercent).toBeGreaterThan(0);
      expect(run!.receiverCpuPercent).toBeGreaterThan(0);
    }
    expect(report.ceiling!.simulatorCpuPercent).toBeUndefined();
    expect(report.throughputDetectorsOff!.simulatorCpuPercent).toBeGreaterThan(0);
    expect(report.latency).toMatchObject({ offered: 400, received: 400, lost: 0, duplicates: 0, offeredPerSecond: 400 });
    expect(report.latency!.latency.count).toBe(400);
    expect(report.latency!.latency.p99Millis).toBeGreaterThanOrEqual(report.latency!.latency.p50Millis);
    expect(report.normalRate).toMatchObject({ offered: 100, received: 100, lost: 0, duplicates: 0, filledEvents: 150 });
    expect(report.normalRate!.rssMiB).toBeGreaterThan(10);
    expect(report).toMatchObject({ harnessNice: 10, harnessNiceFailures: 0 });
    // the sidecar's main thread did work during each measured run, and was not busy all the time at these rates
    for (const run of [report.latency!, report.normalRate!]) {
      expect(run.eventLoopUtilization).toBeGreaterThan(0);
      expect(run.eventLoopUtilization).toBeLessThan(1);
    }
    expect(report.memory).toMatchObject({ objects: 300, offered: 300, received: 300, lost: 0, churnEvents: 300 });
    expect(report.memory!.churn.length).toBeGreaterThanOrEqual(1);
    // each churn sample says what the sidecar spent since the one before: it read and exported Events
    for (const point of report.memory!.churn) {
      expect(point.cpuPercent).toBeGreaterThan(0);
      // and where its memory is: V8's heap (used within reserved) and what JS holds outside it
      expect(point.heapTotalMiB).toBeGreaterThanOrEqual(point.heapUsedMiB);
      expect(point.externalMiB).toBeGreaterThan(0);
    }
    expect(report.memory!.backlogSeconds).toBeGreaterThan(0);
    expect(report.detectors).toContain('pattern.enabled');
    expect(report.targets.map((t) => t.name)).toEqual([
      'throughput, detectors off',
      'throughput, every detector on',
      'latency at 400 events/s',
      'CPU at 100 events/s',
      'RSS at 100 events/s, no LSTM',
      'RSS at 100 events/s, with LSTM',
      ...(report.memory!.plateauRatio !== null ? ['RSS plateau, 300 objects churning'] : []),
    ]);
    expect(report.targets.find((t) => t.name.includes('with LSTM'))?.verdict).toBe('n/a');
    expect(JSON.parse(JSON.stringify(report))).toEqual(report);
    expect(renderReport(report)).toContain('ceiling: stock OTel JS pipeline');
    expect(renderReport(report)).toContain('runs before and after the eventide runs');
  }, 90_000);

  it('--only selects phases and names unknown ones', () => {
    expect(parsePhases(undefined)).toEqual(['ceiling', 'throughput', 'latency', 'normal-rate', 'memory']);
    expect(parsePhases('memory, ceiling')).toEqual(['ceiling', 'memory']);
    expect(() => parsePhases('ceiling,speed')).toThrow(/unknown phase speed/);
  });

  it('--set takes sizes by name and names what is wrong', () => {
    expect(parseSizes(['normalRatePerSecond=1000', 'latencySeconds=2.5'])).toEqual({ normalRatePerSecond: 1000, latencySeconds: 2.5 });
    expect(() => parseSizes(['speed=3'])).toThrow(/unknown size 'speed'/);
    expect(() => parseSizes(['normalRatePerSecond'])).toThrow(/expected name=number/);
    expect(() => parseSizes(['normalRatePerSecond=fast'])).toThrow(/expected name=number/);
    expect(() => parseSizes(['normalRatePerSecond=-5'])).toThrow(/normalRatePerSecond/);
  });
});
