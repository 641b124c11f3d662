import type { KEvent, SourceApi } from '../model/event.js';

/** How an event reached the source: a list item, or a watch ADDED / MODIFIED change. */
export type DeliveryOrigin = 'list' | 'added' | 'modified';

/** Where a source hands its events; awaited per event, so a slow sink slows the reads (backpressure). */
export interface EventSink {
  /** Takes one Event; returns a promise only when the source has to wait before the next one (backpressure). */
  deliver(event: KEvent, origin: DeliveryOrigin): void | Promise<void>;
  /**
   * A resume point not tied to an event: a completed list's resourceVersion or a BOOKMARK, in
   * stream order after every event delivered before it. Optional.
   */
  position?(resourceVersion: string, api: SourceApi): void;
}

/** Readiness and progress of a source (served on `/readyz`). */
export interface SourceStatus {
  /** A list completed (or the resume watch is up) and the watch is established or retrying below the backoff ceiling. */
  ready: boolean;
  /** API in use, once discovered. */
  api?: SourceApi;
  /** True while every watch stream is established. */
  watching: boolean;
  /** Wall time of the last delivered event, epoch ms. */
  lastEventWallMs?: number;
  /** Last resourceVersion seen: the checkpoint to resume from (opaque). */
  lastResourceVersion?: string;
  lastError?: string;
  /** Failed attempts in a row (highest over the namespaces watched). */
  consecutiveFailures: number;
}

/** A place to resume from: a checkpointed resourceVersion and the API it belongs to. */
export interface ResumePoint {
  resourceVersion: string;
  api: SourceApi;
}
