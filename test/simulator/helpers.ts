import { KubeConfig, Watch } from '@kubernetes/client-node';
import type { ApiServerHandle } from '../../src/simulator/apiserver.js';

/** A KubeConfig for a running simulator API server. */
export function kubeConfigFor(api: ApiServerHandle): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromString(api.kubeconfigYaml());
  return kc;
}

/** One watch event as client-node's Watch hands it over. */
export interface SeenEvent {
  type: string;
  object: Record<string, unknown>;
}

/** Collects watch events through client-node's Watch until `until` says so or the stream ends. */
export async function collectWatch(
  kc: KubeConfig,
  path: string,
  query: Record<string, string | number | boolean | undefined>,
  until: (seen: SeenEvent[]) => boolean,
  timeoutMillis = 5000,
): Promise<{ seen: SeenEvent[]; err: unknown; ended: boolean }> {
  const seen: SeenEvent[] = [];
  const watch = new Watch(kc);
  return new Promise((resolve, reject) => {
    let controller: AbortController | undefined;
    let settled = false;
    const finish = (err: unknown, ended: boolean): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      controller?.abort();
      resolve({ seen, err, ended });
    };
    const timer = setTimeout(() => finish(new Error('timeout'), false), timeoutMillis);
    watch
      .watch(
        path,
        query,
        (type, object) => {
          seen.push({ type, object: object as Record<string, unknown> });
          if (until(seen)) finish(null, false);
        },
        (err) => finish(err, true),
      )
      .then((c) => {
        controller = c;
        if (settled) c.abort();
      })
      .catch(reject);
  });
}
