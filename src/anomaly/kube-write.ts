import http from 'node:http';
import https from 'node:https';
import type { KubeConfig } from '@kubernetes/client-node';

/** Answer of a write: HTTP status and parsed JSON body (undefined when not JSON). */
export interface WriteResponse {
  status: number;
  body: unknown;
}

/** What the Event writer needs of the API: a JSON POST or PUT. Tests may pass their own. */
export interface KubeWriter {
  send(method: 'POST' | 'PUT', path: string, body: unknown): Promise<WriteResponse>;
}

/**
 * Kubernetes JSON writes on node:http(s) with the KubeConfig's credentials and TLS
 * (`applyToHTTPSOptions`), each bounded by `timeoutMillis`. Errors carry no request headers.
 */
export function kubeWriter(kc: KubeConfig, timeoutMillis = 10_000): KubeWriter {
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster: set current-context or pass --kubeconfig');
  const server = new URL(cluster.server);
  const base = server.pathname.replace(/\/$/, '');
  return {
    async send(method, path, body) {
      const target = new URL(server.origin + base + path);
      const text = JSON.stringify(body);
      const opts: https.RequestOptions = {
        method,
        headers: { Accept: 'application/json', 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
      };
      await kc.applyToHTTPSOptions(opts);
      const mod = target.protocol === 'https:' ? https : http;
      return new Promise<WriteResponse>((resolve, reject) => {
        const req = mod.request(target, { ...opts, signal: AbortSignal.timeout(timeoutMillis) }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('error', () => reject(new Error(`${method} ${path}: response aborted`)));
          res.on('end', () => {
            let parsed: unknown;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        });
        // Only the code and message: never the request options (they hold the credentials).
        req.on('error', (err: NodeJS.ErrnoException) => reject(new Error(`${method} ${path}: ${err.code ?? err.name}: ${err.message}`)));
        req.end(text);
      });
    },
  };
}
