/**
 * A DAG's execution tree as nodes and edges, for drawing. The tree is whatever the executor
 * saved, so the shapes executors commonly use are recognised, and nothing is invented:
 * - `{ nodes | phases: [id | { id | name }], edges: [[from, to] | { from, to } | { source, target }] }`
 *   (an edge end may be an index into the node list);
 * - `{ nodes: { id: { dependsOn | deps | parents: [id] } } }`;
 * - a nested tree `{ id | name, children: [...] }`.
 * Nodes that hold artifacts are added, so every cached node can be followed.
 *
 * @example
 * ```ts
 * graphOf({ nodes: ['a', 'b'], edges: [[0, 1]] }, ['a', 'b']);   // { nodes: [{ id: 'a' }, { id: 'b' }], edges: [{ from: 'a', to: 'b' }] }
 * ```
 */

export interface Graph {
  nodes: { id: string }[];
  edges: { from: string; to: string }[];
  /** False when the tree had no shape this module knows: the nodes are then the cache's only. */
  recognised: boolean;
}

/** Draw at most this many nodes; a bigger tree is shown as its JSON only. */
export const MAX_GRAPH_NODES = 500;

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function nameOf(value: unknown): string | undefined {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (isObj(value)) for (const key of ['id', 'name', 'task', 'nodeId']) if (typeof value[key] === 'string' || typeof value[key] === 'number') return String(value[key]);
  return undefined;
}

function fromLists(tree: Obj, add: (id: string) => void, edge: (a: string, b: string) => void): boolean {
  const list = Array.isArray(tree.nodes) ? tree.nodes : Array.isArray(tree.phases) ? tree.phases : undefined;
  if (!list && !Array.isArray(tree.edges)) return false;
  const names = (list ?? []).map(nameOf);
  names.forEach((n) => n !== undefined && add(n));
  const end = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) && names[v] !== undefined ? names[v] : nameOf(v));
  for (const e of Array.isArray(tree.edges) ? tree.edges : []) {
    const [a, b] = Array.isArray(e) ? [e[0], e[1]] : isObj(e) ? [e.from ?? e.source, e.to ?? e.target] : [];
    const from = end(a);
    const to = end(b);
    if (from !== undefined && to !== undefined) edge(from, to);
  }
  return true;
}

function fromMap(tree: Obj, add: (id: string) => void, edge: (a: string, b: string) => void): boolean {
  if (!isObj(tree.nodes)) return false;
  for (const [id, node] of Object.entries(tree.nodes)) {
    add(id);
    const parents = isObj(node) ? node.dependsOn ?? node.deps ?? node.parents : undefined;
    for (const p of Array.isArray(parents) ? parents : typeof parents === 'string' ? [parents] : []) {
      const name = nameOf(p);
      if (name !== undefined) edge(name, id);
    }
  }
  return true;
}

function fromNested(tree: Obj, add: (id: string) => void, edge: (a: string, b: string) => void): boolean {
  if (!Array.isArray(tree.children) || nameOf(tree) === undefined) return false;
  const walk = (node: Obj) => {
    const id = nameOf(node)!;
    add(id);
    for (const child of node.children as unknown[]) {
      if (!isObj(child) || nameOf(child) === undefined) continue;
      edge(id, nameOf(child)!);
      if (Array.isArray(child.children)) walk(child);
      else add(nameOf(child)!);
    }
  };
  walk(tree);
  return true;
}

export function graphOf(tree: unknown, cachedNodes: readonly string[]): Graph {
  const nodes = new Set<string>();
  const edges = new Map<string, { from: string; to: string }>();
  const add = (id: string) => {
    if (nodes.size < MAX_GRAPH_NODES) nodes.add(id);
  };
  const edge = (from: string, to: string) => {
    add(from);
    add(to);
    if (nodes.has(from) && nodes.has(to)) edges.set(JSON.stringify([from, to]), { from, to });
  };
  const recognised = isObj(tree) && (fromLists(tree, add, edge) || fromMap(tree, add, edge) || fromNested(tree, add, edge));
  cachedNodes.forEach(add);
  return { nodes: [...nodes].map((id) => ({ id })), edges: [...edges.values()], recognised };
}
