import type { KubeObject, ResourceInfo } from './resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** `/version` body. */
export function versionInfo(): KubeObject {
  return {
    major: '1',
    minor: '33',
    gitVersion: 'v1.33.0-eventide-sim',
    gitCommit: '0000000000000000000000000000000000000000',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.24.0',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

/** `/api` body (APIVersions). */
export function coreApiVersions(): KubeObject {
  return { kind: 'APIVersions', versions: ['v1'], serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '127.0.0.1' }] };
}

function groupEntry(group: string, version: string): KubeObject {
  const gv = { groupVersion: `${group}/${version}`, version };
  return { name: group, versions: [gv], preferredVersion: gv };
}

/** `/apis/<group>` body (APIGroup). */
export function apiGroup(resources: readonly ResourceInfo[], group: string): KubeObject | undefined {
  const r = resources.find((x) => x.group === group);
  return r ? { kind: 'APIGroup', apiVersion: 'v1', ...groupEntry(group, r.version) } : undefined;
}

/** `/apis` body (APIGroupList). */
export function apiGroupList(resources: readonly ResourceInfo[]): KubeObject {
  const seen = new Map<string, string>();
  for (const r of resources) if (r.group !== '' && !seen.has(r.group)) seen.set(r.group, r.version);
  return { kind: 'APIGroupList', apiVersion: 'v1', groups: [...seen].map(([g, v]) => groupEntry(g, v)) };
}

/** `/api/v1` or `/apis/<group>/<version>` body (APIResourceList); undefined when not served. */
export function apiResourceList(resources: readonly ResourceInfo[], group: string, version: string): KubeObject | undefined {
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (rs.length === 0) return undefined;
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: rs.map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: VERBS,
      ...(r.shortNames.length > 0 ? { shortNames: r.shortNames } : {}),
    })),
  };
}
