/**
 * The part of `@kubernetes/client-node` eventide always runs with: `KubeConfig` (kubeconfig and
 * in-cluster loading, auth and TLS for every request), the API error type and the Lease time.
 * Every value import of the package in `src/` goes through `src/kube/` (lint rule); the typed
 * API clients are in `./apis.js`, loaded with `import()` only in the modes that use them
 * (ConfigMap checkpoints, leader election).
 *
 * Imported from the package's own modules, not its root, which re-exports every generated API
 * and model (~75 MiB of RSS once loaded). Under tsx and vitest these are the package's modules
 * (the same classes as `import { KubeConfig } from '@kubernetes/client-node'`); `npm run build`
 * replaces the compiled files of `dist/kube/` with a tree-shaken esbuild bundle of exactly these
 * exports (`scripts/bundle-kube.mjs`; docs/performance.md, "RSS: loading only what is used").
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export { ApiException } from '@kubernetes/client-node/dist/gen/apis/exception.js';
export { V1MicroTime } from '@kubernetes/client-node/dist/types.js';
export type { V1ConfigMap, V1Lease } from '@kubernetes/client-node';
