import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { redactConfigSchema } from '../../src/redact/config.js';
import { hasMixedRun, looksRandom } from '../../src/redact/patterns.js';
import { Redactor } from '../../src/redact/redactor.js';

const redactor = new Redactor(redactConfigSchema.parse({}));
// Deterministic by default; FC_SEED / FC_RUNS explore further.
const RUNS = { numRuns: Number(process.env.FC_RUNS ?? 400), seed: Number(process.env.FC_SEED ?? 20240101) };

const chars = (alphabet: string, min: number, max: number): fc.Arbitrary<string> =>
  fc.array(fc.constantFrom(...alphabet.split('')), { minLength: min, maxLength: max }).map((a) => a.join(''));
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const ALNUM = `${LOWER}ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789`;
const B64URL = `${ALNUM}-_`;
const withDigit = (s: string): boolean => /[0-9]/.test(s);

/** A secret as it is written in the text, and the part that must never survive. */
interface Planted {
  text: string;
  secret: string;
}
const plain = (a: fc.Arbitrary<string>): fc.Arbitrary<Planted> => a.map((s) => ({ text: s, secret: s }));

const ipv4 = plain(fc.ipV4());
const ipv6 = plain(fc.ipV6().filter((s) => s !== '::'));
const email = plain(
  fc
    .tuple(chars(`${ALNUM}_%+-`, 1, 16), fc.array(chars(`${LOWER}0123456789`, 1, 10), { minLength: 1, maxLength: 3 }), chars(LOWER, 2, 6))
    .map(([local, labels, tld]) => `${local}@${labels.join('.')}.${tld}`),
);
const jwt = plain(
  fc.tuple(chars(B64URL, 5, 40), chars(B64URL, 5, 60), chars(B64URL, 0, 43)).map(([h, p, s]) => `eyJ${h}.eyJ${p}.${s}`),
);
const aws = plain(chars('ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789', 16, 16).map((s) => `AKIA${s}`));
const bearer = fc
  .tuple(fc.constantFrom('Bearer ', 'bearer ', 'Authorization: Bearer '), chars(`${ALNUM}._~+/-`, 8, 60).filter(withDigit))
  .map(([prefix, token]) => ({ text: `${prefix}${token}`, secret: token }));
const keyValue = fc
  .tuple(
    fc.constantFrom('password', 'token', 'secret', 'apikey', 'api_key', 'DB_PASSWORD', 'client_secret', 'access_key'),
    fc.constantFrom('=', ': ', ' = ', '='),
    chars(`${ALNUM}!@#$%^*()`, 8, 30).filter(withDigit),
  )
  .map(([k, sep, v]) => ({ text: `${k}${sep}${v}`, secret: v }));
const highEntropy = plain(chars(`${ALNUM}+/`, 24, 64).filter((s) => looksRandom(s, 3.5)));

const planted = fc.oneof(ipv4, ipv6, email, jwt, aws, bearer, keyValue, highEntropy);
const filler = chars(`${LOWER} `, 0, 20);
const separator = fc.constantFrom(' ', ', ', ' (', ') ', ': ', ' "', '" ', '\n', ' [', '] ', ' /');

/** A note of filler words, separators and planted secrets. */
const note = fc
  .array(fc.tuple(filler, separator, planted, separator), { minLength: 1, maxLength: 5 })
  .map((parts) => ({ text: parts.map(([f, s1, p, s2]) => `${f}${s1}${p.text}${s2}`).join(''), secrets: parts.map(([, , p]) => p.secret) }));

