// Live line charts (uPlot), sized to their card and redrawn as samples arrive.
import uPlot from '/vendor/uPlot.esm.js';
import { h } from './dom.js';

const COLORS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2'];
const HEIGHT = 170;
/** The steps between a count chart's ticks: whole numbers only (a count of 1 has no tick at 0.5). */
const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5, 5e5, 1e6, 2e6, 5e6, 1e7];

/**
 * A chart of `series` ([{ label, value(sample) }]) over time; `whole`: its values are counts,
 * ticked at whole numbers. Returns `{ el, set(samples), destroy() }`.
 */
export function lineChart(title, series, { note, format = (v) => (v == null ? '–' : v.toFixed(v < 10 ? 2 : 0)), testid, whole = false } = {}) {
  const box = h('div', { class: 'chart-box' });
  const el = h('figure', { class: 'chart', 'data-testid': testid }, h('figcaption', null, h('strong', null, title), note ? h('span', { class: 'muted' }, ` ${note}`) : null), box);
  let plot;
  let data = [[], ...series.map(() => [])];
  const make = () => {
    const width = Math.max(240, box.clientWidth || 300);
    plot = new uPlot({
      width,
      height: HEIGHT,
      legend: { show: true, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
      axes: [{ stroke: '#64748b', grid: { stroke: '#e2e8f0' } }, { stroke: '#64748b', grid: { stroke: '#e2e8f0' }, size: 52, values: (_u, ticks) => ticks.map((t) => format(t)), ...(whole ? { incrs: WHOLE_STEPS } : {}) }],
      series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: false }, value: (_u, v) => format(v) }))],
    }, data, box);
  };
  const resize = new ResizeObserver(() => {
    if (!plot) return;
    const width = Math.max(240, box.clientWidth);
    if (Math.abs(width - plot.width) > 4) plot.setSize({ width, height: HEIGHT });
  });
  return {
    el,
    set(samples) {
      data = [samples.map((x) => x.t / 1000), ...series.map((s) => samples.map((x) => s.value(x)))];
      if (!plot) {
        if (!box.isConnected) return;
        make();
        resize.observe(box);
      } else plot.setData(data);
    },
    destroy() {
      resize.disconnect();
      plot?.destroy();
    },
  };
}
