import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';

/** A readiness check: name and whether it passes now, with a short reason when not. */
export interface ReadinessCheck {
  name: string;
  check(): { ok: boolean; detail?: string };
}

/** Options of {@link startHttpServer}. */
export interface HttpServerOptions {
  /** Interface to bind. Default `0.0.0.0` in a pod; tests pass `127.0.0.1`. */
  host?: string;
  /** Port; 0 lets the OS choose. Default 9464. */
  port?: number;
  registry: Registry;
  checks: ReadinessCheck[];
}

/** A running health/metrics server. */
export interface HttpServerHandle {
  port: number;
  url: string;
  close(): Promise<void>;
}

/**
 * `/healthz` (the process serves requests), `/readyz` (every readiness check passes: 503 with
 * the failing ones otherwise) and `/metrics` (Prometheus text) on one port.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<HttpServerHandle> {
  const server: Server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path === '/healthz') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n');
      return;
    }
    if (path === '/readyz') {
      const results = options.checks.map((c) => ({ name: c.name, ...c.check() }));
      const failing = results.filter((r) => !r.ok);
      const body = results.map((r) => `[${r.ok ? '+' : '-'}]${r.name}${r.detail ? `: ${r.detail}` : ''}`).join('\n');
      res.writeHead(failing.length === 0 ? 200 : 503, { 'content-type': 'text/plain' }).end(`${body}\n`);
      return;
    }
    if (path === '/metrics') {
      options.registry
        .metrics()
        .then((text) => res.writeHead(200, { 'content-type': options.registry.contentType }).end(text))
        .catch((err: unknown) => res.writeHead(500).end(String(err)));
      return;
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 9464, options.host ?? '0.0.0.0', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const host = options.host ?? '0.0.0.0';
  return {
    port,
    url: `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
