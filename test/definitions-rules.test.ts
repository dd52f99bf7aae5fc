/** Unit tests of store.definitions' pure parts: cron, rule checks, TOML parsing, task splitting. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isGoDuration, isValidCron } from '../src/domains/definitions/cron.ts';
import { parseWorkflow } from '../src/domains/definitions/parse.ts';
import { splitTask } from '../src/domains/definitions/ops.ts';
import { checkPhase, MAX_RECOMMENDED_RETRY, parseRule } from '../src/domains/definitions/rules.ts';

describe('cron validation', () => {
  test('accepts expressions that fire', () => {
    for (const expression of [
      '0 0 * * *', '*/5 * * * *', '0 9-17/2 * * mon-fri', '0 0 29 2 *', '0 0 31 1,3 *', '30 0 0 1 * *',
      '0 12 ? * SUN', '0 0 30 2 mon', '15,45 * 1-7 jan-dec 0,7', '5/15 * * * *', '@daily', '@every 1h30m',
      'CRON_TZ=America/New_York 0 6 * * *',
    ]) assert.equal(isValidCron(expression), true, expression);
  });

  test('rejects malformed expressions and ones that can never fire', () => {
    for (const expression of [
      '', 'invalid', '0 0 * *', '0 0 * * * * *', '60 * * * *', '* 24 * * *', '* * 0 * *', '* * * 13 *', '* * * * 8',
      '5-1 * * * *', '*/0 * * * *', '1/2/3 * * * *', 'a * * * *', '0 0 30 2 *', '0 0 31 4,6,9,11 *', '0 0 31 2 *',
      '@often', '@every 0s', '@every -1h', 'CRON_TZ=Nowhere/City 0 0 * * *', '* ? * * *',
    ]) assert.equal(isValidCron(expression), false, expression);
  });

  test('Go durations', () => {
    for (const d of ['1h', '-30m', '1h30m15s', '0', '1.5h', '250ms']) assert.equal(isGoDuration(d), true, d);
    for (const d of ['', '1', 'h', '1d', '1 h', '--1h']) assert.equal(isGoDuration(d), false, d);
  });
});

describe('phase checks', () => {
  const phase = (rule: string, dependsOn = '', retry = 0) => checkPhase({ rule, dependsOn, retry });

  test('each message, in order of precedence', () => {
    assert.deepEqual(phase(''), { error: 'invalid phase: rule and dependsOn are blank', warning: '' });
    assert.deepEqual(phase('  ', ' '), { error: 'invalid phase: rule and dependsOn are blank', warning: '' });
    assert.deepEqual(phase('cron=invalid'), { error: 'no valid rule found: cron=invalid', warning: '' });
    assert.deepEqual(phase('cron=0 0 30 2 *'), { error: 'no valid rule found: cron=0 0 30 2 *', warning: '' });
    assert.deepEqual(phase('offset=1h'), { error: 'no valid rule found: offset=1h', warning: '' });
    assert.deepEqual(phase('cron=0 0 * * *&offset=soon'), { error: 'no valid rule found: cron=0 0 * * *&offset=soon', warning: '' });
    assert.deepEqual(phase('cron=%zz'), { error: 'no valid rule found: cron=%zz', warning: '' });
    assert.deepEqual(phase('cron=0 0 * * *', 'a:b'), { error: '', warning: 'ignored rule: cron=0 0 * * *' });
    assert.deepEqual(phase('cron=0 0 * * *&offset=1h', '', MAX_RECOMMENDED_RETRY + 1), { error: '', warning: 'warning: retry count exceeds recommended limit' });
    assert.deepEqual(phase('cron=0 0 * * *&offset=1h', '', MAX_RECOMMENDED_RETRY), { error: '', warning: '' });
    assert.deepEqual(phase('files=gs://bucket/*.json'), { error: '', warning: '' });
    assert.deepEqual(phase('', 'a'), { error: '', warning: '' });
    assert.deepEqual(phase('require=x', 'a'), { error: '', warning: '' });
    assert.deepEqual(phase('cron=*/5+*+*+*+*'), { error: '', warning: '' });
  });

  test('rules are URI query strings', () => {
    assert.equal(parseRule('cron=0 0 * * *&offset=1h')?.get('offset'), '1h');
    assert.equal(parseRule('a=%E0%A4%A'), undefined);
  });
});

describe('workflow TOML', () => {
  test('reads [[phase]] tables, dependsOn or depends_on, defaults', () => {
    const result = parseWorkflow(`[[phase]]
task = "a:b"
rule = "cron=0 0 * * *"
retry = 3
template = """
line 1
line 2"""
[[phase]]
task = "c"
depends_on = "a"
[[phase]]
task = "d"
dependsOn = " a:b "
unknown = 1
`);
    assert.ok('phases' in result);
    assert.deepEqual(result.phases, [
      { task: 'a:b', rule: 'cron=0 0 * * *', dependsOn: '', retry: 3, template: 'line 1\nline 2' },
      { task: 'c', rule: '', dependsOn: 'a', retry: 0, template: '' },
      { task: 'd', rule: '', dependsOn: 'a:b', retry: 0, template: '' },
    ]);
    assert.deepEqual(parseWorkflow('# nothing yet\n'), { phases: [] });
  });

  test('a file that cannot be loaded gives a reason', () => {
    for (const text of [
      '[[phase]\ntask = "a"', 'phase = 3', '[[phase]]\nrule = "cron=0 0 * * *"', '[[phase]]\ntask = "a"\nretry = "x"',
      '[[phase]]\ntask = "a"\nretry = -1', '[[phase]]\ntask = "a"\n[[phase]]\ntask = "a"', `[[phase]]\ntask = "${'x'.repeat(600)}"`,
      '[[phase]]\ntask = "a\\u0000"', '[[phase]]\ntask = "a"\ntemplate = "x\\u0000"', '[[phase]]\ntask = "a"\ndepends_on = "\\u0000"',
    ]) {
      const result = parseWorkflow(text);
      assert.ok('error' in result && result.error.length > 0, text);
    }
  });

  test('topic and job', () => {
    assert.deepEqual(splitTask('data-load:hourly'), ['data-load', 'hourly']);
    assert.deepEqual(splitTask('data-load'), ['data-load', '']);
    assert.deepEqual(splitTask('a:b:c'), ['a', 'b:c']);
  });
});
