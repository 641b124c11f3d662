import { mkdtempSync, readdirSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DiskQueue, type DiskQueueOptions } from '../../src/export/queue/disk-queue.js';
import { fullJitterBackoffMillis } from '../../src/export/queue/backoff.js';

const open: DiskQueue[] = [];

afterEach(() => {
  for (const queue of open.splice(0)) queue.close();
});

function openQueue(options: Partial<DiskQueueOptions> & { directory: string }): DiskQueue {
  const queue = DiskQueue.open({ maxBytes: 1_000_000, segmentBytes: 100, ...options });
  open.push(queue);
  return queue;
}

function closeQueue(queue: DiskQueue): void {
  queue.close();
  open.splice(open.indexOf(queue), 1);
}

/** Reads and removes everything queued, oldest first. */
function drain(queue: DiskQueue): string[] {
  const out: string[] = [];
  for (let peeked = queue.peek(); peeked; peeked = queue.peek()) {
    out.push(peeked.payload.toString());
    queue.shift(peeked.entry);
  }
  return out;
}

const tempDir = (): string => mkdtempSync(join(tmpdir(), 'eventide-dq-'));
const segments = (dir: string): string[] => readdirSync(dir).filter((n) => n.endsWith('.seg')).sort();

describe('DiskQueue', () => {
  it('is FIFO across segments and across a restart, and deletes fully read segments', () => {
    const directory = tempDir();
    const first = openQueue({ directory });
    for (let i = 0; i < 10; i++) first.append(Buffer.from(`entry-${i}-${'x'.repeat(40)}`), i + 1);
    expect(segments(directory).length).toBeGreaterThan(3); // 100-byte segments: two entries each
    expect(first.records).toBe(55);
    for (let i = 0; i < 3; i++) {
      const peeked = first.peek();
      expect(peeked?.payload.toString()).toMatch(new RegExp(`^entry-${i}-`));
      expect(first.shift(peeked!.entry)).toBe(true);
    }
    closeQueue(first);

    const second = openQueue({ directory });
    expect(second.loaded).toMatchObject({ entries: 7, records: 4 + 5 + 6 + 7 + 8 + 9 + 10, corruptEntries: 0 });
    second.append(Buffer.from('entry-10'), 1);
    expect(drain(second).map((p) => p.split('-')[1])).toEqual(['3', '4', '5', '6', '7', '8', '9', '10']);
    expect(second.entries).toBe(0);
    expect(segments(directory)).toEqual([]);
  });

  it('re-reads rather than skips when the cursor is behind (a crash between send and cursor write)', () => {
    const directory = tempDir();
    const queue = openQueue({ directory, segmentBytes: 10_000 });
    for (let i = 0; i < 4; i++) queue.append(Buffer.from(`e${i}`), 1);
    queue.shift(queue.peek()!.entry);
    const cursor = readFileSync(join(directory, 'cursor.json'), 'utf8'); // points at e1
    queue.shift(queue.peek()!.entry);
    closeQueue(queue);
    writeFileSync(join(directory, 'cursor.json'), cursor); // as if the second shift's cursor write never happened
    expect(drain(openQueue({ directory }))).toEqual(['e1', 'e2', 'e3']);
  });

  it('skips and counts a last entry cut short by a crash, keeping everything before it', () => {
    const directory = tempDir();
    const queue = openQueue({ directory, segmentBytes: 10_000 });
    queue.append(Buffer.from('kept-1'), 2);
    queue.append(Buffer.from('kept-2'), 3);
    queue.append(Buffer.from('cut-short-entry'), 7);
    closeQueue(queue);
    const [file] = segments(directory);
    const path = join(directory, file!);
    truncateSync(path, statSync(path).size - 4);

    const reopened = openQueue({ directory });
    expect(reopened.loaded).toMatchObject({ entries: 2, records: 5, corruptEntries: 1, corruptRecords: 7 });
    reopened.append(Buffer.from('after-restart'), 1);
    expect(drain(reopened)).toEqual(['kept-1', 'kept-2', 'after-restart']);
  });

  it('skips an entry whose checksum does not match (a flipped byte)', () => {
    const directory = tempDir();
    const queue = openQueue({ directory, segmentBytes: 10_000 });
    queue.append(Buffer.from('good'), 1);
    queue.append(Buffer.from('flipped'), 1);
    closeQueue(queue);
    const path = join(directory, segments(directory)[0]!);
    const bytes = readFileSync(path);
    bytes[bytes.length - 1] = (bytes[bytes.length - 1] ?? 0) ^ 0xff;
    writeFileSync(path, bytes);
    const reopened = openQueue({ directory });
    expect(reopened.loaded.corruptEntries).toBe(1);
    expect(drain(reopened)).toEqual(['good']);
  });

  it('over maxBytes drops the OLDEST entries first and says how many records went', () => {
    const directory = tempDir();
    // each frame: 16-byte header + 10-byte payload = 26 bytes; 100 bytes hold 3
    const queue = openQueue({ directory, maxBytes: 100, segmentBytes: 30 });
    let droppedRecords = 0;
    for (let i = 0; i < 8; i++) droppedRecords += queue.append(Buffer.from(`payload-0${i}`), 10 + i).records;
    expect(queue.entries).toBe(3);
    expect(queue.bytes).toBeLessThanOrEqual(100);
    expect(droppedRecords).toBe(10 + 11 + 12 + 13 + 14);
    expect(drain(queue)).toEqual(['payload-05', 'payload-06', 'payload-07']);
  });

  it('refuses (and reports as dropped) an entry larger than the whole cap', () => {
    const queue = openQueue({ directory: tempDir(), maxBytes: 50, segmentBytes: 50 });
    queue.append(Buffer.from('small'), 1);
    expect(queue.append(Buffer.alloc(100), 4)).toEqual({ entries: 1, records: 4, bytes: 116 });
    expect(drain(queue)).toEqual(['small']);
  });

  it('prepend puts entries in front of the queue, also across a restart', () => {
    const directory = tempDir();
    const queue = openQueue({ directory });
    queue.append(Buffer.from('newer-1'), 1);
    queue.append(Buffer.from('newer-2'), 1);
    queue.prepend([
      { payload: Buffer.from('older-1'), records: 1 },
      { payload: Buffer.from('older-2'), records: 1 },
    ]);
    closeQueue(queue);
    expect(drain(openQueue({ directory }))).toEqual(['older-1', 'older-2', 'newer-1', 'newer-2']);
  });

  it('one directory serves one queue at a time', () => {
    const directory = tempDir();
    openQueue({ directory });
    expect(() => DiskQueue.open({ directory, maxBytes: 1000, segmentBytes: 100 })).toThrow(/export\.queue\.directory/);
  });
});

describe('fullJitterBackoffMillis', () => {
  it.each([
    [0, 0.5, 50],
    [1, 0.5, 100],
    [3, 0.999, 799],
    [10, 0.5, 2500], // capped at maxMillis 5000
    [60, 1 - Number.EPSILON, 4999],
    [2, 0, 0],
  ])('retry %i with random %f waits %i ms (initial 100, max 5000)', (retry, random, expected) => {
    expect(fullJitterBackoffMillis(retry, 100, 5000, () => random)).toBe(expected);
  });
});
