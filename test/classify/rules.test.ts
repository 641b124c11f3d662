import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { Classifier } from '../../src/classify/classifier.js';
import { classifyConfigSchema } from '../../src/classify/config.js';
import { DEFAULT_RULES_PATH, loadRuleSet } from '../../src/classify/load.js';
import { RuleFileError, layerRules, parseRulesText } from '../../src/classify/rules.js';
import { createMetrics } from '../../src/observe/metrics.js';
import { buildEvent } from '../support/builders.js';

const dir = mkdtempSync(join(tmpdir(), 'eventide-rules-'));
let n = 0;
function rulesFile(text: string): string {
  const file = join(dir, `rules-${++n}.yaml`);
  writeFileSync(file, text);
  return file;
}
const config = classifyConfigSchema.parse({});

function expectRuleError(fn: () => unknown, expected: Partial<Pick<RuleFileError, 'file' | 'ruleIndex' | 'ruleId' | 'field'>>, message?: RegExp): void {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(RuleFileError);
    const e = err as RuleFileError;
    for (const [k, v] of Object.entries(expected)) expect(e[k as keyof RuleFileError]).toEqual(v);
    if (expected.file) expect(e.message).toContain(expected.file);
    if (expected.field) expect(e.message).toContain(`field "${expected.field}"`);
    if (expected.ruleId) expect(e.message).toContain(`id "${expected.ruleId}"`);
    if (message) expect(e.message).toMatch(message);
    return;
  }
  throw new Error('expected a RuleFileError');
}

describe('config', () => {
  it('parses {} to the documented defaults', () => {
    expect(config).toEqual({ rulesFiles: [], useDefaultRules: true, escalationMaxKeys: 100000, escalationMaxAgeMillis: 3600000 });
  });
  it('rejects a non-positive escalationMaxKeys', () => {
    expect(classifyConfigSchema.safeParse({ escalationMaxKeys: 0 }).success).toBe(false);
  });
});

describe('layering user rules on the defaults', () => {
  it('resolves the default rules file under src/classify', () => {
    expect(DEFAULT_RULES_PATH).toMatch(/src[\\/]classify[\\/]default-rules\.yaml$/);
  });

  it('evaluates user rules before the defaults', () => {
    const file = rulesFile(`rules:\n  - id: my-backoff\n    match: { reason: BackOff, regardingKind: Pod }\n    category: Team.CrashLoop\n    severity: High\n`);
    const classifier = new Classifier(loadRuleSet({ files: [file] }), config);
    expect(classifier.classify(buildEvent({ reason: 'BackOff' }))).toMatchObject({ category: 'Team.CrashLoop', severity: 'High', ruleId: 'my-backoff' });
    expect(classifier.classify(buildEvent({ reason: 'Pulled', type: 'Normal' })).category).toBe('Image.Pulled');
  });

  it('replaces a default rule with the same id', () => {
    const file = rulesFile(`rules:\n  - { id: image-pulled, match: { reason: Pulled }, category: Image.Ready, severity: Medium }\n`);
    const set = loadRuleSet({ files: [file] });
    expect(set.rules.filter((r) => r.id === 'image-pulled')).toHaveLength(1);
    expect(set.rules[0]?.id).toBe('image-pulled');
    const c = new Classifier(set, config).classify(buildEvent({ reason: 'Pulled' }));
    expect(c).toMatchObject({ category: 'Image.Ready', severity: 'Medium', ruleId: 'image-pulled' });
  });

  it('removes a default rule with disable: true', () => {
    const file = rulesFile(`rules:\n  - { id: image-pulled, disable: true }\n`);
    const set = loadRuleSet({ files: [file] });
    expect(set.rules.some((r) => r.id === 'image-pulled')).toBe(false);
    expect(new Classifier(set, config).classify(buildEvent({ reason: 'Pulled', type: 'Normal' })).category).toBe('Unknown');
    expect(set.warnings).toEqual([]);
  });

  it('warns (does not fail) on a disable that matches nothing', () => {
    const file = rulesFile(`rules:\n  - { id: no-such-rule, disable: true }\n`);
    const set = loadRuleSet({ files: [file] });
    expect(set.warnings).toHaveLength(1);
    expect(set.warnings[0]).toContain('no-such-rule');
  });

  it('puts a later file on top of an earlier one', () => {
    const a = rulesFile(`rules:\n  - { id: x, match: { reason: Foo }, category: A.One, severity: Info }\n`);
    const b = rulesFile(`rules:\n  - { id: x, match: { reason: Foo }, category: B.Two, severity: Info }\n  - { id: y, match: { reason: Foo }, category: B.Three, severity: Info }\n`);
    const set = loadRuleSet({ defaults: false, files: [a, b] });
    expect(set.rules.map((r) => r.id)).toEqual(['x', 'y']);
    expect(new Classifier(set, config).classify(buildEvent({ reason: 'Foo' })).category).toBe('B.Two');
    expect(set.files).toEqual([a, b]);
  });

  it('matches every listed condition (AND) and any item of a list (OR)', () => {
    const layer = parseRulesText(
      `rules:\n  - id: r\n    match: { reason: [A, B], type: Warning, reportingController: [kubelet, other], regardingKind: Pod, note: 'disk (full|gone)' }\n    category: X.Y\n    severity: Info\n`,
      '<inline>',
    );
    const c = new Classifier(layerRules([layer]), config);
    expect(c.classify(buildEvent({ reason: 'B', note: 'the DISK GONE' })).ruleId).toBe('r');
    expect(c.classify(buildEvent({ reason: 'C', note: 'disk full' })).ruleId).toBe('unknown');
    expect(c.classify(buildEvent({ reason: 'A', note: 'disk full', type: 'Normal' })).ruleId).toBe('unknown');
    expect(c.classify(buildEvent({ reason: 'A', note: 'disk full', reportingController: 'x' })).ruleId).toBe('unknown');
    expect(c.classify(buildEvent({ reason: 'A', note: 'disk ok' })).ruleId).toBe('unknown');
  });

  it('lets a rule without reason match any reason, in order with reason rules', () => {
    const layer = parseRulesText(
      `rules:\n  - { id: catch-warn, match: { type: Warning, note: boom }, category: Any.Boom, severity: High }\n  - { id: foo, match: { reason: Foo }, category: Foo.Bar, severity: Info }\n`,
      '<inline>',
    );
    const c = new Classifier(layerRules([layer]), config);
    expect(c.classify(buildEvent({ reason: 'Foo', note: 'boom' })).ruleId).toBe('catch-warn');
    expect(c.classify(buildEvent({ reason: 'Foo', note: 'quiet' })).ruleId).toBe('foo');
    expect(c.classify(buildEvent({ reason: 'Other', note: 'boom' })).ruleId).toBe('catch-warn');
  });

  it('counts eventsClassified by category and severity, Unknown included', async () => {
    const metrics = createMetrics();
    const c = new Classifier(loadRuleSet({}), config, { metrics });
    c.classify(buildEvent({ reason: 'Pulled', type: 'Normal' }));
    c.classify(buildEvent({ reason: 'Pulled', type: 'Normal' }));
    c.classify(buildEvent({ reason: 'Nope', type: 'Warning' }));
    const values = (await metrics.eventsClassified.get()).values;
    expect(values.find((v) => v.labels.category === 'Image.Pulled' && v.labels.severity === 'Info')?.value).toBe(2);
    expect(values.find((v) => v.labels.category === 'Unknown' && v.labels.severity === 'Medium')?.value).toBe(1);
  });
});

