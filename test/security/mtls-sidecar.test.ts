import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually } from '../integration/harness.js';
import { LogCapture, startCapturedSidecar } from './helpers.js';

/**
 * Mutual TLS to the collector configured only through the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, _CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE), through the whole
 * sidecar, over real gRPC TLS with certificates made by openssl. The exporter-level TLS tests are
 * in test/export/tls.test.ts.
 */
function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway CA, a server certificate for 127.0.0.1 and a client certificate, as files. */
function makePki(): { dir: string; ca: string; serverCert: string; serverKey: string; clientCert: string; clientKey: string } {
  const dir = mkdtempSync(join(tmpdir(), 'eventide-mtls-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=eventide mtls CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=eventide');
  run('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
  const p = (f: string): string => join(dir, f);
  return { dir, ca: p('ca.crt'), serverCert: p('server.crt'), serverKey: p('server.key'), clientCert: p('client.crt'), clientKey: p('client.key') };
}

describe.skipIf(!hasOpenssl())('mutual TLS to the collector through the whole sidecar, from OTEL_EXPORTER_OTLP_* only', () => {
  let sim: SimulatorHandle | undefined;
  let receiver: OtlpReceiver | undefined;
  let sidecar: Sidecar | undefined;
  afterEach(async () => {
    await sidecar?.stop();
    await receiver?.close();
    await sim?.close();
    sidecar = undefined;
  });

  async function run(withClientCert: boolean): Promise<{ logs: LogCapture }> {
    const pki = makePki();
    sim = await startSimulator({ seed: 41 });
    sim.generate(150);
    receiver = await startOtlpReceiver({
      tls: { cert: readFileSync(pki.serverCert), key: readFileSync(pki.serverKey), ca: readFileSync(pki.ca), requireClientCert: true },
    });
    expect(receiver.endpoint).toMatch(/^https:\/\//);
    const env: NodeJS.ProcessEnv = {
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_CERTIFICATE: pki.ca,
      ...(withClientCert ? { OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert } : {}),
    };
    const logs = new LogCapture();
    // No export.endpoint in the config: the environment alone decides.
    sidecar = await startCapturedSidecar({ kubeconfigYaml: sim.api.kubeconfigYaml(), env, logs, overrides: { enrich: { enabled: false } } });
    return { logs };
  }

  it('exports every Event over mTLS', async () => {
    await run(true);
    await eventually(() => eventRecords(receiver!).length >= sim!.api.store.list('events').length, () => `${eventRecords(receiver!).length} records`);
    expect(eventRecords(receiver!).length).toBeGreaterThan(0);
  });

  it('without the client certificate the collector refuses the handshake: no request gets through', async () => {
    await run(false);
    await eventually(() => sidecar!.exporter.inFlight() > 0, () => 'nothing emitted');
    await new Promise((r) => setTimeout(r, 1000)); // several connection attempts
    expect(receiver!.requests()).toBe(0);
    expect(receiver!.records()).toEqual([]);
  });
});
