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
