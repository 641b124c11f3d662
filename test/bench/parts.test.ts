import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { eventJsonRenderer } from '../../src/bench/event-render.js';
import { coreEventToEventsV1 } from '../../src/simulator/eventconv.js';
import { ObjectStore } from '../../src/simulator/store.js';
import { deepMerge, detectorSwitch } from '../../src/bench/detectors.js';
import { LatencyHistogram } from '../../src/bench/histogram.js';
import { forEachLogBody } from '../../src/bench/otlp-wire.js';
import { combineThroughput, type BenchReport, type TargetResult, type ThroughputResult } from '../../src/bench/results.js';
import { plateauRatio } from '../../src/bench/run.js';
import { formatStamp, parseStamp } from '../../src/bench/stamp.js';
import { evaluateTargets } from '../../src/bench/targets.js';
import { benchEvent, benchEventTemplate, stampBenchEvent } from '../../src/bench/workload.js';

/** Protobuf length-delimited field. */
function field(number: number, payload: Buffer): Buffer {
  const key = (number << 3) | 2;
  const length: number[] = [];
  let n = payload.length;
  while (n >= 0x80) {
    length.push((n & 0x7f) | 0x80);
    n >>>= 7;
  }
  length.push(n);
  return Buffer.concat([Buffer.from([key, ...length]), payload]);
}

function logRecord(body: string | undefined): Buffer {
  const time = Buffer.from([(1 << 3) | 1, 1, 2, 3, 4, 5, 6, 7, 8]); // fixed64 time_unix_nano
  const severity = Buffer.from([(2 << 3) | 0, 9]); // varint severity_number
  const parts = [time, severity, field(3, Buffer.from('INFO'))];
  if (body !== undefined) parts.push(field(5, field(1, Buffer.from(body, 'utf8'))));
  parts.push(field(6, field(1, Buffer.from('k8s.event.reason'))));
  return Buffer.concat(parts);
}

describe('otlp-wire', () => {
  it('finds every LogRecord body across resources and scopes', () => {
    const scopeA = field(2, Buffer.concat([field(1, field(1, Buffer.from('eventide'))), field(2, logRecord('one')), field(2, logRecord(undefined))]));
    const scopeB = field(2, field(2, logRecord('drei ü')));
    const request = Buffer.concat([field(1, Buffer.concat([field(1, Buffer.from([])), scopeA])), field(1, scopeB)]);
    const bodies: string[] = [];
    forEachLogBody(request, (b) => bodies.push(b));
    expect(bodies).toEqual(['one', '', 'drei ü']);
  });

  it('throws RangeError on a truncated request', () => {
    const request = field(1, field(2, field(2, logRecord('x'))));
    expect(() => forEachLogBody(request.subarray(0, request.length - 3), () => undefined)).toThrow(RangeError);
  });
});

describe('stamp and workload', () => {
  it('round-trips a stamp inside an Event note', () => {
    const event = benchEvent(42, 10, 1_795_000_000_123_456, 1_795_000_000_123);
    expect(parseStamp(String(event['message']))).toEqual({ seq: 42, sentMicros: 1_795_000_000_123_456 });
    expect(parseStamp('Started container app')).toBeUndefined();
    expect(formatStamp(1, 2)).toBe('bench seq=1 sent=2');
  });

  it('writes 70% legacy and 30% events.k8s.io-style Events about seq % objects', () => {
    const events = Array.from({ length: 10 }, (_, i) => benchEvent(i, 3, 0, 0));
    expect(events.filter((e) => e['eventTime'] === null)).toHaveLength(7);
    expect((events[4]!['involvedObject'] as { name: string }).name).toBe('app-1');
  });

  it('stamps an Event built ahead exactly as one built at the write', () => {
    for (const seq of [0, 7, 12, 19]) {
      const template = benchEventTemplate(seq, 5);
      expect(template.event['message']).toBe('');
      const sent = 1_795_000_000_123_456 + seq;
      expect(stampBenchEvent(template, sent, Math.floor(sent / 1000))).toEqual(benchEvent(seq, 5, sent, Math.floor(sent / 1000)));
    }
  });
});

