/**
 * The typed API clients of `@kubernetes/client-node` eventide uses: `CoreV1Api` for the ConfigMap
 * checkpoint store, `CoordinationV1Api` for leader election (Leases). A module of its own, loaded
 * with `import()` only in the modes that use them: the generated clients and their model
 * serializer are ~9 MiB of RSS (bundled by `npm run build`, see ./client.ts).
 */
export { CoordinationV1Api, CoreV1Api } from '@kubernetes/client-node';
