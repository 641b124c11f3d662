import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import type { KubeConfig } from '@kubernetes/client-node';

/** Path of the service-account namespace file in a pod. */
export const SERVICE_ACCOUNT_NAMESPACE_FILE = '/var/run/secrets/kubernetes.io/serviceaccount/namespace';

/** The holderIdentity to use: `configured` when set, else `<host name>_<8 random hex digits>` (a restarted pod is a new holder). */
export function resolveIdentity(configured: string, host: string = hostname(), suffix: string = randomBytes(4).toString('hex')): string {
  return configured !== '' ? configured : `${host}_${suffix}`;
}

/** The Lease namespace: `configured` when set, else the pod's (service account), else the kubeconfig context's, else `default`. */
export function resolveLeaseNamespace(configured: string, kubeConfig: KubeConfig, namespaceFile: string = SERVICE_ACCOUNT_NAMESPACE_FILE): string {
  if (configured !== '') return configured;
  try {
    const ns = readFileSync(namespaceFile, 'utf8').trim();
    if (ns !== '') return ns;
  } catch {
    // not in a pod
  }
  const context = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  return context?.namespace || 'default';
}
