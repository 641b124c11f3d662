import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import type { Sidecar } from '../../src/cli/assemble.js';
import { type SimulatorHandle, startSimulator } from '../../src/simulator/simulator.js';
import { type OtlpReceiver, startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { eventRecords, eventually } from '../integration/harness.js';
import { hasOpenssl, makePki } from '../support/pki.js';
import { LogCapture, startCapturedSidecar } from './helpers.js';

/**
 * Mutual TLS to the collector configured only through the standard variables
 * (OTEL_EXPORTER_OTLP_ENDPOINT, _CERTIFICATE, _CLIENT_KEY, _CLIENT_CERTIFICATE), through the whole
 * sidecar, over real gRPC TLS with certificates made by openssl. The exporter-level TLS tests are
 * in test/export/tls.test.ts.
 */
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
