import type { CoordinationV1Api } from '../kube/apis.js';
import { ApiException, type V1Lease, V1MicroTime } from '../kube/client.js';
import type { Clock } from '../model/time.js';
import { toEpochMs } from '../model/time.js';
import type { Logger } from '../observe/logger.js';

/** Options of a {@link LeaseElector}. */
export interface LeaseElectorOptions {
  /** Namespace of the Lease. */
  namespace: string;
  /** Name of the Lease. */
  name: string;
  /** holderIdentity written by this replica. */
  identity: string;
  /** How long the Lease stays held after a renewal, milliseconds (whole seconds in the Lease). */
  leaseDurationMillis: number;
  /** Leadership is given up when no renewal succeeded for this long, milliseconds; below `leaseDurationMillis`. */
  renewDeadlineMillis: number;
}

/** Services of a {@link LeaseElector}. */
export interface LeaseElectorDeps {
  api: CoordinationV1Api;
  clock: Clock;
  logger: Logger;
}

/**
 * What one {@link LeaseElector.tryAcquireOrRenew} did: `acquired` (leader from now), `renewed`
 * (still leader), `held` (another replica holds a valid Lease), `lost` (was leader, is not any
 * more), `failed` (the API did not answer as hoped; still leader while within the renew deadline).
 */
export type LeaseAttempt = 'acquired' | 'renewed' | 'held' | 'lost' | 'failed';

/** The Lease fields leader election reads. */
export interface LeaseState {
  holderIdentity: string;
  leaseDurationSeconds?: number;
  acquireTimeMs?: number;
  renewTimeMs?: number;
  leaseTransitions: number;
  resourceVersion?: string;
}

/** Reads the election fields of a Lease object (times as epoch milliseconds). */
export function leaseState(lease: V1Lease): LeaseState {
  const spec = lease.spec ?? {};
  const state: LeaseState = { holderIdentity: spec.holderIdentity ?? '', leaseTransitions: spec.leaseTransitions ?? 0 };
  if (typeof spec.leaseDurationSeconds === 'number') state.leaseDurationSeconds = spec.leaseDurationSeconds;
  const acquire = toEpochMs(spec.acquireTime);
  if (acquire !== undefined) state.acquireTimeMs = acquire;
  const renew = toEpochMs(spec.renewTime);
  if (renew !== undefined) state.renewTimeMs = renew;
  if (lease.metadata?.resourceVersion !== undefined) state.resourceVersion = lease.metadata.resourceVersion;
  return state;
}

/**
 * Whether a Lease can be taken at `nowMs`: nobody holds it, or its holder's promise
 * (renewTime + leaseDurationSeconds, else `fallbackDurationMillis`) has run out.
 */
export function leaseExpired(state: LeaseState, nowMs: number, fallbackDurationMillis: number): boolean {
  if (state.holderIdentity === '' || state.renewTimeMs === undefined) return true;
  const durationMillis = state.leaseDurationSeconds !== undefined ? state.leaseDurationSeconds * 1000 : fallbackDurationMillis;
  return state.renewTimeMs + durationMillis < nowMs;
}

/**
 * One `coordination.k8s.io/v1` Lease, contended like client-go's leaderelection: acquire it when
 * free or expired, renew it while leader, write with the resourceVersion read (a 409 means
 * somebody else wrote first), and stop being leader once renewals failed for the renew deadline,
 * which comes before the others may take the Lease. It holds no timer: its owner calls
 * {@link tryAcquireOrRenew} every retry period and {@link checkDeadline} when a renewal is late.
 */
