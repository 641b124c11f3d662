import { afterEach, describe, expect, it } from 'vitest';
import { CoordinationV1Api, CoreV1Api, EventsV1Api, makeInformer } from '@kubernetes/client-node';
import type { CoreV1Event, EventsV1Event } from '@kubernetes/client-node';
import { startApiServer } from '../../src/simulator/apiserver.js';
import type { ApiServerHandle, ApiServerOptions } from '../../src/simulator/apiserver.js';
import { collectWatch, kubeConfigFor } from './helpers.js';

let api: ApiServerHandle | undefined;
afterEach(async () => {
  await api?.close();
  api = undefined;
});

async function start(options: ApiServerOptions = {}): Promise<ApiServerHandle> {
  api = await startApiServer(options);
  return api;
}

function legacyEvent(name: string, namespace = 'default', extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Event',
    metadata: { name, namespace },
    involvedObject: { kind: 'Pod', name: name.split('.')[0], namespace, apiVersion: 'v1', uid: `uid-${name}` },
    reason: 'Started',
    message: `Started container ${name}`,
    source: { component: 'kubelet', host: 'node-1' },
    firstTimestamp: '2026-01-01T00:00:00Z',
    lastTimestamp: '2026-01-01T00:00:00Z',
    count: 1,
    type: 'Normal',
    ...extra,
  };
}

function seedEvents(h: ApiServerHandle, n: number, namespaces = ['a', 'b', 'c']): void {
  for (let i = 0; i < n; i++) h.store.create('events', legacyEvent(`pod-${i}.${i.toString(16)}`, namespaces[i % namespaces.length]));
}

describe('list', () => {
  it('paginates with limit/continue and returns every object exactly once, even with writes between pages', async () => {
    const h = await start();
    seedEvents(h, 237);
    const ev = kubeConfigFor(h).makeApiClient(EventsV1Api);
    const names: string[] = [];
    let cont: string | undefined;
    let pages = 0;
    let firstRv: string | undefined;
    do {
      const page = await ev.listEventForAllNamespaces({ limit: 50, ...(cont ? { _continue: cont } : {}) });
      firstRv ??= page.metadata?.resourceVersion;
      expect(page.metadata?.resourceVersion).toBe(firstRv);
      names.push(...page.items.map((e) => `${e.metadata?.namespace}/${e.metadata?.name}`));
      cont = page.metadata?._continue || undefined;
      if (cont) expect(page.metadata?.remainingItemCount).toBe(237 - names.length);
      // writes between pages are not seen by this list (consistent snapshot)
      h.store.create('events', legacyEvent(`late-${pages}.1`));
      pages++;
    } while (cont);
    expect(pages).toBe(5);
    expect(names).toHaveLength(237);
    expect(new Set(names).size).toBe(237);
  });

  it('namespaced list only returns that namespace', async () => {
    const h = await start();
    seedEvents(h, 30);
    const core = kubeConfigFor(h).makeApiClient(CoreV1Api);
    const list = await core.listNamespacedEvent({ namespace: 'b', limit: 4 });
    expect(list.items.every((e) => e.metadata?.namespace === 'b')).toBe(true);
    expect(list.metadata?.remainingItemCount).toBe(6);
  });

  it('answers an expired continue token with 410 Expired', async () => {
    const h = await start();
    seedEvents(h, 20);
    const ev = kubeConfigFor(h).makeApiClient(EventsV1Api);
    const page = await ev.listEventForAllNamespaces({ limit: 5 });
    h.store.create('events', legacyEvent('x.1'));
    h.faults.compact();
    const err = await ev.listEventForAllNamespaces({ limit: 5, _continue: page.metadata!._continue! }).catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(410);
    expect(JSON.parse((err as { body: string }).body)).toMatchObject({ kind: 'Status', code: 410, reason: 'Expired' });
  });

  it('filters by label and field selectors', async () => {
    const h = await start();
    const labels = [{ app: 'web', tier: 'fe' }, { app: 'db' }, { app: 'web' }, {}];
    labels.forEach((l, i) =>
      h.store.create('pods', {
        metadata: { name: `p${i}`, namespace: 'default', labels: l },
        spec: { nodeName: i % 2 === 0 ? 'node-1' : 'node-2' },
        status: { phase: i === 3 ? 'Pending' : 'Running' },
      }),
    );
    const core = kubeConfigFor(h).makeApiClient(CoreV1Api);
    const names = async (q: { labelSelector?: string; fieldSelector?: string }): Promise<string[]> =>
      (await core.listPodForAllNamespaces(q)).items.map((p) => p.metadata!.name!);
    expect(await names({ labelSelector: 'app=web' })).toEqual(['p0', 'p2']);
    expect(await names({ labelSelector: 'app==web,tier' })).toEqual(['p0']);
    expect(await names({ labelSelector: 'app!=web' })).toEqual(['p1', 'p3']);
    expect(await names({ labelSelector: 'app in (db, web),!tier' })).toEqual(['p1', 'p2']);
    expect(await names({ labelSelector: 'app notin (web)' })).toEqual(['p1', 'p3']);
    expect(await names({ fieldSelector: 'spec.nodeName=node-1' })).toEqual(['p0', 'p2']);
    expect(await names({ fieldSelector: 'status.phase!=Running,metadata.namespace=default' })).toEqual(['p3']);
    seedEvents(h, 6);
    const ev = kubeConfigFor(h).makeApiClient(EventsV1Api);
    expect((await ev.listEventForAllNamespaces({ fieldSelector: 'regarding.kind=Pod,metadata.namespace=a' })).items).toHaveLength(2);
    expect((await core.listEventForAllNamespaces({ fieldSelector: 'involvedObject.kind=Node' })).items).toHaveLength(0);
    const bad = await core.listPodForAllNamespaces({ labelSelector: 'a in (' }).catch((e: unknown) => e);
    expect((bad as { code?: number }).code).toBe(400);
  });
});

