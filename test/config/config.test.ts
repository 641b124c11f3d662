import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, validateConfig } from '../../src/config/load.js';
import { configReferenceMarkdown } from '../../src/config/reference.js';

function problemsOf(raw: unknown): string[] {
  try {
    validateConfig(raw, 'test');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  return [];
}

describe('config file', () => {
  it('applies every default from an empty file', () => {
    const config = validateConfig({}, 'test');
    expect(config.server.port).toBe(9464);
    expect(config.redact.enabled).toBe(true);
    expect(config.delivery.checkpoint.type).toBe('file');
    expect(config.source.namespaces.include).toEqual([]);
  });

  it.each([
    [{ sourse: {} }, /^sourse: unknown field \(fix: remove it or rename it to "source"\)/],
    [{ server: { prot: 1 } }, /^server\.prot: unknown field .*"server\.port"/],
    [{ server: { port: 'http' } }, /^server\.port: .*fix: set server\.port to a number/],
    [{ server: { port: 70000 } }, /^server\.port: .*fix: change server\.port to a value within range/],
    [{ log: { level: 'loud' } }, /^log\.level: .*fix: use one of "fatal", "error"/],
    [{ delivery: { checkpoint: { type: 's3' } } }, /^delivery\.checkpoint\.type: .*fix: use one of/],
  ])('names the field and the fix: %j', (raw, expected) => {
    const problems = problemsOf(raw);
    expect(problems.some((p) => expected.test(p)), problems.join('\n')).toBe(true);
  });

  it('reads YAML and reports a missing file with the fix', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eventide-config-'));
    const path = join(dir, 'eventide.yaml');
    writeFileSync(path, 'source:\n  namespaces:\n    exclude: [kube-system]\nexport:\n  clusterName: prod-eu\n');
    const config = loadConfig(path);
    expect(config.source.namespaces.exclude).toEqual(['kube-system']);
    expect(config.export.clusterName).toBe('prod-eu');
    expect(() => loadConfig(join(dir, 'nope.yaml'))).toThrow(/cannot read config file .*fix: pass an existing file/);
  });

  it('docs/configuration.md is the current generated reference', () => {
    const doc = readFileSync(new URL('../../docs/configuration.md', import.meta.url), 'utf8');
    expect(doc).toBe(configReferenceMarkdown());
  });
});
