/**
 * The OpenWorkflow pages' server side, on every backend: runs counted by status, listed
 * newest first by status and workflow and paged by cursor; a run with its step attempts in
 * order (the failed charge attempt's error before the one that succeeded), its child run and
 * the parent it links back to, the signal it waited for with the data delivered and the one
 * it sent; an empty namespace; the parameters refused with their codes. The runs are made
 * by OpenWorkflow's own client and worker (fixtures/ui-openworkflow.ts).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Store } from '../src/index.ts';
import type { Handler } from '../src/ui/api/context.ts';
import { counts, run, runs } from '../src/ui/api/openworkflow.ts';
import { addOpenWorkflow, CHARGE_ERROR, ORDER, PAID, XSS_OW_ERROR, XSS_WORKFLOW } from './fixtures/ui-openworkflow.ts';
import { BACKENDS, tempStore } from './helpers.ts';

const call = (handler: Handler, store: Store, params: Record<string, string> = {}) =>
  handler({ store, sampler: undefined as never, params: new URLSearchParams(params) }) as Promise<Record<string, any>>;

for (const backend of BACKENDS) {
  describe(`${backend.name}: OpenWorkflow's runs as the dashboard reads them`, () => {
    test('runs by status and workflow, a run\'s step attempts, its child, its parent and its signals', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const ids = await addOpenWorkflow(store);

      const all = await call(runs, store);
      assert.equal(all.namespace, 'default');
      assert.deepEqual(all.counts, { pending: 1, running: 0, completed: 2, failed: 1, canceled: 0 });
      // Newest first: the receipt started while the checkout ran, after the refund was asked for.
      assert.deepEqual(all.items.map((r: { id: string }) => r.id), [ids.pending, ids.receipt, ids.refund, ids.checkout]);
      const times = all.items.map((r: { createdAt: Date }) => r.createdAt.getTime());
      assert.deepEqual(times, [...times].sort((a, b) => b - a));
      assert.equal(all.next, null);
      const listed = (id: string) => all.items.find((r: { id: string }) => r.id === id);
      const refund = listed(ids.refund);
      assert.deepEqual([refund.workflowName, refund.status, refund.error.message, refund.error.name], [XSS_WORKFLOW, 'failed', XSS_OW_ERROR, 'Error']);
      assert.deepEqual([listed(ids.receipt).child, listed(ids.checkout).child], [true, false]);
      assert.equal(listed(ids.checkout).input, JSON.stringify({ order: ORDER, sku: 'mug-blue' }));

      // Filtered by status, by workflow, by both; paged newest first, the pages meeting without a gap or an overlap.
      assert.deepEqual((await call(runs, store, { status: 'failed' })).items.map((r: { id: string }) => r.id), [ids.refund]);
      assert.deepEqual((await call(runs, store, { workflow: 'checkout' })).items.map((r: { id: string }) => r.id), [ids.pending, ids.checkout]);
      assert.deepEqual((await call(runs, store, { workflow: 'checkout', status: 'completed' })).items.map((r: { id: string }) => r.id), [ids.checkout]);
      const first = await call(runs, store, { limit: '3' });
      assert.equal(first.items.length, 3);
      const second = await call(runs, store, { limit: '3', before: first.next });
      assert.deepEqual(second.items.map((r: { id: string }) => r.id), [ids.checkout]);
      assert.equal(second.next, null);

      const checkout = await call(run, store, { id: ids.checkout });
      assert.deepEqual([checkout.run.workflowName, checkout.run.version, checkout.run.status, checkout.run.error], ['checkout', 'v2', 'completed', null]);
      assert.deepEqual(checkout.run.output.paid, PAID);
      assert.equal(checkout.parent, null);
      const steps = checkout.steps.map((s: Record<string, any>) => [s.stepName, s.kind, s.status]);
      assert.deepEqual(steps, [
        ['reserve', 'function', 'completed'], ['charge', 'function', 'failed'], ['charge', 'function', 'completed'],
        ['receipt', 'workflow', 'completed'], [`paid:${ORDER}`, 'signal-wait', 'completed'], [`shipped:${ORDER}`, 'signal-send', 'completed'],
      ]);
      const [failedCharge, charged] = [checkout.steps[1], checkout.steps[2]];
      assert.deepEqual([failedCharge.error.name, failedCharge.error.message, failedCharge.output], ['Error', CHARGE_ERROR, null]);
      assert.match(failedCharge.error.stack, new RegExp(`^Error: ${CHARGE_ERROR}\\n\\s+at `));
      assert.deepEqual([charged.output, charged.error], [{ amount: 42, currency: 'EUR' }, null]);
      assert.deepEqual(checkout.children.map((c: Record<string, unknown>) => [c.stepName, c.id, c.workflowName, c.status]), [['receipt', ids.receipt, 'receipt', 'completed']]);
      assert.deepEqual(checkout.signals.waited.map((s: Record<string, unknown>) => [s.signal, s.delivered, s.data]), [[`paid:${ORDER}`, true, PAID]]);
      assert.deepEqual(checkout.signals.sent.map((s: Record<string, unknown>) => [s.signal, s.reached]), [[`shipped:${ORDER}`, []]]);
      assert.equal(checkout.next, null);

      // A run's steps page on, oldest first.
      const stepsFirst = await call(run, store, { id: ids.checkout, limit: '4' });
      assert.equal(stepsFirst.steps.length, 4);
      const stepsRest = await call(run, store, { id: ids.checkout, limit: '4', after: stepsFirst.next });
      assert.deepEqual([...stepsFirst.steps, ...stepsRest.steps].map((s: { id: string }) => s.id), checkout.steps.map((s: { id: string }) => s.id));

      // The child links back to the step that started it.
      const receipt = await call(run, store, { id: ids.receipt });
      assert.deepEqual(receipt.parent, { namespaceId: 'default', id: ids.checkout, stepName: 'receipt', workflowName: 'checkout' });
      assert.equal(receipt.run.output, `receipt for ${ORDER}`);

      const failed = await call(run, store, { id: ids.refund });
      assert.deepEqual([failed.run.status, failed.run.error.message], ['failed', XSS_OW_ERROR]);
      assert.deepEqual(failed.steps.map((s: Record<string, any>) => [s.stepName, s.status, s.error.message]), [['refund', 'failed', XSS_OW_ERROR]]);
      const pending = await call(run, store, { id: ids.pending });
      assert.deepEqual([pending.run.status, pending.steps, pending.children, pending.signals], ['pending', [], [], { waited: [], sent: [] }]);

      assert.deepEqual((await call(counts, store)).counts, all.counts);
      // Another namespace holds nothing of these.
      const other = await call(runs, store, { namespace: 'billing' });
      assert.deepEqual([other.items, other.counts, other.next], [[], { pending: 0, running: 0, completed: 0, failed: 0, canceled: 0 }, null]);
      await assert.rejects(call(run, store, { id: ids.checkout, namespace: 'billing' }), { code: 'FLOWSTORE_NOT_FOUND' });
    });

    test('an empty store lists nothing; bad parameters are FLOWSTORE_INVALID_ARGUMENT, an unknown run FLOWSTORE_NOT_FOUND', async (t) => {
      const store = await tempStore(t, { path: backend.path });
      const empty = await call(runs, store);
      assert.deepEqual([empty.items, empty.next, empty.counts.failed], [[], null, 0]);
      await assert.rejects(call(runs, store, { status: 'done' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(runs, store, { before: 'x' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(runs, store, { before: '12.' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(runs, store, { limit: '201' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(runs, store, { namespace: 'n'.repeat(513) }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(run, store), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(run, store, { id: 'a', after: '1' }), { code: 'FLOWSTORE_INVALID_ARGUMENT' });
      await assert.rejects(call(run, store, { id: 'no-such-run' }), { code: 'FLOWSTORE_NOT_FOUND' });
    });
  });
}
