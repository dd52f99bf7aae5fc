/** Every domain the workers know; an operation is found by its `domain.name`. */
import type { Domain } from '../engine/op.ts';
import { admin } from './admin/ops.ts';
import { runs } from './runs/ops.ts';

export const DOMAINS: readonly Domain<any, any>[] = [admin, runs];
