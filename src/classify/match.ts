import type { KEvent } from '../model/event.js';
import type { CompiledRule } from './rules.js';

/** True when every condition of `rule` holds for `event` (pure; never throws). */
export function ruleMatches(rule: CompiledRule, event: KEvent): boolean {
  if (rule.reasons && !rule.reasons.has(event.reason)) return false;
  if (rule.type !== undefined && rule.type !== event.type) return false;
  if (rule.reportingControllers && !rule.reportingControllers.has(event.reportingController)) return false;
  if (rule.regardingKinds && !rule.regardingKinds.has(event.regarding.kind)) return false;
  if (rule.note && !rule.note.test(event.note)) return false;
  return true;
}

/** Escalation key of an event: the regarding object (uid, else kind/namespace/name) and the reason. */
export function escalationKey(event: KEvent): string {
  const r = event.regarding;
  const object = r.uid ? r.uid : `${r.kind}/${r.namespace}/${r.name}`;
  return `${object}\u0000${event.reason}`;
}

/**
 * {@link escalationKey} for Events about objects with a uid, remembered in a fixed-size
 * direct-mapped table so Events about the same object and reason reuse one key string instead
 * of concatenating (and hashing) a new one each time. Same strings as `escalationKey`; bounded
 * memory (`size` entries); a slot holds the last (uid, reason) that mapped to it.
 */
export class EscalationKeys {
  private readonly uids: (string | undefined)[];
  private readonly reasons: (string | undefined)[];
  private readonly keys: (string | undefined)[];
  private readonly mask: number;

  /** `size`: a power of two. */
  constructor(size = 4096) {
    if (size < 1 || (size & (size - 1)) !== 0) throw new Error(`EscalationKeys size must be a power of two, got ${size}`);
    this.mask = size - 1;
    this.uids = new Array<string | undefined>(size).fill(undefined);
    this.reasons = new Array<string | undefined>(size).fill(undefined);
    this.keys = new Array<string | undefined>(size).fill(undefined);
  }

  /** The escalation key of `event` (equal to `escalationKey(event)`). */
  of(event: KEvent): string {
    const uid = event.regarding.uid;
    if (!uid) return escalationKey(event);
    const reason = event.reason;
    const n = uid.length;
    // the last characters of a uid vary the most (UUIDs: random hex)
    const h = (uid.charCodeAt(n - 1) + uid.charCodeAt(n - 2) * 31 + uid.charCodeAt(n - 3) * 961 + uid.charCodeAt(n - 4) * 29791 + reason.length * 7) & this.mask;
    if (this.uids[h] === uid && this.reasons[h] === reason) return this.keys[h] as string;
    const key = escalationKey(event);
    this.uids[h] = uid;
    this.reasons[h] = reason;
    this.keys[h] = key;
    return key;
  }
}
