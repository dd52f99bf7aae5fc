/** Definitions: the loaded files, one file's phases with their status messages, and the task dependency graph. */
import { phaseProblems, queryOf } from '../queries.ts';
import { textParam, type Handler, type Routes } from './context.ts';

/** Phases with a status message listed on the page at most. */
const PROBLEMS_SHOWN = 100;

export const definitions: Handler = async ({ store, params }) => {
  const [files, problems] = await Promise.all([store.definitions.listFiles(), phaseProblems(queryOf(store), PROBLEMS_SHOWN + 1)]);
  const path = textParam(params, 'file') ?? files[0]?.path;
  if (path === undefined) return { files, file: null, phases: [], edges: [], problems: [], moreProblems: false };
  const phases = await store.definitions.listPhases({ path });
  return {
    files,
    file: path,
    phases,
    // Each phase runs after the task it depends on, which may be another file's.
    edges: phases.filter((p) => p.dependsOn !== '').map((p) => ({ from: p.dependsOn, to: p.task })),
    problems: problems.slice(0, PROBLEMS_SHOWN),
    moreProblems: problems.length > PROBLEMS_SHOWN,
  };
};

export const routes: Routes = { '/api/definitions': definitions };
