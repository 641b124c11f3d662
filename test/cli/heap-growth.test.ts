import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HeapGrowthGovernor, LEAN_HEAP_GROWING_PERCENT, startHeapGrowthGovernor } from '../../src/cli/heap-growth.js';

const ROOT = join(import.meta.dirname, '..', '..');

/** A governor over a fake clock and CPU counter, recording the flags it sets. */
function governed(): { governor: HeapGrowthGovernor; run: (cpuPercent: number, millis: number) => void; flags: string[] } {
  let cpu = 0;
  let now = 0;
  const flags: string[] = [];
  const governor = new HeapGrowthGovernor({ cpuMicros: () => cpu, nowMillis: () => now, setFlags: (flag) => flags.push(flag) }, { busyPercent: 25, intervalMillis: 5000 });
  const run = (cpuPercent: number, millis: number): void => {
    cpu += cpuPercent * 10 * millis;
    now += millis;
  };
  return { governor, run, flags };
}

describe('HeapGrowthGovernor', () => {
  it('keeps the heap lean while the process is mostly idle and hands growth back to V8 while it is busy', () => {
    const { governor, run, flags } = governed();
    governor.start();
    expect(governor.current()).toBe('lean');
    expect(flags).toEqual([`--heap-growing-percent=${LEAN_HEAP_GROWING_PERCENT}`]);
    run(4, 5000);
    expect(governor.tick()).toBe('lean');
    run(70, 5000);
    expect(governor.tick()).toBe('v8');
    run(30, 5000);
    expect(governor.tick()).toBe('v8');
    run(24.9, 5000);
    expect(governor.tick()).toBe('lean');
    // a flag is set only on a change of mode
    expect(flags).toEqual(['--heap-growing-percent=20', '--heap-growing-percent=0', '--heap-growing-percent=20']);
    governor.stop();
  });

  it('measures each interval on its own, whatever its length', () => {
    const { governor, run } = governed();
    governor.start();
    run(90, 100);
    run(0, 9900);
    // 90% for 0.1 s of 10 s: 0.9% in all
    expect(governor.tick()).toBe('lean');
    run(50, 1000);
    expect(governor.tick()).toBe('v8');
    governor.stop();
  });

  it('is not started when node\'s command line sets the flag (a what-if run keeps its value)', () => {
    expect(startHeapGrowthGovernor(['--max-semi-space-size=8', '--heap-growing-percent=50'])).toBeUndefined();
  });

  it('sets a flag this node has and NODE_OPTIONS does not accept (so it cannot be a start-up flag)', () => {
    const v8Options = execFileSync(process.execPath, ['--v8-options'], { encoding: 'utf8' });
    expect(v8Options).toContain('  --heap-growing-percent (');
    expect(process.allowedNodeEnvironmentFlags.has('--heap-growing-percent')).toBe(false);
  });

  it('runs in eventide run and in the benchmark\'s process under test', () => {
    for (const file of ['src/cli/run.ts', 'src/bench/worker-child.ts']) expect(readFileSync(join(ROOT, file), 'utf8')).toMatch(/startHeapGrowthGovernor\(\);/);
  });
});