describe('LatencyHistogram', () => {
  it('reports percentiles within 1% and the exact max', () => {
    const h = new LatencyHistogram();
    for (let i = 1; i <= 1000; i++) h.record(i);
    const s = h.summary();
    expect(s.count).toBe(1000);
    expect(s.p50Millis).toBeGreaterThanOrEqual(500);
    expect(s.p50Millis).toBeLessThanOrEqual(506);
    expect(s.p99Millis).toBeGreaterThanOrEqual(990);
    expect(s.p99Millis).toBeLessThanOrEqual(1000);
    expect(s.maxMillis).toBe(1000);
    expect(new LatencyHistogram().summary().p99Millis).toBe(0);
  });
});

describe('detectorSwitch', () => {
  it('flips every enabled flag of detector sections, nested ones included, and nothing else', () => {
    const defaults = { pattern: { enabled: true, windowMillis: 5 }, anomaly: { forest: { enabled: false }, lstm: { enabled: false } }, redact: { enabled: true } };
    expect(detectorSwitch(true, defaults)).toEqual({
      overrides: { pattern: { enabled: true }, anomaly: { forest: { enabled: true }, lstm: { enabled: true } } },
      switched: ['pattern.enabled', 'anomaly.forest.enabled', 'anomaly.lstm.enabled'],
    });
    expect(detectorSwitch(false, defaults).overrides).toEqual({ pattern: { enabled: false }, anomaly: { forest: { enabled: false }, lstm: { enabled: false } } });
  });

  it('finds the pattern detector in the real config schema', () => {
    expect(detectorSwitch(true).switched).toContain('pattern.enabled');
  });

  it('leaves output switches such as anomaly.events.enabled alone', () => {
    const defaults = { anomaly: { events: { enabled: true }, forest: { enabled: false } } };
    expect(detectorSwitch(false, defaults)).toEqual({ overrides: { anomaly: { forest: { enabled: false } } }, switched: ['anomaly.forest.enabled'] });
    expect(detectorSwitch(true).switched).not.toContain('anomaly.events.enabled');
  });

  it('deepMerge merges objects and replaces the rest', () => {
    expect(deepMerge({ a: { b: 1, c: [1] }, d: 1 }, { a: { c: [2] }, e: 2 })).toEqual({ a: { b: 1, c: [2] }, d: 1, e: 2 });
  });
});

describe('plateauRatio and targets', () => {
  it('compares the last third with the middle third', () => {
    expect(plateauRatio([100, 120, 130, 131, 129, 130])).toBeCloseTo(130 / 131, 5);
    expect(plateauRatio([100, 120, 130, 131, 160, 200])).toBeCloseTo(200 / 131, 5);
    expect(plateauRatio([1, 2])).toBeNull();
  });

  const latency = { count: 10, p50Millis: 5, p95Millis: 9, p99Millis: 250, maxMillis: 300 };
  const report: BenchReport = {
    machine: { cpus: 2, cpuModel: 'x', node: 'v20', platform: 'linux-x64', totalMemMiB: 1 },
    quick: false,
    startedAt: '',
    detectors: [],
    sidecarOverrides: {},
    harnessNice: 10,
    harnessNiceFailures: 0,
    ceiling: { offered: 10, received: 10, lost: 0, duplicates: 0, recordsPerSecond: 1000, seconds: 1, cpuMicrosPerRecord: 50, requests: 1, cpuPercent: 90, eventLoopUtilization: 0.9, receiverCpuPercent: 20 },
    throughputDetectorsOff: { offered: 10, received: 10, lost: 0, duplicates: 0, recordsPerSecond: 700, seconds: 1, cpuMicrosPerRecord: 50, requests: 1, cpuPercent: 90, eventLoopUtilization: 0.9, receiverCpuPercent: 20 },
    throughputDetectorsOn: { offered: 10, received: 9, lost: 1, duplicates: 0, recordsPerSecond: 600, seconds: 1, cpuMicrosPerRecord: 50, requests: 1, cpuPercent: 90, eventLoopUtilization: 0.9, receiverCpuPercent: 20 },
    latency: { offered: 10, received: 10, lost: 0, duplicates: 0, offeredPerSecond: 15000, seconds: 1, latency, cpuPercent: 50, rssMiB: 100, eventLoopUtilization: 0.5, simulatorCpuPercent: 40, receiverCpuPercent: 10 },
    normalRate: { offered: 10, received: 10, lost: 0, duplicates: 0, offeredPerSecond: 300, seconds: 1, latency, cpuPercent: 4.9, rssMiB: 151, eventLoopUtilization: 0.05, simulatorCpuPercent: 40, receiverCpuPercent: 10 },
    targets: [],
  };

  it('passes and fails each target against its threshold', () => {
    expect(evaluateTargets(report).map((t) => t.verdict)).toEqual(['pass', 'fail', 'fail', 'pass', 'fail', 'n/a']);
  });

  it('reads the issue\'s 150 MB as 10^6 bytes: 143 MiB passes, 144 MiB (151 MB) fails', () => {
    const rssVerdict = (rssMiB: number): TargetResult | undefined =>
      evaluateTargets({ ...report, normalRate: { ...report.normalRate!, rssMiB } }).find((t) => t.name.endsWith('no LSTM'));
    expect(rssVerdict(143)).toMatchObject({ verdict: 'pass', target: '< 150 MB (143.05 MiB)' });
    expect(rssVerdict(144)?.verdict).toBe('fail');
  });
});

