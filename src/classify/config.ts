import { z } from 'zod';

/** Configuration of the classify stage (`classify:` in the config file). */
export const classifyConfigSchema = z.object({
  rulesFiles: z
    .array(z.string().min(1))
    .default([])
    .describe('Paths of user rule files (YAML), layered on top of the shipped defaults in the order given: a later file sits on top of an earlier one. Default [].'),
  useDefaultRules: z
    .boolean()
    .default(true)
    .describe('Load the shipped default rules (src/classify/default-rules.yaml) under the user rule files. Default true.'),
  escalationMaxKeys: z
    .number()
    .int()
    .positive()
    .default(100_000)
    .describe('Most (object, reason) keys the frequency escalation keeps; the least recently seen is evicted first. Default 100000.'),
  escalationMaxAgeMillis: z
    .number()
    .int()
    .positive()
    .default(3_600_000)
    .describe('Escalation state older than this (event time, milliseconds behind the newest event seen) is dropped. Default 3600000 (1 h).'),
});

/** Parsed classify configuration; see {@link classifyConfigSchema} for each field. */
export type ClassifyConfig = z.infer<typeof classifyConfigSchema>;
