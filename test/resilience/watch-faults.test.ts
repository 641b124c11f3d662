import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { allOut, doubled, startSidecar } from '../integration/harness.js';

/**
 * Watch faults through the whole sidecar (simulated API → eventide → OTLP/gRPC receiver):
 * each test injects one fault and counts Events in (the API server's store) against records out
 * (the receiver). See docs/robustness.md.
 */

async function readyz(sidecar: Sidecar): Promise<number> {
  const res = await fetch(`${sidecar.http!.url}/readyz`);
  await res.text();
  return res.status;
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('watch faults: events in (API store) = records out (receiver)', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  let sidecar: Sidecar | undefined;
  let proxy: RecordingProxy | undefined;

  afterEach(async () => {
    await sidecar?.stop();
    await receiver?.close();
    await proxy?.close();
    await sim?.close();
    sidecar = undefined;
    proxy = undefined;
  });

  async function setUp(seed: number, initial: number, overrides: Record<string, unknown> = {}): Promise<void> {
    sim = await startSimulator({ seed });
    receiver = await startOtlpReceiver();
    sim.generate(initial);
    ({ sidecar } = await startSidecar(sim.api.kubeconfigYaml(), receiver, overrides));
  }

  it('loses nothing when every watch connection is cut after each 300 events', async () => {
    await setUp(21, 400);
    await allOut(sim!, receiver!);
    sim!.api.faults.dropWatchesEvery(300);
    const before = sim!.api.stats().requests['watch events.events.k8s.io'] ?? 0;
    for (let i = 0; i < 20; i++) {
      sim!.generate(100);
      await sleep(15);
    }
    await allOut(sim!, receiver!);
    await sidecar!.pipeline.drain();
    // 2000 changes at 300 per connection: the stream was cut and resumed several times.
    expect((sim!.api.stats().requests['watch events.events.k8s.io'] ?? 0) - before).toBeGreaterThanOrEqual(5);
    expect(doubled(receiver!)).toEqual([]);
    expect(sidecar!.skips.count()).toBe(0);
  });

  it('relists through a storm of 410 Gone and exports each delivery once', async () => {
    await setUp(22, 300);
    await allOut(sim!, receiver!);
    const relistsBefore = sim!.api.stats().requests['list events.events.k8s.io'] ?? 0;
    for (let i = 0; i < 8; i++) {
      sim!.generate(60);
      sim!.api.faults.compact(); // every resourceVersion handed out so far is now gone
      sim!.api.faults.dropWatches();
      await sleep(40);
    }
    await allOut(sim!, receiver!);
    await sidecar!.pipeline.drain();
    expect((sim!.api.stats().requests['list events.events.k8s.io'] ?? 0) - relistsBefore).toBeGreaterThanOrEqual(2);
    expect(doubled(receiver!)).toEqual([]); // relists re-deliver; the delivery gate drops them
    expect(sidecar!.pipeline.counts().duplicates).toBeGreaterThan(0);
    expect(sidecar!.skips.count()).toBe(0);
  });

  it('keeps up with a slow API server (every request delayed)', async () => {
    await setUp(23, 200);
    await allOut(sim!, receiver!);
    sim!.api.faults.setLatencyMillis(300);
    sim!.api.faults.dropWatches(); // the resumed watch and every list pay the latency
    sim!.generate(400);
    await allOut(sim!, receiver!);
    sim!.api.faults.setLatencyMillis(0);
    expect(doubled(receiver!)).toEqual([]);
    expect(sidecar!.skips.count()).toBe(0);
    expect(await readyz(sidecar!)).toBe(200);
  });

  it('backs off while the API server is down, goes unready past the ceiling, and catches up after', async () => {
    // initialMillis 20, maxMillis 200: ready while fewer than ceil(log2(10)) + 1 = 5 failures in a row.
    sim = await startSimulator({ seed: 24 });
    receiver = await startOtlpReceiver();
    proxy = await startRecordingProxy(sim.api.url);
    sim.generate(300);
    ({ sidecar } = await startSidecar(viaProxy(sim, proxy), receiver, { enrich: { enabled: false } }));
    await allOut(sim, receiver);
    expect(await readyz(sidecar)).toBe(200);

    sim.api.faults.setDown(true);
    const downAt = Date.now();
    await pollUntil(async () => (await readyz(sidecar!)) === 503, 'readyz 503 while down');
    sim.generate(300); // written while eventide cannot see them
    await sleep(1000); // several backoff rounds at the 200 ms ceiling
    const upAt = Date.now();
    sim.api.faults.setDown(false);
    const retries = proxy.log.filter((r) => r.atMillis >= downAt && r.atMillis < upAt && r.status === 503).length;
    // Retried, but capped: one per jittered step (≤ 200 ms apart at the ceiling), not a hot loop.
    expect(retries).toBeGreaterThanOrEqual(4);
    expect(retries).toBeLessThan(100);

    await allOut(sim, receiver);
    await pollUntil(async () => (await readyz(sidecar!)) === 200, 'readyz 200 after the API server is back');
    expect(doubled(receiver)).toEqual([]);
    expect(sidecar.skips.count()).toBe(0);
  });

  it('honours Retry-After on 429 instead of its own shorter backoff', async () => {
    sim = await startSimulator({ seed: 25 });
    receiver = await startOtlpReceiver();
    proxy = await startRecordingProxy(sim.api.url);
    sim.generate(200);
    ({ sidecar } = await startSidecar(viaProxy(sim, proxy), receiver, { enrich: { enabled: false } }));
    await allOut(sim, receiver);
    sim.api.faults.failNext(1, 429, 1);
    sim.api.faults.dropWatches(); // the resumed watch gets 429 with Retry-After: 1
    const isWatch = (r: ProxiedRequest): boolean => r.path.includes('watch=true');
    await pollUntil(async () => proxy!.log.some((r) => r.status === 429), 'the 429');
    const limited = proxy.log.find((r) => r.status === 429)!;
    await pollUntil(async () => proxy!.log.some((r) => r.atMillis > limited.atMillis && isWatch(r) && r.status === 200), 'the retried watch');
    const retry = proxy.log.find((r) => r.atMillis > limited.atMillis && isWatch(r))!;
    // Without Retry-After the backoff here is below initialMillis (20 ms).
    expect(retry.atMillis - limited.atMillis).toBeGreaterThanOrEqual(1000);
    sim.generate(200);
    await allOut(sim, receiver);
    expect(doubled(receiver)).toEqual([]);
    expect(sidecar.skips.count()).toBe(0);
  });
});