// Oracles written independently of the redactor's patterns.
const IPV4_LIKE = /(?<![0-9.])(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?![0-9])/;
const IPV6_LIKE = /[0-9a-f]{1,4}(?::[0-9a-f]{0,4}){2,}/i;
const EMAIL_LIKE = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/;
const JWT_LIKE = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\./;
const AWS_LIKE = /AKIA[0-9A-Z]{16}/;
const BEARER_LIKE = /[Bb]earer (?!\[REDACTED:)\S/;

describe('redaction properties', () => {
  it('never lets a planted secret through', () => {
    fc.assert(
      fc.property(note, ({ text, secrets }) => {
        const out = redactor.redactText(text);
        for (const s of secrets) expect(out).not.toContain(s);
      }),
      RUNS,
    );
  });

  it('leaves nothing that looks like an IP, e-mail or token', () => {
    fc.assert(
      fc.property(note, ({ text }) => {
        const out = redactor.redactText(text);
        for (const re of [IPV4_LIKE, IPV6_LIKE, EMAIL_LIKE, JWT_LIKE, AWS_LIKE, BEARER_LIKE]) expect(out).not.toMatch(re);
      }),
      RUNS,
    );
  });

  it('is idempotent', () => {
    fc.assert(
      fc.property(note, ({ text }) => {
        const once = redactor.redactText(text);
        expect(redactor.redactText(once)).toBe(once);
      }),
      RUNS,
    );
  });

  it('gives the same result with and without the per-rule gates', () => {
    const ungated = new Redactor(redactConfigSchema.parse({}), { useGates: false });
    const noisy = fc.array(fc.oneof(note.map((n) => n.text), fc.string({ unit: 'binary-ascii', maxLength: 60 })), { maxLength: 4 }).map((a) => a.join(' '));
    fc.assert(
      fc.property(noisy, (text) => {
        expect(redactor.redactText(text)).toBe(ungated.redactText(text));
      }),
      RUNS,
    );
  });

  it('gives the same result with and without the gates on texts made to sit at their edges', () => {
    // Alphabets that build near-misses of the gated rules: hex groups and colons around the ipv6
    // gate (`::` or `h:hhhh:h`), digits and dots around ipv4, base64 runs around minSecretLength
    // (mixed case and digits or not) for highEntropy, `@`, `=` and `:` for the `needs` characters.
    const edge = fc
      .array(
        fc.oneof(
          chars('0123456789abcdefABCDEF:.%', 1, 40),
          // the two ipv6 forms without `::`: eight groups, six groups and an IPv4 address
          fc.array(fc.oneof(chars('0123456789abcdefABCDEF', 4, 4), chars('0123456789abcdef', 1, 4)), { minLength: 8, maxLength: 8 }).map((g) => g.join(':')),
          fc.tuple(fc.array(chars('0123456789abcdef', 1, 4), { minLength: 6, maxLength: 6 }), fc.ipV4()).map(([g, v4]) => `${g.join(':')}:${v4}`),
          chars(`${ALNUM}+/_-`, 18, 30),
          chars('abcdefghijklmnopqrstuvwxyz0123456789', 20, 30),
          chars(`${ALNUM}=`, 20, 30),
          chars(`${LOWER}@.:=/`, 1, 30),
          fc.constantFrom('eyJ', 'PRIVATE KEY-----', 'AKIA', 'Bearer ', 'password=', 'token: ', 'authorization: ', '://', '@'),
        ),
        { maxLength: 6 },
      )
      .chain((parts) => fc.array(separator, { minLength: parts.length, maxLength: parts.length }).map((seps) => parts.map((p, i) => p + seps[i]).join('')));
    const ungated = new Redactor(redactConfigSchema.parse({}), { useGates: false });
    fc.assert(
      fc.property(edge, (text) => {
        expect(redactor.redactText(text)).toBe(ungated.redactText(text));
      }),
      { ...RUNS, numRuns: RUNS.numRuns * 5 },
    );
  });

  it('hasMixedRun is true exactly when the text has a long enough base64 run with upper case, lower case and digit', () => {
    const reference = (text: string, min: number): boolean =>
      (text.match(/[A-Za-z0-9+/_-]+/g) ?? []).some((run) => run.length >= min && /[A-Z]/.test(run) && /[a-z]/.test(run) && /[0-9]/.test(run));
    const text = fc.array(fc.oneof(chars(`${ALNUM}+/_-`, 0, 40), chars(' =.:"é\n', 0, 3)), { maxLength: 8 }).map((a) => a.join(''));
    fc.assert(
      fc.property(text, fc.integer({ min: 1, max: 40 }), (t, min) => {
        expect(hasMixedRun(t, min)).toBe(reference(t, min));
      }),
      { ...RUNS, numRuns: RUNS.numRuns * 5 },
    );
  });

  it('leaves filler-only text unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, separator)), (parts) => {
        const text = parts.map(([f, s]) => f + s).join('');
        expect(redactor.redactText(text)).toBe(text);
      }),
      RUNS,
    );
  });

  // Things that must survive: times, versions, Kubernetes names and uids, hex ids and digests.
  const two = fc.integer({ min: 0, max: 59 }).map((n) => String(n).padStart(2, '0'));
  const time = fc.tuple(two, two, two, fc.option(fc.integer({ min: 0, max: 999 }))).map(([h, m, sec, ms]) => `${h}:${m}:${sec}${ms === null ? '' : `.${ms}`}`);
  const version = fc
    .tuple(fc.array(fc.nat({ max: 300 }), { minLength: 4, maxLength: 4 }), fc.constantFrom('v', 'V'), fc.constantFrom('', '-beta', '-rc1'))
    .map(([parts, v, pre]) => `${v}${parts.join('.')}${pre}`);
  const prerelease = fc.tuple(fc.array(fc.nat({ max: 300 }), { minLength: 4, maxLength: 4 }), fc.constantFrom('-beta', '-rc.1', '-alpha2')).map(([p, pre]) => `${p.join('.')}${pre}`);
  const dnsName = fc
    .array(chars(`${LOWER}0123456789`, 1, 12), { minLength: 1, maxLength: 5 })
    .map((parts) => parts.join('-'))
    .filter((n) => /^[a-z0-9]/.test(n) && n.length <= 63);
  const hex = (n: number): fc.Arbitrary<string> => chars('0123456789abcdef', n, n);
  const uid = fc.tuple(hex(8), hex(4), hex(4), hex(4), hex(12)).map((p) => p.join('-'));
  const containerId = hex(64).map((h) => `containerd://${h}`);
  const digest = hex(64).map((h) => `nginx@sha256:${h}`);
  const harmless = fc.oneof(time, version, prerelease, dnsName, uid, containerId, digest);

  it('keeps times, versions, Kubernetes names, uids, container ids and digests', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(filler, separator, harmless, separator), { minLength: 1, maxLength: 5 }), (parts) => {
        const text = parts.map(([f, s1, h, s2]) => `${f}${s1}${h}${s2}`).join('');
        expect(redactor.redactText(text)).toBe(text);
      }),
      RUNS,
    );
  });
});
