/**
 * Every domain the workers know, by name, each loaded the first time one of its
 * operations arrives: a thread loads (and prepares statements for) only the domains it
 * runs, so that a store opens without loading all of them in every thread. An operation
 * is found by its `domain.name`; adding a domain is one line here.
 */
import type { Domain } from '../engine/op.ts';

type Loader = () => Promise<Domain<any, any>>;

export const DOMAIN_LOADERS: Readonly<Record<string, Loader>> = {
  admin: async () => (await import('./admin/ops.ts')).admin,
  runs: async () => (await import('./runs/ops.ts')).runs,
  dag: async () => (await import('./dag/ops.ts')).dag,
  definitions: async () => (await import('./definitions/ops.ts')).definitions,
  aaow: async () => (await import('./aaow/ops.ts')).aaow,
  agents: async () => (await import('./agents/ops.ts')).agents,
  langgraph: async () => (await import('./langgraph/ops.ts')).langgraph,
  queue: async () => (await import('./queue/ops.ts')).queue,
  openworkflow: async () => (await import('./openworkflow/ops.ts')).openworkflow,
};

/** Every domain, loaded: for the checks that walk them all (test/statements.test.ts). */
export async function loadAllDomains(): Promise<Domain<any, any>[]> {
  return Promise.all(Object.values(DOMAIN_LOADERS).map((load) => load()));
}
