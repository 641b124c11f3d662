import type { RedactionRuleName } from './config.js';

/**
 * A built-in rule as a regular-expression source (no flags; the redactor combines the enabled
 * rules into one global pattern). `prefix` is a part of the match kept in clear before the mask
 * (the `Bearer ` of a token, the `password=` of a pair); `check` can veto a match.
 */
export interface BuiltinRule {
  name: RedactionRuleName;
  /** Source of the kept prefix; empty when the whole match is masked. */
  prefix: string;
  /** Source of the masked part. */
  body: string;
  /** Extra test of the masked text; when false the match is left as it is. */
  check?: (masked: string) => boolean;
  /**
   * A cheap test every text the rule can match passes (a necessary condition, never a
   * sufficient one): texts that fail it skip the rule. A string: the text must contain it.
   * Absent: the rule always runs.
   */
  gate?: RegExp | string;
  /**
   * Characters of which every text the rule can match holds at least one; checked (one scan of
   * the text for all rules) before `gate`, which is skipped when the text has none of them.
   */
  needs?: string;
  /** Like `gate`, as a function (a character scan where a regular expression would be slower). */
  scan?: (text: string) => boolean;
}

/** Options the rule sources depend on. */
export interface PatternOptions {
  minSecretLength: number;
  minEntropyBitsPerChar: number;
}

/** A source matching `word` in any letter case, without the `i` flag (which would loosen the other rules). */
export function anyCase(word: string): string {
  let out = '';
  for (const ch of word) {
    const lower = ch.toLowerCase();
    const upper = ch.toUpperCase();
    out += lower === upper ? ch.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&') : `[${lower}${upper}]`;
  }
  return out;
}

const OCTET = String.raw`(?:25[0-5]|2[0-4][0-9]|1[0-9]{2}|[1-9]?[0-9])`;
const IPV4 = String.raw`${OCTET}(?:\.${OCTET}){3}`;
const H = '[0-9a-fA-F]{1,4}';
const IPV6_FORMS = [
  // IPv4-embedded forms first (::ffff:10.0.0.1, 64:ff9b::10.0.0.1).
  String.raw`::(?:${H}:){0,5}${IPV4}`,
  String.raw`(?:${H}:){1,5}:(?:${H}:){0,4}${IPV4}`,
  String.raw`(?:${H}:){6}${IPV4}`,
  String.raw`(?:${H}:){7}${H}`,
  String.raw`(?:${H}:){1,7}:`,
  String.raw`(?:${H}:){1,6}:${H}`,
  String.raw`(?:${H}:){1,5}(?::${H}){1,2}`,
  String.raw`(?:${H}:){1,4}(?::${H}){1,3}`,
  String.raw`(?:${H}:){1,3}(?::${H}){1,4}`,
  String.raw`(?:${H}:){1,2}(?::${H}){1,5}`,
  String.raw`${H}:(?::${H}){1,6}`,
  String.raw`:(?::${H}){1,7}`,
];

const SECRET_KEYS = ['password', 'passwd', 'passphrase', 'secret', 'token', 'apikey', 'api_key', 'api-key', 'access_key', 'access-key', 'accesskey', 'private_key', 'private-key', 'credentials', 'credential', 'client_secret'];
const AUTH_SCHEMES = ['Basic', 'Bearer', 'Digest', 'Negotiate', 'NTLM', 'Token', 'ApiKey', 'AWS4-HMAC-SHA256'];

