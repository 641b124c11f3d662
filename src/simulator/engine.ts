import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ObjectStore } from './store.js';
import { Rng } from './rng.js';
import { EventRecorder } from './recorder.js';
import type { EventSpec } from './recorder.js';
import { buildCluster, writeCluster } from './cluster.js';
import type { SimCluster } from './cluster.js';
import type { SimContext } from './context.js';
import { StepQueue } from './scheduler.js';
import { normalActivity } from './traffic.js';
import { INCIDENT_BUILDERS, groundTruthObject } from './incidents.js';
import type { GroundTruthIncident } from './incidents.js';
import type { SimulatorConfig } from './config.js';

const EXPIRE_EVERY_EVENTS = 200;

/**
 * The deterministic event generator: a seeded cluster, normal activities and injected incidents,
 * all on simulated time. `generate(count)` writes synchronously; `advanceTo` spreads writes
 * up to a sim time (timer-driven mode). Same seed and calls → same store contents.
 */
export class SimulationEngine {
  /** The cluster model. */
  readonly cluster: SimCluster;
  private readonly ctx: SimContext;
  private readonly queue = new StepQueue();
  private readonly recorder: EventRecorder;
  private readonly rng: Rng;
  private readonly incidentRng: Rng;
  private simMs: number;
  private nextIncidentMs: number;
  private incidentSeq = 0;
  private readonly finished: GroundTruthIncident[] = [];
  private readonly open = new Set<GroundTruthIncident>();
  private sinceExpire = 0;
  private flushed = false;
  private groundTruthErrors = 0;

  constructor(
    private readonly store: ObjectStore,
    private readonly config: SimulatorConfig,
    startMs: number,
  ) {
    this.simMs = startMs;
    this.rng = new Rng(config.seed);
    this.incidentRng = new Rng(config.seed ^ 0x5eed);
    this.cluster = buildCluster(this.rng, { nodes: config.nodes, namespaces: config.namespaces });
    writeCluster(store, this.cluster, startMs);
    this.recorder = new EventRecorder(store, this.rng, config.newApiShare, config.eventTtlMinutes * 60_000);
    this.ctx = { store, cluster: this.cluster, rng: this.rng, recorder: this.recorder, busy: new Set(), cooling: new Map(), now: () => this.simMs };
    this.nextIncidentMs = this.drawIncidentGap(startMs);
    if (config.groundTruthPath !== '') {
      // Start the file afresh for this run; its folder is created when missing.
      mkdirSync(dirname(config.groundTruthPath), { recursive: true });
      writeFileSync(config.groundTruthPath, '');
    }
  }

  /** Current simulated time, epoch ms. */
  simNow(): number {
    return this.simMs;
  }

  /** Event writes so far (creates and updates of Events). */
  emitted(): number {
    return this.recorder.written();
  }

  /** Finished incidents, then those still running, in start order. */
  incidents(): GroundTruthIncident[] {
    return [...this.finished, ...this.open].sort((a, b) => a.startMs - b.startMs).map((i) => ({ ...i, objects: [...i.objects], eventUids: [...i.eventUids] }));
  }

  /** Writes `count` Events synchronously, advancing sim time at the configured mean rate; returns Events written. */
  generate(count: number): number {
    const meanGapMs = (1000 * this.config.timeCompression) / this.config.eventsPerSecond;
    const start = this.emitted();
    let guard = count * 20 + 100;
    while (this.emitted() - start < count && guard-- > 0) {
      this.simMs += Math.max(1, Math.round(this.rng.exponential(meanGapMs)));
      this.emitOne();
    }
    return this.emitted() - start;
  }

  /** Writes `count` Events spread evenly from now to `targetMs` (sim time); returns Events written. */
  advanceTo(targetMs: number, count: number): number {
    const start = this.emitted();
    const from = this.simMs;
    let guard = count * 20 + 100;
    for (let k = 1; this.emitted() - start < count && guard-- > 0; k++) {
      this.simMs = Math.max(this.simMs, Math.round(from + ((targetMs - from) * Math.min(k, count)) / count));
      this.emitOne();
    }
    this.simMs = Math.max(this.simMs, Math.round(targetMs));
    return this.emitted() - start;
  }

