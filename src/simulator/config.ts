import { z } from 'zod';

/** Kinds of incidents the simulator can inject. */
export const INCIDENT_KINDS = ['CrashLoopBackOff', 'FailedMount', 'ImagePullFailure', 'NodePressure', 'SchedulingFailure', 'OOMKill', 'NetworkDegradation'] as const;

/** One incident kind. */
export type IncidentKind = (typeof INCIDENT_KINDS)[number];

/** Configuration of the cluster simulator (`simulator` section of the config file). */
export const simulatorConfigSchema = z.object({
  seed: z.number().int().default(42).describe('Seed of every random choice; the same seed gives the same cluster and events. Default 42.'),
  eventsPerSecond: z.number().positive().default(50).describe('Event writes per wall-clock second in timer-driven mode. Default 50.'),
  timeCompression: z.number().positive().default(60).describe('Simulated seconds per wall-clock second (sim time = start + timeCompression × wall elapsed). Default 60.'),
  startTimeMs: z.number().int().min(0).default(0).describe('Simulated start time, epoch milliseconds; 0 = wall clock at start. Default 0.'),
  newApiShare: z.number().min(0).max(1).default(0.3).describe('Share of events recorded the events.k8s.io way (eventTime, series) instead of the legacy core/v1 way. Default 0.3.'),
  incidentsPerHour: z.number().min(0).default(6).describe('Injected incidents per simulated hour (Poisson). 0 disables incidents. Default 6.'),
  incidentKinds: z.array(z.enum(INCIDENT_KINDS)).default([...INCIDENT_KINDS]).describe('Incident kinds that may be injected. Default all.'),
  nodes: z.number().int().min(1).max(500).default(6).describe('Number of worker nodes. Default 6.'),
  namespaces: z.number().int().min(1).max(12).default(8).describe('Number of namespaces with workloads (kube-system included). Default 8.'),
  eventTtlMinutes: z.number().positive().default(60).describe('Events are deleted this many simulated minutes after their last update, like kube-apiserver --event-ttl. Default 60.'),
  groundTruthPath: z.string().default('').describe('NDJSON file to append one line per finished incident; empty = none. Default empty.'),
  servesEventsV1: z.boolean().default(true).describe('Serve events.k8s.io/v1 (false: only core/v1, clients must fall back). Default true.'),
  bookmarkIntervalMillis: z.number().int().positive().default(1000).describe('BOOKMARK period on watches that allow bookmarks, wall milliseconds. Default 1000.'),
  historySize: z.number().int().positive().default(10_000).describe('Store changes kept for watches/continue tokens; older resourceVersions give 410 Gone. Default 10000.'),
});

/** Simulator configuration (all fields filled). */
export type SimulatorConfig = z.infer<typeof simulatorConfigSchema>;
