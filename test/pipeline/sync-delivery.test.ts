import { describe, expect, it } from 'vitest';
import type { EventRecord, KEvent } from '../../src/model/event.js';
import { ManualClock } from '../../src/model/time.js';
import { silentLogger } from '../../src/observe/logger.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { SkipReporter } from '../../src/observe/skips.js';
import { Pipeline } from '../../src/pipeline/pipeline.js';
import { buildEvent } from '../support/builders.js';
import { TestSink } from '../support/sinks.js';

/** A sink that takes records at once until `blocked`, then makes each emit wait for `unblock()`. */
class GatedSink extends TestSink {
  readonly seqs: number[] = [];
  blocked = false;
  private waiting: (() => void)[] = [];

  emit(record: EventRecord): void | Promise<void> {
    if (!this.blocked) {
      this.seqs.push(record.seq);
      return;
    }
    return new Promise<void>((resolve) => this.waiting.push(resolve)).then(() => {
      this.seqs.push(record.seq);
    });
  }
  unblock(): void {
    this.blocked = false;
    for (const wake of this.waiting.splice(0)) wake();
  }
}

function pipelineWith(sink: GatedSink, due: KEvent[] = []): Pipeline {
  const metrics = createMetrics();
  const logger = silentLogger();
  return new Pipeline(
    {
      gate: { offer: () => 'deliver', due: () => due.splice(0), drain: () => [] },
      classify: { classify: () => ({ category: 'Unknown', severity: 'Info', ruleId: 'none', escalated: false }) },
      correlate: { assign: (record) => `c-${record.seq}` },
      redact: { redactEvent: (event) => event, redactText: (text) => text },
      sink,
    },
    { clock: new ManualClock(0), logger, metrics, skips: new SkipReporter(logger, metrics) },
  );
}

describe('Pipeline.deliver', () => {
  it('runs synchronously and returns nothing while the sink takes records at once', () => {
    const sink = new GatedSink();
    const pipeline = pipelineWith(sink);
    expect(pipeline.deliver(buildEvent({ uid: 'a' }))).toBeUndefined();
    expect(pipeline.deliver(buildEvent({ uid: 'b' }))).toBeUndefined();
    expect(sink.seqs).toEqual([1, 2]);
    expect(pipeline.counts().exported).toBe(2);
  });

  it('returns a promise while the sink makes it wait, and counts the record only once taken', async () => {
    const sink = new GatedSink();
    const pipeline = pipelineWith(sink);
    sink.blocked = true;
    const waiting = pipeline.deliver(buildEvent({ uid: 'a' }));
    expect(waiting).toBeInstanceOf(Promise);
    expect(pipeline.counts().exported).toBe(0);
    sink.unblock();
    await waiting;
    expect(sink.seqs).toEqual([1]);
    expect(pipeline.counts().exported).toBe(1);
  });

  it('exports releases that fall due after the delivered Event, in order, also when one of them waits', async () => {
    const sink = new GatedSink();
    const due = [buildEvent({ uid: 'held-1' }), buildEvent({ uid: 'held-2' })];
    const pipeline = pipelineWith(sink, due);
    const first = pipeline.deliver(buildEvent({ uid: 'a' }));
    expect(first).toBeUndefined();
    expect(sink.seqs).toEqual([1, 2, 3]);

    due.push(buildEvent({ uid: 'held-3' }), buildEvent({ uid: 'held-4' }));
    sink.blocked = true;
    const second = pipeline.deliver(buildEvent({ uid: 'b' }));
    expect(second).toBeInstanceOf(Promise);
    sink.unblock();
    await second;
    expect(sink.seqs).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
