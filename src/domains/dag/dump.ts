/** debugDump's shape: the rows of one summary query folded per DAG, and the document's text. */
import type { DumpRow } from './statements.ts';
import type { DagDumpEntry } from './schema.ts';

export function summarize(rows: readonly DumpRow[]): DagDumpEntry[] {
  const dags = new Map<string, DagDumpEntry>();
  for (const row of rows) {
    let entry = dags.get(row.dag_id);
    if (!entry) {
      entry = { dagId: row.dag_id, artifactEntries: 0, executionTreeBytes: null, snapshotCount: 0, snapshotBytes: 0, stateBytes: { active: null, pending: null } };
      dags.set(row.dag_id, entry);
    }
    switch (row.kind) {
      case 'artifacts': entry.artifactEntries = row.n; break;
      case 'tree': entry.executionTreeBytes = row.stored; break;
      case 'snapshots': entry.snapshotCount = row.n; entry.snapshotBytes = row.stored ?? 0; break;
      case 'state': if (row.state_type === 'active' || row.state_type === 'pending') entry.stateBytes[row.state_type] = row.stored; break;
    }
  }
  return Array.from(dags.values());
}

/** The text of the document's `debug_print_db`, section by section. */
export function formatDump(dags: readonly DagDumpEntry[]): string {
  const lines = ['=== SQLite DB Contents ===', 'Artifacts by DAG:'];
  for (const d of dags) if (d.artifactEntries > 0) lines.push(`  DAG '${d.dagId}': ${d.artifactEntries} entries`);
  lines.push('Execution trees:');
  for (const d of dags) if (d.executionTreeBytes !== null) lines.push(`  DAG '${d.dagId}': ${d.executionTreeBytes} bytes`);
  lines.push('Snapshots by DAG:');
  for (const d of dags) if (d.snapshotCount > 0) lines.push(`  DAG '${d.dagId}': ${d.snapshotCount} snapshots`);
  lines.push('Execution states:');
  for (const d of dags) {
    for (const type of ['active', 'pending'] as const) {
      const bytes = d.stateBytes[type];
      if (bytes !== null) lines.push(`  DAG '${d.dagId}' ${type}: ${bytes} bytes`);
    }
  }
  return lines.join('\n');
}
