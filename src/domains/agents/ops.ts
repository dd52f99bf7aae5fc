/** store.agents operations: declared once, run by the workers by name. */
import { defineDomain } from '../../engine/op.ts';
import { recordOps } from './ops-records.ts';
import { stateOps } from './ops-state.ts';
import { prepareAgents as preparePostgres } from './postgres.ts';
import { prepareAgents as prepareSqlite } from './sqlite.ts';

export const agents = defineDomain('agents', { sqlite: prepareSqlite, postgres: preparePostgres }, { ...stateOps, ...recordOps });
