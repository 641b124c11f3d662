import { z } from 'zod';
import { SEVERITIES } from '../model/event.js';

const affinitySchema = z
  .object({
    node: z.boolean().default(true).describe('Link a node-level incident (a Node Warning / severity >= linkMinSeverity) with pods\' Warning events on that node. Default true.'),
    volume: z.boolean().default(true).describe('Link Warning events of a pod with those of its PersistentVolumeClaims and PersistentVolumes. Default true.'),
    workload: z.boolean().default(true).describe('Link Warning events of pods of the same owning workload (Deployment, StatefulSet, DaemonSet, Job, ...) and of the workload itself. Default true.'),
    related: z.boolean().default(true).describe('Follow an Event\'s `related` object: a Warning naming it pulls that object\'s events into its incident. Default true.'),
  })
  .describe('Which resource-affinity links the correlator follows (besides the same regarding object and the same Event).');

/** Configuration of the correlate stage (incident grouping). Every field has a default: `correlateConfigSchema.parse({})`. */
export const correlateConfigSchema = z.object({
  /** Event-time window, ms: an event joins a group when it comes within this long of the group's last event. Default 600000 (10 min). */
  windowMillis: z
    .number()
    .int()
    .positive()
    .default(600_000)
    .describe('Event-time window in milliseconds: an event joins an incident when it comes within this long of the incident\'s last event (affinity links: of the last event that used the link). Default 600000 (10 min).'),
  /** Longest an incident may run, ms from its first event; later events start a new one. Default 21600000 (6 h). */
  maxGroupMillis: z
    .number()
    .int()
    .positive()
    .default(21_600_000)
    .describe('Longest an incident may run, in milliseconds from its first event; later events start a new incident, so a long incident splits deterministically. Default 21600000 (6 h).'),
  /** Most open incidents kept; the least recently updated is closed first. Default 50000. */
  maxGroups: z.number().int().positive().default(50_000).describe('Most open incidents kept in memory; beyond it the least recently updated one is closed. Default 50000.'),
  /** Most correlation keys kept; the least recently used is forgotten first. Default 100000. */
  maxKeys: z.number().int().positive().default(100_000).describe('Most correlation keys (object, Event, node, volume, workload) kept in memory; beyond it the least recently used is forgotten. Default 100000.'),
  /** Event-time disorder tolerated before an incident is closed, ms. Default 30000. */
  allowedLatenessMillis: z
    .number()
    .int()
    .nonnegative()
    .default(30_000)
    .describe('Event-time disorder tolerated, in milliseconds: an incident is closed once the newest event time minus this passes its last event plus windowMillis. Default 30000.'),
  /** Wall-clock silence after which the watermark advances with the wall clock, ms. Default 60000. */
  idleAdvanceMillis: z
    .number()
    .int()
    .positive()
    .default(60_000)
    .describe('After this many milliseconds of wall-clock silence the event-time watermark advances with the wall clock, so idle incidents close. Default 60000.'),
  /** Lowest severity (besides type Warning) whose events may link different objects. Default `Medium`. */
  linkMinSeverity: z
    .enum(SEVERITIES)
    .default('Medium')
    .describe('Lowest derived severity whose events may link different objects through node, volume, workload or related keys; type Warning always may. Routine events below it only join their own object\'s incident. Default Medium.'),
  /** Reasons of pod events a node causes: they join the node's incident first. */
  nodeCausedReasons: z
    .array(z.string())
    .default(['Evicted', 'Preempting', 'TaintManagerEviction', 'NodeShutdown', 'OutOfcpu', 'OutOfmemory', 'OutOfDisk', 'NodeNotReady'])
    .describe("Reasons of pod events that a node causes (eviction, preemption, shutdown): when their node has an open incident they join it, before the pod's own incident. Default Evicted, Preempting, TaintManagerEviction, NodeShutdown, OutOfcpu, OutOfmemory, OutOfDisk, NodeNotReady."),
  /** Closed incidents kept for `recentIncidents`. Default 100. */
  keepClosedIncidents: z.number().int().nonnegative().default(100).describe('How many closed incidents recentIncidents() still reports. Default 100.'),
  /** Affinity link toggles. */
  affinity: affinitySchema.prefault({}),
});

/** Correlate stage configuration (see {@link correlateConfigSchema}). */
export type CorrelateConfig = z.infer<typeof correlateConfigSchema>;

/** Configuration of the frequency pattern detector. Every field has a default: `patternConfigSchema.parse({})`. */
export const patternConfigSchema = z.object({
  /** Turns the detector on. Default true. */
  enabled: z.boolean().default(true).describe('Run the frequency pattern detector. Default true.'),
  /** Sliding event-time window, ms. Default 300000 (5 min). */
  windowMillis: z
    .number()
    .int()
    .min(1000)
    .default(300_000)
    .describe('Sliding event-time window in milliseconds over which occurrences of (reason, reportingController, namespace) are counted. Default 300000 (5 min).'),
  /** Occurrences within the window that make a pattern, for reasons without their own threshold. Default 20. */
  defaultThreshold: z
    .number()
    .int()
    .positive()
    .default(20)
    .describe('Occurrences within the window that make a pattern, for reasons not listed in thresholds. Default 20.'),
  /** Per-reason thresholds; a listed reason is counted whatever its severity. */
  thresholds: z
    .record(z.string(), z.number().int().positive())
    .default({ BackOff: 10, Unhealthy: 15, FailedMount: 5, FailedScheduling: 10, Evicted: 5 })
    .describe('Per-reason occurrence thresholds (reason → count); a listed reason is counted whatever its severity. Default { BackOff: 10, Unhealthy: 15, FailedMount: 5, FailedScheduling: 10, Evicted: 5 }.'),
  /** Lowest severity counted for reasons not listed in thresholds. Default `Medium`. */
  minSeverity: z
    .enum(SEVERITIES)
    .default('Medium')
    .describe('Lowest derived severity counted for reasons not listed in thresholds, so routine Normal events do not make patterns. Default Medium.'),
  /** Most similarity keys kept; least recently seen forgotten first. Default 100000. */
  maxKeys: z
    .number()
    .int()
    .positive()
    .default(100_000)
    .describe('Most similarity keys kept; beyond it the least recently seen is forgotten. (Count deltas come from the delivery gate\'s memory of Event uids, delivery.dedupeMaxEntries.) Default 100000.'),
});

/** Pattern detector configuration (see {@link patternConfigSchema}). */
export type PatternConfig = z.infer<typeof patternConfigSchema>;
