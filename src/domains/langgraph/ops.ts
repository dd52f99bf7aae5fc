/** store.langgraph operations (flowstore/langgraph's saver and store): declared once, run by the workers by name. */
import { defineDomain } from '../../engine/op.ts';
import { checkpointOps } from './ops-checkpoints.ts';
import { itemOps } from './ops-items.ts';
import { prepareLangGraph as preparePostgres } from './postgres.ts';
import { prepareLangGraph as prepareSqlite } from './sqlite.ts';

export const langgraph = defineDomain('langgraph', { sqlite: prepareSqlite, postgres: preparePostgres }, { ...checkpointOps, ...itemOps });
