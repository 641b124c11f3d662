import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { childEnv, cpuProfileArgs } from '../../src/bench/ipc.js';
import { RUN_ENV, RUN_NODE_FLAGS } from '../../src/cli/node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the V8 flags eventide run runs with (RUN_NODE_FLAGS)', () => {
  it('are V8 flags this node accepts', () => {
    expect(RUN_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of RUN_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!)).toBe(true);
  });

  it('are in the shebang of bin/eventide.js (npx eventide run)', () => {
    const shebang = readFileSync(join(ROOT, 'bin', 'eventide.js'), 'utf8').split('\n')[0]!;
    const env = Object.entries(RUN_ENV).map(([name, value]) => `${name}=${value}`);
    expect(shebang).toBe(`#!/usr/bin/env -S ${env.join(' ')} node ${RUN_NODE_FLAGS.join(' ')}`);
  });

  it("are in the Deployment's NODE_OPTIONS (the image runs node bin/eventide.js run)", () => {
    const docs = readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8');
    const deployment = parse(docs) as { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } };
    const options = deployment.spec.template.spec.containers[0]?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
    for (const flag of RUN_NODE_FLAGS) expect(options.split(/\s+/)).toContain(flag);
  });

  it("are the benchmark's process under test's, before what-if flags (a later flag wins)", () => {
    expect(cpuProfileArgs('worker-child', {})).toEqual([...RUN_NODE_FLAGS]);
    expect(cpuProfileArgs('worker-child', { EVENTIDE_BENCH_NODE_FLAGS: '--max-semi-space-size=2' })).toEqual([...RUN_NODE_FLAGS, '--max-semi-space-size=2']);
    expect(cpuProfileArgs('simulator-child', {})).toEqual([]);
  });

  it('and the environment (RUN_ENV) is set where node starts: shebang (above), Deployment, image, benchmark process under test', () => {
    expect(Object.keys(RUN_ENV).length).toBeGreaterThan(0);
    const docs = readFileSync(join(ROOT, 'deploy', 'deployment.yaml'), 'utf8');
    const deployment = parse(docs) as { spec: { template: { spec: { containers: { env?: { name: string; value?: string }[] }[] } } } };
    const env = deployment.spec.template.spec.containers[0]?.env ?? [];
    const dockerfile = readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8');
    for (const [name, value] of Object.entries(RUN_ENV)) {
      expect(env.find((e) => e.name === name)?.value).toBe(value);
      expect(dockerfile).toContain(`ENV ${name}=${value}\n`);
      expect(childEnv('worker-child', {})[name]).toBe(value);
      // a value already in the environment wins (what-if runs)
      expect(childEnv('worker-child', { [name]: '0' })[name]).toBe('0');
      expect(childEnv('simulator-child', {})[name]).toBeUndefined();
    }
  });
});
