import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { type EventideConfig, eventideConfigSchema } from './schema.js';
import { unwrapSchema } from './unwrap.js';

/** A configuration problem found at start; the CLI prints it and exits with status 2. */
export class ConfigError extends Error {
  constructor(
    message: string,
    /** Every problem found, one line each: `field: what is wrong (fix)`. */
    readonly problems: string[] = [],
  ) {
    super(message);
    this.name = 'ConfigError';
  }
}

/** Reads and validates a YAML/JSON config file; no path gives the defaults. */
export function loadConfig(path?: string): EventideConfig {
  if (!path) return validateConfig({}, '(defaults)');
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(`cannot read config file ${path}: ${(err as Error).message} (fix: pass an existing file to --config)`);
  }
  let raw: unknown;
  try {
    raw = parseYaml(text) ?? {};
  } catch (err) {
    throw new ConfigError(`config file ${path} is not valid YAML/JSON: ${(err as Error).message}`);
  }
  return validateConfig(raw, path);
}

/** Validates a parsed config object; errors name each field and the fix. */
export function validateConfig(raw: unknown, source: string): EventideConfig {
  const problems = unknownKeys(eventideConfigSchema, raw, []);
  const result = eventideConfigSchema.safeParse(raw);
  if (!result.success) problems.push(...result.error.issues.map(describeIssue));
  if (problems.length > 0) {
    throw new ConfigError(`invalid config ${source}:\n  ${problems.join('\n  ')}`, problems);
  }
  return (result as { data: EventideConfig }).data;
}

function describeIssue(issue: z.core.$ZodIssue): string {
  const field = issue.path.length ? issue.path.join('.') : '(root)';
  switch (issue.code) {
    case 'invalid_type':
      return `${field}: ${issue.message} (fix: set ${field} to a ${issue.expected})`;
    case 'invalid_value':
      return `${field}: ${issue.message} (fix: use one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')})`;
    case 'too_small':
    case 'too_big':
      return `${field}: ${issue.message} (fix: change ${field} to a value within range)`;
    default:
      return `${field}: ${issue.message}`;
  }
}

/** Fields the schema does not know: typos must not be ignored silently. */
function unknownKeys(schema: z.ZodType, value: unknown, path: string[]): string[] {
  const inner = unwrapSchema(schema);
  if (!(inner instanceof z.ZodObject) || typeof value !== 'object' || value === null || Array.isArray(value)) return [];
  const shape = inner.shape as Record<string, z.ZodType>;
  const problems: string[] = [];
  for (const [key, child] of Object.entries(value)) {
    const field = [...path, key].join('.');
    const known = shape[key];
    if (!known) {
      const near = Object.keys(shape).find((k) => k.toLowerCase() === key.toLowerCase() || editDistance(k, key) <= 2);
      problems.push(`${field}: unknown field (fix: remove it${near ? ` or rename it to "${[...path, near].join('.')}"` : ''})`);
    } else {
      problems.push(...unknownKeys(known, child, [...path, key]));
    }
  }
  return problems;
}

function editDistance(a: string, b: string): number {
  const dp = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = dp[0]!;
    dp[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = dp[j]!;
      dp[j] = Math.min(dp[j]! + 1, dp[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return dp[b.length]!;
}
