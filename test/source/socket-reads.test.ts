import { readFileSync, rmSync } from 'node:fs';
import { connect as netConnect, createServer as netServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, createServer as tlsServer } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { pauseReads, resumeReads } from '../../src/source/socket-reads.js';
import { hasOpenssl, makePki } from '../support/pki.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** A server that sends `chunk` to its one client whenever `send` is called (`connected` resolves once it has one). */
async function serve(
  server: Server,
  connectionEvent: 'connection' | 'secureConnection',
): Promise<{ port: number; connected: Promise<void>; send: (chunk: Buffer) => void }> {
  let peer: Socket | undefined;
  const connected = new Promise<void>((resolve) =>
    server.on(connectionEvent, (s: Socket) => {
      peer = s;
      resolve();
    }),
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return { port, connected, send: (chunk) => peer?.write(chunk) };
}

/** Sends 8 chunks of 1 KiB over 80 ms while the client's reads are paused; returns bytesRead before, during and after. */
async function trickleWhilePaused(client: Socket, send: (chunk: Buffer) => void, stop: (s: Socket) => boolean): Promise<{ before: number; during: number; after: number; stopped: boolean }> {
  let received = 0;
  client.on('data', (d: Buffer) => (received += d.length));
  send(Buffer.alloc(100, 0x61));
  while (received < 100) await sleep(5);
  const before = client.bytesRead;
  const stopped = stop(client);
  for (let i = 0; i < 8; i++) {
    send(Buffer.alloc(1024, 0x62));
    await sleep(10);
  }
  await sleep(30);
  const during = client.bytesRead;
  resumeReads(client, stopped);
  while (received < 100 + 8 * 1024) await sleep(5);
  return { before, during, after: client.bytesRead, stopped };
}

describe('pauseReads', () => {
  const cleanup: Array<() => void> = [];
  afterEach(() => {
    for (const c of cleanup.splice(0)) c();
  });

  /** A connected client socket and a way to send to it from its server, over plain TCP. */
  async function tcpPair(): Promise<{ client: Socket; send: (chunk: Buffer) => void }> {
    const server = netServer();
    const { port, connected, send } = await serve(server, 'connection');
    cleanup.push(() => server.close());
    const client = netConnect(port, '127.0.0.1');
    cleanup.push(() => client.destroy());
    await Promise.all([new Promise((r) => client.once('connect', r)), connected]);
    return { client, send };
  }

  it('over TCP, nothing is read while paused (a plain pause() reads on into the stream buffer); everything arrives after resume, in order', async () => {
    const { client, send } = await tcpPair();

    const paused = await trickleWhilePaused(client, send, pauseReads);
    expect(paused.stopped).toBe(true);
    expect(paused.during).toBe(paused.before); // the kernel kept all 8 KiB
    expect(paused.after).toBe(paused.before + 8 * 1024);

    // the reason for it: with only socket.pause(), the handle reads on
    const plain = await trickleWhilePaused(client, send, (s) => (s.pause(), false));
    expect(plain.during).toBe(plain.before + 8 * 1024);
  });

  it.skipIf(!hasOpenssl())('over TLS the same: the TLS socket reads nothing while paused, and decrypts all of it after', async () => {
    const pki = makePki();
    cleanup.push(() => rmSync(pki.dir, { recursive: true, force: true }));
    const server = tlsServer({ key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert) });
    const { port, connected, send } = await serve(server, 'secureConnection');
    cleanup.push(() => server.close());
    const client = tlsConnect({ port, host: '127.0.0.1', ca: readFileSync(pki.ca) });
    cleanup.push(() => client.destroy());
    await Promise.all([new Promise((r) => client.once('secureConnect', r)), connected]);

    const paused = await trickleWhilePaused(client, send, pauseReads);
    expect(paused.stopped).toBe(true);
    expect(paused.during).toBe(paused.before);
    expect(paused.after).toBe(paused.before + 8 * 1024); // bytesRead of a TLS socket counts plaintext
  });

  it('a socket that is not reading is only paused, and resumes as before', async () => {
    const { client, send } = await tcpPair();
    let received = 0;
    client.on('data', (d: Buffer) => (received += d.length));
    expect(pauseReads(client)).toBe(true);
    expect(pauseReads(client)).toBe(false); // already stopped
    resumeReads(client, true);
    send(Buffer.alloc(10));
    while (received < 10) await sleep(5);
    client.destroy();
    expect(pauseReads(client)).toBe(false);
    expect(() => resumeReads(client, true)).not.toThrow();
  });
});
