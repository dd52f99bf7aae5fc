/** The aaow adapter's operations (seed 003), declared once and run by the workers by name. */
import { defineDomain } from '../../engine/op.ts';
import { approvalOps } from './ops-approvals.ts';
import { executionOps } from './ops-execution.ts';
import { workflowOps } from './ops-workflows.ts';
import { prepareAaow as preparePostgres } from './postgres.ts';
import { prepareAaow as prepareSqlite } from './sqlite.ts';

export const aaow = defineDomain('aaow', { sqlite: prepareSqlite, postgres: preparePostgres }, { ...workflowOps, ...executionOps, ...approvalOps });