/** Shannon entropy of `s` in bits per character. */
export function entropyBitsPerChar(s: string): number {
  const counts = new Map<string, number>();
  for (const ch of s) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / s.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/**
 * Share of adjacent letter/digit pairs whose class (upper, lower, digit) differs; other characters
 * (`/`, `+`, `-`, `_`, `=`) are skipped, so path and name separators do not count as switches.
 */
export function classSwitchRatio(s: string): number {
  let pairs = 0;
  let switches = 0;
  let prev = -1;
  for (let i = 0; i < s.length; i++) {
    const c = charClass(s.charCodeAt(i));
    if (c < 0) continue;
    if (prev >= 0) {
      pairs++;
      if (c !== prev) switches++;
    }
    prev = c;
  }
  return pairs === 0 ? 0 : switches / pairs;
}

function charClass(code: number): number {
  if (code >= 65 && code <= 90) return 0;
  if (code >= 97 && code <= 122) return 1;
  if (code >= 48 && code <= 57) return 2;
  return -1;
}

/**
 * Random base64 switches character class at about 60 % of adjacent pairs, CamelCase
 * identifiers (`Http2ConnectionPrefaceException`) and URL paths at about 25 %: the cut between them.
 */
export const MIN_CLASS_SWITCH_RATIO = 0.32;

/**
 * True for a token that looks random: upper case, lower case and digits, entropy of at least
 * `minEntropyBitsPerChar`, and frequent class switches (so CamelCase identifiers are kept).
 */
export function looksRandom(token: string, minEntropyBitsPerChar: number): boolean {
  const t = token.replace(/=+$/, '');
  return (
    /[A-Z]/.test(t) &&
    /[a-z]/.test(t) &&
    /[0-9]/.test(t) &&
    classSwitchRatio(t) >= MIN_CLASS_SWITCH_RATIO &&
    entropyBitsPerChar(t) >= minEntropyBitsPerChar
  );
}

/** Bits of {@link hasMixedRun}'s table: base64/base64url character, upper case, lower case, digit. */
const B64 = 1;
const UPPER = 2;
const LOWER = 4;
const DIGIT = 8;
const B64_CLASS = (() => {
  const table = new Uint8Array(128);
  for (let c = 65; c <= 90; c++) table[c] = B64 | UPPER;
  for (let c = 97; c <= 122; c++) table[c] = B64 | LOWER;
  for (let c = 48; c <= 57; c++) table[c] = B64 | DIGIT;
  for (const ch of '+/_-') table[ch.charCodeAt(0)] = B64;
  return table;
})();
const MIXED = B64 | UPPER | LOWER | DIGIT;

/**
 * True when `text` has a run of at least `minLength` characters of `[A-Za-z0-9+/_-]` holding an
 * upper-case letter, a lower-case letter and a digit. Every token the highEntropy rule masks is
 * such a run ({@link looksRandom} wants all three classes), so a text without one skips the rule.
 */
export function hasMixedRun(text: string, minLength: number): boolean {
  const n = text.length;
  const step = Math.max(1, minLength);
  // Probe every minLength-th character: a long enough run covers one of the probes. A probe in
  // a run measures the whole run; the next run starts past its end.
  let i = step - 1;
  while (i < n) {
    if (classOf(text.charCodeAt(i)) === 0) {
      i += step;
      continue;
    }
    let start = i;
    while (start > 0 && classOf(text.charCodeAt(start - 1)) !== 0) start--;
    let end = i + 1;
    while (end < n && classOf(text.charCodeAt(end)) !== 0) end++;
    if (end - start >= step) {
      let seen = 0;
      for (let j = start; j < end; j++) seen |= classOf(text.charCodeAt(j));
      if (seen === MIXED) return true;
    }
    i = end + step;
  }
  return false;
}

function classOf(code: number): number {
  return code < 128 ? B64_CLASS[code]! : 0;
}

/** The built-in rules, in the order they are tried at one position. */
export function builtinRules(options: PatternOptions): BuiltinRule[] {
  const keys = SECRET_KEYS.map(anyCase).join('|');
  const schemes = AUTH_SCHEMES.map(anyCase).join('|');
  return [
    {
      name: 'privateKey',
      gate: 'PRIVATE KEY-----',
      prefix: '',
      body: String.raw`-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY-----[\s\S]*?(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY-----|$)`,
    },
    { name: 'jwt', gate: 'eyJ', prefix: '', body: String.raw`(?<![A-Za-z0-9_-])eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{2,}\.[A-Za-z0-9_-]*` },
    {
      name: 'authorization',
      needs: ':=',
      gate: new RegExp(anyCase('authorization')),
      prefix: String.raw`(?<![A-Za-z0-9_])${anyCase('authorization')}["']?\s*[:=]\s*["']?`,
      body: String.raw`(?!\[REDACTED:)(?:(?:${schemes})\s+)?[^\s"',;]+`,
    },
    {
      name: 'bearer',
      gate: new RegExp(anyCase('bearer')),
      prefix: String.raw`(?<![A-Za-z0-9_])${anyCase('bearer')}\s+`,
      body: String.raw`(?=[A-Za-z]*[0-9._~+/=-])[A-Za-z0-9._~+/-]{8,}=*`,
    },
    { name: 'urlCredentials', needs: '@', gate: /:\/\/[^\s/@]*@/, prefix: '', body: String.raw`(?<=://)[^\s/:@\[\]]+:[^\s/@]+(?=@)` },
    { name: 'awsAccessKey', gate: /A(?:KI|SI|BI|CC)A/, prefix: '', body: String.raw`(?<![A-Z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Z0-9])` },
    {
      name: 'secret',
      needs: ':=',
      gate: new RegExp(keys),
      prefix: String.raw`(?<![A-Za-z0-9_.-])[_.-]*(?:[A-Za-z0-9]+[_.-])*(?:${keys})["']?\s*[:=]\s*`,
      body: String.raw`(?!\[REDACTED:|["']\[REDACTED:)(?:"[^"\n]*"|'[^'\n]*'|[^\s"',;&]+)`,
    },
    {
      name: 'email',
      gate: '@',
      prefix: '',
      body: String.raw`(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,}(?![A-Za-z0-9-])`,
    },
    // Every form has `::` or at least three groups in a row (`1:2:3`), so `h:hhhh:h` or `::`.
    { name: 'ipv6', needs: ':', gate: /::|[0-9a-fA-F]:[0-9a-fA-F]{1,4}:[0-9a-fA-F]/, prefix: '', body: String.raw`(?<![A-Za-z0-9:.])(?:${IPV6_FORMS.join('|')})(?:%[0-9A-Za-z]+)?(?![A-Za-z0-9]|:[A-Za-z0-9:]|\.[0-9])` },
    { name: 'ipv4', needs: '.', gate: /[0-9]\.[0-9]{1,3}\.[0-9]/, prefix: '', body: String.raw`(?<![A-Za-z0-9.])${IPV4}(?![0-9]|\.[0-9]|-[A-Za-z]|[A-Za-z])` },
    {
      name: 'highEntropy',
      prefix: '',
      body: String.raw`(?<![A-Za-z0-9+/_=-])[A-Za-z0-9+/_-]{${options.minSecretLength},}={0,2}(?![A-Za-z0-9+/_=-])`,
      check: (token) => looksRandom(token, options.minEntropyBitsPerChar),
      scan: (text) => hasMixedRun(text, options.minSecretLength),
    },
  ];
}