describe('events in two schemas', () => {
  it('maps a legacy core/v1 event to events.k8s.io/v1 as kube-apiserver does', async () => {
    const h = await start();
    const kc = kubeConfigFor(h);
    await kc.makeApiClient(CoreV1Api).createNamespacedEvent({ namespace: 'default', body: legacyEvent('web.17a') as unknown as CoreV1Event });
    const ev = await kc.makeApiClient(EventsV1Api).readNamespacedEvent({ name: 'web.17a', namespace: 'default' });
    expect(ev.note).toBe('Started container web.17a');
    expect(ev.regarding?.name).toBe('web');
    expect(ev.deprecatedSource).toEqual({ component: 'kubelet', host: 'node-1' });
    expect(ev.deprecatedCount).toBe(1);
    expect(ev.deprecatedFirstTimestamp?.toISOString()).toBe('2026-01-01T00:00:00.000Z');
    expect(ev.eventTime).toBeNull();
    expect(ev.series).toBeUndefined();
    // kube-apiserver copies reportingComponent (empty here); it does not fall back to source.component
    expect(ev.reportingController).toBeUndefined();
    const raw = (await (await fetch(`${h.url}/apis/events.k8s.io/v1/namespaces/default/events/web.17a`)).json()) as Record<string, unknown>;
    expect(raw['eventTime']).toBeNull();
    expect(raw).not.toHaveProperty('message');
    expect(raw).not.toHaveProperty('involvedObject');
  });

  it('maps an events.k8s.io/v1 event to core/v1, and watches on either API see it', async () => {
    const h = await start();
    const kc = kubeConfigFor(h);
    const rv = String(h.store.currentRv());
    const coreWatch = collectWatch(kc, '/api/v1/events', { resourceVersion: rv }, (s) => s.length >= 1);
    const v1Watch = collectWatch(kc, '/apis/events.k8s.io/v1/namespaces/ns1/events', { resourceVersion: rv }, (s) => s.length >= 1);
    await new Promise((r) => setTimeout(r, 50));
    const body: EventsV1Event = {
      metadata: { name: 'anomaly.1', namespace: 'ns1' },
      eventTime: new Date('2026-01-01T00:00:01.234Z'),
      reportingController: 'eventide.io/anomaly-detector',
      reportingInstance: 'eventide-0',
      action: 'Detect',
      reason: 'Anomaly',
      note: 'score 2.1',
      type: 'Warning',
      regarding: { kind: 'Deployment', name: 'web', namespace: 'ns1' },
      series: { count: 2, lastObservedTime: new Date('2026-01-01T00:00:05Z') },
    };
    await kc.makeApiClient(EventsV1Api).createNamespacedEvent({ namespace: 'ns1', body });
    const core = await kc.makeApiClient(CoreV1Api).readNamespacedEvent({ name: 'anomaly.1', namespace: 'ns1' });
    expect(core.message).toBe('score 2.1');
    expect(core.involvedObject.kind).toBe('Deployment');
    expect(core.reportingComponent).toBe('eventide.io/anomaly-detector');
    expect(core.reportingInstance).toBe('eventide-0');
    expect(core.eventTime as unknown).toBe('2026-01-01T00:00:01.234000Z'); // MicroTime stays a string in client-node
    expect(core.series?.count).toBe(2);
    expect(core.firstTimestamp).toBeNull();
    expect(core.count).toBeUndefined();
    const [cw, vw] = await Promise.all([coreWatch, v1Watch]);
    expect(cw.seen[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'v1', message: 'score 2.1' } });
    expect(vw.seen[0]).toMatchObject({ type: 'ADDED', object: { apiVersion: 'events.k8s.io/v1', note: 'score 2.1' } });
  });

  it('validates events.k8s.io/v1 creates like kube-apiserver (422 without eventTime)', async () => {
    const h = await start();
    const ev = kubeConfigFor(h).makeApiClient(EventsV1Api);
    const err = await ev
      .createNamespacedEvent({ namespace: 'default', body: { metadata: { name: 'x' }, note: 'n', reason: 'R', type: 'Normal' } as EventsV1Event })
      .catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(422);
    expect((err as { body: string }).body).toContain('eventTime');
  });

  it('servesEventsV1:false gives 404 and drops the group from discovery', async () => {
    const h = await start({ servesEventsV1: false });
    const ev = kubeConfigFor(h).makeApiClient(EventsV1Api);
    const err = await ev.listEventForAllNamespaces().catch((e: unknown) => e);
    expect((err as { code?: number }).code).toBe(404);
    const groups = (await (await fetch(`${h.url}/apis`)).json()) as { groups: Array<{ name: string }> };
    expect(groups.groups.map((g) => g.name)).not.toContain('events.k8s.io');
    expect(groups.groups.map((g) => g.name)).toContain('apps');
    const core = await kubeConfigFor(h).makeApiClient(CoreV1Api).listEventForAllNamespaces();
    expect(core.items).toEqual([]);
  });
});

