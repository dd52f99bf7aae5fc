/** Every case of aaow's own adapter test file, ported to node:test, on a file database, on :memory: and on PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ApprovalRequest, BudgetPool, Session, StoredWorkflow, ToolCallLog, WorkflowExecutionState } from '../src/aaow/index.ts';
import type { SQLiteStorageAdapter } from '../src/aaow/index.ts';
import { AAOW_BACKENDS, fresh, ids, tempAdapter, mockWorkflow, session, shared, withSession, workflow, type Ids } from './aaow-fixtures.ts';

const usage = (promptTokens: number, completionTokens: number) => ({ promptTokens, completionTokens, totalTokens: promptTokens + completionTokens });

for (const backend of AAOW_BACKENDS) {
  describe(`SQLiteStorageAdapter on ${backend.name}`, () => {
    describe('Initialization', () => {
      test('initializes, and a second adapter on the same URL initializes too', async (t) => {
        const u = ids();
        const url = await backend.url(t);
        const adapter = await tempAdapter(t, url);
        const second = await tempAdapter(t, url);
        await second.saveWorkflow(workflow(u('wf-x')));
        assert.equal((await second.getWorkflow(u('wf-x')))?.id, u('wf-x'));
        assert.equal(await adapter.getWorkflow('missing'), null);
      });

      test('closes, twice, and initializes again', async (t) => {
        const u = ids();
        const url = await backend.url(t);
        const adapter = await tempAdapter(t, url);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.close();
        await adapter.close();
        await assert.rejects(adapter.getWorkflow(u('wf-1')), { code: 'FLOWSTORE_CLOSED' });
        await adapter.initialize();
        // A file or a server keeps its data across close and initialize; :memory: starts empty.
        assert.equal((await adapter.getWorkflow(u('wf-1')))?.id, backend.persistent ? u('wf-1') : undefined);
      });
    });

    describe('Workflow Operations', () => {
      const testWorkflowOf = (u: Ids): StoredWorkflow => ({ ...workflow(u('wf-1')), name: 'Test Workflow', metadata: { author: 'test' } });

      test('saves a workflow', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        assert.equal((await adapter.listWorkflows()).length, 1);
      });

      test('retrieves a saved workflow', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        const retrieved = await adapter.getWorkflow(u('wf-1'));
        assert.ok(retrieved);
        assert.equal(retrieved.id, u('wf-1'));
        assert.equal(retrieved.name, 'Test Workflow');
        assert.equal(retrieved.version, '1.0.0');
        assert.deepEqual(retrieved.metadata, { author: 'test' });
        assert.deepEqual(retrieved.definition, mockWorkflow);
        assert.deepEqual(retrieved.createdAt, testWorkflow.createdAt);
      });

      test('returns null for a non-existent workflow', async (t) => {
        const { adapter, u } = await shared(t, backend);
        assert.equal(await adapter.getWorkflow('non-existent'), null);
      });

      test('lists workflows', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        await adapter.saveWorkflow({ ...testWorkflow, id: u('wf-2'), name: 'Another Workflow' });
        assert.equal((await adapter.listWorkflows()).length, 2);
      });

      test('lists workflows with filtering', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        await adapter.saveWorkflow({ ...testWorkflow, id: u('wf-2'), name: 'Another Workflow', version: '2.0.0' });
        const workflows = await adapter.listWorkflows({ where: { version: '1.0.0' } });
        assert.equal(workflows.length, 1);
        assert.equal(workflows[0]!.version, '1.0.0');
      });

      test('lists workflows with limit and offset', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testWorkflow = testWorkflowOf(u);
        for (let i = 0; i < 5; i++) await adapter.saveWorkflow({ ...testWorkflow, id: u(`wf-${i}`) });
        const page1 = await adapter.listWorkflows({ limit: 2, offset: 0 });
        const page2 = await adapter.listWorkflows({ limit: 2, offset: 2 });
        assert.equal(page1.length, 2);
        assert.equal(page2.length, 2);
        assert.notEqual(page1[0]!.id, page2[0]!.id);
        assert.deepEqual([...page1, ...page2].map((w) => w.id), [u('wf-0'), u('wf-1'), u('wf-2'), u('wf-3')]);
      });

      test('updates a workflow', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        await adapter.updateWorkflow(u('wf-1'), { version: '2.0.0' });
        const updated = await adapter.getWorkflow(u('wf-1'));
        assert.equal(updated?.version, '2.0.0');
        assert.equal(updated?.name, 'Test Workflow');
        assert.ok(updated!.updatedAt.getTime() >= testWorkflow.updatedAt.getTime());
      });

      test('deletes a workflow', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testWorkflow = testWorkflowOf(u);
        await adapter.saveWorkflow(testWorkflow);
        await adapter.deleteWorkflow(u('wf-1'));
        assert.equal(await adapter.getWorkflow(u('wf-1')), null);
      });
    });

    describe('Session Operations', () => {
      const testSessionOf = (u: Ids): Session => ({ ...session(u('session-1')), metadata: { user: 'test-user' } });

      test('creates a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        assert.equal((await adapter.listSessions()).length, 1);
      });

      test('retrieves a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        const retrieved = await adapter.getSession(u('session-1'));
        assert.ok(retrieved);
        assert.equal(retrieved.id, u('session-1'));
        assert.equal(retrieved.workflowId, u('wf-1'));
        assert.equal(retrieved.status, 'running');
        assert.deepEqual(retrieved.workflowSnapshot, mockWorkflow);
        assert.deepEqual(retrieved.metadata, { user: 'test-user' });
      });

      test('lists sessions', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        await adapter.createSession({ ...testSession, id: u('session-2') });
        assert.equal((await adapter.listSessions()).length, 2);
      });

      test('lists sessions by status', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        await adapter.createSession({ ...testSession, id: u('session-2'), status: 'completed' });
        const running = await adapter.listSessions({ where: { status: 'running' } });
        assert.equal(running.length, 1);
        assert.equal(running[0]!.status, 'running');
      });

      test('updates a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        await adapter.updateSession(u('session-1'), { status: 'completed' });
        assert.equal((await adapter.getSession(u('session-1')))?.status, 'completed');
      });

      test('deletes a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testSession = testSessionOf(u);
        await adapter.saveWorkflow(workflow(u('wf-1')));
        await adapter.createSession(testSession);
        await adapter.deleteSession(u('session-1'));
        assert.equal(await adapter.getSession(u('session-1')), null);
      });
    });

    describe('Execution State Operations', () => {
      const testExecutionStateOf = (u: Ids): WorkflowExecutionState => ({
        sessionId: u('session-1'), budgetPoolId: u('pool-1'), startedAt: new Date(), currentNodeId: 'node-1', status: 'running',
        nodeStates: { 'node-1': { nodeId: 'node-1', status: 'running', startedAt: new Date() } },
      });

      test('saves execution state', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testExecutionState = testExecutionStateOf(u);
        await withSession(adapter, u);
        await adapter.saveExecutionState(testExecutionState);
        assert.ok(await adapter.getExecutionState(u('session-1')));
      });

      test('retrieves execution state', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testExecutionState = testExecutionStateOf(u);
        await withSession(adapter, u);
        await adapter.saveExecutionState(testExecutionState);
        const retrieved = await adapter.getExecutionState(u('session-1'));
        assert.ok(retrieved);
        assert.equal(retrieved.sessionId, u('session-1'));
        assert.equal(retrieved.currentNodeId, 'node-1');
        assert.equal(retrieved.budgetPoolId, u('pool-1'));
        assert.deepEqual(retrieved.startedAt, testExecutionState.startedAt);
        assert.deepEqual(retrieved.nodeStates['node-1'], { ...testExecutionState.nodeStates['node-1'], retryCount: 0 });
      });

      test('updates node state', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testExecutionState = testExecutionStateOf(u);
        await withSession(adapter, u);
        await adapter.saveExecutionState(testExecutionState);
        await adapter.updateNodeState(u('session-1'), 'node-1', { nodeId: 'node-1', status: 'completed', completedAt: new Date(), output: { result: 'success' } });
        const state = await adapter.getExecutionState(u('session-1'));
        assert.equal(state?.nodeStates['node-1']!.status, 'completed');
        assert.deepEqual(state?.nodeStates['node-1']!.output, { result: 'success' });
      });

      test('handles multiple node states', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testExecutionState = testExecutionStateOf(u);
        await withSession(adapter, u);
        await adapter.saveExecutionState({
          ...testExecutionState,
          nodeStates: {
            'node-1': { nodeId: 'node-1', status: 'completed' },
            'node-2': { nodeId: 'node-2', status: 'running' },
            'node-3': { nodeId: 'node-3', status: 'pending' },
          },
        });
        const state = await adapter.getExecutionState(u('session-1'));
        assert.deepEqual(Object.keys(state?.nodeStates ?? {}), ['node-1', 'node-2', 'node-3']);
      });
    });

    describe('LLM Execution Operations', () => {
      test('saves an LLM execution', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withSession(adapter, u);
        const result = { id: u('exec-1'), timestamp: new Date(), success: true, text: 'Hello, world!', usage: usage(10, 5) };
        await adapter.saveLLMExecution(u('session-1'), 'node-1', result);
        assert.deepEqual(await adapter.getLLMExecutions(u('session-1')), [result]);
      });

      test('retrieves LLM executions for a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withSession(adapter, u);
        await adapter.saveLLMExecution(u('session-1'), 'node-1', { id: u('exec-1'), timestamp: new Date(), success: true, text: 'First', usage: usage(10, 5) });
        await adapter.saveLLMExecution(u('session-1'), 'node-2', { id: u('exec-2'), timestamp: new Date(), success: true, text: 'Second', usage: usage(20, 10) });
        assert.equal((await adapter.getLLMExecutions(u('session-1'))).length, 2);
      });

      test('retrieves LLM executions for a specific node', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withSession(adapter, u);
        await adapter.saveLLMExecution(u('session-1'), 'node-1', { id: u('exec-1'), timestamp: new Date(), success: true, text: 'First', usage: usage(10, 5) });
        await adapter.saveLLMExecution(u('session-1'), 'node-2', { id: u('exec-2'), timestamp: new Date(), success: true, text: 'Second', usage: usage(20, 10) });
        const executions = await adapter.getNodeLLMExecutions(u('session-1'), 'node-1');
        assert.equal(executions.length, 1);
        assert.equal(executions[0]!.text, 'First');
      });

      test('stores tool calls in an LLM execution', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withSession(adapter, u);
        await adapter.saveLLMExecution(u('session-1'), 'node-1', {
          id: u('exec-1'), timestamp: new Date(), success: true, usage: usage(10, 5),
          toolCalls: [{ toolCallId: 'call-1', toolName: 'calculator', args: { operation: 'add', a: 1, b: 2 }, result: 3 }],
        });
        const executions = await adapter.getLLMExecutions(u('session-1'));
        assert.equal(executions[0]!.toolCalls?.length, 1);
        assert.equal(executions[0]!.toolCalls?.[0]!.toolName, 'calculator');
        assert.equal(executions[0]!.toolCalls?.[0]!.result, 3);
      });
    });

    describe('Budget Pool Operations', () => {
      const testPoolOf = (u: Ids): BudgetPool => ({ id: u('pool-1'), totalBudget: 1000, usedBudget: 100, remainingBudget: 900, status: 'active', createdAt: new Date() });

      test('creates a budget pool', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testPool = testPoolOf(u);
        await adapter.createBudgetPool(testPool);
        assert.deepEqual(await adapter.getBudgetPool(u('pool-1')), testPool);
      });

      test('retrieves a budget pool', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testPool = testPoolOf(u);
        await adapter.createBudgetPool(testPool);
        const retrieved = await adapter.getBudgetPool(u('pool-1'));
        assert.equal(retrieved?.id, u('pool-1'));
        assert.equal(retrieved?.totalBudget, 1000);
        assert.equal(retrieved?.usedBudget, 100);
      });

      test('updates a budget pool', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testPool = testPoolOf(u);
        await adapter.createBudgetPool(testPool);
        await adapter.updateBudgetPool(u('pool-1'), { usedBudget: 200, remainingBudget: 800 });
        const updated = await adapter.getBudgetPool(u('pool-1'));
        assert.equal(updated?.usedBudget, 200);
        assert.equal(updated?.remainingBudget, 800);
        assert.equal(updated?.totalBudget, 1000);
      });

      test('handles hierarchical budget pools', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testPool = testPoolOf(u);
        await adapter.createBudgetPool(testPool);
        await adapter.createBudgetPool({ ...testPool, id: u('pool-2'), parentPoolId: u('pool-1'), totalBudget: 500 });
        const children = await adapter.getChildBudgetPools(u('pool-1'));
        assert.equal(children.length, 1);
        assert.equal(children[0]!.id, u('pool-2'));
        assert.equal(children[0]!.parentPoolId, u('pool-1'));
      });
    });

    describe('Tool Call Operations', () => {
      async function withExecution(adapter: SQLiteStorageAdapter, u: Ids): Promise<void> {
        await withSession(adapter, u);
        await adapter.saveLLMExecution(u('session-1'), 'node-1', { id: u('exec-1'), timestamp: new Date(), success: true, usage: usage(10, 5) });
      }
      const call = (u: Ids): ToolCallLog => ({ id: u('tc-1'), executionId: u('exec-1'), toolCallId: 'call-1', toolName: 'calculator', args: { operation: 'add' }, result: 3, timestamp: new Date() });

      test('logs a tool call', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withExecution(adapter, u);
        const log = { ...call(u), args: { operation: 'add', a: 1, b: 2 }, duration: 50 };
        await adapter.logToolCall(log);
        assert.deepEqual(await adapter.getToolCalls(u('exec-1')), [log]);
      });

      test('retrieves tool calls for an execution', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withExecution(adapter, u);
        await adapter.logToolCall(call(u));
        const calls = await adapter.getToolCalls(u('exec-1'));
        assert.equal(calls.length, 1);
        assert.equal(calls[0]!.toolName, 'calculator');
      });

      test('retrieves tool calls for a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await withExecution(adapter, u);
        await adapter.logToolCall(call(u));
        assert.equal((await adapter.getSessionToolCalls(u('session-1'))).length, 1);
        assert.equal((await adapter.getSessionToolCalls('other')).length, 0);
      });
    });

    describe('Approval Operations', () => {
      const testApprovalOf = (u: Ids): ApprovalRequest => ({
        id: u('approval-1'), sessionId: u('session-1'), nodeId: 'node-1', type: 'human_review', status: 'pending',
        context: { description: 'Please review this output', llmOutput: { text: 'Generated text' } }, createdAt: new Date(),
      });

      test('creates an approval request', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        assert.deepEqual(await adapter.getApprovalRequest(u('approval-1')), testApproval);
      });

      test('retrieves an approval request', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        const retrieved = await adapter.getApprovalRequest(u('approval-1'));
        assert.equal(retrieved?.id, u('approval-1'));
        assert.equal(retrieved?.type, 'human_review');
        assert.equal(retrieved?.status, 'pending');
      });

      test('lists approval requests for a session', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        await adapter.createApprovalRequest({ ...testApproval, id: u('approval-2'), type: 'budget_increase' });
        assert.equal((await adapter.listApprovalRequests(u('session-1'))).length, 2);
      });

      test('lists pending approvals', async (t) => {
        const { adapter, u } = await fresh(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        await adapter.createApprovalRequest({ ...testApproval, id: u('approval-2'), status: 'approved', resolvedAt: new Date() });
        const pending = await adapter.listPendingApprovals();
        assert.equal(pending.length, 1);
        assert.equal(pending[0]!.status, 'pending');
      });

      test('approves a request', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        const before = Date.now();
        await adapter.approveRequest(u('approval-1'), 'user@test.com', 'LGTM');
        const approved = await adapter.getApprovalRequest(u('approval-1'));
        assert.equal(approved?.status, 'approved');
        assert.equal(approved?.resolvedBy, 'user@test.com');
        assert.equal(approved?.resolutionNotes, 'LGTM');
        assert.ok(approved?.resolvedAt instanceof Date && approved.resolvedAt.getTime() >= before);
      });

      test('rejects a request', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        await adapter.rejectRequest(u('approval-1'), 'user@test.com', 'Needs revision');
        const rejected = await adapter.getApprovalRequest(u('approval-1'));
        assert.equal(rejected?.status, 'rejected');
        assert.equal(rejected?.resolvedBy, 'user@test.com');
        assert.equal(rejected?.resolutionNotes, 'Needs revision');
        assert.ok(rejected?.resolvedAt instanceof Date);
      });

      test('updates an approval request', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const testApproval = testApprovalOf(u);
        await withSession(adapter, u);
        await adapter.createApprovalRequest(testApproval);
        await adapter.updateApprovalRequest(u('approval-1'), { status: 'expired' });
        assert.equal((await adapter.getApprovalRequest(u('approval-1')))?.status, 'expired');
      });
    });

    describe('Stream Operations', () => {
      test('saves a stream event', async (t) => {
        const { adapter, u } = await shared(t, backend);
        const event = { id: u('event-1'), streamId: u('stream-1'), nodeId: 'node-1', data: { value: 42 }, timestamp: new Date() };
        await adapter.saveStreamEvent(event);
        assert.deepEqual(await adapter.getStreamEvents(u('stream-1')), [event]);
      });

      test('retrieves stream events', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await adapter.saveStreamEvent({ id: u('event-1'), streamId: u('stream-1'), nodeId: 'node-1', data: { value: 1 }, timestamp: new Date() });
        await adapter.saveStreamEvent({ id: u('event-2'), streamId: u('stream-1'), nodeId: 'node-1', data: { value: 2 }, timestamp: new Date() });
        const events = await adapter.getStreamEvents(u('stream-1'));
        assert.deepEqual(events.map((e) => e.data), [{ value: 1 }, { value: 2 }]);
      });
    });

    describe('Complex Scenarios', () => {
      test('Promise.all over more calls than the high-water mark: they wait their turn, every one is stored', async (t) => {
        const u = ids();
        const adapter = await tempAdapter(t, await backend.url(t), { highWaterMark: 4 });
        await Promise.all(Array.from({ length: 300 }, (_, i) => adapter.saveWorkflow(workflow(u(`wf-${i}`)))));
        const found = await Promise.all(Array.from({ length: 300 }, (_, i) => adapter.getWorkflow(u(`wf-${i}`))));
        assert.deepEqual(found.map((w) => w?.id), Array.from({ length: 300 }, (_, i) => u(`wf-${i}`)));
      });

      test('handles a complete workflow execution lifecycle', async (t) => {
        const { adapter, u } = await shared(t, backend);
        await adapter.saveWorkflow({ ...workflow(u('wf-complex')), name: 'Complex Workflow' });
        await adapter.createSession(session(u('session-complex'), { workflowId: u('wf-complex') }));
        await adapter.createBudgetPool({ id: u('pool-complex'), totalBudget: 1000, usedBudget: 0, remainingBudget: 1000, status: 'active', createdAt: new Date() });
        await adapter.saveExecutionState({ sessionId: u('session-complex'), budgetPoolId: u('pool-complex'), startedAt: new Date(), status: 'running', nodeStates: {} });
        await adapter.saveLLMExecution(u('session-complex'), 'llm-node', { id: u('exec-complex'), timestamp: new Date(), success: true, text: 'Result', usage: usage(50, 25) });
        await adapter.updateBudgetPool(u('pool-complex'), { usedBudget: 75, remainingBudget: 925 });
        await adapter.createApprovalRequest({
          id: u('approval-complex'), sessionId: u('session-complex'), nodeId: 'llm-node', type: 'human_review', status: 'pending',
          context: { description: 'Review output' }, createdAt: new Date(),
        });
        await adapter.approveRequest(u('approval-complex'), 'reviewer', 'Approved');
        await adapter.updateSession(u('session-complex'), { status: 'completed' });

        assert.equal((await adapter.getSession(u('session-complex')))?.status, 'completed');
        assert.equal((await adapter.getBudgetPool(u('pool-complex')))?.usedBudget, 75);
        assert.equal((await adapter.getApprovalRequest(u('approval-complex')))?.status, 'approved');
      });
    });
  });
}