export class LeaseElector {
  private leading = false;
  private lastRenewMs = 0;
  private observed?: LeaseState;
  private pending: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: LeaseElectorOptions,
    private readonly deps: LeaseElectorDeps,
  ) {}

  /** Whether this replica holds the Lease now. */
  isLeader(): boolean {
    return this.leading;
  }

  /** The Lease as last read or written; undefined before the first attempt. */
  lastObserved(): LeaseState | undefined {
    return this.observed;
  }

  /** Epoch milliseconds by which a renewal must succeed to stay leader; undefined when not leader. */
  renewDueMs(): number | undefined {
    return this.leading ? this.lastRenewMs + this.options.renewDeadlineMillis : undefined;
  }

  /**
   * One round: renews when leader, else acquires when the Lease is free or expired. Never throws.
   * Calls are serialized: one that comes while another is in flight runs after it.
   */
  tryAcquireOrRenew(): Promise<LeaseAttempt> {
    const attempt = this.pending.then(() => this.attempt());
    this.pending = attempt.then(
      () => undefined,
      () => undefined,
    );
    return attempt;
  }

  private async attempt(): Promise<LeaseAttempt> {
    const nowMs = this.deps.clock.now();
    const { namespace, name } = this.options;
    let current: V1Lease | undefined;
    try {
      current = await this.deps.api.readNamespacedLease({ namespace, name });
    } catch (err) {
      if (!isStatus(err, 404)) return this.failed(err, nowMs);
    }
    if (current === undefined) return this.create(nowMs);
    const state = leaseState(current);
    this.observed = state;
    const mine = state.holderIdentity === this.options.identity;
    if (!mine && this.leading) {
      this.lose(`taken by ${state.holderIdentity || 'nobody'}`);
      return 'lost';
    }
    if (!mine && !leaseExpired(state, nowMs, this.options.leaseDurationMillis)) return 'held';
    const spec = {
      holderIdentity: this.options.identity,
      leaseDurationSeconds: Math.ceil(this.options.leaseDurationMillis / 1000),
      acquireTime: new V1MicroTime(mine && state.acquireTimeMs !== undefined ? state.acquireTimeMs : nowMs),
      renewTime: new V1MicroTime(nowMs),
      leaseTransitions: mine ? state.leaseTransitions : state.leaseTransitions + 1,
    };
    const body: V1Lease = { ...current, spec: { ...current.spec, ...spec } };
    try {
      const written = await this.deps.api.replaceNamespacedLease({ namespace, name, body });
      this.observed = leaseState(written);
    } catch (err) {
      if (isStatus(err, 409) && !this.leading) return 'held';
      return this.failed(err, nowMs);
    }
    return this.won(nowMs);
  }

  /** Gives leadership up when the last successful renewal is older than the renew deadline; returns whether it did. */
  checkDeadline(): boolean {
    const due = this.renewDueMs();
    if (due === undefined || this.deps.clock.now() < due) return false;
    this.lose('renew deadline passed');
    return true;
  }

  /**
   * Clears holderIdentity so another replica takes the Lease at once (graceful stop). Call it
   * only once this replica stopped exporting. Failures are logged: the Lease then expires.
   */
  async release(): Promise<void> {
    if (!this.leading) return;
    this.leading = false;
    const { namespace, name } = this.options;
    try {
      const current = await this.deps.api.readNamespacedLease({ namespace, name });
      if ((current.spec?.holderIdentity ?? '') !== this.options.identity) return;
      const nowMs = this.deps.clock.now();
      const spec = { ...current.spec, holderIdentity: '', leaseDurationSeconds: 1, acquireTime: new V1MicroTime(nowMs), renewTime: new V1MicroTime(nowMs) };
      const written = await this.deps.api.replaceNamespacedLease({ namespace, name, body: { ...current, spec } });
      this.observed = leaseState(written);
      this.deps.logger.info({ lease: `${namespace}/${name}` }, 'released the lease');
    } catch (err) {
      this.deps.logger.warn({ err: String(err), lease: `${namespace}/${name}` }, 'could not release the lease; it expires after its duration');
    }
  }

  private async create(nowMs: number): Promise<LeaseAttempt> {
    const { namespace, name, identity } = this.options;
    if (this.leading) {
      this.lose('the lease was deleted');
      return 'lost';
    }
    const body: V1Lease = {
      apiVersion: 'coordination.k8s.io/v1',
      kind: 'Lease',
      metadata: { name, namespace, labels: { 'app.kubernetes.io/name': 'eventide', 'app.kubernetes.io/component': 'leader-election' } },
      spec: {
        holderIdentity: identity,
        leaseDurationSeconds: Math.ceil(this.options.leaseDurationMillis / 1000),
        acquireTime: new V1MicroTime(nowMs),
        renewTime: new V1MicroTime(nowMs),
        leaseTransitions: 0,
      },
    };
    try {
      this.observed = leaseState(await this.deps.api.createNamespacedLease({ namespace, body }));
    } catch (err) {
      // 409 AlreadyExists: another replica created it first.
      return isStatus(err, 409) ? 'held' : this.failed(err, nowMs);
    }
    return this.won(nowMs);
  }

  private won(nowMs: number): LeaseAttempt {
    // A write that took longer than the renew deadline may already be seen as expired by others.
    if (this.deps.clock.now() >= nowMs + this.options.renewDeadlineMillis) return this.failed(new Error('lease write answered after the renew deadline'), nowMs);
    const was = this.leading;
    this.leading = true;
    this.lastRenewMs = Math.max(this.lastRenewMs, nowMs);
    if (!was) this.deps.logger.info({ lease: `${this.options.namespace}/${this.options.name}`, identity: this.options.identity }, 'acquired the lease');
    return was ? 'renewed' : 'acquired';
  }

  private failed(err: unknown, nowMs: number): LeaseAttempt {
    this.deps.logger.debug({ err: String(err), lease: `${this.options.namespace}/${this.options.name}` }, 'lease request failed');
    if (this.leading && nowMs >= this.lastRenewMs + this.options.renewDeadlineMillis) {
      this.lose(`renewals failed for ${this.options.renewDeadlineMillis} ms: ${String(err)}`);
      return 'lost';
    }
    return this.checkDeadline() ? 'lost' : 'failed';
  }

  private lose(reason: string): void {
    this.leading = false;
    this.deps.logger.warn({ lease: `${this.options.namespace}/${this.options.name}`, reason }, 'lost the lease');
  }
}

function isStatus(err: unknown, code: number): boolean {
  return err instanceof ApiException && err.code === code;
}