describe('watch', () => {
  it('resumes from a resourceVersion and sees ADDED then MODIFIED with the count rising', async () => {
    const h = await start();
    h.store.create('events', legacyEvent('old.1'));
    const rv = String(h.store.currentRv());
    const created = h.store.create('events', legacyEvent('web.1'));
    h.store.update('events', { ...created, count: 2, lastTimestamp: '2026-01-01T00:00:10Z' });
    const w = await collectWatch(kubeConfigFor(h), '/apis/events.k8s.io/v1/events', { resourceVersion: rv }, (s) => s.length >= 2);
    expect(w.seen.map((e) => e.type)).toEqual(['ADDED', 'MODIFIED']);
    expect(w.seen[1]!.object).toMatchObject({ deprecatedCount: 2, metadata: { name: 'web.1' } });
  });

  it('serves new objects through servedJson on watches that take every object, and through the generic path on filtered ones', async () => {
    const asked: string[] = [];
    // a tell-tale text, so the test sees which path served each line
    const h = await start({
      servedJson: (group, stored) => {
        asked.push(group);
        const name = (stored['metadata'] as { name: string }).name;
        return name.startsWith('fast') ? JSON.stringify({ kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { name, rendered: true } }) : undefined;
      },
    });
    const rv = String(h.store.currentRv());
    const kc = kubeConfigFor(h);
    const all = collectWatch(kc, '/apis/events.k8s.io/v1/events', { resourceVersion: rv }, (s) => s.length >= 3);
    const inNamespace = collectWatch(kc, '/apis/events.k8s.io/v1/namespaces/a/events', { resourceVersion: rv }, (s) => s.length >= 2);
    const selected = collectWatch(kc, '/apis/events.k8s.io/v1/events', { resourceVersion: rv, fieldSelector: 'type=Normal' }, (s) => s.length >= 3);
    await new Promise((r) => setTimeout(r, 50));
    h.store.create('events', legacyEvent('fast-1.1', 'a'));
    h.store.create('events', legacyEvent('slow-1.1', 'a'));
    const created = h.store.create('events', legacyEvent('fast-2.1', 'b'));
    h.store.update('events', { ...created, count: 2 });
    const [w, n, f] = await Promise.all([all, inNamespace, selected]);
    expect(w.seen.map((e) => [e.type, e.object['metadata']])).toEqual([
      ['ADDED', { name: 'fast-1.1', rendered: true }],
      ['ADDED', expect.objectContaining({ name: 'slow-1.1', namespace: 'a' })],
      ['ADDED', { name: 'fast-2.1', rendered: true }],
    ]);
    for (const filtered of [n, f]) for (const e of filtered.seen) expect(e.object['metadata']).not.toHaveProperty('rendered');
    expect(f.seen.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED']);
    // asked once per new object and unfiltered watch, never for the update
    expect(asked).toEqual(['events.k8s.io', 'events.k8s.io', 'events.k8s.io']);
  });

  it('sends BOOKMARK events with only a resourceVersion', async () => {
    const h = await start({ bookmarkIntervalMillis: 30 });
    seedEvents(h, 2);
    const w = await collectWatch(
      kubeConfigFor(h),
      '/apis/events.k8s.io/v1/events',
      { resourceVersion: String(h.store.currentRv()), allowWatchBookmarks: true },
      (s) => s.some((e) => e.type === 'BOOKMARK'),
    );
    const bm = w.seen.find((e) => e.type === 'BOOKMARK')!;
    expect(bm.object).toEqual({ kind: 'Event', apiVersion: 'events.k8s.io/v1', metadata: { resourceVersion: '2' } });
  });

  it('answers a compacted resourceVersion with one ERROR 410 Expired and ends the stream', async () => {
    const h = await start();
    seedEvents(h, 3);
    h.faults.compact();
    seedEvents(h, 1, ['z']);
    const w = await collectWatch(kubeConfigFor(h), '/apis/events.k8s.io/v1/events', { resourceVersion: '1' }, () => false);
    expect(w.ended).toBe(true);
    expect(w.seen).toHaveLength(1);
    expect(w.seen[0]).toMatchObject({ type: 'ERROR', object: { kind: 'Status', code: 410, reason: 'Expired' } });
  });

  it('compact() also expires the latest resourceVersion; a fresh list gives one to resume from', async () => {
    const h = await start();
    seedEvents(h, 2);
    const kc = kubeConfigFor(h);
    const ev = kc.makeApiClient(EventsV1Api);
    const before = (await ev.listEventForAllNamespaces()).metadata!.resourceVersion!;
    h.faults.compact();
    const gone = await collectWatch(kc, '/apis/events.k8s.io/v1/events', { resourceVersion: before }, () => false);
    expect(gone.seen.map((e) => e.type)).toEqual(['ERROR']);
    const relisted = await ev.listEventForAllNamespaces();
    expect(relisted.items).toHaveLength(2);
    const resumed = collectWatch(kc, '/apis/events.k8s.io/v1/events', { resourceVersion: relisted.metadata!.resourceVersion! }, (s) => s.length >= 1);
    for (let i = 0; i < 50 && h.stats().openWatches < 1; i++) await new Promise((r) => setTimeout(r, 10));
    h.store.create('events', legacyEvent('after.1'));
    expect((await resumed).seen.map((e) => e.type)).toEqual(['ADDED']);
  });

  it('expires resourceVersions older than the bounded history', async () => {
    const h = await start({ historySize: 5 });
    seedEvents(h, 10);
    const w = await collectWatch(kubeConfigFor(h), '/api/v1/events', { resourceVersion: '2' }, () => false);
    expect(w.seen[0]?.type).toBe('ERROR');
    const ok = await collectWatch(kubeConfigFor(h), '/api/v1/events', { resourceVersion: '5' }, (s) => s.length >= 5);
    expect(ok.seen.map((e) => e.object['metadata'] as { resourceVersion: string }).map((m) => m.resourceVersion)).toEqual(['6', '7', '8', '9', '10']);
  });

  it('closes after timeoutSeconds and honours ?watch=1 with selectors', async () => {
    const h = await start();
    seedEvents(h, 6);
    const res = await fetch(`${h.url}/api/v1/events?watch=1&fieldSelector=metadata.namespace%3Da&timeoutSeconds=1`);
    const text = await res.text();
    const lines = text.trim().split('\n').map((l) => JSON.parse(l) as { type: string });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.type === 'ADDED')).toBe(true);
  });

  it('serves a streaming list with sendInitialEvents=true and an initial-events-end bookmark', async () => {
    const h = await start({ bookmarkIntervalMillis: 60_000 });
    seedEvents(h, 3);
    const w = await collectWatch(
      kubeConfigFor(h),
      '/apis/events.k8s.io/v1/events',
      { sendInitialEvents: true, allowWatchBookmarks: true, resourceVersionMatch: 'NotOlderThan', resourceVersion: '' },
      (s) => s.some((e) => e.type === 'BOOKMARK'),
    );
    expect(w.seen.map((e) => e.type)).toEqual(['ADDED', 'ADDED', 'ADDED', 'BOOKMARK']);
    expect(w.seen[3]!.object).toMatchObject({ metadata: { resourceVersion: '3', annotations: { 'k8s.io/initial-events-end': 'true' } } });
  });

  it('works with makeInformer (list then watch)', async () => {
    const h = await start();
    seedEvents(h, 3);
    const kc = kubeConfigFor(h);
    const ev = kc.makeApiClient(EventsV1Api);
    const informer = makeInformer(kc, '/apis/events.k8s.io/v1/events', () => ev.listEventForAllNamespaces());
    const added: string[] = [];
    informer.on('add', (o) => added.push(o.metadata!.name!));
    await informer.start();
    h.store.create('events', legacyEvent('after.1'));
    for (let i = 0; i < 50 && added.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    await informer.stop();
    expect(added).toHaveLength(4);
    expect(added).toContain('after.1');
  });
});

