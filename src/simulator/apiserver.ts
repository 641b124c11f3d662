import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { writeFile } from 'node:fs/promises';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import type { Clock } from '../model/time.js';
import type { KubeObject, ResourceInfo } from './resources.js';
import { RESOURCES, apiVersionOf, findResource, metaOf, nameOf, namespaceOf, storageKind } from './resources.js';
import { ObjectStore, StoreError } from './store.js';
import { coreEventToEventsV1, eventsV1ToCoreEvent, normalizeCoreEvent } from './eventconv.js';
import { ApiError, statusObject } from './status.js';
import { apiGroup, apiGroupList, apiResourceList, coreApiVersions, versionInfo } from './discovery.js';
import { SelectorError, parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { Selector } from './selectors.js';
import { PatchError, jsonPatch, mergePatch } from './patch.js';
import { validateEventsV1Create } from './validate.js';
import { WatchStream } from './watch.js';

/** Options of {@link startApiServer}. All optional. */
export interface ApiServerOptions {
  /** Port to listen on. Default 0 (any free port). */
  port?: number;
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** When set, every request must carry `Authorization: Bearer <token>` (else 401). Default unset (no check). */
  token?: string;
  /** Serve `events.k8s.io/v1`; false makes it 404 and absent from discovery. Default true. */
  servesEventsV1?: boolean;
  /** Period of BOOKMARK events on watches that ask for them, wall milliseconds. Default 1000. */
  bookmarkIntervalMillis?: number;
  /** Changes kept for watches and continue tokens. Default 10,000. */
  historySize?: number;
  /** Store to serve (share one with a generator). Default a new store from historySize/clock/uidFactory. */
  store?: ObjectStore;
  /** Clock for creationTimestamp of a new store. Default system clock. */
  clock?: Clock;
  /** uid factory of a new store. Default `crypto.randomUUID`. */
  uidFactory?: () => string;
  /** Buffered bytes past which a slow watch is cut off. Default 16 MiB. */
  maxWatchBufferBytes?: number;
  /**
   * A cheaper serializer of stored objects for watches that take every object of their resource
   * (no namespace, no selector): the JSON text of `stored` as served by `group`'s API, exactly
   * what `JSON.stringify` of the converted object gives, or undefined for the generic path. The
   * benchmark's load generator renders its Events from templates this way, so the machine it
   * shares with the process under test spends less on the stand-in for kube-apiserver.
   */
  servedJson?: (group: string, stored: KubeObject) => string | undefined;
}

/** Fault injection on a running API server. */
export interface ApiServerFaults {
  /** Destroys every open watch connection now. */
  dropWatches(): void;
  /** Destroys each watch connection after every `n` events sent on it (0 turns it off). */
  dropWatchesEvery(n: number): void;
  /** Drops the change history: older resourceVersions and continue tokens give 410 Gone. */
  compact(): void;
  /** Delays every request by `ms` wall milliseconds (0 turns it off). */
  setLatencyMillis(ms: number): void;
  /** The next `count` requests fail with `status` (e.g. 429, 500, 503), with `Retry-After` when given. */
  failNext(count: number, status: number, retryAfterSeconds?: number): void;
  /** While down, every request gets 503 and open watches and idle connections are destroyed. */
  setDown(down: boolean): void;
  /** Writes a raw line to every open watch now, or to the next watch that opens when none is open. */
  injectRawWatchLine(line: string | Buffer): void;
  /** Stores an object (storage key such as `events`, `pods`) bypassing validation and conversion; served verbatim. */
  putRaw(resource: string, obj: KubeObject): KubeObject;
}

/** Counters of a running API server. */
export interface ApiServerStats {
  /** Requests by `"<verb> <resource>"` (verb: list, watch, get, create, update, patch, delete, deletecollection, discovery, health). */
  requests: Record<string, number>;
  /** Watch connections open now. */
  openWatches: number;
  /** Watch event lines sent (including BOOKMARK and ERROR). */
  watchEventsSent: number;
  /** Bytes written to open watches and not yet taken by the kernel, summed (how far watchers are behind). */
  watchBufferedBytes: number;
  /** Objects returned by list calls. */
  listItemsServed: number;
}

/** A running simulated Kubernetes API server. */
export interface ApiServerHandle {
  /** Base URL, `http://127.0.0.1:<port>`. */
  url: string;
  /** Port listened on. */
  port: number;
  /** The object store served. */
  store: ObjectStore;
  /** Fault injection. */
  faults: ApiServerFaults;
  /** A kubeconfig (YAML) for this server with a bearer-token user. */
  kubeconfigYaml(): string;
  /** Writes {@link kubeconfigYaml} to a file. */
  writeKubeconfig(path: string): Promise<void>;
  /** Counters. */
  stats(): ApiServerStats;
  /** Closes all watches and sockets and stops listening. */
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 64 * 1024 * 1024;
const DEFAULT_TOKEN = 'eventide-simulator-token';

interface Route {
  info: ResourceInfo;
  namespace: string | undefined;
  name: string | undefined;
}

interface ContinueToken {
  rv: number;
  start: string;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv: t.rv, start: t.start })).toString('base64');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64').toString('utf8')) as { v?: string; rv?: number; start?: string };
    if (t.v === 'meta.k8s.io/v1' && typeof t.rv === 'number' && typeof t.start === 'string') return { rv: t.rv, start: t.start };
  } catch {
    // fall through
  }
  throw new ApiError(400, 'continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)', 'BadRequest');
}

