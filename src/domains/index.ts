/** Every domain the workers know; an operation is found by its `domain.name`. */
import type { Domain } from '../engine/op.ts';
import { admin } from './admin/ops.ts';
import { runs } from './runs/ops.ts';
import { agents } from './agents/ops.ts';
import { dag } from './dag/ops.ts';
import { definitions } from './definitions/ops.ts';
import { aaow } from './aaow/ops.ts';
import { langgraph } from './langgraph/ops.ts';
import { queue } from './queue/ops.ts';
import { openworkflow } from './openworkflow/ops.ts';

export const DOMAINS: readonly Domain<any, any>[] = [admin, runs, dag, definitions, aaow, agents, langgraph, queue, openworkflow];