describe('writes', () => {
  it('rejects a PUT with a stale resourceVersion (409 Conflict) and a duplicate POST (409 AlreadyExists)', async () => {
    const h = await start();
    const co = kubeConfigFor(h).makeApiClient(CoordinationV1Api);
    const lease = await co.createNamespacedLease({ namespace: 'kube-system', body: { metadata: { name: 'eventide' }, spec: { holderIdentity: 'a' } } });
    const dup = await co.createNamespacedLease({ namespace: 'kube-system', body: { metadata: { name: 'eventide' } } }).catch((e: unknown) => e);
    expect((dup as { code?: number }).code).toBe(409);
    expect((dup as { body: string }).body).toContain('AlreadyExists');
    const updated = await co.replaceNamespacedLease({ name: 'eventide', namespace: 'kube-system', body: { ...lease, spec: { holderIdentity: 'b' } } });
    expect(updated.spec?.holderIdentity).toBe('b');
    const stale = await co
      .replaceNamespacedLease({ name: 'eventide', namespace: 'kube-system', body: { ...lease, spec: { holderIdentity: 'c' } } })
      .catch((e: unknown) => e);
    expect((stale as { code?: number }).code).toBe(409);
    expect(JSON.parse((stale as { body: string }).body)).toMatchObject({ reason: 'Conflict' });
  });

  it('patches (json-patch and merge-patch) and deletes', async () => {
    const h = await start();
    h.store.create('events', legacyEvent('p.1'));
    const core = kubeConfigFor(h).makeApiClient(CoreV1Api);
    const patched = await core.patchNamespacedEvent({ name: 'p.1', namespace: 'default', body: [{ op: 'replace', path: '/count', value: 5 }] });
    expect(patched.count).toBe(5);
    const res = await fetch(`${h.url}/apis/events.k8s.io/v1/namespaces/default/events/p.1`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json' },
      body: JSON.stringify({ note: 'changed' }),
    });
    expect(((await res.json()) as { note: string }).note).toBe('changed');
    await core.deleteNamespacedEvent({ name: 'p.1', namespace: 'default' });
    const gone = await core.readNamespacedEvent({ name: 'p.1', namespace: 'default' }).catch((e: unknown) => e);
    expect((gone as { code?: number }).code).toBe(404);
  });
});

