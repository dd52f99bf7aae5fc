/** The JSON API: one GET path per listing or record the pages show. */
import { aaowSession, aaowSessions, aaowSummary, approvals, llmExecutions, pools } from './api/aaow.ts';
import { agent, agentSessions, agents, events, tasks } from './api/agents.ts';
import type { Handler } from './api/context.ts';
import { dag, dags } from './api/dags.ts';
import { definitions } from './api/definitions.ts';
import { overview, samples } from './api/overview.ts';
import { run, runs } from './api/runs.ts';

export const ROUTES: Readonly<Record<string, Handler>> = {
  '/api/overview': overview,
  '/api/samples': samples,
  '/api/runs': runs,
  '/api/run': run,
  '/api/dags': dags,
  '/api/dag': dag,
  '/api/agents': agents,
  '/api/agent': agent,
  '/api/events': events,
  '/api/tasks': tasks,
  '/api/agent-sessions': agentSessions,
  '/api/aaow': aaowSummary,
  '/api/aaow/sessions': aaowSessions,
  '/api/aaow/session': aaowSession,
  '/api/aaow/approvals': approvals,
  '/api/aaow/llm': llmExecutions,
  '/api/aaow/pools': pools,
  '/api/definitions': definitions,
};