describe('combineThroughput', () => {
  const run = (received: number, seconds: number, cpuMicrosPerRecord: number, cpuPercent: number, simulatorCpuPercent?: number): ThroughputResult => ({
    offered: received,
    received,
    lost: 0,
    duplicates: 0,
    seconds,
    recordsPerSecond: received / seconds,
    cpuMicrosPerRecord,
    requests: received / 100,
    cpuPercent,
    eventLoopUtilization: cpuPercent / 100,
    receiverCpuPercent: 10,
    ...(simulatorCpuPercent !== undefined ? { simulatorCpuPercent } : {}),
  });

  it('takes all records over all seconds, CPU per record weighted by records and percentages by seconds', () => {
    const combined = combineThroughput([run(1000, 1, 20, 90), run(1000, 3, 40, 50)]);
    expect(combined).toMatchObject({ offered: 2000, received: 2000, seconds: 4, requests: 20, cpuMicrosPerRecord: 30, receiverCpuPercent: 10 });
    // 2000 / 4 s, not the mean of 1000 and 333 records/s
    expect(combined.recordsPerSecond).toBe(500);
    expect(combined.cpuPercent).toBe(60);
    expect(combined.eventLoopUtilization).toBeCloseTo(0.6);
    expect(combined.simulatorCpuPercent).toBeUndefined();
  });

  it('returns a single run as it is, keeps the simulator share only when every run has one, and refuses none', () => {
    const one = run(500, 2, 30, 80, 40);
    expect(combineThroughput([one])).toBe(one);
    expect(combineThroughput([one, run(500, 2, 30, 80, 60)]).simulatorCpuPercent).toBe(50);
    expect(() => combineThroughput([])).toThrow(/no runs/);
  });
});

describe('eventJsonRenderer', () => {
  it('renders a stored benchmark Event exactly as the conversion and JSON.stringify serve it', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 5_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        // send times from 2001 to 2286, and an rv counter far along
        fc.integer({ min: 1e15, max: 1e16 }),
        fc.integer({ min: 0, max: 1e9 }),
        (seq, objects, sentMicros, rvBefore) => {
          const store = new ObjectStore({ copyInputs: false, clock: { now: () => Math.floor(sentMicros / 1000) } });
          for (let i = 0; i < rvBefore % 7; i++) store.create('pods', { metadata: { name: `p${i}`, namespace: 'x' } });
          const template = benchEventTemplate(seq, objects);
          const stored = store.create('events', stampBenchEvent(template, sentMicros, Math.floor(sentMicros / 1000)));
          expect(stored).toBe(template.event);
          expect(eventJsonRenderer(stored)(stored)).toBe(JSON.stringify(coreEventToEventsV1(stored)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('covers both recorders and every reason, including a note with quotes, with one renderer per shape', () => {
    const store = new ObjectStore({ copyInputs: false });
    const shapes = new Set<string>();
    const made = new Set<unknown>();
    for (let seq = 0; seq < 40; seq++) {
      const template = benchEventTemplate(seq, 10);
      const stored = store.create('events', stampBenchEvent(template, 1_763_000_000_000_000 + seq, 1_763_000_000_000 + seq));
      const render = eventJsonRenderer(stored);
      made.add(render);
      expect(render(stored)).toBe(JSON.stringify(coreEventToEventsV1(stored)));
      shapes.add(`${template.eventsV1} ${String(stored['reason'])}`);
    }
    expect(shapes.size).toBe(16);
    // one renderer per shape (recorder and reason), shared by every Event of it
    expect(made.size).toBe(16);
    expect([...shapes].some((s) => s.endsWith('Pulled'))).toBe(true);
  });
});
