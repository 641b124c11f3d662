/** Marker the benchmark puts in an Event's note so the receiver can tell when it was sent. */
const STAMP_PATTERN = /bench seq=(\d+) sent=(\d+)/;

/** A parsed send stamp. */
export interface SendStamp {
  /** Sequence number of the Event in its run, from 0. */
  seq: number;
  /** When the simulator wrote the Event, epoch microseconds. */
  sentMicros: number;
}

/** Wall clock in epoch microseconds (same clock in every process of one machine). */
export function nowMicros(): number {
  return Math.round((performance.timeOrigin + performance.now()) * 1000);
}

/** The stamp text of Event `seq` sent at `sentMicros`. Pure. */
export function formatStamp(seq: number, sentMicros: number): string {
  return `bench seq=${seq} sent=${sentMicros}`;
}

/** The stamp in a record body, or undefined when the body carries none. Pure. */
export function parseStamp(body: string): SendStamp | undefined {
  const match = STAMP_PATTERN.exec(body);
  if (!match) return undefined;
  return { seq: Number(match[1]), sentMicros: Number(match[2]) };
}
