/** The redact stage: masks secrets and personal data in free-text fields. */
export { Redactor, maskFor, type RedactorDeps } from './redactor.js';
export { REDACTION_RULE_NAMES, redactConfigSchema, type ExtraPattern, type RedactConfig, type RedactionRuleName } from './config.js';
export { entropyBitsPerChar, looksRandom } from './patterns.js';
