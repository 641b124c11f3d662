import type { AckResult } from '../../src/export/record-exporter.js';
import type { EventRecord } from '../../src/model/event.js';
import type { RecordSink } from '../../src/pipeline/stages.js';

/** A RecordSink for pipeline tests: the subclass says what `emit` does; findings, acks and flushes do nothing. */
export abstract class TestSink implements RecordSink {
  abstract emit(record: EventRecord): void | Promise<void>;
  async emitFinding(): Promise<void> {}
  onAck(_listener: (result: AckResult) => void): void {}
  inFlight(): number {
    return 0;
  }
  async forceFlush(): Promise<void> {}
  async shutdown(): Promise<void> {}
}
