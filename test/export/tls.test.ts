import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOtlpReceiver } from '../../src/testkit/otlp-receiver.js';
import { buildEvent, buildRecord } from '../support/builders.js';
import { makeExporter } from './helpers.js';

function hasOpenssl(): boolean {
  try {
    execFileSync('openssl', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

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

/** A throwaway CA, a server cert for 127.0.0.1/localhost and a client cert, in a temp dir. */
function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), 'eventide-tls-'));
  const run = (...args: string[]): void => {
    execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  };
  run('req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'ca.key', '-out', 'ca.crt', '-days', '1', '-subj', '/CN=eventide test CA');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'server.key', '-out', 'server.csr', '-subj', '/CN=localhost');
  run('x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'server.crt', '-days', '1', '-extfile', 'server.ext');
  writeFileSync(join(dir, 'client.ext'), 'extendedKeyUsage=clientAuth\n');
  run('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', 'client.key', '-out', 'client.csr', '-subj', '/CN=eventide');
  run('x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'client.crt', '-days', '1', '-extfile', 'client.ext');
  return {
    dir,
    caCert: join(dir, 'ca.crt'),
    ca: readFileSync(join(dir, 'ca.crt')),
    serverCert: readFileSync(join(dir, 'server.crt')),
    serverKey: readFileSync(join(dir, 'server.key')),
    clientCert: join(dir, 'client.crt'),
    clientKey: join(dir, 'client.key'),
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
