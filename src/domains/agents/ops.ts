/** store.agents operations: declared once, run by the workers by name. */
import { defineDomain } from '../../engine/op.ts';
import { recordOps } from './ops-records.ts';
import { stateOps } from './ops-state.ts';
import { prepareAgents } from './sql.ts';

export const agents = defineDomain('agents', { sqlite: prepareAgents }, { ...stateOps, ...recordOps });
