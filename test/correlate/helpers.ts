import type { Classification, Enrichment, EventRecord, KEvent, Severity } from '../../src/model/event.js';
import { BASE_TIME_MS, buildEvent, buildRecord, buildRef } from '../support/builders.js';

/** Minutes after {@link BASE_TIME_MS}, in epoch ms. */
export function at(minutes: number, seconds = 0): number {
  return BASE_TIME_MS + minutes * 60_000 + seconds * 1000;
}

/** A classification with the given severity. */
export function cls(severity: Severity, category = 'Test.Category'): Classification {
  return { category, severity, ruleId: 'test', escalated: false };
}

/** A record about Pod `<ns>/<name>` (uid `pod-<name>`). */
export function podRecord(
  name: string,
  event: Partial<KEvent> = {},
  enrichment: Enrichment = {},
  severity: Severity = event.type === 'Normal' ? 'Info' : 'Medium',
  namespace = 'default',
): EventRecord {
  const regarding = buildRef({ kind: 'Pod', name, namespace, uid: `pod-${name}` });
  return buildRecord(buildEvent({ regarding, ...event }), { enrichment, classification: cls(severity) });
}

/** A record about Node `<name>` as the kubelet reports it (uid = node name). */
export function nodeRecord(name: string, event: Partial<KEvent> = {}, severity: Severity = 'High'): EventRecord {
  const regarding = buildRef({ kind: 'Node', name, uid: name });
  return buildRecord(buildEvent({ regarding, reportingInstance: name, ...event }), {
    enrichment: { nodeName: name },
    classification: cls(severity, 'Node.Pressure'),
  });
}
