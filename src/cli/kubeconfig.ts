import { existsSync } from 'node:fs';
import { KubeConfig } from '../kube/client.js';

/** Path of the in-cluster service-account token. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';

/**
 * Finds the cluster like kubectl does, in DESIGN.md's order: the in-cluster service account,
 * else `$KUBECONFIG`, else `~/.kube/config`. An explicit path (`--kubeconfig`) wins over all.
 */
export function loadKubeConfig(explicitPath?: string, env: NodeJS.ProcessEnv = process.env): KubeConfig {
  const kc = new KubeConfig();
  if (explicitPath) {
    kc.loadFromFile(explicitPath);
  } else if (env.KUBERNETES_SERVICE_HOST && existsSync(SERVICE_ACCOUNT_TOKEN)) {
    kc.loadFromCluster();
  } else {
    kc.loadFromDefault();
  }
  if (!kc.getCurrentCluster()) {
    throw new Error(
      'no Kubernetes cluster found: run inside a pod with a service account, set KUBECONFIG, create ~/.kube/config, or pass --kubeconfig',
    );
  }
  return kc;
}
