import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BACKENDS, tempStore } from './helpers.ts';
import { REAL_POSTGRES_URL } from './helpers-postgres.ts';

const state = { pipelineId: 'p', pipelineName: 'P', pipelineVersion: '1', pipelineContext: {}, lastStepOutput: null, status: 'running' as const };

/** Asserts a FLOWSTORE_INVALID_ARGUMENT naming `field`. */
function invalid(field: string) {
  return (error: { code: string; details: { field?: string } }) => {
    assert.equal(error.code, 'FLOWSTORE_INVALID_ARGUMENT');
    assert.equal(error.details.field, field);
    return true;
  };
}

for (const backend of BACKENDS) {
  const pg = backend.name === 'postgres';
  // The statement's own dialect: PostgreSQL numbers its parameters.
  const p = (n: number) => (pg ? `$${n}` : '?');

  describe(`store.query on ${backend.name}`, () => {
    test('runs one read-only statement with bound values and returns plain rows', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      const rows = await store.query(`SELECT run_id, ${p(1)} AS echoed FROM workflow_state WHERE run_id = ${p(2)}`, ["'; DROP TABLE x; --", 'r1']);
      assert.deepEqual(rows, [{ run_id: 'r1', echoed: "'; DROP TABLE x; --" }]);
      assert.equal(Object.getPrototypeOf(rows[0]), Object.prototype);
      assert.deepEqual(await store.query(`SELECT COUNT(*) AS n, ${p(1)} AS big FROM workflow_state`, [2n ** 40n]), [{ n: 1, big: pg ? String(2n ** 40n) : 2 ** 40 }]);
      const bytes = (await store.query(`SELECT ${pg ? '$1::bytea' : '?'} AS b`, [new Uint8Array([0, 1, 255])]))[0]!.b;
      assert.deepEqual(new Uint8Array(bytes as Uint8Array), new Uint8Array([0, 1, 255]));
    });

    test('named parameters: SQLite binds them; PostgreSQL has only $n and says so, naming params', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      if (pg) await assert.rejects(store.query('SELECT 1 AS n', { a: 1 }), invalid('params'));
      else assert.deepEqual(await store.query('SELECT :a + :b AS n', { a: 1, b: 2 }), [{ n: 3 }]);
    });

    test('a statement that would write is FLOWSTORE_INVALID_ARGUMENT and changes nothing', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      const writes = ['DELETE FROM workflow_state', "UPDATE workflow_state SET status = 'failed'", 'DROP TABLE workflow_state',
        ...(pg
          // Past the statement check (it reads as a query), so the server's READ ONLY transaction refuses it.
          ? ['CREATE TABLE evil (x integer)', 'WITH gone AS (DELETE FROM workflow_state RETURNING run_id) SELECT run_id FROM gone']
          : ['CREATE TABLE evil (x)', 'PRAGMA user_version = 5'])];
      for (const sql of writes) await assert.rejects(store.query(sql), { code: 'FLOWSTORE_INVALID_ARGUMENT' }, sql);
      assert.equal((await store.runs.loadState('r1'))?.status, 'running');
    });

    test('a second statement after ";" is refused, and does not run', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      await assert.rejects(store.query('SELECT 1 AS n; DELETE FROM workflow_state'), invalid('sql'));
      await assert.rejects(store.query('SELECT 1 AS n; SELECT 2 AS n'), invalid('sql'));
      assert.deepEqual(await store.query('SELECT 1 AS n; -- a comment is not a statement'), [{ n: 1 }]);
      assert.equal((await store.runs.loadState('r1'))?.status, 'running');
    });

    test('a write statement inside a transaction is refused too, and the transaction goes on', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await store.runs.saveState('r1', state);
      await store.transaction(async (tx) => {
        await assert.rejects(tx.query('DELETE FROM workflow_state'), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
        assert.deepEqual(await tx.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 1 }]);
        // Read-only ended with the statement: the transaction still writes.
        await tx.runs.saveState('r2', state);
      });
      assert.equal((await store.runs.loadState('r1'))?.status, 'running');
      assert.equal((await store.runs.loadState('r2'))?.status, 'running');
    });

    test('a statement that would end the caller\'s transaction is refused', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await assert.rejects(store.transaction(async (tx) => {
        await tx.runs.saveState('r1', state);
        for (const sql of ['COMMIT', '  /* hidden */ ROLLBACK', 'END', 'SAVEPOINT s', 'RELEASE SAVEPOINT s', 'BEGIN']) {
          await assert.rejects(tx.query(sql), invalid('sql'), sql);
        }
        throw new Error('roll back');
      }), /roll back/);
      // Nothing committed halfway: the transaction rolled back whole.
      assert.equal(await store.runs.loadState('r1'), null);
    });

    test('bad SQL and bad parameters are FLOWSTORE_INVALID_ARGUMENT', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      await assert.rejects(store.query('SELEKT 1'), invalid('sql'));
      await assert.rejects(store.query('SELECT * FROM no_such_table'), invalid('sql'));
      await assert.rejects(store.query(''), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.query(`SELECT ${p(1)} AS a`, [{ an: 'object' }] as never), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(store.query(`SELECT ${p(1)} AS a`, [1, 2]), invalid('params'));
    });
  });
}

describe('store.query on postgres only', () => {
  const backend = BACKENDS.find((b) => b.name === 'postgres')!;

  test('sees the store\'s tables by their plain names, in the store\'s schema', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    const [{ schema }] = (await store.query('SELECT current_schema() AS schema')) as [{ schema: string }];
    assert.match(schema, /^t_/);
    assert.deepEqual(await store.query('SELECT COUNT(*) AS n FROM workflow_state'), [{ n: 0 }]);
  });

  test('statements other than queries never run: session changes, prepared statements, COPY', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    for (const sql of ['SET search_path = public', 'DEALLOCATE ALL', 'PREPARE p AS SELECT 1', 'COPY workflow_state TO STDOUT', 'DISCARD ALL', 'LISTEN x']) {
      await assert.rejects(store.query(sql), invalid('sql'), sql);
    }
    assert.deepEqual(await store.query('SHOW TimeZone'), [{ TimeZone: 'UTC' }]);
  });

  test('a query that changes a setting leaves every connection as the store set it up', async (t) => {
    const store = await tempStore(t, { path: backend.path });
    const [{ schema }] = (await store.query('SELECT current_schema() AS schema')) as [{ schema: string }];
    // Many at once on a server, so that every reader connection runs one; PGlite is one session for all of them.
    const n = REAL_POSTGRES_URL ? 24 : 1;
    await Promise.all(Array.from({ length: n }, () => store.query("SELECT set_config('search_path', 'public', false) AS s")));
    const after = await Promise.all(Array.from({ length: n }, () => store.query('SELECT current_schema() AS schema')));
    assert.deepEqual(new Set(after.map((rows) => rows[0]!.schema)), new Set([schema]));
    await store.runs.saveState('r1', state);
    assert.equal((await store.runs.loadState('r1'))?.status, 'running');
  });
});
