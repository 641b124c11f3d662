import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import type { LogRecordExporter, ReadableLogRecord } from '@opentelemetry/sdk-logs';

/** What a record is, for ack tracking. Kept out of the record's attributes. */
export interface DeliveryTag {
  kind: 'event' | 'finding';
  /** EventRecord.seq of an event record. */
  seq?: number;
}

/** A log record as eventide batches it: SDK-shaped, with its delivery tag beside the OTLP fields (never sent). */
export interface ExportLogRecord extends ReadableLogRecord {
  /** What the record is, for acks; absent on records read back from the disk queue. */
  readonly tag?: DeliveryTag;
}

/** Outcome of one export batch, as given to ack listeners. */
export interface BatchOutcome {
  /** Seqs of the event records in the batch, in batch order. */
  seqs: number[];
  /** Records per kind in the batch (tagged ones only). */
  counts: { event: number; finding: number };
  ok: boolean;
  /** True when the batch was written to the disk queue rather than taken by the collector (it is delivered later, also after a restart). */
  queued?: boolean;
  error?: unknown;
}

/** Retry policy of {@link AckingExporter}. */
export interface RetryPolicy {
  /** Attempts per batch, the first included. */
  maxAttempts: number;
  initialBackoffMillis: number;
  maxBackoffMillis: number;
  /** Give up retrying when the next attempt would start later than this after the first, ms. */
  deadlineMillis: number;
}

/**
 * gRPC codes the OTLP spec calls retryable (CANCELLED, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED,
 * ABORTED, OUT_OF_RANGE, UNAVAILABLE, DATA_LOSS). The JS gRPC exporter does not retry by itself.
 */
export const RETRYABLE_GRPC_CODES: ReadonlySet<number> = new Set([1, 4, 8, 10, 11, 14, 15]);

/** The gRPC status code of an export error, if it has one. */
export function grpcCode(error: unknown): number | undefined {
  if (typeof error === 'object' && error !== null && 'code' in error) {
    const code = (error as { code: unknown }).code;
    if (typeof code === 'number') return code;
  }
  return undefined;
}

/**
 * A LogRecordExporter around the transport exporter: retries retryable failures with capped
 * exponential backoff, then reports each batch's outcome (with the seqs of its event records,
 * read from their {@link ExportLogRecord.tag}) to `onOutcome` exactly once, before the batcher's callback.
 */
export class AckingExporter implements LogRecordExporter {
  private readonly pending = new Set<Promise<void>>();

  constructor(
    private readonly inner: LogRecordExporter,
    private readonly policy: RetryPolicy,
    private readonly onOutcome: (outcome: BatchOutcome) => void,
    private readonly now: () => number = Date.now,
  ) {}

  export(logs: ReadableLogRecord[], resultCallback: (result: ExportResult) => void): void {
    const done = this.exportWithRetry(logs).then((result) => {
      this.pending.delete(done);
      this.report(logs, result);
      resultCallback(result);
    });
    this.pending.add(done);
  }

  async forceFlush(): Promise<void> {
    await Promise.all([...this.pending]);
    await this.inner.forceFlush();
  }

  async shutdown(): Promise<void> {
    await Promise.all([...this.pending]);
    await this.inner.shutdown();
  }

  private async exportWithRetry(logs: ReadableLogRecord[]): Promise<ExportResult> {
    const started = this.now();
    let backoff = this.policy.initialBackoffMillis;
    for (let attempt = 1; ; attempt++) {
      const result = await this.exportOnce(logs);
      if (result.code === ExportResultCode.SUCCESS) return result;
      const code = grpcCode(result.error);
      const retryable = code !== undefined && RETRYABLE_GRPC_CODES.has(code);
      const wait = Math.min(backoff, this.policy.maxBackoffMillis);
      if (!retryable || attempt >= this.policy.maxAttempts || this.now() + wait - started > this.policy.deadlineMillis) return result;
      await new Promise((resolve) => setTimeout(resolve, wait));
      backoff *= 1.5;
    }
  }

  private exportOnce(logs: ReadableLogRecord[]): Promise<ExportResult> {
    return exportOnce(this.inner, logs);
  }

  private report(logs: ReadableLogRecord[], result: ExportResult): void {
    const { seqs, counts } = describeBatch(logs);
    const ok = result.code === ExportResultCode.SUCCESS;
    this.onOutcome(ok ? { seqs, counts, ok } : { seqs, counts, ok, error: result.error });
  }
}

/** The seqs of a batch's event records (in batch order) and its tagged records per kind. */
export function describeBatch(logs: readonly ReadableLogRecord[]): Pick<BatchOutcome, 'seqs' | 'counts'> {
  const seqs: number[] = [];
  const counts = { event: 0, finding: 0 };
  for (const record of logs as readonly ExportLogRecord[]) {
    const tag = record.tag;
    if (!tag) continue;
    counts[tag.kind]++;
    if (tag.seq !== undefined) seqs.push(tag.seq);
  }
  return { seqs, counts };
}

/** Sends one batch through `exporter`, turning a throw into a FAILED result. */
export function exportOnce(exporter: LogRecordExporter, logs: ReadableLogRecord[]): Promise<ExportResult> {
  return new Promise((resolve) => {
    try {
      exporter.export(logs, resolve);
    } catch (error) {
      resolve({ code: ExportResultCode.FAILED, error: error instanceof Error ? error : new Error(String(error)) });
    }
  });
}

/** True for an export error whose gRPC code the OTLP spec calls retryable. */
export function isRetryable(error: unknown): boolean {
  const code = grpcCode(error);
  return code !== undefined && RETRYABLE_GRPC_CODES.has(code);
}
