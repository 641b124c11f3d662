import { mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import type { Logger } from '../observe/logger.js';
import type { Checkpoint, CheckpointStore } from './checkpoint.js';
import { CheckpointFormatError, decodeCheckpoint, encodeCheckpointChunks } from './checkpoint-codec.js';

/**
 * A checkpoint in a JSON file. Saves are atomic: the JSON is written to a temporary file
 * beside it, fsynced, renamed over the old one, and the directory fsynced, so a crash leaves
 * either the old or the new checkpoint, never half of one.
 *
 * A file that cannot be parsed (edited by hand, a foreign file, a future version) is not fatal:
 * it is moved aside to `<path>.corrupt`, a warning names both files, and the run starts fresh
 * (a full list; already-exported records may be exported again, carrying the same
 * `log.record.uid`). A file that cannot be read at all (permissions) is an error naming the fix.
 */
export class FileCheckpointStore implements CheckpointStore {
  /** Absolute path of the checkpoint file. */
  readonly path: string;

  constructor(
    path: string,
    private readonly logger?: Logger,
  ) {
    this.path = resolve(path);
  }

  /** The saved checkpoint; undefined when there is none (or it was corrupt, see the class doc). */
  async load(): Promise<Checkpoint | undefined> {
    let text: string;
    try {
      text = await readFile(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw new Error(
        `cannot read checkpoint file ${this.path}: ${(err as Error).message} (fix: make it readable and writable by eventide, or set delivery.checkpoint.path to a writable location)`,
      );
    }
    try {
      return decodeCheckpoint(text);
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
  }

  /** Atomically replaces the file with `checkpoint` (creating its directory if needed). */
  async save(checkpoint: Checkpoint): Promise<void> {
    await mkdir(dirname(this.path), { recursive: true });
    const tmp = `${this.path}.tmp-${process.pid}`;
    const file = await open(tmp, 'w', 0o600);
    try {
      // a piece at a time, each write awaited: encoding a checkpoint of 200,000 pairs at once
      // held the event loop for 50-100 ms (docs/performance.md)
      for (const chunk of encodeCheckpointChunks(checkpoint)) await file.write(chunk, null, 'utf8');
      await file.sync();
    } finally {
      await file.close();
    }
    try {
      await rename(tmp, this.path);
    } catch (err) {
      await unlink(tmp).catch(() => undefined);
      throw err;
    }
    await syncDirectory(dirname(this.path));
  }
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