describe('faults and server', () => {
  it('failNext 429 answers with Retry-After and then recovers', async () => {
    const h = await start();
    h.faults.failNext(1, 429, 3);
    const res = await fetch(`${h.url}/api/v1/pods`);
    expect(res.status).toBe(429);
    expect(res.headers.get('retry-after')).toBe('3');
    expect(((await res.json()) as { reason: string }).reason).toBe('TooManyRequests');
    expect((await fetch(`${h.url}/api/v1/pods`)).status).toBe(200);
  });

  it('failNext 500/503 without Retry-After, latency delays answers, health endpoints answer ok', async () => {
    const h = await start();
    h.faults.failNext(2, 503);
    const first = await fetch(`${h.url}/api/v1/nodes`);
    expect(first.status).toBe(503);
    expect(first.headers.get('retry-after')).toBeNull();
    expect(((await first.json()) as { reason: string }).reason).toBe('ServiceUnavailable');
    expect((await fetch(`${h.url}/api/v1/nodes`)).status).toBe(503);
    h.faults.failNext(1, 500);
    expect((await fetch(`${h.url}/api/v1/nodes`)).status).toBe(500);
    h.faults.setLatencyMillis(60);
    const t0 = Date.now();
    expect((await fetch(`${h.url}/readyz`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(50); // a lower bound on an injected sleep
    h.faults.setLatencyMillis(0);
    const bad = await fetch(`${h.url}/api/v1/events?limit=1&continue=not-a-token`);
    expect(bad.status).toBe(400);
  });

  it('dropWatches ends open watches with an error and dropWatchesEvery cuts after n events', async () => {
    const h = await start();
    const kc = kubeConfigFor(h);
    const pending = collectWatch(kc, '/api/v1/events', { resourceVersion: '0' }, () => false);
    for (let i = 0; i < 50 && h.stats().openWatches < 1; i++) await new Promise((r) => setTimeout(r, 10));
    h.faults.dropWatches();
    const dropped = await pending;
    expect(dropped.ended).toBe(true);
    seedEvents(h, 10);
    h.faults.dropWatchesEvery(4);
    const cut = await collectWatch(kc, '/api/v1/events', { resourceVersion: '0' }, () => false);
    expect(cut.ended).toBe(true);
    expect(cut.seen).toHaveLength(4);
  });

  it('setDown refuses with 503; raw watch lines are delivered and skipped by the client', async () => {
    const h = await start();
    h.faults.setDown(true);
    expect((await fetch(`${h.url}/version`)).status).toBe(503);
    h.faults.setDown(false);
    h.faults.injectRawWatchLine(Buffer.from([0x7b, 0xff, 0xfe, 0x0a]));
    h.faults.putRaw('events', { metadata: { name: 'weird', namespace: 'default' }, apiVersion: 'unknown/v9', note: 'x'.repeat(3_000_000) });
    const w = await collectWatch(kubeConfigFor(h), '/apis/events.k8s.io/v1/events', { resourceVersion: '0' }, (s) => s.length >= 1);
    expect(w.seen[0]!.object['apiVersion']).toBe('unknown/v9');
    expect(h.stats().requests['watch events.events.k8s.io']).toBe(1);
  });

  it('checks the bearer token when one is configured, and serves discovery', async () => {
    const h = await start({ token: 's3cret' });
    expect((await fetch(`${h.url}/api/v1/pods`)).status).toBe(401);
    const list = await kubeConfigFor(h).makeApiClient(CoreV1Api).listPodForAllNamespaces();
    expect(list.kind).toBe('PodList');
    const rl = (await (await fetch(`${h.url}/apis/events.k8s.io/v1`, { headers: { Authorization: 'Bearer s3cret' } })).json()) as {
      resources: Array<{ name: string; namespaced: boolean }>;
    };
    expect(rl.resources).toContainEqual(expect.objectContaining({ name: 'events', namespaced: true }));
  });
});
