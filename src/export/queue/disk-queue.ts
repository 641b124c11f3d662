import { closeSync, fdatasyncSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { crc32 } from 'node:zlib';

/** Options of a {@link DiskQueue}. */
export interface DiskQueueOptions {
  /** Directory of the segment files, created when missing. */
  directory: string;
  /** Cap of the queued bytes (frames included); the oldest entries are dropped past it. */
  maxBytes: number;
  /** A segment receives no more appends once it holds this many bytes. */
  segmentBytes: number;
}

/** Where one queued entry lives. */
export interface DiskQueueEntry {
  readonly segment: number;
  readonly offset: number;
  /** Frame bytes (header + payload). */
  readonly bytes: number;
  /** Records in the entry (as given to append). */
  readonly records: number;
}

/** Entries removed to respect the cap (or refused for being larger than it). */
export interface DroppedEntries {
  entries: number;
  records: number;
  bytes: number;
}

/** What {@link DiskQueue.open} found on disk. */
export interface DiskQueueLoad {
  entries: number;
  records: number;
  bytes: number;
  /** Entries skipped because their frame was truncated or failed its checksum (e.g. a crash mid-write). */
  corruptEntries: number;
  /** Records of the corrupt entries whose header could still be read. */
  corruptRecords: number;
}

interface Segment {
  id: number;
  path: string;
  entries: DiskQueueEntry[];
  /** Bytes in the file (consumed ones included). */
  size: number;
}

/** Frame header: magic, payload length, CRC-32 of the payload, record count (u32 big-endian each). */
const HEADER_BYTES = 16;
const MAGIC = 0x45564531; // "EVE1"
/** Ids start high so that entries put back in front of the queue (prepend) get smaller ids. */
const FIRST_SEGMENT_ID = 1_000_000_000_000;
const SEGMENT_PATTERN = /^(\d{16})\.seg$/;
const CURSOR_FILE = 'cursor.json';
const LOCK_FILE = 'lock';

/** Directories open in this process (a lock file alone cannot tell two instances of one process apart). */
const openDirectories = new Set<string>();

function segmentName(id: number): string {
  return `${String(id).padStart(16, '0')}.seg`;
}

function frame(payload: Buffer, records: number): Buffer {
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt32BE(MAGIC, 0);
  header.writeUInt32BE(payload.length, 4);
  header.writeUInt32BE(crc32(payload), 8);
  header.writeUInt32BE(records, 12);
  return Buffer.concat([header, payload]);
}

function writeAll(fd: number, data: Buffer): void {
  let written = 0;
  while (written < data.length) written += writeSync(fd, data, written, data.length - written);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * A FIFO of byte entries in append-only segment files, for one process at a time (a `lock` file
 * with its pid). Each entry is a frame with a checksum, written and fdatasync'ed before append()
 * returns, so a queued entry survives kill -9 (and a power loss). The read position is kept in
 * `cursor.json` (written atomically after each shift; a stale cursor re-reads, never skips);
 * fully read segments are deleted. Over `maxBytes`, the OLDEST entries are dropped.
 * Synchronous I/O: one write per export batch, off the per-record path.
 */
export class DiskQueue {
  private readonly segments: Segment[] = [];
  private readonly directory: string;
  private tailFd: number | undefined;
  private nextId: number;
  private queuedBytes = 0;
  private queuedRecords = 0;
  private queuedEntries = 0;
  private closed = false;

  private constructor(
    private readonly options: DiskQueueOptions,
    /** What the queue held when it was opened. */
    readonly loaded: DiskQueueLoad,
  ) {
    this.directory = resolve(options.directory);
    this.nextId = FIRST_SEGMENT_ID;
  }

  /**
   * Opens (creating it when missing) the queue in `options.directory` and loads what a previous
   * run left, skipping corrupt frames. Throws when another live process holds the directory, or
   * on an I/O error, with a message naming `export.queue.directory`.
   */
  static open(options: DiskQueueOptions): DiskQueue {
    const directory = resolve(options.directory);
    if (openDirectories.has(directory)) {
      throw new Error(`export.queue.directory: ${directory} is already used by another exporter in this process; give each exporter its own directory`);
    }
    mkdirSync(directory, { recursive: true });
    DiskQueue.lock(directory);
    openDirectories.add(directory);
    const load: DiskQueueLoad = { entries: 0, records: 0, bytes: 0, corruptEntries: 0, corruptRecords: 0 };
    const queue = new DiskQueue(options, load);
    try {
      queue.load(load);
    } catch (error) {
      queue.close();
      throw error;
    }
    return queue;
  }

  private static lock(directory: string): void {
    const path = join(directory, LOCK_FILE);
    try {
      writeFileSync(path, String(process.pid), { flag: 'wx' });
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(readFileSync(path, 'utf8').trim());
    if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && pidAlive(holder)) {
      throw new Error(`export.queue.directory: ${directory} is locked by process ${holder}; give each eventide process its own directory (or delete ${path} if that process is not eventide)`);
    }
    writeFileSync(path, String(process.pid)); // a stale lock from a crashed run
  }

  /** Queued entries. */
  get entries(): number {
    return this.queuedEntries;
  }

  /** Queued records. */
  get records(): number {
    return this.queuedRecords;
  }

  /** Queued bytes (frames). */
  get bytes(): number {
    return this.queuedBytes;
  }

  /** Appends one entry at the tail, dropping the oldest entries first to stay within maxBytes. */
  append(payload: Buffer, records: number): DroppedEntries {
    const data = frame(payload, records);
    const dropped: DroppedEntries = { entries: 0, records: 0, bytes: 0 };
    if (data.length > this.options.maxBytes) return { entries: 1, records, bytes: data.length };
    while (this.queuedBytes + data.length > this.options.maxBytes && this.queuedEntries > 0) this.dropHead(dropped);
    let tail = this.segments.at(-1);
    if (tail === undefined || this.tailFd === undefined || tail.size >= this.options.segmentBytes) {
      tail = this.startSegment(this.nextId++);
    }
    const fd = this.tailFd as number;
    writeAll(fd, data);
    fdatasyncSync(fd);
    tail.entries.push({ segment: tail.id, offset: tail.size, bytes: data.length, records });
    tail.size += data.length;
    this.count(1, records, data.length);
    if (dropped.entries > 0) this.writeCursor();
    return dropped;
  }

  /**
   * Puts entries in FRONT of the queue, in the given order (older than everything queued): the
   * records a shutdown takes from memory. Over the cap, the first of them are dropped.
   */
  prepend(items: readonly { payload: Buffer; records: number }[]): DroppedEntries {
    const dropped: DroppedEntries = { entries: 0, records: 0, bytes: 0 };
    const frames = items.map((item) => ({ data: frame(item.payload, item.records), records: item.records }));
    let total = frames.reduce((sum, f) => sum + f.data.length, 0);
    while (frames.length > 0 && this.queuedBytes + total > this.options.maxBytes) {
      const first = frames.shift() as { data: Buffer; records: number };
      total -= first.data.length;
      dropped.entries++;
      dropped.records += first.records;
      dropped.bytes += first.data.length;
    }
    if (frames.length === 0) return dropped;
    const id = (this.segments[0]?.id ?? this.nextId) - 1;
    if (this.segments.length === 0) this.nextId = id + 1;
    const segment: Segment = { id, path: join(this.directory, segmentName(id)), entries: [], size: 0 };
    const fd = openSync(segment.path, 'w');
    try {
      for (const f of frames) {
        writeAll(fd, f.data);
        segment.entries.push({ segment: id, offset: segment.size, bytes: f.data.length, records: f.records });
        segment.size += f.data.length;
        this.count(1, f.records, f.data.length);
      }
      fdatasyncSync(fd);
    } finally {
      closeSync(fd);
    }
    this.segments.unshift(segment);
    this.writeCursor();
    return dropped;
  }

  /** The oldest entry and its payload, or undefined when the queue is empty. */
  peek(): { entry: DiskQueueEntry; payload: Buffer } | undefined {
    const segment = this.segments[0];
    const entry = segment?.entries[0];
    if (!segment || !entry) return undefined;
    const payload = Buffer.alloc(entry.bytes - HEADER_BYTES);
    const fd = openSync(segment.path, 'r');
    try {
      let read = 0;
      while (read < payload.length) {
        const n = readSync(fd, payload, read, payload.length - read, entry.offset + HEADER_BYTES + read);
        if (n === 0) throw new Error(`${segment.path}: entry at ${entry.offset} is cut short`);
        read += n;
      }
    } finally {
      closeSync(fd);
    }
    return { entry, payload };
  }

  /** Removes the oldest entry whatever it is (e.g. one that cannot be read), and says what went. */
  dropOldest(): DroppedEntries {
    const dropped: DroppedEntries = { entries: 0, records: 0, bytes: 0 };
    this.dropHead(dropped);
    this.writeCursor();
    return dropped;
  }

  /** Removes `entry` if it is still the oldest (false otherwise, e.g. it was dropped meanwhile). */
  shift(entry: DiskQueueEntry): boolean {
    const head = this.segments[0]?.entries[0];
    if (head !== entry) return false;
    this.removeHead();
    this.writeCursor();
    return true;
  }

  /** Closes the tail file and releases the lock; what is queued stays for the next open. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.tailFd !== undefined) closeSync(this.tailFd);
    this.tailFd = undefined;
    try {
      unlinkSync(join(this.directory, LOCK_FILE));
    } catch {
      // already gone
    }
    openDirectories.delete(this.directory);
  }

  private dropHead(dropped: DroppedEntries): void {
    const entry = this.segments[0]?.entries[0];
    if (!entry) return;
    dropped.entries++;
    dropped.records += entry.records;
    dropped.bytes += entry.bytes;
    this.removeHead();
  }

  private removeHead(): void {
    const segment = this.segments[0];
    const entry = segment?.entries.shift();
    if (!segment || !entry) return;
    this.count(-1, -entry.records, -entry.bytes);
    if (segment.entries.length > 0) return;
    const isTail = this.segments.length === 1;
    if (isTail && this.tailFd !== undefined) {
      closeSync(this.tailFd);
      this.tailFd = undefined;
    }
    this.segments.shift();
    unlinkSync(segment.path);
  }

  private startSegment(id: number): Segment {
    if (this.tailFd !== undefined) closeSync(this.tailFd);
    const segment: Segment = { id, path: join(this.directory, segmentName(id)), entries: [], size: 0 };
    this.tailFd = openSync(segment.path, 'a');
    this.segments.push(segment);
    return segment;
  }

  private count(entries: number, records: number, bytes: number): void {
    this.queuedEntries += entries;
    this.queuedRecords += records;
    this.queuedBytes += bytes;
  }

  /** Points cursor.json at the oldest entry (removed when the queue is empty). Atomic: temp file + rename. */
  private writeCursor(): void {
    const path = join(this.directory, CURSOR_FILE);
    const head = this.segments[0]?.entries[0];
    if (!head) {
      try {
        unlinkSync(path);
      } catch {
        // no cursor yet
      }
      return;
    }
    const temp = `${path}.tmp`;
    writeFileSync(temp, JSON.stringify({ segment: head.segment, offset: head.offset }));
    renameSync(temp, path);
  }

  private readCursor(): { segment: number; offset: number } | undefined {
    try {
      const parsed = JSON.parse(readFileSync(join(this.directory, CURSOR_FILE), 'utf8')) as { segment?: unknown; offset?: unknown };
      if (typeof parsed.segment === 'number' && typeof parsed.offset === 'number') return { segment: parsed.segment, offset: parsed.offset };
    } catch {
      // missing or unreadable: read every segment from its start
    }
    return undefined;
  }

  private load(load: DiskQueueLoad): void {
    const cursor = this.readCursor();
    const ids = readdirSync(this.directory)
      .map((name) => SEGMENT_PATTERN.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    for (const id of ids) {
      const path = join(this.directory, segmentName(id));
      if (cursor && id < cursor.segment) {
        unlinkSync(path);
        continue;
      }
      const segment = this.scan(id, path, cursor && id === cursor.segment ? cursor.offset : 0, load);
      if (segment.entries.length === 0) unlinkSync(path);
      else this.segments.push(segment);
      this.nextId = Math.max(this.nextId, id + 1);
    }
    load.entries = this.queuedEntries;
    load.records = this.queuedRecords;
    load.bytes = this.queuedBytes;
    this.writeCursor();
  }

  /** Reads the frames of one segment from `start`; a bad frame ends the segment (counted). */
  private scan(id: number, path: string, start: number, load: DiskQueueLoad): Segment {
    const data = readFileSync(path);
    const segment: Segment = { id, path, entries: [], size: data.length };
    let offset = start;
    while (offset < data.length) {
      const rest = data.length - offset;
      const header = rest >= HEADER_BYTES && data.readUInt32BE(offset) === MAGIC;
      const length = header ? data.readUInt32BE(offset + 4) : 0;
      const records = header ? data.readUInt32BE(offset + 12) : 0;
      const intact = header && rest >= HEADER_BYTES + length && crc32(data.subarray(offset + HEADER_BYTES, offset + HEADER_BYTES + length)) === data.readUInt32BE(offset + 8);
      if (!intact) {
        load.corruptEntries++;
        if (header) load.corruptRecords += records;
        break;
      }
      segment.entries.push({ segment: id, offset, bytes: HEADER_BYTES + length, records });
      this.count(1, records, HEADER_BYTES + length);
      offset += HEADER_BYTES + length;
    }
    return segment;
  }
}
