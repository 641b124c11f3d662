import logUpdate from 'log-update';
import pc from 'picocolors';
import type { EventRecord, Finding, Severity } from '../model/event.js';
import type { Clock } from '../model/time.js';
import type { PipelineObserver } from '../pipeline/stages.js';

/** An incident as the terminal view shows it (the correlator's summary). */
export interface IncidentView {
  id: string;
  eventCount: number;
  subjects: string[];
  categories: string[];
  maxSeverity: Severity;
  lastTimeMs: number;
}

/** What the view reads besides the record stream. */
export interface DashboardSources {
  clock: Clock;
  incidents(): IncidentView[];
  openIncidents(): number;
  /** Extra status lines: source state, exporter acks, skips. */
  status(): Record<string, string | number>;
}

const RATE_WINDOW_MILLIS = 5000;

/**
 * Live terminal view of the pipeline: events/s, categories, open incidents and findings.
 * On a TTY it redraws in place (log-update); otherwise it prints a summary line per refresh.
 */
export class Dashboard implements PipelineObserver {
  private readonly categories = new Map<string, number>();
  private readonly severities = new Map<Severity, number>();
  /** Records per wall-clock second (key: epoch second), the last few seconds only. */
  private readonly perSecond = new Map<number, number>();
  private readonly findings: Finding[] = [];
  private total = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly sources: DashboardSources,
    private readonly options: { tty: boolean; refreshMillis?: number; write?: (line: string) => void } = { tty: true },
  ) {}

  /** Counts a record (called by the pipeline). */
  onRecord(record: EventRecord): void {
    this.total++;
    const second = Math.floor(this.sources.clock.now() / 1000);
    this.perSecond.set(second, (this.perSecond.get(second) ?? 0) + 1);
    const c = record.classification;
    if (c) {
      this.categories.set(c.category, (this.categories.get(c.category) ?? 0) + 1);
      this.severities.set(c.severity, (this.severities.get(c.severity) ?? 0) + 1);
    }
  }

  /** Keeps the latest findings (called by the pipeline). */
  onFinding(finding: Finding): void {
    this.findings.unshift(finding);
    if (this.findings.length > 8) this.findings.length = 8;
  }

  /** Starts redrawing. */
  start(): void {
    this.timer = setInterval(() => this.draw(), this.options.refreshMillis ?? 500);
    this.timer.unref();
  }

  /** Stops redrawing and leaves the last frame on screen. */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.draw();
    if (this.options.tty) logUpdate.done();
  }

  /** Events per second over the last few seconds. */
  rate(): number {
    const windowSeconds = RATE_WINDOW_MILLIS / 1000;
    const oldest = Math.floor(this.sources.clock.now() / 1000) - windowSeconds + 1;
    let count = 0;
    for (const [second, n] of this.perSecond) {
      if (second < oldest) this.perSecond.delete(second);
      else count += n;
    }
    return count / windowSeconds;
  }

  /** The current frame as text. */
  render(): string {
    const top = [...this.categories.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);
    const lines = [
      pc.bold('eventide') + pc.dim('  live view  (Ctrl-C to stop)'),
      `${pc.cyan('events/s')} ${this.rate().toFixed(1).padStart(8)}   ${pc.cyan('exported')} ${String(this.total).padStart(8)}   ${pc.cyan('open groups')} ${this.sources.openIncidents()}`,
      `${pc.cyan('severity')} ${(['Info', 'Medium', 'High', 'Critical'] as const).map((s) => `${colourSeverity(s)} ${this.severities.get(s) ?? 0}`).join('  ')}`,
      Object.entries(this.sources.status())
        .map(([k, v]) => `${pc.dim(k)} ${v}`)
        .join('  '),
      '',
      pc.bold('top categories'),
      ...top.map(([cat, n]) => `  ${cat.padEnd(28)} ${String(n).padStart(7)}`),
      '',
      pc.bold('recent incidents (Medium and above)'),
      ...this.sources
        .incidents()
        .slice(0, 6)
        .map((i) => `  ${colourSeverity(i.maxSeverity)} ${i.id.slice(0, 12)} ${String(i.eventCount).padStart(5)} ev  ${i.categories.slice(0, 3).join(',')}  ${i.subjects.slice(0, 2).join(', ')}`),
      '',
      pc.bold('findings'),
      ...this.findings.map((f) => `  ${f.score >= 2 ? pc.red('ERROR') : pc.yellow('WARN ')} ${f.detector}/${f.kind} score ${f.score.toFixed(2)}  ${f.body}`),
    ];
    const width = process.stdout.columns ?? 0;
    return (width > 0 ? lines.map((l) => fitWidth(l, width)) : lines).join('\n');
  }

  private draw(): void {
    if (this.options.tty) {
      logUpdate(this.render());
    } else {
      const write = this.options.write ?? ((line: string) => process.stdout.write(`${line}\n`));
      write(
        `events/s=${this.rate().toFixed(1)} exported=${this.total} open_groups=${this.sources.openIncidents()} findings=${this.findings.length} ` +
          Object.entries(this.sources.status())
            .map(([k, v]) => `${k}=${v}`)
            .join(' '),
      );
    }
  }
}

/** Cuts a line to the terminal width (escape sequences do not count), so the view never wraps. */
function fitWidth(line: string, width: number): string {
  let visible = 0;
  let out = '';
  for (let i = 0; i < line.length; i++) {
    if (line[i] === '\u001b') {
      const end = line.indexOf('m', i);
      out += line.slice(i, end + 1);
      i = end;
      continue;
    }
    if (visible >= width - 1) continue;
    out += line[i];
    visible++;
  }
  return out;
}

function colourSeverity(s: Severity): string {
  switch (s) {
    case 'Critical':
      return pc.bgRed(pc.white(s));
    case 'High':
      return pc.red(s);
    case 'Medium':
      return pc.yellow(s);
    default:
      return pc.green(s);
  }
}
