import { isAscii } from 'node:buffer';
import type { Readable } from 'node:stream';

/**
 * A line of a watch stream: its text when its chunk was ASCII (decoded with the chunk's other
 * complete lines in one call), else its bytes (decoded, strictly, when parsed); or `tooLong` when
 * it passed the limit and was cut away.
 */
export type StreamLine =
  | { text: string; bytes?: undefined; tooLong?: false }
  | { bytes: Buffer; text?: undefined; tooLong?: false }
  | { bytes?: undefined; text?: undefined; tooLong: true };

/**
 * Splits a byte stream into `\n`-terminated lines and yields them in batches: every complete line
 * of each chunk read (a chunk is whatever the stream had buffered, so a burst comes as one batch
 * and the consumer handles it without a wake-up per line). The next chunk is pulled only when the
 * consumer asks for the next batch (async iteration), so a slow consumer stops the reads. Lines
 * longer than `maxLineBytes` are dropped (yielded as `tooLong`), keeping memory bounded. An
 * unterminated last line is yielded only with `emitUnterminated` (files), not for watches (a cut).
 *
 * The complete lines of a chunk that is all ASCII (the usual watch: the API server escapes
 * nothing, but Kubernetes names and most notes are ASCII) are decoded in one call and handed
 * over as strings; a byte 0x0a never occurs inside a multi-byte UTF-8 sequence, so cutting at
 * newlines first is safe for the others, which keep their bytes.
 */
export async function* readLineBatches(stream: Readable, maxLineBytes: number, emitUnterminated = false): AsyncGenerator<StreamLine[]> {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let discarding = false;
  for await (const chunk of stream) {
    const batch: StreamLine[] = [];
    let buf = chunk as Buffer;
    const nl = buf.indexOf(0x0a);
    if (nl !== -1 && (pendingBytes > 0 || discarding)) {
      // the end of a line begun in an earlier chunk
      const part = buf.subarray(0, nl);
      if (discarding) discarding = false;
      else if (pendingBytes + part.length > maxLineBytes) batch.push({ tooLong: true });
      else batch.push({ bytes: Buffer.concat([...pending, part]) });
      pending = [];
      pendingBytes = 0;
      buf = buf.subarray(nl + 1);
    }
    const last = buf.lastIndexOf(0x0a);
    if (last !== -1) {
      splitComplete(buf.subarray(0, last), maxLineBytes, batch);
      buf = buf.subarray(last + 1);
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

/**
 * The lines of `complete` (whole lines, without the last newline) onto `batch`: as strings cut
 * from one decoded text when all of it is ASCII (one character is one byte, so the positions
 * are the same), else as bytes.
 */
function splitComplete(complete: Buffer, maxLineBytes: number, batch: StreamLine[]): void {
  const text = isAscii(complete) ? complete.toString('latin1') : undefined;
  let start = 0;
  while (start <= complete.length) {
    let end = text !== undefined ? text.indexOf('\n', start) : complete.indexOf(0x0a, start);
    if (end === -1) end = complete.length;
    const length = end - start;
    if (length > maxLineBytes) batch.push({ tooLong: true });
    else if (length > 0) batch.push(text !== undefined ? { text: text.slice(start, end) } : { bytes: complete.subarray(start, end) });
    start = end + 1;
  }
}

/** {@link readLineBatches}, one line at a time. */
export async function* readLines(stream: Readable, maxLineBytes: number, emitUnterminated = false): AsyncGenerator<StreamLine> {
  for await (const batch of readLineBatches(stream, maxLineBytes, emitUnterminated)) yield* batch;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

/** Parses a stream line as JSON; undefined when it is cut away, not valid UTF-8 or not JSON. */
export function parseStreamLine(line: StreamLine): unknown {
  if (line.text !== undefined) {
    try {
      return JSON.parse(line.text);
    } catch {
      return undefined;
    }
  }
  return line.bytes === undefined ? undefined : parseJsonLine(line.bytes);
}

/** The text of a line (lossy for bytes that are not UTF-8), or undefined when it was cut away: for tests and messages. */
export function lineText(line: StreamLine): string | undefined {
  return line.text ?? line.bytes?.toString('utf8');
}

/** Decodes a line as strict UTF-8 JSON; undefined when it is not valid UTF-8 or not JSON. */
export function parseJsonLine(bytes: Buffer): unknown {
  try {
    return JSON.parse(decoder.decode(bytes));
  } catch {
    return undefined;
  }
}
