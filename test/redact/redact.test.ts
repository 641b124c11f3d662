import { describe, expect, it } from 'vitest';
import { redactConfigSchema, type RedactConfig } from '../../src/redact/config.js';
import { Redactor } from '../../src/redact/redactor.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { buildEvent, buildRef } from '../support/builders.js';

const defaults = redactConfigSchema.parse({});
const redactor = new Redactor(defaults);
const cfg = (over: Record<string, unknown>): RedactConfig => redactConfigSchema.parse(over);

const masked: [label: string, input: string, expected: string][] = [
  ['ipv4 in a probe note', 'Get "http://10.1.2.3:8080/ready": dial tcp 10.1.2.3:8080: connect: connection refused', 'Get "http://[REDACTED:ipv4]:8080/ready": dial tcp [REDACTED:ipv4]:8080: connect: connection refused'],
  ['ipv4 at sentence end', 'node address is 192.168.0.1.', 'node address is [REDACTED:ipv4].'],
  ['ipv4 cidr', 'podCIDR 10.244.0.0/16 assigned', 'podCIDR [REDACTED:ipv4]/16 assigned'],
  ['ipv4 range', '10.0.0.1-10.0.0.9', '[REDACTED:ipv4]-[REDACTED:ipv4]'],
  ['ipv6 full', 'addr 2001:0db8:85a3:0000:0000:8a2e:0370:7334 up', 'addr [REDACTED:ipv6] up'],
  ['ipv6 compressed', 'addr 2001:db8::ff00:42:8329 up', 'addr [REDACTED:ipv6] up'],
  ['ipv6 loopback in brackets with port', 'dial tcp [::1]:443: refused', 'dial tcp [[REDACTED:ipv6]]:443: refused'],
  ['ipv6 trailing ::', 'prefix 2001:db8:: routed', 'prefix [REDACTED:ipv6] routed'],
  ['ipv6 link-local with zone', 'via fe80::1%eth0 ok', 'via [REDACTED:ipv6] ok'],
  ['ipv6 embedding ipv4', 'from ::ffff:192.168.1.1 ok', 'from [REDACTED:ipv6] ok'],
  ['email', 'notify admin@example.com, ops.team+k8s@mail.corp.example.org', 'notify [REDACTED:email], [REDACTED:email]'],
  ['bearer token', 'sent Bearer abc.def-123456789', 'sent Bearer [REDACTED:bearer]'],
  ['authorization header', 'Authorization: Basic dXNlcjpwYXNzd29yZA==, retrying', 'Authorization: [REDACTED:authorization], retrying'],
  ['authorization header json', '{"authorization":"Bearer sk-123abc"}', '{"authorization":"[REDACTED:authorization]"}'],
  ['jwt', 'token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.abc_DEF-ghi rejected', 'token [REDACTED:jwt] rejected'],
  ['password=', 'password=hunter2 next', 'password=[REDACTED:secret] next'],
  ['token: value', 'token: s3cr3t-value', 'token: [REDACTED:secret]'],
  ['quoted value with spaces', 'secret="a b c" next', 'secret=[REDACTED:secret] next'],
  ['prefixed key', 'DB_PASSWORD=p@ss;x AWS_SECRET_ACCESS_KEY=abc', 'DB_PASSWORD=[REDACTED:secret];x AWS_SECRET_ACCESS_KEY=[REDACTED:secret]'],
  ['command-line flag', 'args --db.password=s3cret -token=abc', 'args --db.password=[REDACTED:secret] -token=[REDACTED:secret]'],
  ['apikey variants', 'apikey=1 api_key=2 X-Api-Key: 3', 'apikey=[REDACTED:secret] api_key=[REDACTED:secret] X-Api-Key: [REDACTED:secret]'],
  ['json secret', '{"password":"hunter2"}', '{"password":[REDACTED:secret]}'],
  ['jwt after a slash (not hidden by a long non-random run)', 'at /eyJaaaaaaaaaaaaaaaaaaaa.eyJaaaaa. end', 'at /[REDACTED:jwt] end'],
  ['aws access key', 'key AKIAIOSFODNN7EXAMPLE used', 'key [REDACTED:awsAccessKey] used'],
  ['pem private key', 'got -----BEGIN RSA PRIVATE KEY-----\nMIIEow\nIBAAK\n-----END RSA PRIVATE KEY----- end', 'got [REDACTED:privateKey] end'],
  ['truncated pem private key', 'got -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BA... [truncated]', 'got [REDACTED:privateKey]'],
  ['url credentials', 'pull https://robot:pa55word@registry.example.com/v2/', 'pull https://[REDACTED:urlCredentials]@registry.example.com/v2/'],
  ['high-entropy base64', 'key wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY rotated', 'key [REDACTED:highEntropy] rotated'],
  ['github-style token', 'used ghp_16C7e42F292c6912E7710c838347Ae178B4a today', 'used [REDACTED:highEntropy] today'],
];

