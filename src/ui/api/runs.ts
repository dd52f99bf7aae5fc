/** Runs: the paged list (store.runs.listWorkflows, index-backed) and one run's state. */
import { notFound } from '../../errors.ts';
import type { RunStatus } from '../../domains/runs/schema.ts';
import { toDisplay } from '../display.ts';
import { pipelines, relatedToRun, queryOf } from '../queries.ts';
import { pageOf, paging, requiredParam, textParam, type Handler, type Routes } from './context.ts';

export const runs: Handler = async ({ store, sampler, params }) => {
  const { page, limit, offset } = paging(params);
  const status = textParam(params, 'status') as RunStatus | undefined;
  const pipelineId = textParam(params, 'pipeline');
  const [rows, ids] = await Promise.all([
    store.runs.listWorkflows({ status, pipelineId, limit: limit + 1, offset }),
    pipelines(queryOf(store)),
  ]);
  return { page, limit, ...pageOf(rows, limit), pipelines: ids, statusCounts: sampler.latest()?.counts.runs.byStatus ?? {} };
};

export const run: Handler = async ({ store, params }) => {
  const id = requiredParam(params, 'id');
  const [state, related, session] = await Promise.all([store.runs.loadState(id), relatedToRun(queryOf(store), id), store.aaow.getSession(id)]);
  if (!state) throw notFound('run', id);
  const { pipelineContext, lastStepOutput, ...summary } = state;
  return { summary, context: toDisplay(pipelineContext), lastOutput: toDisplay(lastStepOutput), related: { ...related, session: session !== null } };
};

export const routes: Routes = { '/api/runs': runs, '/api/run': run };
