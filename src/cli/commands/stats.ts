/** `flowstore stats`: run statistics, table sizes, file size. */
import type { Command } from '../command.ts';
import { bytes, printJson, table } from '../format.ts';

export const stats: Command = {
  name: 'stats',
  summary: 'run statistics, rows per table, database size',
  usage: 'flowstore stats [db] [--json]',
  async run({ positionals, json, io, open }) {
    const store = await open(positionals[0]);
    try {
      const [runs, tables, metrics] = await Promise.all([store.runs.getWorkflowStats(), store.tableStats(), store.metrics()]);
      const report = { path: store.path, runs, ...tables, walBytes: metrics.walBytes };
      if (json) {
        printJson(io, report);
        return 0;
      }
      const size = store.backend === 'postgres'
        ? `${bytes(tables.bytes)} in tables, indexes and TOAST`
        : `${bytes(tables.bytes)} (${tables.pageCount} pages of ${tables.pageSize} B, ${tables.freePages} free), WAL ${bytes(metrics.walBytes)}`;
      io.stdout.write([
        `${store.path}: ${size}`,
        `runs: ${runs.totalWorkflows} total, ${runs.recentWorkflows24h} in the last 24 h, average execution ${Math.round(runs.averageExecutionTimeMs)} ms`,
        table(Object.entries(runs.statusCounts).map(([status, count]) => ({ status, count })), ['status', 'count']),
        table(tables.tables, store.backend === 'postgres' ? ['name', 'rows', 'bytes'] : ['name', 'rows']),
      ].join('\n'));
      return 0;
    } finally {
      await store.close();
    }
  },
};
