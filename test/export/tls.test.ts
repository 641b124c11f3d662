import { readFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { buildEvent, buildRecord } from '../support/builders.js';
import { hasOpenssl, makePki as makeFiles } from '../support/pki.js';
import { makeExporter } from './helpers.js';

const OPENSSL = hasOpenssl();
if (!OPENSSL) console.warn('tls.test.ts: openssl not found on PATH; skipping the OTLP-over-TLS tests');

interface Pki {
  dir: string;
  caCert: string;
  serverCert: Buffer;
  serverKey: Buffer;
  clientCert: string;
  clientKey: string;
  ca: Buffer;
}

/** The shared throwaway PKI, with the server side read into buffers for the receiver. */
function makePki(): Pki {
  const files = makeFiles('eventide-tls-');
  return {
    dir: files.dir,
    caCert: files.ca,
    ca: readFileSync(files.ca),
    serverCert: readFileSync(files.serverCert),
    serverKey: readFileSync(files.serverKey),
    clientCert: files.clientCert,
    clientKey: files.clientKey,
  };
}

describe.skipIf(!OPENSSL)('OTLP/gRPC over TLS (throwaway CA made with openssl)', () => {
  let pki: Pki;
  beforeAll(() => {
    pki = makePki();
  });
  afterAll(() => {
    if (pki) rmSync(pki.dir, { recursive: true, force: true });
  });

  it('exports to an https endpoint trusting OTEL_EXPORTER_OTLP_CERTIFICATE', async () => {
    const receiver = await startOtlpReceiver({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    expect(receiver.endpoint).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const { exporter, metrics } = makeExporter({ endpoint: receiver.endpoint }, { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caCert } });
    expect(exporter.connection.insecure).toBe(false);
    await exporter.emit(buildRecord(buildEvent({ uid: 'tls-1' }), { seq: 1 }));
    await exporter.shutdown();
    expect(receiver.records().map((r) => r.attributes['k8s.event.uid'])).toEqual(['tls-1']);
    expect((await metrics.exportBatches.get()).values.find((v) => v.labels.result === 'success')?.value).toBe(1);
    await receiver.close();
  });

  it('mutual TLS: the client key and certificate come from OTEL_EXPORTER_OTLP_CLIENT_KEY / _CLIENT_CERTIFICATE', async () => {
    const receiver = await startOtlpReceiver({ tls: { cert: pki.serverCert, key: pki.serverKey, ca: pki.ca, requireClientCert: true } });
    const { exporter } = makeExporter(
      { endpoint: receiver.endpoint },
      { env: { OTEL_EXPORTER_OTLP_CERTIFICATE: pki.caCert, OTEL_EXPORTER_OTLP_CLIENT_KEY: pki.clientKey, OTEL_EXPORTER_OTLP_CLIENT_CERTIFICATE: pki.clientCert } },
    );
    await exporter.emit(buildRecord(buildEvent({ uid: 'mtls-1' }), { seq: 1 }));
    await exporter.shutdown();
    expect(receiver.records().map((r) => r.attributes['k8s.event.uid'])).toEqual(['mtls-1']);
    await receiver.close();
  });

  it('without the CA the handshake fails: the batch is acked ok:false (queue disabled), nothing is received', async () => {
    const receiver = await startOtlpReceiver({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    const { exporter } = makeExporter({ endpoint: receiver.endpoint, retry: { maxAttempts: 1 }, queue: { enabled: false } });
    const acks: boolean[] = [];
    exporter.onAck((a) => acks.push(a.ok));
    await exporter.emit(buildRecord(buildEvent(), { seq: 1 }));
    await exporter.shutdown();
    expect(acks).toEqual([false]);
    expect(receiver.records()).toHaveLength(0);
    await receiver.close();
  });
});
