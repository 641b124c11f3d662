import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { SourceApi } from '../../src/model/event.js';
import { toEpochMs } from '../../src/model/time.js';
import { normalizeConfigSchema } from '../../src/normalize/config.js';
import { normalizeEvent } from '../../src/normalize/normalize.js';

const cfg = normalizeConfigSchema.parse({});
const OBSERVED = 1_767_225_600_000;

// A time field as the API (or client-node) may carry it: absent, null, empty, valid, invalid, Date.
const timeValue = fc.oneof(
  fc.constant(undefined),
  fc.constant(null),
  fc.constant(''),
  fc.constant('not a time'),
  fc.integer({ min: 0, max: 4 }).map((i) => `2026-01-0${i + 1}T10:00:0${i}Z`),
  fc.integer({ min: 0, max: 4 }).map((i) => `2026-01-01T10:00:00.${i}23456Z`),
  fc.integer({ min: 1, max: 5 }).map((i) => new Date(Date.UTC(2025, 11, i))),
);

const FIELDS = ['eventTime', 'lastTimestamp', 'deprecatedLastTimestamp', 'firstTimestamp', 'deprecatedFirstTimestamp'] as const;

/** DESIGN.md's time chains, each field parsed on its own. */
function expected(raw: Record<string, unknown>, meta: Record<string, unknown>, series: Record<string, unknown> | undefined, api: SourceApi) {
  const isNew = api === 'events.k8s.io/v1';
  const eventTime = toEpochMs(raw.eventTime);
  const last = toEpochMs(isNew ? (raw.deprecatedLastTimestamp ?? raw.lastTimestamp) : (raw.lastTimestamp ?? raw.deprecatedLastTimestamp));
  const first = toEpochMs(isNew ? (raw.deprecatedFirstTimestamp ?? raw.firstTimestamp) : (raw.firstTimestamp ?? raw.deprecatedFirstTimestamp));
  const created = toEpochMs(meta.creationTimestamp);
  const timeMs = toEpochMs(series?.lastObservedTime) ?? eventTime ?? last ?? first ?? created ?? OBSERVED;
  return { timeMs, startTimeMs: eventTime ?? first ?? created ?? timeMs };
}

describe('normalizeEvent times (property)', () => {
  it('timeMs and startTimeMs follow the documented chains whichever fields are present', () => {
    fc.assert(
      fc.property(
        fc.array(timeValue, { minLength: FIELDS.length, maxLength: FIELDS.length }),
        timeValue,
        fc.option(timeValue, { nil: undefined }),
        fc.constantFrom<SourceApi>('events.k8s.io/v1', 'v1'),
        (values, creation, seriesTime, api) => {
          const meta: Record<string, unknown> = { uid: 'u-1', name: 'e', namespace: 'ns' };
          if (creation !== undefined) meta.creationTimestamp = creation;
          const raw: Record<string, unknown> = { metadata: meta, regarding: { kind: 'Pod', name: 'p' }, involvedObject: { kind: 'Pod', name: 'p' } };
          FIELDS.forEach((f, i) => {
            if (values[i] !== undefined) raw[f] = values[i];
          });
          const series = seriesTime === undefined ? undefined : { count: 2, lastObservedTime: seriesTime };
          if (series) raw.series = series;
          const result = normalizeEvent(raw, api, OBSERVED, cfg);
          if (!result.ok) throw new Error(result.reason);
          expect({ timeMs: result.event.timeMs, startTimeMs: result.event.startTimeMs }).toEqual(expected(raw, meta, series, api));
        },
      ),
      { numRuns: 1000, seed: 20261123 },
    );
  });
});