  /** Appends still-running incidents to the ground-truth file (at shutdown). */
  flushOpenIncidents(): void {
    for (const inc of this.open) this.writeGroundTruth(inc);
    this.flushed = true;
  }

  private emitOne(): void {
    const now = this.simMs;
    while (this.config.incidentsPerHour > 0 && this.config.incidentKinds.length > 0 && this.nextIncidentMs <= now) {
      this.startIncident(this.nextIncidentMs);
      this.nextIncidentMs = this.drawIncidentGap(this.nextIncidentMs);
    }
    if (++this.sinceExpire >= EXPIRE_EVERY_EVENTS) {
      this.sinceExpire = 0;
      this.recorder.expire(now);
      for (const [k, until] of this.ctx.cooling) if (until <= now) this.ctx.cooling.delete(k);
    }
    const due = this.queue.popDue(now);
    if (due) {
      due.run(due.atMs);
      return;
    }
    const emit = (spec: EventSpec, atMs: number): string => this.recorder.record(spec, atMs).uid;
    const steps = normalActivity(this.ctx, emit);
    steps[0]!.run(now);
    this.queue.schedule(now, steps.slice(1));
  }

  private drawIncidentGap(fromMs: number): number {
    if (this.config.incidentsPerHour <= 0) return Number.POSITIVE_INFINITY;
    return fromMs + Math.round(this.incidentRng.exponential(3_600_000 / this.config.incidentsPerHour));
  }

  private startIncident(atMs: number): void {
    const kinds = this.config.incidentKinds;
    const kind = kinds[this.incidentSeq % kinds.length]!;
    const seq = this.incidentSeq++;
    const truth: GroundTruthIncident = {
      id: `inc-${String(seq).padStart(4, '0')}-${kind}`,
      kind,
      namespace: '',
      objects: [],
      startMs: atMs,
      endMs: atMs,
      eventUids: [],
    };
    const uids = new Set<string>();
    let first = true;
    const emit = (spec: EventSpec, at: number): string => {
      const { uid } = this.recorder.record(spec, at);
      if (uid !== '' && !uids.has(uid)) {
        uids.add(uid);
        truth.eventUids.push(uid);
      }
      if (first) truth.startMs = at;
      first = false;
      truth.endMs = Math.max(truth.endMs, at);
      return uid;
    };
    const plan = INCIDENT_BUILDERS[kind](this.ctx, emit);
    if (!plan || plan.steps.length === 0) return;
    truth.namespace = plan.namespace;
    if (plan.node !== undefined) truth.node = plan.node;
    truth.objects = plan.objects.map(groundTruthObject);
    for (const k of plan.coolKeys) this.ctx.cooling.set(k, Number.POSITIVE_INFINITY);
    this.open.add(truth);
    const last = plan.steps.length - 1;
    const steps = plan.steps.map((s, i) =>
      i === last
        ? {
            ...s,
            run: (at: number) => {
              s.run(at);
              plan.cleanup?.(at);
              for (const k of plan.coolKeys) this.ctx.cooling.set(k, at + this.config.eventTtlMinutes * 60_000);
              this.open.delete(truth);
              this.finished.push(truth);
              this.writeGroundTruth(truth);
            },
          }
        : s,
    );
    this.queue.schedule(atMs, steps);
  }

  /** Ground-truth lines that could not be written (the file is best effort; memory keeps them all). */
  groundTruthWriteErrors(): number {
    return this.groundTruthErrors;
  }

  private writeGroundTruth(inc: GroundTruthIncident): void {
    if (this.config.groundTruthPath === '' || this.flushed) return;
    try {
      appendFileSync(this.config.groundTruthPath, `${JSON.stringify(inc)}\n`);
    } catch {
      this.groundTruthErrors += 1;
    }
  }
}
