import { randomUUID } from 'node:crypto';
import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../observe/logger.js';
import type { Checkpoint, CheckpointStore, PiecewiseCheckpoint } from './checkpoint.js';
import { CheckpointFormatError, decodeCheckpoint, decodeStoredCheckpoint, encodeCheckpointChunks } from './checkpoint-codec.js';

/** Options of a {@link FileCheckpointStore}. */
export interface FileCheckpointStoreOptions {
  logger?: Logger;
  /**
   * The journal is folded into a new snapshot once it is this large and at least as large as the
   * snapshot, bytes. Default 1 MiB.
   */
  journalMinBytes?: number;
  /** Id of a new journal (tests). Default a random UUID. */
  newJournalId?: () => string;
}

/** What {@link FileCheckpointStore.load} found in the journal, for the log and for tests. */
export interface JournalReplay {
  /** Lines applied after the snapshot. */
  applied: number;
  /** An incomplete last line (a crash during an append) was left out. */
  tornTail: boolean;
  /** 1-based line number of an unreadable line; it and every line after it were left out. */
  badLine?: number;
  /** The journal belonged to an older snapshot (a crash between a snapshot and its new journal) and was left out whole. */
  stale: boolean;
}

/**
 * A checkpoint in a JSON file (the snapshot) and a journal beside it (`<path>.journal`).
 *
 * The snapshot is the whole checkpoint. Saves are atomic: the JSON is written to a temporary
 * file beside it, fsynced, renamed over the old one, and the directory fsynced, so a crash
 * leaves either the old or the new snapshot, never half of one. It names a fresh journal (a
 * random id, also on the journal's first line), written the same way right after it.
 *
 * Between snapshots, {@link append} adds one line to the journal per save: the new resume point
 * and only the pairs acknowledged since the last save, fsynced. So a save costs in proportion to
 * what changed, not to the `exported` list: at 300 new Events/s with 200,000 pairs remembered, a
 * 5 s save appends ~70 KB instead of rewriting ~9 MB (docs/delivery.md). Once the journal is at
 * least `journalMinBytes` and as large as the snapshot, `append` declines and the next save is
 * a whole snapshot with a new, empty journal: a restart reads at most about twice the snapshot.
 *
 * Loading replays the journal over the snapshot: each line's pairs in order (a uid seen again
 * moves to the newest end with the larger count), and the last line's resume point. An
 * incomplete last line (a crash during an append) is left out, and so is a journal whose id is
 * not the snapshot's (a crash between a snapshot and its journal: the snapshot holds everything
 * the old journal did). An unreadable line in the middle stops the replay there with a warning:
 * the lines before it stand, and the older resume point means Events are read again, not lost.
 * The first save of every process is a whole snapshot, so a damaged journal is never appended to.
 *
 * A snapshot that cannot be parsed (edited by hand, a foreign file, a future version) is not
 * fatal: it is moved aside to `<path>.corrupt`, a warning names both files, and the run starts
 * fresh (a full list; already-exported records may be exported again, carrying the same
 * `log.record.uid`). A file that cannot be read at all (permissions) is an error naming the fix.
 */
export class FileCheckpointStore implements CheckpointStore {
  /** Absolute path of the snapshot file. */
  readonly path: string;
  /** Absolute path of the journal file. */
  readonly journalPath: string;
  /** What the last {@link load} found in the journal; undefined when there was none to read. */
  lastReplay: JournalReplay | undefined;
  private readonly logger: Logger | undefined;
  private readonly journalMinBytes: number;
  private readonly newJournalId: () => string;
  /** Set once this process wrote a snapshot and its journal: only then may it append. */
  private journalOpen = false;
  private snapshotBytes = 0;
  private journalBytes = 0;

  constructor(path: string, options: FileCheckpointStoreOptions = {}) {
    this.path = resolve(path);
    this.journalPath = `${this.path}.journal`;
    this.logger = options.logger;
    this.journalMinBytes = options.journalMinBytes ?? 1024 * 1024;
    this.newJournalId = options.newJournalId ?? randomUUID;
  }

  /** The saved checkpoint with its journal replayed; undefined when there is none (or it was corrupt, see the class doc). */
  async load(): Promise<Checkpoint | undefined> {
    this.lastReplay = undefined;
    const text = await this.read(this.path);
    if (text === undefined) return undefined;
    let stored: { checkpoint: Checkpoint; journal?: string };
    try {
      stored = decodeStoredCheckpoint(text);
    } catch (err) {
      if (!(err instanceof CheckpointFormatError)) throw err;
      const aside = `${this.path}.corrupt`;
      await rename(this.path, aside).catch(() => undefined);
      this.logger?.warn(
        { path: this.path, movedTo: aside, problem: err.message },
        `checkpoint file ${this.path} is not a valid eventide checkpoint (${err.message}); moved it to ${aside} and starting fresh: Events still on the API server are listed again`,
      );
      return undefined;
    }
    if (stored.journal === undefined) return stored.checkpoint;
    const journal = await this.read(this.journalPath);
    if (journal === undefined) return stored.checkpoint;
    const { checkpoint, replay } = replayJournal(stored.checkpoint, stored.journal, journal);
    this.lastReplay = replay;
    if (replay.badLine !== undefined) {
      this.logger?.warn(
        { path: this.journalPath, line: replay.badLine, applied: replay.applied },
        `checkpoint journal ${this.journalPath} has an unreadable line ${replay.badLine}; resuming from the line before it (Events after that point are read again, not lost)`,
      );
    } else if (replay.tornTail) {
      this.logger?.info({ path: this.journalPath, applied: replay.applied }, 'checkpoint journal ends in an incomplete line (a save interrupted by a stop); left it out');
    }
    return checkpoint;
  }

