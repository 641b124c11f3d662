import { z } from 'zod';
import { SEVERITIES } from '../model/event.js';

/** A category is `Domain.Condition` (PascalCase parts joined by dots), e.g. `Storage.Timeout`. */
export const CATEGORY_PATTERN = /^[A-Z][A-Za-z0-9]*(\.[A-Z][A-Za-z0-9]*)+$/;

const stringOrList = z.union([z.string().min(1), z.array(z.string().min(1)).min(1)]);

/** One frequency escalation step: `count` occurrences within `windowMillis` raise the severity to `severity`. */
export const escalationStepSchema = z.strictObject({
  count: z.number().int().positive(),
  windowMillis: z.number().int().positive(),
  severity: z.enum(SEVERITIES),
});

/** What a rule matches on; every field present must match (AND), a list matches any of its items (OR). */
export const ruleMatchSchema = z.strictObject({
  reason: stringOrList.optional(),
  type: z.enum(['Normal', 'Warning']).optional(),
  reportingController: stringOrList.optional(),
  regardingKind: stringOrList.optional(),
  /** JavaScript regular expression tested (case-insensitive, unanchored) against the note. */
  note: z.string().min(1).optional(),
});

/** A rule: what it matches, the category and severity it gives, optional escalation steps. */
export const activeRuleSchema = z.strictObject({
  id: z.string().min(1),
  match: ruleMatchSchema.default({}),
  category: z.string().regex(CATEGORY_PATTERN, 'must be Domain.Condition, e.g. Storage.Timeout'),
  severity: z.enum(SEVERITIES),
  escalate: z.array(escalationStepSchema).optional(),
  disable: z.literal(false).optional(),
});

/** `{ id, disable: true }`: removes the rule with that id from the layers below. */
export const disableRuleSchema = z.strictObject({
  id: z.string().min(1),
  disable: z.literal(true),
});

/** A rules file: `rules:` followed by the list of entries. */
export const rulesFileSchema = z.strictObject({
  rules: z.array(z.unknown()).default([]),
});

/** A rule as written in a rules file, after validation. */
export type RuleSpec = z.infer<typeof activeRuleSchema>;
/** A `{ id, disable: true }` entry. */
export type DisableSpec = z.infer<typeof disableRuleSchema>;
/** A validated escalation step. */
export type EscalationStep = z.infer<typeof escalationStepSchema>;
