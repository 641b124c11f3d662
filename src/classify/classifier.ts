import type { Classification, KEvent, Severity } from '../model/event.js';
import { HotCounter, type Metrics } from '../observe/metrics.js';
import { UNKNOWN_CATEGORY, UNKNOWN_RULE_ID } from './categories.js';
import type { ClassifyConfig } from './config.js';
import { EscalationTracker } from './escalation.js';
import { EscalationKeys, ruleMatches } from './match.js';
import type { CompiledRule, RuleSet } from './rules.js';

/** Optional collaborators of {@link Classifier}. */
export interface ClassifierDeps {
  /** Where `eventsClassified{category,severity}` is counted. */
  metrics?: Metrics;
}

/**
 * The classify stage: the first rule (in rule-set order) that matches an event gives its
 * category and severity; frequency escalation may raise the severity. Unmatched events get
 * `Unknown` (Info, or Medium for Warning events). Pure apart from the bounded escalation state,
 * which runs on event time only.
 */
export class Classifier {
  /** For each reason named by some rule: the rules that can match it, in order. */
  private readonly byReason = new Map<string, CompiledRule[]>();
  /** Rules that match any reason, in order: the candidates for reasons no rule names. */
  private readonly anyReason: CompiledRule[];
  private readonly tracker: EscalationTracker;
  private readonly escalationKeys = new EscalationKeys();
  private readonly classified: HotCounter<'category' | 'severity'> | undefined;
  private unknown = 0;
  /** HotCounter key and labels of each (category, severity) counted, built once: category → by severity. */
  private readonly countKeys = new Map<string, Map<Severity, { key: string; labels: { category: string; severity: Severity } }>>();

  /** Throws when an escalation window is longer than `escalationMaxAgeMillis` (state that old is dropped). */
  constructor(
    rules: RuleSet,
    config: ClassifyConfig,
    private readonly deps: ClassifierDeps = {},
  ) {
    this.classified = deps.metrics ? HotCounter.of(deps.metrics.eventsClassified) : undefined;
    this.anyReason = rules.rules.filter((r) => r.reasons === undefined);
    const named = new Set<string>();
    for (const r of rules.rules) for (const reason of r.reasons ?? []) named.add(reason);
    for (const reason of named) {
      this.byReason.set(reason, rules.rules.filter((r) => r.reasons === undefined || r.reasons.has(reason)));
    }
    for (const r of rules.rules) {
      r.escalate.forEach((step, i) => {
        if (step.windowMillis > config.escalationMaxAgeMillis) {
          throw new Error(
            `${r.file}: rule "${r.id}": escalate.${i}.windowMillis ${step.windowMillis} is longer than classify.escalationMaxAgeMillis ${config.escalationMaxAgeMillis}: shorten the window or raise escalationMaxAgeMillis`,
          );
        }
      });
    }
    this.tracker = new EscalationTracker({ maxKeys: config.escalationMaxKeys, maxAgeMillis: config.escalationMaxAgeMillis });
  }

  /**
   * Classifies one event. Never throws. `priorCount`, `priorTimeMs`: what was delivered of its
   * uid before (the pipeline passes the delivery gate's memory, `EventRecord.priorCount`), for
   * frequency escalation; without them the escalation remembers uids itself.
   */
  classify(event: KEvent, priorCount?: number, priorTimeMs?: number): Classification {
    const candidates = this.byReason.get(event.reason) ?? this.anyReason;
    let result: Classification | undefined;
    for (const rule of candidates) {
      if (ruleMatches(rule, event)) {
        result = { category: rule.category, severity: this.escalate(rule, event, priorCount, priorTimeMs), ruleId: rule.id, escalated: false };
        result.escalated = result.severity !== rule.severity;
        break;
      }
    }
    if (!result) {
      this.unknown++;
      const severity: Severity = event.type === 'Warning' ? 'Medium' : 'Info';
      result = { category: UNKNOWN_CATEGORY, severity, ruleId: UNKNOWN_RULE_ID, escalated: false };
    }
    this.count(result);
    return result;
  }

  /** Events no rule matched since construction. */
  unknownCount(): number {
    return this.unknown;
  }

  /** Event uids the escalation remembers itself (0 when every call brought what was delivered before). */
  uidsRemembered(): number {
    return this.tracker.uidsRemembered();
  }

  private escalate(rule: CompiledRule, event: KEvent, priorCount: number | undefined, priorTimeMs: number | undefined): Severity {
    if (rule.escalate.length === 0) return rule.severity;
    const key = this.escalationKeys.of(event);
    this.tracker.record(key, event, priorCount, priorTimeMs);
    for (let i = rule.escalate.length - 1; i >= 0; i--) {
      const step = rule.escalate[i]!;
      if (this.tracker.countInWindow(key, event.timeMs, step.windowMillis) >= step.count) return step.severity;
    }
    return rule.severity;
  }

  private count(c: Classification): void {
    if (!this.classified) return;
    let bySeverity = this.countKeys.get(c.category);
    if (!bySeverity) {
      bySeverity = new Map();
      this.countKeys.set(c.category, bySeverity);
    }
    let k = bySeverity.get(c.severity);
    if (!k) {
      k = { key: `${c.category}\u0000${c.severity}`, labels: { category: c.category, severity: c.severity } };
      bySeverity.set(c.severity, k);
    }
    this.classified.inc(k.key, k.labels);
  }
}
