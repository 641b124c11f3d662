/** The classify stage: rules, their loader and the classifier. */
export { Classifier, type ClassifierDeps } from './classifier.js';
export { classifyConfigSchema, type ClassifyConfig } from './config.js';
export { DEFAULT_RULES_PATH, loadRuleSet, type LoadRuleSetOptions } from './load.js';
export { RuleFileError, layerRules, parseRulesText, type CompiledRule, type RuleLayer, type RuleSet } from './rules.js';
export { UNKNOWN_CATEGORY, UNKNOWN_RULE_ID } from './categories.js';
