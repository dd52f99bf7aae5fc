/**
 * LangChain's checkpointer conformance suite (@langchain/langgraph-checkpoint-validation:
 * specTest and deltaChannelHistoryTests) needs Vitest with globals, so it runs in a child
 * Vitest process, with this project's Node, from test/langgraph/validation.vitest.ts.
 * Every case must pass, none may be skipped, on every backend (file, :memory:, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { BACKENDS, tempDir } from './helpers.ts';

const root = new URL('..', import.meta.url).pathname;
/** Cases in the suite for one backend (1.1.1: put, putWrites, getTuple, list's 648 combinations, deleteThread, delta history). */
const CASES_PER_BACKEND = 726;

interface Report {
  numTotalTests: number;
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  testResults: { assertionResults: { fullName: string; status: string; failureMessages: string[] }[] }[];
}

test('FlowstoreSaver passes every case of LangGraph\'s checkpointer validation suite', async (t) => {
  const report = join(tempDir(t), 'vitest.json');
  const run = promisify(execFile)(process.execPath, [
    join(root, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test/langgraph/vitest.config.ts', '--reporter=json', `--outputFile=${report}`,
  ], { cwd: root, maxBuffer: 64 * 1024 * 1024 });
  const failedRun = await run.then(() => undefined, (error: Error & { stderr?: string }) => error);
  const result = JSON.parse(readFileSync(report, 'utf8')) as Report;
  const failures = result.testResults.flatMap((file) => file.assertionResults).filter((a) => a.status !== 'passed');
  assert.deepEqual(failures.map((f) => `${f.fullName}: ${f.status} ${f.failureMessages.join('\n').slice(0, 500)}`), []);
  assert.equal(failedRun, undefined);
  assert.equal(result.numFailedTests, 0);
  assert.equal(result.numPendingTests + result.numTodoTests, 0);
  assert.equal(result.numPassedTests, CASES_PER_BACKEND * BACKENDS.length);
});
