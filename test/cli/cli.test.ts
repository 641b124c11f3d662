import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventsV1Api, KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventually } from '../integration/harness.js';

const ROOT = new URL('../..', import.meta.url).pathname;

/** Runs `eventide ARGS` from the TypeScript sources, as `npx eventide` would. */
function eventide(args: string[], env: Record<string, string> = {}): { child: ChildProcess; out: () => string; err: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (err += b.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, out: () => out, err: () => err, exit };
}

describe('the eventide command', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  const children: ChildProcess[] = [];

  afterEach(async () => {
    for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
    await receiver?.close();
    await sim?.close();
    sim = undefined;
    receiver = undefined;
  });

  it('rejects a bad config with exit status 2 and names the field and the fix', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-cli-'));
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'server:\n  port: http\nsourse: {}\n');
    const run = eventide(['validate-config', path]);
    expect(await run.exit).toBe(2);
    expect(run.err()).toMatch(/server\.port: .*fix: set server\.port to a number/);
    expect(run.err()).toMatch(/sourse: unknown field \(fix: remove it or rename it to "source"\)/);
  });

  it('`run` reads the cluster from --kubeconfig and the collector from OTEL_EXPORTER_OTLP_ENDPOINT, and stops cleanly on SIGTERM', async () => {
    sim = await startSimulator({ seed: 9 });
    receiver = await startOtlpReceiver();
    sim.generate(300);
    const dir = mkdtempSync(join(tmpdir(), 'eventide-cli-'));
    const kubeconfig = join(dir, 'kubeconfig');
    await sim.api.writeKubeconfig(kubeconfig);
    const config = join(dir, 'eventide.yaml');
    writeFileSync(
      config,
      `server: { host: 127.0.0.1, port: 0 }\ndelivery: { checkpoint: { path: ${join(dir, 'cp.json')} } }\nexport: { batch: { scheduledDelayMillis: 50 }, queue: { directory: ${join(dir, 'queue')} } }\n`,
    );
    const run = eventide(['run', '--config', config, '--kubeconfig', kubeconfig], {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_RESOURCE_ATTRIBUTES: 'k8s.cluster.name=cli-test,deployment.environment=test',
    });
    children.push(run.child);
    const stored = sim.api.store.list('events').length;
    await eventually(() => receiver!.records().filter((r) => r.eventName !== 'eventide.anomaly').length >= stored, () => `${receiver!.records().length}/${stored} records; stderr: ${run.err().slice(-2000)}`);
    const record = receiver.records()[0]!;
    expect(record.resource['k8s.cluster.name']).toBe('cli-test');
    expect(record.resource['deployment.environment']).toBe('test');
    run.child.kill('SIGTERM');
    expect(await run.exit).toBe(0);
    const logs = run.err().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    expect(logs.some((l) => l.msg === 'stopped')).toBe(true);
    expect(existsSync(join(dir, 'cp.json'))).toBe(true);
  });

  it('`simulate` serves a Kubernetes API that client-node lists, and writes a kubeconfig', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-cli-'));
    const kubeconfig = join(dir, 'sim.kubeconfig');
    const run = eventide(['simulate', '--kubeconfig-out', kubeconfig, '--rate', '200', '--duration', '20', '--ground-truth', join(dir, 'gt.ndjson')]);
    children.push(run.child);
    await eventually(() => existsSync(kubeconfig), () => run.err(), 15_000);
    const kc = new KubeConfig();
    kc.loadFromFile(kubeconfig);
    const api = kc.makeApiClient(EventsV1Api);
    let items = 0;
    for (let i = 0; i < 50 && items === 0; i++) {
      items = (await api.listEventForAllNamespaces({ limit: 50 })).items.length;
      if (items === 0) await new Promise((r) => setTimeout(r, 100));
    }
    expect(items).toBeGreaterThan(0);
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
  });

  it('`replay` runs the pipeline over a recorded file and writes records to export.file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-cli-'));
    const events = [1, 2, 3].map((n) =>
      JSON.stringify({
        type: 'ADDED',
        object: {
          apiVersion: 'v1',
          kind: 'Event',
          metadata: { name: `web-0.${n}`, namespace: 'shop', uid: `u-${n}` },
          involvedObject: { kind: 'Pod', name: 'web-0', namespace: 'shop', uid: 'pod-1' },
          reason: 'BackOff',
          message: `Back-off restarting failed container (attempt ${n}) for admin@example.com`,
          type: 'Warning',
          source: { component: 'kubelet', host: 'node-1' },
          firstTimestamp: '2026-11-23T03:00:00Z',
          lastTimestamp: `2026-11-23T03:0${n}:00Z`,
          count: n,
        },
      }),
    );
    const file = join(dir, 'events.ndjson');
    writeFileSync(file, `${events.join('\n')}\nnot json\n`);
    const out = join(dir, 'records.ndjson');
    const config = join(dir, 'eventide.yaml');
    writeFileSync(config, `export: { file: ${out}, queue: { directory: ${join(dir, 'queue')} } }\ndelivery: { checkpoint: { type: none } }\nlog: { level: warn }\n`);
    const run = eventide(['replay', file, '--config', config]);
    expect(await run.exit).toBe(0);
    const summary = JSON.parse(run.out().trim().split('\n').pop()!) as { exported: number; skipped: Record<string, number> };
    expect(summary.exported).toBe(3);
    expect(summary.skipped).toEqual({ 'source/malformed_line': 1 });
    const records = readFileSync(out, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { body: string; attributes: Record<string, unknown> });
    expect(records.map((r) => r.attributes['k8s.event.count'])).toEqual([1, 2, 3]);
    expect(new Set(records.map((r) => r.attributes['eventide.correlation.id'])).size).toBe(1);
    for (const r of records) expect(r.body).not.toContain('admin@example.com');
  });
});