function lowerBound(items: Array<[string, KubeObject]>, key: string): number {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (items[mid]![0] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function qualified(info: ResourceInfo): string {
  return info.group === '' ? info.resource : `${info.resource}.${info.group}`;
}

/** Starts a simulated Kubernetes API server on 127.0.0.1 (port 0 by default). */
export async function startApiServer(options: ApiServerOptions = {}): Promise<ApiServerHandle> {
  const store =
    options.store ??
    new ObjectStore({
      ...(options.historySize !== undefined ? { historySize: options.historySize } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.uidFactory ? { uidFactory: options.uidFactory } : {}),
    });
  const servesEventsV1 = options.servesEventsV1 ?? true;
  const resources = RESOURCES.filter((r) => servesEventsV1 || r.group !== 'events.k8s.io');
  const bookmarkIntervalMillis = options.bookmarkIntervalMillis ?? 1000;
  const maxWatchBufferBytes = options.maxWatchBufferBytes ?? 16 * 1024 * 1024;
  const token = options.token ?? DEFAULT_TOKEN;

  const watches = new Set<WatchStream>();
  const sockets = new Set<Socket>();
  const rawObjects = new WeakSet<KubeObject>();
  const pendingRawLines: Array<string | Buffer> = [];
  const requests: Record<string, number> = {};
  let watchEventsSent = 0;
  let listItemsServed = 0;
  let dropEvery = 0;
  let latencyMillis = 0;
  let down = false;
  let failing: { count: number; status: number; retryAfterSeconds: number | undefined } = { count: 0, status: 500, retryAfterSeconds: undefined };

  const unsubscribe = store.subscribe((change) => {
    for (const w of watches) w.onChange(change);
  });

  function view(info: ResourceInfo, obj: KubeObject): KubeObject {
    if (rawObjects.has(obj)) return obj;
    if (info.storage === 'events') return info.group === 'events.k8s.io' ? coreEventToEventsV1(obj) : normalizeCoreEvent(obj);
    return { ...obj, apiVersion: apiVersionOf(info), kind: info.kind };
  }

  function count(verb: string, resource: string): void {
    const k = `${verb} ${resource}`;
    requests[k] = (requests[k] ?? 0) + 1;
  }

  function send(res: ServerResponse, code: number, body: unknown, headers: Record<string, string> = {}): void {
    const text = JSON.stringify(body);
    res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  function route(path: string): { discovery: KubeObject | undefined } | Route {
    const segs = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    if (segs.length === 1 && segs[0] === 'version') return { discovery: versionInfo() };
    if (segs[0] === 'api' && segs.length === 1) return { discovery: coreApiVersions() };
    if (segs[0] === 'apis' && segs.length === 1) return { discovery: apiGroupList(resources) };
    if (segs[0] === 'apis' && segs.length === 2) return { discovery: apiGroup(resources, segs[1]!) };
    let group: string;
    let version: string;
    let rest: string[];
    if (segs[0] === 'api' && segs.length >= 2) [group, version, rest] = ['', segs[1]!, segs.slice(2)];
    else if (segs[0] === 'apis' && segs.length >= 3) [group, version, rest] = [segs[1]!, segs[2]!, segs.slice(3)];
    else throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    if (rest.length === 0) return { discovery: apiResourceList(resources, group, version) };
    let namespace: string | undefined;
    if (rest[0] === 'namespaces' && rest.length >= 3) {
      namespace = rest[1];
      rest = rest.slice(2);
    }
    const info = findResource(resources, group, version, rest[0]!);
    if (!info || rest.length > 3 || (namespace !== undefined && !info.namespaced) || (rest.length >= 2 && info.namespaced && namespace === undefined)) {
      throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
    }
    return { info, namespace, name: rest[1] };
  }

  function selectorsOf(q: URLSearchParams): Selector {
    try {
      const ls = q.get('labelSelector');
      const fs = q.get('fieldSelector');
      const l = ls ? parseLabelSelector(ls) : undefined;
      const f = fs ? parseFieldSelector(fs) : undefined;
      return (o) => (l ? l(o) : true) && (f ? f(o) : true);
    } catch (err) {
      if (err instanceof SelectorError) throw new ApiError(400, err.message, 'BadRequest');
      throw err;
    }
  }

  function list(r: Route, q: URLSearchParams): KubeObject {
    const { info, namespace } = r;
    const limit = Number(q.get('limit') ?? '0');
    const cont = q.get('continue');
    const token = cont ? decodeContinue(cont) : undefined;
    const listRv = token ? token.rv : store.currentRv();
    const items = store.sortedAt(info.storage, listRv);
    if (!items) {
      throw new ApiError(
        410,
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results.',
        'Expired',
      );
    }
    const selector = selectorsOf(q);
    const hasSelector = q.has('labelSelector') || q.has('fieldSelector');
    const prefix = namespace !== undefined ? `${namespace}/` : '';
    const end = namespace !== undefined ? lowerBound(items, `${namespace}0`) : items.length; // '0' sorts right after '/'
    let i = lowerBound(items, token ? token.start : prefix);
    const out: KubeObject[] = [];
    let lastKey: string | undefined;
    for (; i < end; i++) {
      if (limit > 0 && out.length >= limit) break;
      const [key, obj] = items[i]!;
      lastKey = key;
      const served = view(info, obj);
      if (!selector(served)) continue;
      const { apiVersion: _a, kind: _k, ...item } = served;
      void _a;
      void _k;
      out.push(rawObjects.has(obj) ? served : item);
    }
    listItemsServed += out.length;
    const metadata: Record<string, unknown> = { resourceVersion: String(listRv) };
    if (i < end && lastKey !== undefined) {
      metadata['continue'] = encodeContinue({ rv: listRv, start: `${lastKey}\u0000` });
      if (!hasSelector) metadata['remainingItemCount'] = end - i;
    }
    return { kind: `${info.kind}List`, apiVersion: apiVersionOf(info), metadata, items: out };
  }

  function startWatch(r: Route, q: URLSearchParams, res: ServerResponse): void {
    const { info, namespace } = r;
    const selector = selectorsOf(q);
    const matches = (o: KubeObject): boolean => (namespace === undefined || namespaceOf(o) === namespace) && selector(o);
    const servedJson = options.servedJson;
    const takesAll = namespace === undefined && !q.get('labelSelector') && !q.get('fieldSelector');
    const rvParam = q.get('resourceVersion') ?? '';
    let fromRv: number | undefined;
    if (rvParam !== '' && rvParam !== '0') {
      if (!/^\d+$/.test(rvParam)) throw new ApiError(400, `resourceVersion: Invalid value: "${rvParam}": must be a valid resource version`, 'BadRequest');
      fromRv = Number(rvParam);
    }
    const timeout = q.get('timeoutSeconds');
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    const stream = new WatchStream(res, {
      info,
      view: (o) => view(info, o),
      matches,
      ...(servedJson && takesAll ? { render: (o: KubeObject) => (rawObjects.has(o) ? undefined : servedJson(info.group, o)) } : {}),
      bookmarkIntervalMillis: q.get('allowWatchBookmarks') === 'true' ? bookmarkIntervalMillis : undefined,
      currentRv: () => store.currentRv(),
      timeoutSeconds: timeout ? Number(timeout) : undefined,
      dropAfterEvents: () => dropEvery,
      maxBufferedBytes: maxWatchBufferBytes,
      onClose: () => watches.delete(stream),
      onSent: () => {
        watchEventsSent += 1;
      },
    });
    for (const line of pendingRawLines.splice(0)) stream.writeRaw(line);
    // Streaming list (sendInitialEvents=true): current state, then a bookmark marking its end.
    const sendInitial = q.get('sendInitialEvents') === 'true';
    if (fromRv === undefined || sendInitial) {
      for (const [, obj] of store.sortedAt(info.storage, store.currentRv()) ?? []) {
        const served = view(info, obj);
        if (matches(served)) stream.send('ADDED', served);
      }
      if (sendInitial && q.get('allowWatchBookmarks') === 'true') {
        stream.send('BOOKMARK', {
          kind: info.kind,
          apiVersion: apiVersionOf(info),
          metadata: { resourceVersion: String(store.currentRv()), annotations: { 'k8s.io/initial-events-end': 'true' } },
        });
      }
    } else {
      const changes = store.changesAfter(fromRv);
      if (!changes) {
        stream.send('ERROR', statusObject(410, `too old resource version: ${fromRv} (${store.oldestRv() + 1})`, 'Expired'));
        stream.end();
        return;
      }
      for (const c of changes) stream.onChange(c);
    }
    if (stream.isOpen()) watches.add(stream);
  }

  function toStored(r: Route, body: KubeObject): KubeObject {
    const { info } = r;
    if (info.storage === 'events') return info.group === 'events.k8s.io' ? eventsV1ToCoreEvent(body) : normalizeCoreEvent(body);
    return { ...body, apiVersion: apiVersionOf(info), kind: info.kind };
  }

  function checkBody(r: Route, body: unknown): KubeObject {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'the body of the request must be a JSON object', 'BadRequest');
    const obj = body as KubeObject;
    const meta = metaOf(obj);
    if (obj['metadata'] === undefined) obj['metadata'] = meta;
    if (r.info.namespaced) {
      const ns = namespaceOf(obj);
      if (ns !== '' && ns !== r.namespace) throw new ApiError(400, 'the namespace of the provided object does not match the namespace sent on the request', 'BadRequest');
      meta['namespace'] = r.namespace;
    }
    return obj;
  }

  function storeError(r: Route, name: string, err: unknown): never {
    if (err instanceof StoreError) {
      const details = { name, group: r.info.group, kind: r.info.resource };
      if (err.reason === 'AlreadyExists') throw new ApiError(409, `${qualified(r.info)} "${name}" already exists`, 'AlreadyExists', details);
      if (err.reason === 'NotFound') throw new ApiError(404, `${qualified(r.info)} "${name}" not found`, 'NotFound', details);
      throw new ApiError(409, err.message.replace(`on ${r.info.storage} `, `on ${qualified(r.info)} `), 'Conflict', details);
    }
    throw err;
  }

  function create(r: Route, body: unknown): KubeObject {
    const obj = checkBody(r, body);
    const meta = metaOf(obj);
    if ((typeof meta['name'] !== 'string' || meta['name'] === '') && typeof meta['generateName'] === 'string' && meta['generateName'] !== '') {
      meta['name'] = `${meta['generateName']}${Math.random().toString(36).slice(2, 7)}`;
    }
    if (typeof meta['name'] !== 'string' || meta['name'] === '') {
      throw new ApiError(422, `${r.info.kind} "" is invalid: metadata.name: Required value: name or generateName is required`, 'Invalid', {
        kind: r.info.kind,
        group: r.info.group,
        causes: [{ reason: 'FieldValueRequired', message: 'Required value: name or generateName is required', field: 'metadata.name' }],
      });
    }
    if (r.info.storage === 'events' && r.info.group === 'events.k8s.io') {
      const causes = validateEventsV1Create(obj);
      if (causes.length > 0) {
        const msg = causes.map((c) => `${c.field}: ${c.message}`).join(', ');
        throw new ApiError(422, `Event.events.k8s.io "${nameOf(obj)}" is invalid: [${msg}]`, 'Invalid', { name: nameOf(obj), group: r.info.group, kind: 'Event', causes });
      }
    }
    delete meta['resourceVersion'];
    try {
      return view(r.info, store.create(r.info.storage, toStored(r, obj)));
    } catch (err) {
      return storeError(r, nameOf(obj), err);
    }
  }

  function replace(r: Route, body: unknown): KubeObject {
    const obj = checkBody(r, body);
    if (nameOf(obj) !== r.name) throw new ApiError(400, 'the name of the object does not match the name on the URL', 'BadRequest');
    try {
      return view(r.info, store.update(r.info.storage, toStored(r, obj)));
    } catch (err) {
      if (err instanceof StoreError && err.reason === 'NotFound' && r.info.storage === 'events') return create(r, obj);
      return storeError(r, r.name ?? '', err);
    }
  }

  function getObject(r: Route): KubeObject {
    const obj = store.get(r.info.storage, r.namespace ?? '', r.name ?? '');
    if (!obj) storeError(r, r.name ?? '', new StoreError('NotFound', 'not found'));
    return obj;
  }

  function patch(r: Route, body: Buffer, contentType: string): KubeObject {
    const current = view(r.info, getObject(r));
    let patched: unknown;
    try {
      if (contentType.startsWith('application/json-patch+json')) patched = jsonPatch(current, JSON.parse(body.toString('utf8')));
      else if (contentType.startsWith('application/apply-patch+yaml')) patched = mergePatch(current, parseYaml(body.toString('utf8')));
      else if (contentType.startsWith('application/merge-patch+json') || contentType.startsWith('application/strategic-merge-patch+json')) {
        patched = mergePatch(current, JSON.parse(body.toString('utf8')));
      } else throw new ApiError(415, `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml, application/strategic-merge-patch+json`, 'UnsupportedMediaType');
    } catch (err) {
      if (err instanceof ApiError) throw err;
      if (err instanceof PatchError) throw new ApiError(422, err.message, 'Invalid');
      throw new ApiError(400, `error decoding patch: ${(err as Error).message}`, 'BadRequest');
    }
    const obj = checkBody(r, patched);
    metaOf(obj)['name'] = r.name;
    try {
      return view(r.info, store.update(r.info.storage, toStored(r, obj)));
    } catch (err) {
      return storeError(r, r.name ?? '', err);
    }
  }

  function remove(r: Route): KubeObject {
    try {
      return view(r.info, store.delete(r.info.storage, r.namespace ?? '', r.name ?? ''));
    } catch (err) {
      return storeError(r, r.name ?? '', err);
    }
  }

  function removeCollection(r: Route, q: URLSearchParams): KubeObject {
    const selector = selectorsOf(q);
    const deleted: KubeObject[] = [];
    for (const obj of store.list(r.info.storage, r.namespace)) {
      const served = view(r.info, obj);
      if (selector(served)) deleted.push(view(r.info, store.delete(r.info.storage, namespaceOf(obj), nameOf(obj))));
    }
    return { kind: `${r.info.kind}List`, apiVersion: apiVersionOf(r.info), metadata: { resourceVersion: String(store.currentRv()) }, items: deleted };
  }

  async function readBody(req: IncomingMessage): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of req) {
      const b = chunk as Buffer;
      size += b.length;
      if (size > MAX_BODY_BYTES) throw new ApiError(413, 'the request body is too large', 'RequestEntityTooLarge');
      chunks.push(b);
    }
    return Buffer.concat(chunks);
  }

  function parseJson(buf: Buffer): unknown {
    try {
      return JSON.parse(buf.toString('utf8'));
    } catch (err) {
      throw new ApiError(400, `error decoding request body: ${(err as Error).message}`, 'BadRequest');
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const method = req.method ?? 'GET';
    if (down) {
      send(res, 503, statusObject(503, 'the server is currently unable to handle the request', 'ServiceUnavailable'), { Connection: 'close' });
      return;
    }
    if (latencyMillis > 0) await new Promise((resolve) => setTimeout(resolve, latencyMillis));
    if (failing.count > 0) {
      failing.count -= 1;
      const ra = failing.retryAfterSeconds;
      const headers: Record<string, string> = ra !== undefined ? { 'Retry-After': String(ra) } : {};
      const msg = failing.status === 429 ? 'Too many requests, please try again later.' : 'injected failure';
      send(res, failing.status, statusObject(failing.status, msg, undefined, ra !== undefined ? { retryAfterSeconds: ra } : undefined), headers);
      return;
    }
    if (options.token !== undefined && req.headers.authorization !== `Bearer ${options.token}`) {
      send(res, 401, statusObject(401, 'Unauthorized', 'Unauthorized'));
      return;
    }
    if (url.pathname === '/healthz' || url.pathname === '/readyz' || url.pathname === '/livez') {
      count('health', url.pathname);
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
      res.end('ok');
      return;
    }
    const r = route(url.pathname);
    if ('discovery' in r) {
      count('discovery', url.pathname);
      if (!r.discovery) throw new ApiError(404, 'the server could not find the requested resource', 'NotFound');
      if (method !== 'GET') throw new ApiError(405, `the server does not allow this method on the requested resource`, 'MethodNotAllowed');
      send(res, 200, r.discovery);
      return;
    }
    const q = url.searchParams;
    const res_ = qualified(r.info);
    const collection = r.name === undefined;
    if (method === 'GET' && collection) {
      const w = q.get('watch');
      if (w === 'true' || w === '1') {
        count('watch', res_);
        startWatch(r, q, res);
        return;
      }
      count('list', res_);
      send(res, 200, list(r, q));
    } else if (method === 'GET') {
      count('get', res_);
      send(res, 200, view(r.info, getObject(r)));
    } else if (method === 'POST' && collection) {
      count('create', res_);
      if (r.info.namespaced && r.namespace === undefined) throw new ApiError(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed');
      send(res, 201, create(r, parseJson(await readBody(req))));
    } else if (method === 'PUT' && !collection) {
      count('update', res_);
      send(res, 200, replace(r, parseJson(await readBody(req))));
    } else if (method === 'PATCH' && !collection) {
      count('patch', res_);
      send(res, 200, patch(r, await readBody(req), req.headers['content-type'] ?? ''));
    } else if (method === 'DELETE' && !collection) {
      count('delete', res_);
      send(res, 200, remove(r));
    } else if (method === 'DELETE') {
      count('deletecollection', res_);
      send(res, 200, removeCollection(r, q));
    } else {
      throw new ApiError(405, 'the server does not allow this method on the requested resource', 'MethodNotAllowed');
    }
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (err instanceof ApiError) send(res, err.code, err.toStatus());
      else send(res, 500, statusObject(500, `internal error: ${(err as Error).message}`, 'InternalError'));
    });
  });
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const url = `http://${options.host ?? '127.0.0.1'}:${port}`;

  function dropWatches(): void {
    for (const w of [...watches]) w.destroy();
  }

  const faults: ApiServerFaults = {
    dropWatches,
    dropWatchesEvery(n) {
      dropEvery = Math.max(0, Math.floor(n));
    },
    compact() {
      store.compact();
    },
    setLatencyMillis(ms) {
      latencyMillis = Math.max(0, ms);
    },
    failNext(n, status, retryAfterSeconds) {
      failing = { count: n, status, retryAfterSeconds };
    },
    setDown(value) {
      down = value;
      if (value) {
        dropWatches();
        server.closeIdleConnections();
      }
    },
    injectRawWatchLine(line) {
      if (watches.size === 0) pendingRawLines.push(line);
      for (const w of watches) w.writeRaw(line);
    },
    putRaw(resource, obj) {
      const storage = storageKind(resource)?.storage ?? resource;
      return store.putRaw(storage, obj, (stored) => rawObjects.add(stored));
    },
  };

  function kubeconfigYaml(): string {
    const name = 'eventide-simulator';
    return stringifyYaml({
      apiVersion: 'v1',
      kind: 'Config',
      // client-node 1.x refuses plain http unless insecure-skip-tls-verify is set.
      clusters: [{ name, cluster: { server: url, 'insecure-skip-tls-verify': true } }],
      users: [{ name, user: { token } }],
      contexts: [{ name, context: { cluster: name, user: name, namespace: 'default' } }],
      'current-context': name,
      preferences: {},
    });
  }

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    store,
    faults,
    kubeconfigYaml,
    async writeKubeconfig(path) {
      await writeFile(path, kubeconfigYaml(), { mode: 0o600 });
    },
    stats: () => {
      let watchBufferedBytes = 0;
      for (const w of watches) watchBufferedBytes += w.bufferedBytes();
      return { requests: { ...requests }, openWatches: watches.size, watchEventsSent, watchBufferedBytes, listItemsServed };
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        unsubscribe();
        dropWatches();
        server.close(() => resolve());
        server.closeAllConnections();
        for (const s of sockets) s.destroy();
      });
      return closing;
    },
  };
}
