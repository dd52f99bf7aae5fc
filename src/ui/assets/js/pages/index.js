// The dashboard's areas, in the navigation's order. Each page module declares its area:
// { section: the route's first segment and the navigation entry, label, also: other first
// segments it answers, page(parts) → the render function for the route, or undefined }.
// A new area is a page module and one line here.
import { area as aaow } from './aaow.js';
import { area as agents } from './agents.js';
import { area as dags } from './dags.js';
import { area as definitions } from './definitions.js';
import { area as langgraph } from './langgraph.js';
import { area as openworkflow } from './openworkflow.js';
import { area as overview } from './overview.js';
import { area as queue } from './queue.js';
import { area as runs } from './runs.js';

export const AREAS = [overview, runs, dags, agents, aaow, langgraph, queue, openworkflow, definitions];

/** The area a route's first segment belongs to. */
export function areaOf(section) {
  return AREAS.find((a) => a.section === section || a.also?.includes(section));
}
