import type { Readable } from 'node:stream';

/** A line of a watch stream: its bytes, or `tooLong` when it passed the limit and was cut away. */
export type StreamLine = { bytes: Buffer; tooLong?: false } | { bytes?: undefined; tooLong: true };

/**
 * Splits a byte stream into `\n`-terminated lines and yields them in batches: every complete line
 * of each chunk read (a chunk is whatever the stream had buffered, so a burst comes as one batch
 * and the consumer handles it without a wake-up per line). The next chunk is pulled only when the
 * consumer asks for the next batch (async iteration), so a slow consumer stops the reads. Lines
 * longer than `maxLineBytes` are dropped (yielded as `tooLong`), keeping memory bounded. An
 * unterminated last line is yielded only with `emitUnterminated` (files), not for watches (a cut).
 */
export async function* readLineBatches(stream: Readable, maxLineBytes: number, emitUnterminated = false): AsyncGenerator<StreamLine[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;
  for await (const chunk of stream) {
    const batch: StreamLine[] = [];
    let buf = chunk as Buffer;
    let nl = buf.indexOf(0x0a);
    while (nl !== -1) {
      const part = buf.subarray(0, nl);
      if (discarding) {
        discarding = false;
      } else if (pendingBytes + part.length > maxLineBytes) {
        batch.push({ tooLong: true });
      } else {
        const line = pending.length === 0 ? part : Buffer.concat([...pending, part]);
        if (line.length > 0) batch.push({ bytes: line });
      }
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
      nl = buf.indexOf(0x0a);
    }
    if (buf.length > 0 && !discarding) {
      if (pendingBytes + buf.length > maxLineBytes) {
        batch.push({ tooLong: true });
        discarding = true;
        pending = [];
        pendingBytes = 0;
      } else {
        pending.push(buf);
        pendingBytes += buf.length;
      }
    }
    if (batch.length > 0) yield batch;
  }
  // On a watch, a trailing line without `\n` is a connection cut mid-event: the resume from the
  // last resourceVersion delivers that event again. Files may just lack the final newline.
  if (emitUnterminated && !discarding && pendingBytes > 0) yield [{ bytes: Buffer.concat(pending) }];
}

/** {@link readLineBatches}, one line at a time. */
export async function* readLines(stream: Readable, maxLineBytes: number, emitUnterminated = false): AsyncGenerator<StreamLine> {
  for await (const batch of readLineBatches(stream, maxLineBytes, emitUnterminated)) yield* batch;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Decodes a line as strict UTF-8 JSON; undefined when it is not valid UTF-8 or not JSON. */
export function parseJsonLine(bytes: Buffer): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}
