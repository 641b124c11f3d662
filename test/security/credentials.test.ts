import * as grpc from '@grpc/grpc-js';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually } from '../integration/harness.js';
import { LogCapture, startCapturedSidecar } from './helpers.js';

/**
 * No credential from the kubeconfig (bearer token, client key) or from the OTLP headers reaches a
 * log line or an exported record: across start, an API server answering 401, a collector answering
 * UNAUTHENTICATED, normal running and shutdown. Logs are captured at debug level.
 */
const KUBE_TOKEN = 'sekrit-kube-token-4f9a1c2e7b';
const WRONG_TOKEN = 'sekrit-wrong-token-8d3e0b61aa';
const CLIENT_KEY = 'sekrit-client-key-material-55e1';
const CLIENT_CERT = 'sekrit-client-cert-material-91c0';
const OTLP_TOKEN = 'sekrit-otlp-bearer-2b7c9e44d1';
const OTLP_API_KEY = 'sekrit-otlp-apikey-7a1f03';
const SECRETS = [KUBE_TOKEN, WRONG_TOKEN, CLIENT_KEY, CLIENT_CERT, OTLP_TOKEN, OTLP_API_KEY];

/** The simulator's kubeconfig with `token` and a client key pair (base64 data, as kubectl writes them). */
function kubeconfigWith(sim: SimulatorHandle, token: string): string {
  const doc = parseYaml(sim.api.kubeconfigYaml()) as { users: Array<{ user: Record<string, unknown> }> };
  const b64 = (s: string): string => Buffer.from(`-----BEGIN PRIVATE KEY-----\n${s}\n-----END PRIVATE KEY-----\n`).toString('base64');
  doc.users[0]!.user = { token, 'client-key-data': b64(CLIENT_KEY), 'client-certificate-data': b64(CLIENT_CERT) };
  return stringifyYaml(doc);
}

function leaks(text: string): string[] {
  return SECRETS.filter((s) => text.includes(s) || text.includes(Buffer.from(s).toString('base64').slice(0, 16)));
}

describe('credentials never reach logs or records', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  const sidecars: Sidecar[] = [];
  afterEach(async () => {
    for (const s of sidecars.splice(0)) await s.stop();
    await receiver?.close();
    await sim?.close();
  });

  it('kubeconfig token and client key, OTLP headers: not in any log line nor any exported record', async () => {
    sim = await startSimulator({ seed: 31, token: KUBE_TOKEN });
    receiver = await startOtlpReceiver({ failWith: grpc.status.UNAUTHENTICATED });
    sim.generate(300);
    const logs = new LogCapture();
    const env = { OTEL_EXPORTER_OTLP_HEADERS: `authorization=Bearer ${OTLP_TOKEN},x-api-key=${OTLP_API_KEY}` };
    const overrides = { export: { endpoint: receiver.endpoint, batch: { scheduledDelayMillis: 20 } } };

    // 1. The API server refuses the credentials (401): the sidecar retries and is not ready.
    const refused = await startCapturedSidecar({ kubeconfigYaml: kubeconfigWith(sim, WRONG_TOKEN), env, overrides, logs });
    sidecars.push(refused);
    await eventually(() => refused.source.status().lastError !== undefined, () => 'no error recorded for the 401');
    expect(refused.source.status().ready).toBe(false);
    // What the HTTP port shows (readiness details, metrics labels) carries no credential either.
    const served = await Promise.all(['/readyz', '/metrics'].map(async (p) => (await fetch(`${refused.http!.url}${p}`)).text()));
    expect(served[0]).toMatch(/401/);
    expect(leaks(served.join('\n'))).toEqual([]);
    await refused.stop();
    sidecars.splice(0);

    // 2. Right token; the collector refuses (UNAUTHENTICATED), then accepts.
    const sidecar = await startCapturedSidecar({ kubeconfigYaml: kubeconfigWith(sim, KUBE_TOKEN), env, overrides, logs });
    sidecars.push(sidecar);
    await eventually(() => receiver!.requests() >= 1, () => 'the collector saw no request');
    sim.generate(50);
    await eventually(() => receiver!.requests() >= 2, () => `collector saw ${receiver!.requests()} requests`);
    // The headers were really sent (so the test can catch a leak of them).
    expect(receiver.requestMetadata()[0]).toMatchObject({ authorization: `Bearer ${OTLP_TOKEN}`, 'x-api-key': OTLP_API_KEY });
    receiver.setFailure(undefined);
    sim.generate(200);
    await eventually(() => eventRecords(receiver!).length > 0, () => 'no records after the collector accepted');
    await sidecar.stop();

    // Something was logged on every path (start, failures, stop): the check below is not vacuous.
    const text = logs.text();
    expect(logs.lines.length).toBeGreaterThan(5);
    expect(text).toMatch(/stopped/);
    expect(text).toMatch(/HTTP 401/); // the API server refused
    expect(text).toMatch(/UNAUTHENTICATED/); // the collector refused
    expect(leaks(text)).toEqual([]);
    expect(leaks(JSON.stringify(receiver.records()))).toEqual([]);
    expect(leaks(JSON.stringify(refused.source.status()) + JSON.stringify(sidecar.source.status()))).toEqual([]);
  });
});