describe('invalid rule files name the file, the rule and the field', () => {
  it('missing file', () => {
    const file = join(dir, 'missing.yaml');
    expectRuleError(() => loadRuleSet({ files: [file] }), { file }, /cannot read/);
  });

  it('broken YAML', () => {
    const file = rulesFile('rules:\n  - id: [unclosed\n');
    expectRuleError(() => loadRuleSet({ files: [file] }), { file }, /not valid YAML/);
  });

  it('top level is not a mapping with rules', () => {
    const file = rulesFile('- id: a\n');
    expectRuleError(() => loadRuleSet({ files: [file] }), { file }, /rules:/);
  });

  const cases: [label: string, yaml: string, ruleIndex: number, ruleId: string | undefined, field: string, message?: RegExp][] = [
    ['bad severity', `rules:\n  - { id: a, category: A.B, severity: Info }\n  - { id: b, category: A.B, severity: Huge }\n`, 1, 'b', 'severity'],
    ['missing category', `rules:\n  - { id: a, severity: Info }\n`, 0, 'a', 'category'],
    ['category not Domain.Condition', `rules:\n  - { id: a, category: storage, severity: Info }\n`, 0, 'a', 'category', /Domain\.Condition/],
    ['invalid regex', `rules:\n  - { id: a, match: { note: '(unclosed' }, category: A.B, severity: Info }\n`, 0, 'a', 'match.note', /regular expression/],
    ['unknown field (typo)', `rules:\n  - { id: a, category: A.B, severity: Info, severty: High }\n`, 0, 'a', 'severty', /unknown field/],
    ['unknown match field', `rules:\n  - { id: a, match: { reasn: X }, category: A.B, severity: Info }\n`, 0, 'a', 'match.reasn', /unknown field/],
    ['bad type', `rules:\n  - { id: a, match: { type: Error }, category: A.B, severity: Info }\n`, 0, 'a', 'match.type'],
    ['escalation step not higher', `rules:\n  - { id: a, category: A.B, severity: High, escalate: [{ count: 3, windowMillis: 1000, severity: Medium }] }\n`, 0, 'a', 'escalate.0.severity', /higher/],
    ['escalation count not positive', `rules:\n  - { id: a, category: A.B, severity: Info, escalate: [{ count: 0, windowMillis: 1000, severity: High }] }\n`, 0, 'a', 'escalate.0.count'],
    ['missing id', `rules:\n  - { category: A.B, severity: Info }\n`, 0, undefined, 'id'],
    ['duplicate id', `rules:\n  - { id: a, category: A.B, severity: Info }\n  - { id: a, category: A.C, severity: Info }\n`, 1, 'a', 'id', /duplicate/],
    ['disable with extra fields', `rules:\n  - { id: a, disable: true, category: A.B }\n`, 0, 'a', 'category', /unknown field/],
  ];
  it.each(cases)('%s', (_label, yaml, ruleIndex, ruleId, field, message) => {
    const file = rulesFile(yaml);
    expectRuleError(() => loadRuleSet({ defaults: false, files: [file] }), { file, ruleIndex, ruleId, field }, message);
  });
});
