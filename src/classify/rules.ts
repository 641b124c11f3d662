import type { z } from 'zod';
import { parse as parseYaml, YAMLParseError } from 'yaml';
import { SEVERITIES, type Severity } from '../model/event.js';
import { activeRuleSchema, disableRuleSchema, rulesFileSchema, type EscalationStep, type RuleSpec } from './rule-schema.js';

/** Where in a rules file a problem is. */
export interface RuleFileErrorLocation {
  /** Path of the file (or `<inline>`). */
  file: string;
  /** 0-based index of the rule in the file's `rules` list, when the problem is in one rule. */
  ruleIndex?: number;
  /** `id` of that rule, when it has one. */
  ruleId?: string;
  /** Dotted path of the offending field inside the rule (e.g. `match.note`), or of the file's top level. */
  field?: string;
}

/** A rules file could not be read or is invalid; the message names the file, the rule and the field. */
export class RuleFileError extends Error {
  override readonly name = 'RuleFileError';
  readonly file: string;
  readonly ruleIndex: number | undefined;
  readonly ruleId: string | undefined;
  readonly field: string | undefined;

  constructor(location: RuleFileErrorLocation, problem: string) {
    const where = [location.file];
    if (location.ruleIndex !== undefined) where.push(`rule #${location.ruleIndex}${location.ruleId ? ` (id "${location.ruleId}")` : ''}`);
    if (location.field) where.push(`field "${location.field}"`);
    super(`${where.join(': ')}: ${problem}`);
    this.file = location.file;
    this.ruleIndex = location.ruleIndex;
    this.ruleId = location.ruleId;
    this.field = location.field;
  }
}

/** A validated rule, compiled for matching: lists become sets, the note pattern a RegExp. */
export interface CompiledRule {
  id: string;
  /** File the rule came from (`<defaults>` for the shipped rules). */
  file: string;
  /** Reasons matched (any); undefined matches every reason. */
  reasons?: ReadonlySet<string>;
  /** `Normal` or `Warning`; undefined matches both. */
  type?: string;
  reportingControllers?: ReadonlySet<string>;
  regardingKinds?: ReadonlySet<string>;
  /** Case-insensitive, unanchored pattern tested against the note. */
  note?: RegExp;
  category: string;
  severity: Severity;
  /** Escalation steps, lowest severity first. Empty when the rule does not escalate. */
  escalate: readonly EscalationStep[];
}

/** One file's worth of rules and disables, in file order. */
export interface RuleLayer {
  file: string;
  rules: CompiledRule[];
  /** Ids of lower-layer rules this layer removes. */
  disabled: string[];
}

/** The ordered rules the classifier evaluates (first match wins). */
export interface RuleSet {
  rules: readonly CompiledRule[];
  /** Files loaded, lowest layer first. */
  files: readonly string[];
  /** Non-fatal remarks found while layering (e.g. a disable of an id no lower layer has); log them at start. */
  warnings: readonly string[];
}

const severityRank = (s: Severity): number => SEVERITIES.indexOf(s);

function toSet(value: string | string[] | undefined): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  return new Set(Array.isArray(value) ? value : [value]);
}

function zodProblem(error: z.ZodError): { field: string; problem: string } {
  const issue = error.issues[0];
  if (!issue) return { field: '', problem: 'invalid' };
  const path = issue.path.map(String);
  if (issue.code === 'unrecognized_keys') {
    return { field: [...path, issue.keys[0] ?? ''].join('.'), problem: `unknown field: check its spelling (${issue.message})` };
  }
  return { field: path.join('.'), problem: issue.message };
}

/** Compiles one validated rule; throws {@link RuleFileError} for a bad regex or escalation. */
export function compileRule(spec: RuleSpec, file: string, ruleIndex: number): CompiledRule {
  const at = (field: string): RuleFileErrorLocation => ({ file, ruleIndex, ruleId: spec.id, field });
  let note: RegExp | undefined;
  if (spec.match.note !== undefined) {
    try {
      note = new RegExp(spec.match.note, 'i');
    } catch (err) {
      throw new RuleFileError(at('match.note'), `invalid regular expression: ${(err as Error).message}`);
    }
  }
  const escalate = [...(spec.escalate ?? [])];
  escalate.forEach((step, i) => {
    if (severityRank(step.severity) <= severityRank(spec.severity)) {
      throw new RuleFileError(at(`escalate.${i}.severity`), `must be higher than the rule's severity ${spec.severity}`);
    }
  });
  escalate.sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
  const rule: CompiledRule = { id: spec.id, file, category: spec.category, severity: spec.severity, escalate };
  const reasons = toSet(spec.match.reason);
  const controllers = toSet(spec.match.reportingController);
  const kinds = toSet(spec.match.regardingKind);
  if (reasons) rule.reasons = reasons;
  if (spec.match.type) rule.type = spec.match.type;
  if (controllers) rule.reportingControllers = controllers;
  if (kinds) rule.regardingKinds = kinds;
  if (note) rule.note = note;
  return rule;
}

/** Parses and validates the text of one rules file into a layer; throws {@link RuleFileError}. */
export function parseRulesText(text: string, file: string): RuleLayer {
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    const pos = err instanceof YAMLParseError && err.linePos ? ` at line ${err.linePos[0].line}` : '';
    throw new RuleFileError({ file }, `not valid YAML${pos}: ${(err as Error).message}`);
  }
  const top = rulesFileSchema.safeParse(doc ?? {});
  if (!top.success) {
    const { field, problem } = zodProblem(top.error);
    throw new RuleFileError({ file, field: field || '(top level)' }, `${problem} (expected a mapping with a "rules:" list)`);
  }
  const layer: RuleLayer = { file, rules: [], disabled: [] };
  const seen = new Set<string>();
  top.data.rules.forEach((entry, ruleIndex) => {
    const rawId = typeof entry === 'object' && entry !== null ? (entry as Record<string, unknown>).id : undefined;
    const ruleId = typeof rawId === 'string' ? rawId : undefined;
    const isDisable = typeof entry === 'object' && entry !== null && (entry as Record<string, unknown>).disable === true;
    const parsed = isDisable ? disableRuleSchema.safeParse(entry) : activeRuleSchema.safeParse(entry);
    if (!parsed.success) {
      const { field, problem } = zodProblem(parsed.error);
      throw new RuleFileError({ file, ruleIndex, ruleId, field: field || '(rule)' }, problem);
    }
    const id = parsed.data.id;
    if (seen.has(id)) throw new RuleFileError({ file, ruleIndex, ruleId: id, field: 'id' }, 'duplicate id in this file');
    seen.add(id);
    if ('category' in parsed.data) layer.rules.push(compileRule(parsed.data, file, ruleIndex));
    else layer.disabled.push(id);
  });
  return layer;
}

/**
 * Layers rule files, lowest first: each layer's rules are evaluated before those of the
 * layers below it, replace a lower rule with the same id, and its disables remove lower rules.
 */
export function layerRules(layers: readonly RuleLayer[]): RuleSet {
  let rules: CompiledRule[] = [];
  const warnings: string[] = [];
  for (const layer of layers) {
    const below = new Set(rules.map((r) => r.id));
    const removed = new Set<string>(layer.disabled);
    for (const id of layer.disabled) {
      if (!below.has(id)) warnings.push(`${layer.file}: disable of rule id "${id}" matches no rule below it`);
    }
    for (const rule of layer.rules) removed.add(rule.id);
    rules = [...layer.rules, ...rules.filter((r) => !removed.has(r.id))];
  }
  return { rules, files: layers.map((l) => l.file), warnings };
}