const kept: [label: string, input: string][] = [
  ['times', 'Back-off at 10:32:01 and 23:59:59.123'],
  ['4-part version with prerelease', 'upgraded to 1.2.3.4-beta'],
  ['v-prefixed version', 'kubelet v1.28.3.1 started'],
  ['5-part version', 'build 1.2.3.4.5'],
  ['k8s names and uids', 'Created pod: web-7d9c8b6f5-x2x9k uid 3f8a2b1c-4d5e-6f70-8a9b-0c1d2e3f4a5b in ns kube-system'],
  ['container ids and digests (hex)', 'containerd://3f4e5d6c7b8a9f0e1d2c3b4a5f6e7d8c9b0a1f2e3d4c5b6a7f8e9d0c1b2a3f4e image nginx@sha256:0d17b565c37bcbd895e9d92315a05c1c3c9a29f762b011a10c54a66cd53c9b31'],
  ['CamelCase identifiers', 'java.lang.Http2ConnectionPrefaceException X509CertificateVerificationFailed FailedCreatePodSandBox'],
  ['URL paths', 'pod triggered scale-up: [{https://www.googleapis.com/compute/v1/projects/prod/zones/europe-west1-b/instanceGroups/gke-prod-pool-b-grp 3->4 (max: 12)}]'],
  ['plain hex words', 'value deadbeef cafebabe 0xFF'],
  ['MAC address', 'iface 00:1a:2b:3c:4d:5e up'],
  ['bare ::', 'the :: operator'],
  ['the word bearer', 'failed to get bearer token from the token file'],
  ['authorization without separator', 'authorization failed for user system:serviceaccount:default:web'],
  ['secret object reference', 'MountVolume.SetUp failed for volume "creds" : secret "db-creds" not found'],
  ['image reference', 'Pulling image "registry.example.com:5000/team/app:v2.3.1"'],
  ['resource quantities', 'Insufficient cpu, 0/3 nodes are available: 1 node(s) had taint {node.kubernetes.io/not-ready: }'],
  ['already masked', 'password=[REDACTED:secret] token: [REDACTED:secret]'],
];

describe('Redactor.redactText', () => {
  it.each(masked)('masks %s', (_label, input, expected) => {
    expect(redactor.redactText(input)).toBe(expected);
  });

  it.each(kept)('keeps %s', (_label, input) => {
    expect(redactor.redactText(input)).toBe(input);
  });

  it('is idempotent', () => {
    for (const [, input] of masked) {
      const once = redactor.redactText(input);
      expect(redactor.redactText(once)).toBe(once);
    }
  });

  it('does nothing when disabled', () => {
    const off = new Redactor(cfg({ enabled: false }));
    expect(off.redactText('admin@example.com 10.0.0.1')).toBe('admin@example.com 10.0.0.1');
  });

  it('turns single rules off by name', () => {
    const r = new Redactor(cfg({ rules: { ipv4: false } }));
    expect(r.redactText('10.0.0.1 admin@example.com')).toBe('10.0.0.1 [REDACTED:email]');
    const none = new Redactor(cfg({ rules: Object.fromEntries(Object.keys(defaults.rules).map((k) => [k, false])) }));
    expect(none.redactText('10.0.0.1 admin@example.com')).toBe('10.0.0.1 admin@example.com');
  });

  it('honours minSecretLength for high-entropy tokens', () => {
    const token = 'aB3dE6gH9jK2mN5pQ8sT1vW4'; // 24 characters
    expect(redactor.redactText(`x ${token} y`)).toBe('x [REDACTED:highEntropy] y');
    expect(new Redactor(cfg({ minSecretLength: 32 })).redactText(`x ${token} y`)).toBe(`x ${token} y`);
  });

  it('applies extra patterns after the built-in rules', () => {
    const r = new Redactor(cfg({ extraPatterns: [{ name: 'customerId', pattern: 'CUST-[0-9]{6}' }, { name: 'ticket', pattern: 'tkt_[a-z]+', flags: 'i' }] }));
    expect(r.redactText('for CUST-123456 and TKT_abc from 10.0.0.1')).toBe('for [REDACTED:customerId] and [REDACTED:ticket] from [REDACTED:ipv4]');
  });

  it('counts redactions by rule', async () => {
    const metrics = createMetrics();
    const r = new Redactor(defaults, { metrics });
    r.redactText('10.0.0.1 and 10.0.0.2 mail a@example.com');
    r.redactText('nothing here');
    const values = (await metrics.redactions.get()).values;
    expect(values.find((v) => v.labels.rule === 'ipv4')?.value).toBe(2);
    expect(values.find((v) => v.labels.rule === 'email')?.value).toBe(1);
  });

  it('does not count a high-entropy candidate it keeps', async () => {
    const metrics = createMetrics();
    new Redactor(defaults, { metrics }).redactText('Http2ConnectionPrefaceException');
    expect((await metrics.redactions.get()).values).toHaveLength(0);
  });
});

