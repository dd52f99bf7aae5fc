/** `flowstore inspect`: every domain's summary, each through the domain's own API. */
import type { Store } from '../../store.ts';
import type { Command } from '../command.ts';
import { bytes, printJson, table } from '../format.ts';

function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}

/** What inspect reports; also what the demo prints at its end. */
export async function inspectStore(store: Store) {
  const [runs, dag, agents, agentSessions, tasks, sessions, pendingApprovals, phases, files, tables] = await Promise.all([
    store.runs.getWorkflowStats(),
    store.dag.debugDump(),
    store.agents.listAgents(),
    store.agents.getSessions(),
    store.agents.getTasks(),
    store.aaow.listSessions(),
    store.aaow.listPendingApprovals(),
    store.definitions.listPhases(),
    store.definitions.listFiles(),
    store.tableStats(),
  ]);
  return {
    path: store.path,
    bytes: tables.bytes,
    runs,
    dag: { dags: dag.dags, text: dag.text },
    agents: { total: agents.length, byStatus: countBy(agents, (a) => a.status), sessions: agentSessions.length, tasks: tasks.length },
    sessions: { total: sessions.length, byStatus: countBy(sessions, (s) => s.status), pendingApprovals: pendingApprovals.length },
    phases: { files: files.length, total: phases.length, invalid: phases.filter((p) => p.status !== '').map((p) => ({ task: p.task, status: p.status })) },
    tables: tables.tables,
  };
}

export type InspectReport = Awaited<ReturnType<typeof inspectStore>>;

function statusLine(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? 'none' : entries.map(([status, n]) => `${status} ${n}`).join(', ');
}

/** `dagLines` shortens the DAG dump (the demo's summary); inspect itself prints it whole. */
export function formatInspect(report: InspectReport, options: { dagLines?: number } = {}): string {
  const { runs, agents, sessions, phases } = report;
  let dagText = report.dag.text.trimEnd();
  const dagLines = dagText.split('\n');
  if (options.dagLines !== undefined && dagLines.length > options.dagLines) {
    dagText = `${dagLines.slice(0, options.dagLines).join('\n')}\n… ${dagLines.length - options.dagLines} more lines (flowstore inspect prints them all)`;
  }
  return [
    `flowstore ${report.path} (${bytes(report.bytes)})`,
    '',
    `== runs: ${runs.totalWorkflows} (${statusLine(runs.statusCounts)}); ${runs.recentWorkflows24h} in the last 24 h; average execution ${Math.round(runs.averageExecutionTimeMs)} ms`,
    '',
    '== dag',
    dagText || '(no DAGs)',
    '',
    `== agents: ${agents.total} (${statusLine(agents.byStatus)}); ${agents.sessions} agent sessions; ${agents.tasks} tasks`,
    `== sessions: ${sessions.total} (${statusLine(sessions.byStatus)}); ${sessions.pendingApprovals} approvals pending`,
    `== phases: ${phases.total} in ${phases.files} files; ${phases.invalid.length} invalid`,
    ...phases.invalid.map((p) => `   ${p.task}: ${p.status}`),
    '',
    '== tables',
    table(report.tables, ['name', 'rows']).trimEnd(),
    '',
  ].join('\n');
}

export const inspect: Command = {
  name: 'inspect',
  summary: 'every domain\'s summary: runs, DAG dump, agents, sessions, phases',
  usage: 'flowstore inspect [db] [--json]',
  help: 'Never creates a file: a missing or non-SQLite path is an error.',
  async run({ positionals, json, io, open }) {
    const store = await open(positionals[0]);
    try {
      const report = await inspectStore(store);
      if (json) printJson(io, report);
      else io.stdout.write(formatInspect(report));
      return 0;
    } finally {
      await store.close();
    }
  },
};
