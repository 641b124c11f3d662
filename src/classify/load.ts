import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { layerRules, parseRulesText, RuleFileError, type RuleLayer, type RuleSet } from './rules.js';

/**
 * Path of the shipped default rules. Resolved from the package root, so it is the same from
 * `src/classify/*.ts` and from the compiled `dist/classify/*.js` (both two levels below the root).
 */
export const DEFAULT_RULES_PATH = fileURLToPath(new URL('../../src/classify/default-rules.yaml', import.meta.url));

/** Options of {@link loadRuleSet}. */
export interface LoadRuleSetOptions {
  /** Load the shipped defaults as the lowest layer. Default true. */
  defaults?: boolean;
  /** User rule files, layered on top of the defaults in order (a later file is on top). Default []. */
  files?: string[];
}

function readLayer(file: string): RuleLayer {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new RuleFileError({ file }, `cannot read rules file: ${(err as Error).message}`);
  }
  return parseRulesText(text, file);
}

/** Reads, validates and layers rule files; throws {@link RuleFileError} naming the file, rule and field. */
export function loadRuleSet(options: LoadRuleSetOptions = {}): RuleSet {
  const layers: RuleLayer[] = [];
  if (options.defaults ?? true) layers.push(readLayer(DEFAULT_RULES_PATH));
  for (const file of options.files ?? []) layers.push(readLayer(file));
  return layerRules(layers);
}
