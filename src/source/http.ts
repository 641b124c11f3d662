import http from 'node:http';
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { KubeConfig } from '@kubernetes/client-node';

/** Query parameters of a Kubernetes API request; undefined values are left out. */
export type Query = Record<string, string | number | boolean | undefined>;

/** A JSON response: status, parsed body (undefined when not JSON) and `Retry-After` in seconds when sent. */
export interface JsonResponse {
  status: number;
  body: unknown;
  retryAfterSeconds?: number;
}

/** An HTTP error status from the API server, with `Retry-After` (seconds) when it sent one. */
export class ApiStatusError extends Error {
  constructor(
    readonly status: number,
    readonly retryAfterSeconds?: number,
    detail?: string,
  ) {
    super(`HTTP ${status}${detail ? `: ${detail}` : ''}`);
    this.name = 'ApiStatusError';
  }
}

/** Parses a `Retry-After` header given in seconds (HTTP dates are ignored). */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || !/^\d+$/.test(v.trim())) return undefined;
  return Number(v.trim());
}

/**
 * Minimal Kubernetes HTTP client on node:http(s) with the KubeConfig's auth and TLS
 * (`applyToHTTPSOptions`). Streams are handed back unread so callers can apply backpressure
 * (client-node's `Watch` reads with readline events and cannot be paused).
 */
export class KubeHttp {
  private readonly server: URL;

  /**
   * @param kc cluster, credentials and TLS settings
   * @param requestTimeoutMillis longest a non-streaming request (list page, discovery) may take, headers and body. Default 60000.
   */
  constructor(
    private readonly kc: KubeConfig,
    private readonly requestTimeoutMillis = 60_000,
  ) {
    const cluster = kc.getCurrentCluster();
    if (!cluster) throw new Error('kubeconfig has no current cluster: set current-context or pass --kubeconfig');
    this.server = new URL(cluster.server);
  }

  /** Builds the URL of `path` (starting with `/`) with `query`. */
  url(path: string, query: Query = {}): URL {
    const base = this.server.pathname.replace(/\/$/, '');
    const u = new URL(this.server.origin + base + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') u.searchParams.set(k, String(v));
    return u;
  }

  /** Sends a GET and resolves with the response once headers arrive; the body is unread. */
  async open(path: string, query: Query, signal: AbortSignal): Promise<IncomingMessage> {
    const target = this.url(path, query);
    const opts: https.RequestOptions = { method: 'GET', headers: { Accept: 'application/json' } };
    await this.kc.applyToHTTPSOptions(opts);
    const mod = target.protocol === 'https:' ? https : http;
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = mod.request(target, { ...opts, signal }, resolve);
      req.on('error', reject);
      req.end();
    });
  }

  /** GET returning parsed JSON (any status; the caller decides). Aborted after `requestTimeoutMillis`. */
  async getJson(path: string, query: Query, signal: AbortSignal): Promise<JsonResponse> {
    const res = await this.open(path, query, AbortSignal.any([signal, AbortSignal.timeout(this.requestTimeoutMillis)]));
    const chunks: Buffer[] = [];
    for await (const chunk of res) chunks.push(chunk as Buffer);
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      body = undefined;
    }
    const status = res.statusCode ?? 0;
    const retryAfterSeconds = parseRetryAfter(res.headers['retry-after']);
    return retryAfterSeconds === undefined ? { status, body } : { status, body, retryAfterSeconds };
  }
}
