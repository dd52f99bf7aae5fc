/**
 * The JSON API: one GET path per listing or record the pages show. Each area of the
 * dashboard (src/ui/api/<area>.ts) declares its own paths; a new area is one line here.
 *
 * @example
 * ```ts
 * const handler = ROUTES['/api/runs'];   // (ctx) => Promise<body>
 * ```
 */
import { routes as aaow } from './api/aaow.ts';
import { routes as agents } from './api/agents.ts';
import type { Routes } from './api/context.ts';
import { routes as dags } from './api/dags.ts';
import { routes as definitions } from './api/definitions.ts';
import { routes as langgraph } from './api/langgraph.ts';
import { routes as openworkflow } from './api/openworkflow.ts';
import { routes as overview } from './api/overview.ts';
import { routes as queue } from './api/queue.ts';
import { routes as runs } from './api/runs.ts';

const AREAS: readonly Routes[] = [overview, runs, dags, agents, aaow, langgraph, queue, openworkflow, definitions];

export const ROUTES: Routes = Object.freeze(Object.assign({}, ...AREAS) as Routes);
