import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { getPriority } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { lowerPriority } from '../../src/bench/ipc.js';

/** Nice value of each thread of `pid`, from /proc/<pid>/task/<tid>/stat (field 19). */
function threadNices(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    // fields after the command name, which is in parentheses and may hold spaces: state is field 3
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(fields[19 - 3]);
  });
}

const children: { kill: () => void }[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill();
});

describe.skipIf(!existsSync('/proc/self/task'))('lowerPriority', () => {
  it('gives every thread of a Node process the nice value, not only its main thread', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000); console.log("up")'], { stdio: ['ignore', 'pipe', 'ignore'] });
    children.push(child);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    const pid = child.pid!;
    expect(threadNices(pid).length).toBeGreaterThan(1); // V8's worker threads are up
    const inherited = getPriority(pid); // 0, or what the test runner itself runs at
    expect(threadNices(pid).every((nice) => nice === inherited)).toBe(true);
    const target = Math.min(19, inherited + 7);

    const result = lowerPriority(pid, target);

    expect(result.failed).toBe(0);
    expect(result.reniced).toBe(threadNices(pid).length);
    expect(threadNices(pid).every((nice) => nice === target)).toBe(true);
    expect(getPriority(pid)).toBe(target);
  });

  it('counts a thread it cannot renice instead of throwing', () => {
    // no such process: its /proc folder is missing, so the pid itself is tried and refused
    expect(lowerPriority(2 ** 22 + 12345, 5)).toEqual({ reniced: 0, failed: 1 });
  });
});
