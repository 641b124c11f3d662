import { coreEventToEventsV1 } from '../simulator/eventconv.js';
import type { JsonObject } from './workload.js';

/**
 * The events.k8s.io/v1 watch JSON of a benchmark Event, rendered from pieces of text made once
 * per shape of Event (recorder and reason: 16 shapes), so the load generator's timed writes cost
 * a few short `JSON.stringify` calls and string joins instead of the conversion and
 * `JSON.stringify` of every Event (the simulator's `servedJson` option).
 *
 * The pieces come from the first stored Event of the shape: a copy with a marker in every field
 * that differs between Events of one shape (names, namespace, pod uid and node, the note) or that
 * the store and the send stamp fill in at write time (uid, creationTimestamp, resourceVersion,
 * the times), converted and serialized by the generic path, then cut at the markers. Rendering
 * puts the stored values, serialized, back in their places.
 */
export type EventJsonRenderer = (stored: JsonObject) => string;

/** A value no Event field holds: U+0001 around a name (JSON.stringify escapes U+0001 as `\u0001`). */
const marker = (name: string): string => `\u0001${name}\u0001`;

type Fields = Record<string, unknown>;

/** A field of a stored Event that differs between Events of one shape, and where to find it. */
interface Hole {
  name: string;
  /** The field's holder in an Event (the Event, its metadata, its involved object or its source). */
  holder: (event: JsonObject) => Fields;
  field: string;
}

const event = (e: JsonObject): Fields => e;
const metadata = (e: JsonObject): Fields => e['metadata'] as Fields;
const involved = (e: JsonObject): Fields => e['involvedObject'] as Fields;
const source = (e: JsonObject): Fields => e['source'] as Fields;

/** The holes of a shape, metadata's in the order ObjectStore.create and commit add them. */
function holesOf(eventsV1: boolean): Hole[] {
  const hole = (name: string, holder: Hole['holder'], field: string): Hole => ({ name, holder, field });
  return [
    hole('name', metadata, 'name'),
    hole('namespace', metadata, 'namespace'),
    hole('uid', metadata, 'uid'),
    hole('creationTimestamp', metadata, 'creationTimestamp'),
    hole('resourceVersion', metadata, 'resourceVersion'),
    hole('podNamespace', involved, 'namespace'),
    hole('podName', involved, 'name'),
    hole('podUid', involved, 'uid'),
    hole('note', event, 'message'),
    ...(eventsV1
      ? [hole('eventTime', event, 'eventTime'), hole('node', event, 'reportingInstance')]
      : [hole('firstTimestamp', event, 'firstTimestamp'), hole('lastTimestamp', event, 'lastTimestamp'), hole('node', source, 'host')]),
  ];
}

/** Renderers by reason, of Events written like the events.k8s.io/v1 recorder and like the legacy one. */
const renderers = { v1: new Map<string, EventJsonRenderer>(), legacy: new Map<string, EventJsonRenderer>() };

/**
 * The renderer of a stored benchmark Event's shape (its recorder, told by its eventTime, and its
 * reason), made from the first Event of that shape rendered.
 */
export function eventJsonRenderer(stored: JsonObject): EventJsonRenderer {
  const eventsV1 = typeof stored['eventTime'] === 'string';
  const byReason = eventsV1 ? renderers.v1 : renderers.legacy;
  const reason = String(stored['reason']);
  let renderer = byReason.get(reason);
  if (!renderer) {
    renderer = makeRenderer(stored, eventsV1);
    byReason.set(reason, renderer);
  }
  return renderer;
}

function makeRenderer(stored: JsonObject, eventsV1: boolean): EventJsonRenderer {
  // the stored Event has every field the store adds, in the order it adds them
  const probe = structuredClone(stored);
  const holes = holesOf(eventsV1);
  for (const hole of holes) hole.holder(probe)[hole.field] = marker(hole.name);
  const text = JSON.stringify(coreEventToEventsV1(probe));
  const placed = holes.map((hole) => {
    const token = JSON.stringify(marker(hole.name));
    const at = text.indexOf(token);
    if (at < 0 || text.indexOf(token, at + 1) >= 0) throw new Error(`event renderer: marker ${token} not found exactly once`);
    return { at, end: at + token.length, hole };
  });
  placed.sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let from = 0;
  for (const { at, end } of placed) {
    pieces.push(text.slice(from, at));
    from = end;
  }
  pieces.push(text.slice(from));
  const order = placed.map(({ hole }) => hole);
  return (stored) => {
    let out = pieces[0]!;
    for (let i = 0; i < order.length; i++) {
      const hole = order[i]!;
      out += JSON.stringify(hole.holder(stored)[hole.field]) + pieces[i + 1]!;
    }
    return out;
  };
}