  /** Atomically replaces the snapshot with `checkpoint` (its `exported` read a piece at a time) and starts an empty journal (creating the directory if needed). */
  async save(checkpoint: PiecewiseCheckpoint): Promise<void> {
    this.journalOpen = false;
    await mkdir(dirname(this.path), { recursive: true });
    const journal = this.newJournalId();
    // a piece at a time, each write awaited: encoding a checkpoint of 200,000 pairs at once
    // held the event loop for 50-100 ms (docs/performance.md)
    const snapshotBytes = await writeAtomically(this.path, encodeCheckpointChunks({ ...checkpoint, journal }));
    const header = `${JSON.stringify({ journal })}\n`;
    await writeAtomically(this.journalPath, [header]);
    await syncDirectory(dirname(this.path));
    this.snapshotBytes = snapshotBytes;
    this.journalBytes = Buffer.byteLength(header);
    this.journalOpen = true;
  }

  /** Appends `changes` as one journal line (fsynced); false when a whole {@link save} is due instead. */
  async append(changes: PiecewiseCheckpoint): Promise<boolean> {
    if (!this.journalOpen || this.journalBytes >= Math.max(this.journalMinBytes, this.snapshotBytes)) return false;
    // a failed append may leave part of a line: never write after it, the next save starts over
    this.journalOpen = false;
    const file = await open(this.journalPath, 'a');
    try {
      for (const chunk of encodeCheckpointChunks(changes)) await file.write(chunk, null, 'utf8');
      await file.write('\n', null, 'utf8');
      await file.datasync();
      this.journalBytes = (await file.stat()).size;
    } finally {
      await file.close();
    }
    this.journalOpen = true;
    return true;
  }

  private async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(
        `cannot read checkpoint file ${path}: ${(err as Error).message} (fix: make it readable and writable by eventide, or set delivery.checkpoint.path to a writable location)`,
      );
    }
  }
}

/**
 * `snapshot` with the lines of `journal` applied (see {@link FileCheckpointStore}): every uid
 * once, at the position of its last acknowledgement, with its largest count.
 */
export function replayJournal(snapshot: Checkpoint, journalId: string, journal: string): { checkpoint: Checkpoint; replay: JournalReplay } {
  const replay: JournalReplay = { applied: 0, tornTail: false, stale: false };
  const lines = journal.split('\n');
  // text after the last newline is a line whose append did not finish
  const tail = lines.pop() as string;
  replay.tornTail = tail !== '';
  const header = lines.length > 0 ? headerId(lines[0] as string) : undefined;
  if (header !== journalId) {
    replay.stale = true;
    replay.tornTail = false;
    return { checkpoint: snapshot, replay };
  }
  const changes: Checkpoint[] = [];
  for (let i = 1; i < lines.length; i++) {
    try {
      changes.push(decodeCheckpoint(lines[i] as string));
    } catch {
      replay.badLine = i + 1;
      break;
    }
  }
  replay.applied = changes.length;
  if (changes.length === 0) return { checkpoint: snapshot, replay };
  const counts = new Map<string, number>();
  for (const part of [snapshot, ...changes]) {
    for (const [uid, count] of part.exported) {
      const before = counts.get(uid);
      if (before !== undefined) counts.delete(uid);
      counts.set(uid, before === undefined ? count : Math.max(before, count));
    }
  }
  const last = changes[changes.length - 1] as Checkpoint;
  return {
    checkpoint: {
      version: 1,
      ...(last.api ? { api: last.api } : {}),
      resourceVersion: last.resourceVersion,
      exported: [...counts],
      savedAtMs: last.savedAtMs,
    },
    replay,
  };
}

function headerId(line: string): string | undefined {
  try {
    const header: unknown = JSON.parse(line);
    return typeof header === 'object' && header !== null && typeof (header as { journal?: unknown }).journal === 'string' ? (header as { journal: string }).journal : undefined;
  } catch {
    return undefined;
  }
}

/** Writes `chunks` to a temp file beside `path`, fsyncs it and renames it over `path`; resolves the bytes written. */
async function writeAtomically(path: string, chunks: Iterable<string>): Promise<number> {
  const tmp = `${path}.tmp-${process.pid}`;
  const file = await open(tmp, 'w', 0o600);
  let bytes = 0;
  try {
    for (const chunk of chunks) bytes += (await file.write(chunk, null, 'utf8')).bytesWritten;
    await file.sync();
  } finally {
    await file.close();
  }
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  return bytes;
}

/** fsync of a directory so the rename is durable; not supported everywhere (ignored then). */
async function syncDirectory(dir: string): Promise<void> {
  try {
    const handle = await open(dir, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some platforms and filesystems refuse fsync on directories; the rename is still atomic.
  }
}
