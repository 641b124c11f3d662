#!/usr/bin/env node
// Build step after `tsc` (`npm run build`): replaces the compiled modules of src/kube/ in
// dist/kube/ with an esbuild bundle of exactly what they export from @kubernetes/client-node.
//
// Why: the package's modules import one another through index files (KubeConfig's module
// imports ./gen/index.js for createConfiguration, which imports every generated API and
// model), so loading KubeConfig costs ~75 MiB of RSS. Bundled, tree-shaking keeps the used
// classes: KubeConfig alone ~11 MiB, with CoreV1Api ~20 MiB (docs/performance.md, "RSS:
// loading only what is used"). The package's own files are marked free of side effects (they
// only declare classes and functions; their static fields are assignments to their own
// classes), so a module none of whose exports is used is dropped with the CommonJS
// dependencies it imports (ws, tar-fs, ...), which esbuild cannot otherwise drop.
//
// The two entries share a chunk (code splitting), so ApiException and the configuration
// classes are one copy for both. esbuild splits by source file, and the package keeps all API
// classes of a layer in one file (gen/types/ObjectParamAPI.js, ...), so CoreV1Api and
// CoordinationV1Api are one entry: two entries would share, and load, both.
//
// Usage: node scripts/bundle-kube.mjs [--outdir <dir>] (default dist/kube; test/kube bundles
// into a temp dir). EVENTIDE_BUNDLE_META=<file> writes esbuild's metafile (the bytes of each
// input kept in each output).
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const ENTRIES = ['client', 'apis'];
const PACKAGE_DIR = '/node_modules/@kubernetes/client-node/dist/';

/**
 * What config.js (KubeConfig) imports from the generated client's index, from the modules that
 * define it: through the index, esbuild counts every generated API as reachable from the client
 * entry and puts them in the chunk it shares with ./apis.js (splitting is by file, before tree
 * shaking), so KubeConfig alone would load them all. Should a new version of config.js import
 * another name, the build fails with "No matching export".
 */
const CONFIG_GEN_IMPORTS = `
export { createConfiguration } from './configuration.js';
export { ServerConfiguration } from './servers.js';
`;

/** Marks the package's own modules side-effect free, narrows config.js's import of the generated index; everything else resolves as usual. */
const pureClientNode = {
  name: 'pure-client-node',
  setup(b) {
    b.onLoad({ filter: /.*/, namespace: 'config-gen' }, (args) => ({ contents: CONFIG_GEN_IMPORTS, resolveDir: args.path, loader: 'js' }));
    b.onResolve({ filter: /.*/ }, async (args) => {
      if (args.pluginData === 'inner') return undefined;
      const importer = args.importer.replaceAll('\\', '/');
      if (args.path === './gen/index.js' && importer.endsWith(`${PACKAGE_DIR}config.js`)) {
        return { path: join(dirname(args.importer), 'gen'), namespace: 'config-gen', sideEffects: false };
      }
      const r = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'inner' });
      // unresolvable optional requires (bufferutil, encoding) inside try/catch: esbuild's default handling
      if (r.errors.length > 0) return undefined;
      if (r.path.replaceAll('\\', '/').includes(PACKAGE_DIR)) return { ...r, sideEffects: false };
      return r;
    });
  },
};

const i = process.argv.indexOf('--outdir');
const outdir = i > 0 ? process.argv[i + 1] : join(root, 'dist', 'kube');

// chunks of an earlier build, and tsc's source maps of the files replaced here
for (const name of safeReaddir(outdir)) {
  if (/^chunk-.*\.js$/.test(name) || ENTRIES.some((e) => name === `${e}.js.map`)) rmSync(join(outdir, name));
}

const res = await build({
  entryPoints: Object.fromEntries(ENTRIES.map((e) => [e, join(root, 'src', 'kube', `${e}.ts`)])),
  outdir,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunk-[hash]',
  plugins: [pureClientNode],
  logLevel: 'warning',
  metafile: Boolean(process.env.EVENTIDE_BUNDLE_META),
  // bundled CommonJS dependencies call require() for node: built-ins
  banner: { js: "import { createRequire as __eventideCreateRequire } from 'node:module'; const require = __eventideCreateRequire(import.meta.url);" },
});

if (process.env.EVENTIDE_BUNDLE_META) writeFileSync(process.env.EVENTIDE_BUNDLE_META, JSON.stringify(res.metafile));

function safeReaddir(dir) {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
