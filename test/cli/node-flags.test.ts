import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { cpuProfileArgs } from '../../src/bench/ipc.js';
import { RUN_NODE_FLAGS } from '../../src/cli/node-flags.js';

const ROOT = join(import.meta.dirname, '..', '..');

describe('the V8 flags eventide run runs with (RUN_NODE_FLAGS)', () => {
  it('are V8 flags this node accepts', () => {
    expect(RUN_NODE_FLAGS.length).toBeGreaterThan(0);
    for (const flag of RUN_NODE_FLAGS) expect(process.allowedNodeEnvironmentFlags.has(flag.split('=')[0]!)).toBe(true);
  });

  it('are in the shebang of bin/eventide.js (npx eventide run)', () => {
    const shebang = readFileSync(join(ROOT, 'bin', 'eventide.js'), 'utf8').split('\n')[0]!;
    expect(shebang).toBe(`#!/usr/bin/env -S node ${RUN_NODE_FLAGS.join(' ')}`);
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
});
