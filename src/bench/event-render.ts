import { coreEventToEventsV1 } from '../simulator/eventconv.js';
import type { JsonObject, BenchEventTemplate } from './workload.js';

/**
 * The events.k8s.io/v1 watch JSON of a benchmark Event, rendered from pieces of text made once
 * from its template, so the load generator's timed writes cost a few string joins instead of
 * the conversion and `JSON.stringify` of every Event (the simulator's `servedJson` option).
 *
 * The pieces come from the template itself: a copy of it with a marker in each field the store
 * and the send stamp fill in at write time (uid, creationTimestamp and resourceVersion in the
 * order the store adds them, the stamp in the note, the times), converted and serialized by the
 * generic path, then cut at the markers. Rendering puts the stored values back in their places.
 */
export type EventJsonRenderer = (stored: JsonObject) => string;

/** A value no Event field holds: U+0001 around a name (JSON.stringify escapes U+0001 as `\u0001`). */
const marker = (name: string): string => `\u0001${name}\u0001`;

/** A stored field read at render time, and where its marker sits in the serialized probe. */
interface Hole {
  /** The marker's text in the probe's JSON (a whole quoted string, or inside the note's). */
  token: string;
  /** The field's JSON text in a stored Event. */
  value: (stored: JsonObject, meta: Record<string, unknown>) => string;
}

/** Makes the renderer of `template`'s Event (after {@link stampBenchEvent} and the store's create). */
export function eventJsonRenderer(template: BenchEventTemplate): EventJsonRenderer {
  const probe = structuredClone(template.event);
  const meta = probe['metadata'] as Record<string, unknown>;
  // the order ObjectStore.create and commit add them in
  meta['uid'] = marker('uid');
  meta['creationTimestamp'] = marker('creationTimestamp');
  meta['resourceVersion'] = marker('resourceVersion');
  probe['message'] = `${template.notePrefix}${marker('stamp')})`;
  const timeFields = template.eventsV1 ? ['eventTime'] : ['firstTimestamp', 'lastTimestamp'];
  for (const field of timeFields) probe[field] = marker(field);

  const quoted = (value: unknown): string => JSON.stringify(value);
  const holes: Hole[] = [
    ...['uid', 'creationTimestamp', 'resourceVersion'].map((field): Hole => ({ token: quoted(marker(field)), value: (_, m) => quoted(m[field]) })),
    ...timeFields.map((field): Hole => ({ token: quoted(marker(field)), value: (stored) => quoted(stored[field]) })),
    {
      token: quoted(marker('stamp')).slice(1, -1),
      // the note is `<prefix><stamp>)`; only the stamp changes
      value: (stored) => quoted((stored['message'] as string).slice(template.notePrefix.length, -1)).slice(1, -1),
    },
  ];

  const text = JSON.stringify(coreEventToEventsV1(probe));
  const placed = holes.map((hole) => {
    const at = text.indexOf(hole.token);
    if (at < 0 || text.indexOf(hole.token, at + 1) >= 0) throw new Error(`event renderer: marker ${hole.token} not found exactly once`);
    return { at, hole };
  });
  placed.sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let from = 0;
  for (const { at, hole } of placed) {
    pieces.push(text.slice(from, at));
    from = at + hole.token.length;
  }
  pieces.push(text.slice(from));
  const values = placed.map(({ hole }) => hole.value);

  return (stored) => {
    const storedMeta = stored['metadata'] as Record<string, unknown>;
    let out = pieces[0]!;
    for (let i = 0; i < values.length; i++) out += values[i]!(stored, storedMeta) + pieces[i + 1]!;
    return out;
  };
}
