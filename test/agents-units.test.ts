import assert from 'node:assert/strict';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { keyRange, scopedKey, unscopedId } from '../src/domains/agents/scope.ts';
import { searchWords, toFtsQuery, toTsQueryText } from '../src/domains/agents/search.ts';

test('toFtsQuery quotes every word, doubles inner quotes, drops pure punctuation', () => {
  assert.equal(toFtsQuery('say "hi" AND (bye'), '"say" """hi""" "AND" "(bye"');
  assert.equal(toFtsQuery('  task\tcompleted\n'), '"task" "completed"');
  assert.equal(toFtsQuery('" * ( ) -'), undefined);
  assert.equal(toFtsQuery(''), undefined);
});

test('searchWords splits at white space and control characters, NUL included, and drops words without a letter or digit', () => {
  assert.deepEqual(searchWords('say "hi" -- (bye\u0000x\tz & ! :*'), ['say', '"hi"', '(bye', 'x', 'z']);
  assert.deepEqual(searchWords('é 日本語 42'), ['é', '日本語', '42']);
  assert.deepEqual(searchWords('\u0000 " '), []);
});

test('toTsQueryText gives plainto_tsquery the words, space-separated, never a NUL', () => {
  assert.equal(toTsQueryText('a & !b:*\u0000c'), 'a !b:* c');
  assert.equal(toTsQueryText('  & | ! '), undefined);
  assert.equal(toTsQueryText(''), undefined);
  assert.ok(!toTsQueryText('x\u0000y')!.includes('\u0000'));
});

test('every toFtsQuery output is a valid FTS5 query', () => {
  const db = new DatabaseSync(':memory:');
  db.exec("CREATE VIRTUAL TABLE f USING fts5(content); INSERT INTO f VALUES ('alpha beta')");
  const match = db.prepare('SELECT COUNT(*) AS n FROM f WHERE f MATCH ?');
  const nasty = ['"', 'a"b', 'NEAR(a b)', 'a OR b', 'NOT a', 'a*', '^a', 'col:a', 'a + b', '{a b}', '[x]', 'a AND', 'AND', '"""', 'é', '\u0000a', '日本語'];
  for (const text of nasty) {
    const query = toFtsQuery(text);
    if (query !== undefined) assert.doesNotThrow(() => match.get(query), text);
  }
  assert.equal((match.get(toFtsQuery('ALPHA "beta"')!) as { n: number }).n, 1);
  db.close();
});

test('scoped keys: each stored key belongs to exactly one view', () => {
  assert.equal(scopedKey('', 'a1'), 'a1');
  assert.equal(scopedKey('worker', 'a1'), 'worker:a1');
  assert.equal(unscopedId('worker', 'worker:a1'), 'a1');
  assert.equal(unscopedId('', 'a1'), 'a1');
  assert.equal(unscopedId('', 'worker:a1'), undefined);
  assert.equal(unscopedId('work', 'worker:a1'), undefined);
  assert.equal(unscopedId('worker', 'a1'), undefined);
  const [from, to] = keyRange('worker');
  assert.ok('worker:a1' >= from! && 'worker:a1' < to!);
  assert.ok(!('workers:a1' >= from! && 'workers:a1' < to!));
  assert.deepEqual(keyRange(''), [null, null]);
});
