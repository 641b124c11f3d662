import { z } from 'zod';

/** Names of the built-in redaction rules, in the order they are tried at one position. */
export const REDACTION_RULE_NAMES = [
  'privateKey',
  'jwt',
  'authorization',
  'bearer',
  'urlCredentials',
  'awsAccessKey',
  'secret',
  'email',
  'ipv6',
  'ipv4',
  'highEntropy',
] as const;

/** A built-in redaction rule name (also the mask type, `[REDACTED:<name>]`, and the metric label). */
export type RedactionRuleName = (typeof REDACTION_RULE_NAMES)[number];

const ruleToggle = (what: string) => z.boolean().default(true).describe(`Mask ${what}. Default true.`);

/** Per-rule switches; every built-in rule is on by default. */
export const redactionRulesSchema = z.object({
  privateKey: ruleToggle('PEM private key blocks (-----BEGIN ... PRIVATE KEY----- to END, or to the end of a truncated note)'),
  jwt: ruleToggle('JSON Web Tokens (eyJ...header.payload.signature)'),
  authorization: ruleToggle('the value of `Authorization:` / `authorization=` headers (scheme and credentials)'),
  bearer: ruleToggle('the token after `Bearer `'),
  urlCredentials: ruleToggle('user:password in URLs (scheme://user:password@host)'),
  awsAccessKey: ruleToggle('AWS access key ids (AKIA..., ASIA...)'),
  secret: ruleToggle('the value of password=, token=, secret=, apikey=, access_key=, credentials= style pairs (also `key: value` and quoted JSON)'),
  email: ruleToggle('e-mail addresses'),
  ipv6: ruleToggle('IPv6 addresses, full and compressed (not times like 10:32:01, not MAC addresses, not the bare `::`)'),
  ipv4: ruleToggle('IPv4 addresses (not versions such as v1.2.3.4 or 1.2.3.4-beta)'),
  highEntropy: ruleToggle('long random-looking tokens: at least minSecretLength characters of base64/base64url alphabet with upper case, lower case and digits, and entropy of at least minEntropyBitsPerChar'),
});

/** A user pattern, compiled once at start; every match is replaced by `[REDACTED:<name>]`. */
export const extraPatternSchema = z
  .object({
    name: z
      .string()
      .regex(/^[A-Za-z][A-Za-z0-9_-]*$/, 'must start with a letter and use only letters, digits, _ and -')
      .describe('Mask type and metric label, e.g. `customerId`.'),
    pattern: z.string().min(1).describe('JavaScript regular expression (no surrounding slashes).'),
    flags: z
      .string()
      .regex(/^[imsu]*$/, 'only the flags i, m, s and u are allowed (g is always added)')
      .default('')
      .describe('Regular expression flags besides g. Default none.'),
  })
  .superRefine((p, ctx) => {
    if ((REDACTION_RULE_NAMES as readonly string[]).includes(p.name)) {
      ctx.addIssue({ code: 'custom', path: ['name'], message: `"${p.name}" is a built-in rule name; choose another name` });
    }
    let re: RegExp;
    try {
      re = new RegExp(p.pattern, p.flags);
    } catch (err) {
      ctx.addIssue({ code: 'custom', path: ['pattern'], message: `invalid regular expression: ${(err as Error).message}` });
      return;
    }
    if (re.test('')) ctx.addIssue({ code: 'custom', path: ['pattern'], message: 'matches the empty string; make it match at least one character' });
  });

/** Configuration of the redact stage (`redact:` in the config file). */
export const redactConfigSchema = z.object({
  enabled: z.boolean().default(true).describe('Mask secrets and personal data in free-text fields (note, action). Default true.'),
  rules: redactionRulesSchema.prefault({}).describe('Switches of the built-in rules by name. Default: all on.'),
  extraPatterns: z
    .array(extraPatternSchema)
    .default([])
    .describe('User patterns `{ name, pattern, flags? }`, validated at start and applied after the built-in rules. Default [].'),
  minSecretLength: z
    .number()
    .int()
    .min(8)
    .default(24)
    .describe('Shortest token (characters) the highEntropy rule masks. Default 24.'),
  minEntropyBitsPerChar: z
    .number()
    .min(0)
    .max(6)
    .default(3.5)
    .describe('Lowest Shannon entropy (bits per character) of a token the highEntropy rule masks. Default 3.5.'),
});

/** Parsed redact configuration; see {@link redactConfigSchema} for each field. */
export type RedactConfig = z.infer<typeof redactConfigSchema>;
/** One validated user pattern. */
export type ExtraPattern = z.infer<typeof extraPatternSchema>;