async function pollUntil(predicate: () => Promise<boolean>, what: string, everyMillis = 25, timeoutMillis = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMillis;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(everyMillis);
  }
}

/** One request seen by the proxy: when it arrived (wall ms), its path and query, the status answered. */
interface ProxiedRequest {
  atMillis: number;
  path: string;
  status?: number;
}

/** A pass-through HTTP proxy in front of the simulated API server that logs every request, failed ones included. */
interface RecordingProxy {
  url: string;
  log: ProxiedRequest[];
  close(): Promise<void>;
}

async function startRecordingProxy(target: string): Promise<RecordingProxy> {
  const upstream = new URL(target);
  const log: ProxiedRequest[] = [];
  const server = http.createServer((req, res) => {
    const entry: ProxiedRequest = { atMillis: Date.now(), path: req.url ?? '/' };
    log.push(entry);
    const up = http.request(
      { host: upstream.hostname, port: upstream.port, path: req.url, method: req.method, headers: req.headers, agent: false },
      (ur) => {
        entry.status = ur.statusCode;
        res.writeHead(ur.statusCode ?? 502, ur.headers);
        ur.pipe(res);
        ur.on('close', () => {
          if (!ur.complete) res.destroy(); // a dropped watch upstream is a dropped watch downstream
        });
      },
    );
    up.on('error', () => res.destroy());
    res.on('close', () => up.destroy());
    req.pipe(up);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The simulator's kubeconfig, pointed at the proxy. */
function viaProxy(sim: SimulatorHandle, proxy: RecordingProxy): string {
  return sim.api.kubeconfigYaml().replace(sim.api.url, proxy.url);
}
