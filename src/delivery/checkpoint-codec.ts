import { z } from 'zod';
import type { Checkpoint, PiecewiseCheckpoint } from './checkpoint.js';

const checkpointSchema = z.object({
  version: z.literal(1),
  api: z.enum(['events.k8s.io/v1', 'v1']).optional(),
  resourceVersion: z.string(),
  exported: z.array(z.tuple([z.string(), z.number().int().min(0)])),
  savedAtMs: z.number(),
  /** File store: id of the journal that continues this snapshot. */
  journal: z.string().optional(),
});

/** Why a stored checkpoint could not be read. */
export class CheckpointFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CheckpointFormatError';
  }
}

/** Serializes a checkpoint as one line of JSON. */
export function encodeCheckpoint(checkpoint: Checkpoint): string {
  return JSON.stringify(checkpoint);
}

/**
 * {@link encodeCheckpoint}'s JSON in pieces of at most `pairsPerChunk` `exported` pairs, for a
 * writer that yields between them: at 200,000 pairs the JSON is ~9 MB, and building it at once
 * held the event loop for 50–100 ms every save. The pieces joined are exactly
 * `JSON.stringify(checkpoint)` (of the pairs as an array, when `exported` is {@link PairColumns}).
 */
export function* encodeCheckpointChunks(checkpoint: PiecewiseCheckpoint & { journal?: string }, pairsPerChunk = 4096): Generator<string> {
  let out = '{';
  let first = true;
  for (const [key, value] of Object.entries(checkpoint)) {
    if (value === undefined) continue;
    out += `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    if (key !== 'exported') {
      out += JSON.stringify(value);
      continue;
    }
    const pairs = value as PiecewiseCheckpoint['exported'];
    out += '[';
    for (let from = 0; from < pairs.length; from += pairsPerChunk) {
      // a slice's JSON without its brackets is the JSON of those pairs inside the whole array
      out += `${from > 0 ? ',' : ''}${JSON.stringify(pairs.slice(from, from + pairsPerChunk)).slice(1, -1)}`;
      if (from + pairsPerChunk <= pairs.length) {
        yield out;
        out = '';
      }
    }
    out += ']';
  }
  yield `${out}}`;
}

/** `checkpoint` with its `exported` pairs in one array, for a store that needs them all at once. */
export function wholeCheckpoint(checkpoint: PiecewiseCheckpoint): Checkpoint {
  const { exported } = checkpoint;
  return Array.isArray(exported) ? (checkpoint as Checkpoint) : { ...checkpoint, exported: exported.slice(0, exported.length) };
}

/** Parses and validates a stored checkpoint; throws {@link CheckpointFormatError} saying what is wrong. */
export function decodeCheckpoint(text: string): Checkpoint {
  return decodeStoredCheckpoint(text).checkpoint;
}

/**
 * {@link decodeCheckpoint}, with the id of the journal that continues the checkpoint when the
 * file store wrote one (`journal` beside the checkpoint's fields).
 */
export function decodeStoredCheckpoint(text: string): { checkpoint: Checkpoint; journal?: string } {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new CheckpointFormatError(`not valid JSON (${(err as Error).message})`);
  }
  const result = checkpointSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : '(root)';
    throw new CheckpointFormatError(`${field}: ${issue?.message ?? 'invalid'}`);
  }
  const cp = result.data;
  const checkpoint: Checkpoint = {
    version: 1,
    ...(cp.api ? { api: cp.api } : {}),
    resourceVersion: cp.resourceVersion,
    exported: cp.exported,
    savedAtMs: cp.savedAtMs,
  };
  return cp.journal === undefined ? { checkpoint } : { checkpoint, journal: cp.journal };
}

/**
 * The checkpoint with its `exported` list cut, oldest entries first, so that its JSON is at
 * most `maxBytes` bytes (UTF-8). `exported` is ordered oldest to newest, so the newest are kept.
 */
export function compactCheckpoint(checkpoint: Checkpoint, maxBytes: number): Checkpoint {
  let used = Buffer.byteLength(encodeCheckpoint({ ...checkpoint, exported: [] }));
  const { exported } = checkpoint;
  let keepFrom = exported.length;
  for (let i = exported.length - 1; i >= 0; i--) {
    const [uid, count] = exported[i] as [string, number];
    // `["uid",count]` plus a separating comma (one too many: errs on the small side)
    const cost = (SAFE_UID.test(uid) ? uid.length + 2 : Buffer.byteLength(JSON.stringify(uid))) + String(count).length + 4;
    if (used + cost > maxBytes) break;
    used += cost;
    keepFrom = i;
  }
  return keepFrom === 0 ? checkpoint : { ...checkpoint, exported: exported.slice(keepFrom) };
}

/** A uid whose JSON is itself in quotes, one byte per character (UUIDs always are). */
const SAFE_UID = /^[A-Za-z0-9._:-]*$/;
