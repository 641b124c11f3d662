import type { Counter } from 'prom-client';
import type { KEvent } from '../model/event.js';
import type { Metrics } from '../observe/metrics.js';
import type { RedactConfig } from './config.js';
import { builtinRules, type BuiltinRule } from './patterns.js';

/** Optional collaborators of {@link Redactor}. */
export interface RedactorDeps {
  /** Where `redactions{rule}` is counted (one per masked match). */
  metrics?: Metrics;
  /** Skip rules whose cheap gate a text fails. Default true; false only to test that gates never change a result. */
  useGates?: boolean;
}

type CounterChild = ReturnType<Counter<'rule'>['labels']>;

interface CompiledRules {
  /** Global pattern: one named group `r<i>` per rule, `p<i>` for its kept prefix. */
  re: RegExp;
  /** Replacer for String.replace with `re`. */
  replace: (match: string, ...args: unknown[]) => string;
}

interface ExtraRule {
  name: string;
  re: RegExp;
}

/** The mask written in place of a secret found by rule `name`. */
export function maskFor(name: string): string {
  return `[REDACTED:${name}]`;
}

/**
 * The redact stage: masks secrets and personal data in an Event's free text (`note`,
 * `action`) with typed masks such as `[REDACTED:ipv4]`. The enabled built-in rules are
 * compiled into one global pattern (highEntropy, which vetoes some candidates, scans after it
 * on its own); user patterns follow, each compiled once at construction. Names, uids, labels
 * and other structured fields are never touched (see docs/redaction.md). Never throws after
 * construction.
 */
export class Redactor {
  private readonly enabled: boolean;
  private readonly useGates: boolean;
  /**
   * Passes over the text: first the enabled built-in rules that never veto a match ("plain"),
   * in one pattern limited to the rules whose cheap gate the text passes; then each rule with a
   * check (highEntropy) on its own, so a candidate it vetoes cannot hide a secret inside it.
   */
  private readonly plainRules: BuiltinRule[];
  /** For each plain rule, the bit set of {@link needChars} one of which a text needs to pass its gate; 0: none needed. */
  private readonly needs: number[];
  /** Every character some plain rule `needs`; bit i of a `needs` set is needChars[i]. */
  private readonly needChars: string[] = [];
  /** Combined patterns of the plain rules, by bit set of the rules whose gate a text passed; each compiled once. */
  private readonly combined = new Map<number, CompiledRules>();
  private readonly checkedPasses: Array<CompiledRules & { scan: ((text: string) => boolean) | undefined }>;
  private readonly extras: ExtraRule[];
  private readonly counters = new Map<string, CounterChild>();
  /** Matches of the current call, by rule; flushed to the metric once per call. */
  private readonly pending = new Map<string, number>();

  /** Throws when an extra pattern is invalid (the config schema reports it earlier, naming the field). */
  constructor(
    config: RedactConfig,
    private readonly deps: RedactorDeps = {},
  ) {
    this.enabled = config.enabled;
    this.useGates = deps.useGates ?? true;
    const rules = builtinRules(config).filter((r) => config.rules[r.name]);
    this.plainRules = rules.filter((r) => !r.check);
    this.checkedPasses = rules.filter((r) => r.check).map((r) => ({ ...this.compile([r]), scan: r.scan }));
    this.needs = this.plainRules.map((r) => {
      let needs = 0;
      for (const ch of r.needs ?? '') {
        let i = this.needChars.indexOf(ch);
        if (i < 0) i = this.needChars.push(ch) - 1;
        needs |= 1 << i;
      }
      return needs;
    });
    if (this.plainRules.length > 0) this.combined.set((1 << this.plainRules.length) - 1, this.compile(this.plainRules));
    this.extras = config.extraPatterns.map((p, i) => {
      try {
        return { name: p.name, re: new RegExp(p.pattern, `g${p.flags.replace(/g/g, '')}`) };
      } catch (err) {
        throw new Error(`redact.extraPatterns.${i}.pattern: invalid regular expression: ${(err as Error).message}`);
      }
    });
  }

  /** A copy of `event` with `note` and `action` masked; the same object when nothing matched. */
  redactEvent(event: KEvent): KEvent {
    if (!this.enabled) return event;
    const note = this.redactText(event.note);
    const action = event.action ? this.redactText(event.action) : event.action;
    if (note === event.note && action === event.action) return event;
    return { ...event, note, action };
  }

  /** `text` with every match of the enabled rules masked; the same string when nothing matched. */
  redactText(text: string): string {
    if (!this.enabled || typeof text !== 'string' || text.length === 0) return text;
    let out = text;
    const plain = this.plainPass(text);
    if (plain) out = out.replace(plain.re, plain.replace);
    for (const pass of this.checkedPasses) {
      if (this.useGates && pass.scan && !pass.scan(out)) continue;
      out = out.replace(pass.re, pass.replace);
    }
    for (const extra of this.extras) {
      out = out.replace(extra.re, () => {
        this.note(extra.name);
        return maskFor(extra.name);
      });
    }
    if (this.pending.size > 0) this.flush();
    return out === text ? text : out;
  }

  /** The combined pattern of the plain rules whose gate `text` passes; undefined when none does. */
  private plainPass(text: string): CompiledRules | undefined {
    let bits = 0;
    const present = this.useGates ? this.charsPresent(text) : 0;
    for (let i = 0; i < this.plainRules.length; i++) {
      const gate = this.plainRules[i]!.gate;
      const needs = this.needs[i]!;
      if (
        !this.useGates ||
        ((needs === 0 || (present & needs) !== 0) && (gate === undefined || (typeof gate === 'string' ? text.includes(gate) : gate.test(text))))
      ) {
        bits |= 1 << i;
      }
    }
    if (bits === 0) return undefined;
    let pass = this.combined.get(bits);
    if (!pass) {
      pass = this.compile(this.plainRules.filter((_, i) => (bits & (1 << i)) !== 0));
      this.combined.set(bits, pass);
    }
    return pass;
  }

  /** Bit set of the {@link needChars} that occur in `text`. */
  private charsPresent(text: string): number {
    let present = 0;
    for (let i = 0; i < this.needChars.length; i++) if (text.includes(this.needChars[i]!)) present |= 1 << i;
    return present;
  }

  private compile(rules: BuiltinRule[]): CompiledRules {
    const re = new RegExp(rules.map((r, i) => `(?<r${i}>${r.prefix ? `(?<p${i}>${r.prefix})` : ''}${r.body})`).join('|'), 'g');
    const ruleGroups = rules.map((_, i) => `r${i}`);
    const prefixGroups = rules.map((_, i) => `p${i}`);
    const replace = (match: string, ...args: unknown[]): string => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (let i = 0; i < rules.length; i++) {
        if (groups[ruleGroups[i]!] === undefined) continue;
        const rule = rules[i]!;
        const prefix = groups[prefixGroups[i]!] ?? '';
        const masked = match.slice(prefix.length);
        if (rule.check && !rule.check(masked)) return match;
        this.note(rule.name);
        return prefix + maskFor(rule.name);
      }
      return match;
    };
    return { re, replace };
  }

  private note(name: string): void {
    this.pending.set(name, (this.pending.get(name) ?? 0) + 1);
  }

  private flush(): void {
    const metrics = this.deps.metrics;
    if (metrics) {
      for (const [name, n] of this.pending) {
        let child = this.counters.get(name);
        if (!child) {
          child = metrics.redactions.labels(name);
          this.counters.set(name, child);
        }
        child.inc(n);
      }
    }
    this.pending.clear();
  }
}
