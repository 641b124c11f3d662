/**
 * The V8 flags `eventide run` runs with: a young generation of 2 × 8 MiB semi-spaces instead of
 * V8's 2 × 16 MiB, 7 MiB less RSS at 300 events/s with no measurable CPU cost at full speed
 * (2 MiB semi-spaces save more but cost 5–15% CPU per record; docs/performance.md, "RSS:
 * loading only what is used"). V8 reads them only at start-up, so they are set where node
 * starts, in three places that must agree (test/cli/node-flags.test.ts): the shebang of
 * `bin/eventide.js` (`npx eventide run`), `NODE_OPTIONS` in `deploy/deployment.yaml` (the image
 * runs `node bin/eventide.js run`), and the benchmark's process under test (`src/bench/ipc.ts`).
 */
export const RUN_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=8'];

/**
 * The environment `eventide run` runs with: glibc's malloc puts blocks of 1 MiB and more in
 * their own mappings (returned to the kernel when freed) instead of raising its threshold to the
 * largest block freed so far and keeping later large blocks in its heap, where a freed one stays
 * resident. At 300 new Events/s with the per-Event state full, peak RSS 137 against 141 MiB; no
 * allocation on the per-Event path is that large (docs/performance.md, "Ninth pass"). Ignored by other C
 * libraries (musl). Set where node starts, in the places RUN_NODE_FLAGS is (and the image's
 * Dockerfile): `env -S` in the shebang, the Deployment's env, the benchmark's process under
 * test; a value already in the environment wins.
 */
export const RUN_ENV: Readonly<Record<string, string>> = { MALLOC_MMAP_THRESHOLD_: '1048576' };
