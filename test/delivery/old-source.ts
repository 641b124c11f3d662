/**
 * For regenerating golden fixtures only: writes files of src/ as they were at a commit
 * (`git show <commit>:<path>`) to a scratch directory under the OS temp dir, with their relative
 * imports pointed at the current src/ (they only import types and helpers that did not change)
 * and bare imports resolved from this repository, and returns their file URLs to import. The old
 * implementation stays in git history; no copy of it is committed.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** `paths` (repository-relative, e.g. src/delivery/gate.ts) at `commit`, as importable file URLs. */
export function oldSources(commit: string, paths: readonly string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'eventide-golden-'));
  return paths.map((path, i) => {
    const text = execFileSync('git', ['show', `${commit}:${path}`], { cwd: ROOT, encoding: 'utf8' }).replace(/from '([^']+)'/g, (_, spec: string) => {
      const target = spec.startsWith('.') ? pathToFileURL(resolve(ROOT, dirname(path), spec)).href : import.meta.resolve(spec);
      return `from '${target}'`;
    });
    const file = join(dir, `${i}-${path.replaceAll('/', '_')}`);
    writeFileSync(file, text);
    return pathToFileURL(file).href;
  });
}