describe('linear time on adversarial input', () => {
  // Each input is 200 kB: a pattern with quadratic backtracking would need minutes and hit the
  // test timeout; the assertions themselves are on the output only.
  const big: [label: string, input: string, expected: (out: string) => boolean][] = [
    ['long run before @', 'a'.repeat(200_000) + '@', (o) => o.endsWith('@')],
    ['dotted digits', '1.'.repeat(100_000), (o) => o.length > 0],
    ['colon pairs', 'a:'.repeat(100_000), (o) => o.startsWith('a:a:')],
    ['repeated key words', 'password'.repeat(25_000), (o) => o.startsWith('password')],
    ['open private key', '-----BEGIN PRIVATE KEY-----' + 'x'.repeat(200_000), (o) => o === '[REDACTED:privateKey]'],
    ['long key=value chain', 'a_'.repeat(100_000) + 'token', (o) => o.endsWith('token')],
  ];
  it.each(big)('%s', (_label, input, expected) => {
    expect(expected(redactor.redactText(input))).toBe(true);
  });
});

describe('Redactor.redactEvent', () => {
  it('returns the same object when nothing matched', () => {
    const e = buildEvent({ note: 'Back-off restarting failed container' });
    expect(redactor.redactEvent(e)).toBe(e);
  });

  it('returns a masked copy and leaves the input alone', () => {
    const e = buildEvent({ note: 'probe to 10.0.0.7 failed', action: 'Notify admin@example.com' });
    const out = redactor.redactEvent(e);
    expect(out).not.toBe(e);
    expect(out.note).toBe('probe to [REDACTED:ipv4] failed');
    expect(out.action).toBe('Notify [REDACTED:email]');
    expect(e.note).toBe('probe to 10.0.0.7 failed');
  });

  it('never masks names, uids, reporting instance or labels', () => {
    const e = buildEvent({
      note: 'token=abc',
      reportingInstance: '10.0.0.9',
      labels: { owner: 'aB3dE6gH9jK2mN5pQ8sT1vW4' },
      regarding: buildRef({ kind: 'Node', name: '10.0.0.9', uid: 'aB3dE6gH9jK2mN5pQ8sT1vW4xY' }),
    });
    const out = redactor.redactEvent(e);
    expect(out.note).toBe('token=[REDACTED:secret]');
    expect(out.reportingInstance).toBe('10.0.0.9');
    expect(out.regarding).toBe(e.regarding);
    expect(out.labels).toBe(e.labels);
    expect(out.name).toBe(e.name);
  });

  it('passes events through when disabled', () => {
    const e = buildEvent({ note: '10.0.0.1' });
    expect(new Redactor(cfg({ enabled: false })).redactEvent(e)).toBe(e);
  });
});

describe('redactConfigSchema', () => {
  it('parses {} to the documented defaults', () => {
    expect(defaults.enabled).toBe(true);
    expect(defaults.minSecretLength).toBe(24);
    expect(defaults.minEntropyBitsPerChar).toBe(3.5);
    expect(defaults.extraPatterns).toEqual([]);
    expect(Object.values(defaults.rules).every((v) => v === true)).toBe(true);
    expect(Object.keys(defaults.rules)).toHaveLength(11);
  });

  const bad: [label: string, input: unknown, path: string, message: RegExp][] = [
    ['invalid regex', { extraPatterns: [{ name: 'x', pattern: '(' }] }, 'extraPatterns.0.pattern', /invalid regular expression/],
    ['empty-matching regex', { extraPatterns: [{ name: 'x', pattern: 'a*' }] }, 'extraPatterns.0.pattern', /empty string/],
    ['bad flags', { extraPatterns: [{ name: 'x', pattern: 'a', flags: 'y' }] }, 'extraPatterns.0.flags', /flags/],
    ['built-in name', { extraPatterns: [{ name: 'email', pattern: 'a' }] }, 'extraPatterns.0.name', /built-in/],
    ['bad name', { extraPatterns: [{ name: '1x', pattern: 'a' }] }, 'extraPatterns.0.name', /letter/],
    ['unknown rule toggle type', { rules: { ipv4: 'no' } }, 'rules.ipv4', /boolean/],
    ['too short minSecretLength', { minSecretLength: 4 }, 'minSecretLength', /8/],
  ];
  it.each(bad)('rejects %s naming the field', (_label, input, path, message) => {
    const r = redactConfigSchema.safeParse(input);
    expect(r.success).toBe(false);
    const issue = r.error!.issues[0]!;
    expect(issue.path.join('.')).toBe(path);
    expect(issue.message).toMatch(message);
  });
});
