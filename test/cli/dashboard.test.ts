import { describe, expect, it } from 'vitest';
import { Dashboard } from '../../src/cli/dashboard.js';
import { ManualClock } from '../../src/model/time.js';
import { buildEvent, buildRecord } from '../support/builders.js';

describe('the live view', () => {
  function view(clock: ManualClock): Dashboard {
    return new Dashboard(
      { clock, incidents: () => [], openIncidents: () => 3, status: () => ({ source: 'watching' }) },
      { tty: false, write: () => undefined },
    );
  }

  it('gives events/s over the last five seconds and forgets older ones', () => {
    const clock = new ManualClock(1_000_000);
    const d = view(clock);
    const record = buildRecord(buildEvent({}), { classification: { category: 'Pod.Restart', severity: 'High', ruleId: 'r', escalated: false } });
    for (let i = 0; i < 50; i++) d.onRecord(record);
    expect(d.rate()).toBe(10);
    clock.advance(3000);
    for (let i = 0; i < 25; i++) d.onRecord(record);
    expect(d.rate()).toBe(15);
    clock.advance(3000); // the first 50 are now older than the window
    expect(d.rate()).toBe(5);
    clock.advance(10_000);
    expect(d.rate()).toBe(0);
  });

  it('renders categories, severities, open groups and findings', () => {
    const clock = new ManualClock(1_000_000);
    const d = view(clock);
    d.onRecord(buildRecord(buildEvent({}), { classification: { category: 'Storage.Timeout', severity: 'High', ruleId: 'r', escalated: false } }));
    d.onFinding({ detector: 'pattern', kind: 'frequency', score: 2.5, key: 'ns/BackOff', windowStartMs: 0, windowEndMs: 1, modelVersion: 'pattern-v1', body: 'BackOff x25 in 5m', timeMs: 1 });
    const frame = d.render();
    expect(frame).toMatch(/Storage\.Timeout\s+1/);
    expect(frame).toContain('open groups');
    expect(frame).toMatch(/pattern\/frequency score 2\.50\s+BackOff x25 in 5m/);
  });
});
