import type { SourceApi } from '../model/event.js';
import type { KubeHttp } from './http.js';

/** Collection path of Events for `api`, cluster-wide or in `namespace`. */
export function eventsPath(api: SourceApi, namespace?: string): string {
  const root = api === 'events.k8s.io/v1' ? '/apis/events.k8s.io/v1' : '/api/v1';
  return namespace ? `${root}/namespaces/${encodeURIComponent(namespace)}/events` : `${root}/events`;
}

/** True when the server lists `events` under `events.k8s.io/v1`; false on 404 or when absent. Throws on other failures. */
export async function servesEventsV1(http: KubeHttp, signal: AbortSignal): Promise<boolean> {
  const res = await http.getJson('/apis/events.k8s.io/v1', {}, signal);
  if (res.status === 404) return false;
  if (res.status !== 200) throw new Error(`discovery of events.k8s.io/v1: HTTP ${res.status}`);
  const resources = (res.body as { resources?: unknown } | undefined)?.resources;
  return Array.isArray(resources) && resources.some((r) => (r as { name?: unknown } | null)?.name === 'events');
}

const V1_TO_CORE: [string, string][] = [
  ['regarding.', 'involvedObject.'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
];

/**
 * The field selector written in either Events schema, in the field names of `api`
 * (`regarding.kind` ↔ `involvedObject.kind`, `reportingController` ↔ `reportingComponent`,
 * `deprecatedSource` ↔ `source`), so it still works after the fallback to core/v1.
 */
export function fieldSelectorFor(api: SourceApi, selector: string): string {
  if (selector === '') return selector;
  return selector
    .split(',')
    .map((term) => {
      for (const [v1, core] of V1_TO_CORE) {
        const [from, to] = api === 'v1' ? [v1, core] : [core, v1];
        if (term.trimStart().startsWith(from)) return term.replace(from, to);
      }
      return term;
    })
    .join(',');
}
