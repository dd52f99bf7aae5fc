// A directed graph laid out by dagre and drawn as SVG; each node is a button.
import dagre from '/vendor/dagre.esm.js';
import { h, s } from './dom.js';

const NODE_HEIGHT = 34;
const CHAR_WIDTH = 7.4;
const MAX_LABEL = 28;

const shortLabel = (id) => (id.length > MAX_LABEL ? `${id.slice(0, MAX_LABEL - 1)}…` : id);

/**
 * `graph`: { nodes: [{ id, label? }], edges: [{ from, to }] }; a node shows its label (its id
 * when it has none). `onSelect(id)` runs when a node is clicked or chosen with Enter;
 * `selected` is highlighted; `mark(id)` may return a CSS class.
 */
export function drawGraph(graph, { selected, onSelect, mark, vertical = window.innerWidth < 640, testid = 'graph' } = {}) {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: vertical ? 'TB' : 'LR', nodesep: 18, ranksep: vertical ? 34 : 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  const labels = new Map(graph.nodes.map((node) => [node.id, node.label ?? node.id]));
  for (const node of graph.nodes) g.setNode(node.id, { width: Math.max(60, shortLabel(labels.get(node.id)).length * CHAR_WIDTH + 26), height: NODE_HEIGHT });
  for (const edge of graph.edges) if (g.hasNode(edge.from) && g.hasNode(edge.to)) g.setEdge(edge.from, edge.to);
  dagre.layout(g);
  const { width, height } = g.graph();

  const svg = s('svg', { viewBox: `0 0 ${Math.ceil(width)} ${Math.ceil(height)}`, width: Math.ceil(width), height: Math.ceil(height), role: 'group', 'aria-label': 'graph', 'data-testid': testid, class: 'graph' },
    s('defs', null, s('marker', { id: 'arrow', viewBox: '0 0 10 10', refX: 9, refY: 5, markerWidth: 7, markerHeight: 7, orient: 'auto-start-reverse' },
      s('path', { d: 'M 0 0 L 10 5 L 0 10 z', class: 'arrow' }))));
  for (const e of g.edges()) {
    const points = g.edge(e).points;
    const d = points.map((p, i) => `${i === 0 ? 'M' : 'L'} ${p.x.toFixed(1)} ${p.y.toFixed(1)}`).join(' ');
    svg.append(s('path', { d, class: 'edge', 'marker-end': 'url(#arrow)' }));
  }
  for (const id of g.nodes()) {
    const n = g.node(id);
    const group = s('g', {
      class: ['node', id === selected ? 'selected' : '', mark?.(id) ?? ''].filter(Boolean).join(' '),
      transform: `translate(${(n.x - n.width / 2).toFixed(1)} ${(n.y - n.height / 2).toFixed(1)})`,
      tabindex: onSelect ? 0 : -1,
      role: onSelect ? 'button' : 'img',
      'data-node': id,
    },
    s('title', null, labels.get(id) === id ? id : `${labels.get(id)}\n${id}`),
    s('rect', { width: n.width, height: n.height, rx: 6 }),
    s('text', { x: n.width / 2, y: n.height / 2 + 4, 'text-anchor': 'middle' }, shortLabel(labels.get(id))));
    if (onSelect) {
      group.addEventListener('click', () => onSelect(id));
      group.addEventListener('keydown', (event) => {
        if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); onSelect(id); }
      });
    }
    svg.append(group);
  }
  return h('div', { class: 'graph-wrap' }, svg);
}
