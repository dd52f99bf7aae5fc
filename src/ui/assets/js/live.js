// The live samples (src/ui/sampler.ts) as server-sent events from /api/live: the history so
// far, then each new sample. The store's dot in the top bar is green while the stream is open.

/** The samples the charts keep: the server's history is ten minutes by default. */
const HORIZON_MS = 10 * 60_000;

/**
 * Calls `onSamples(samples)` with the history, then again after each sample; returns the
 * function that closes the stream (a page's cleanup).
 * @example const close = liveSamples((samples) => chart.set(samples));   // a page returns close
 */
export function liveSamples(onSamples) {
  let samples = [];
  const source = new EventSource('/api/live');
  const dot = document.getElementById('store');
  source.addEventListener('history', (e) => {
    samples = JSON.parse(e.data);
    dot?.classList.add('live');
    onSamples(samples);
  });
  source.addEventListener('sample', (e) => {
    const sample = JSON.parse(e.data);
    samples.push(sample);
    while (samples.length > 0 && samples[0].t < sample.t - HORIZON_MS) samples.shift();
    onSamples(samples);
  });
  source.addEventListener('error', () => dot?.classList.remove('live'));
  return () => {
    source.close();
    dot?.classList.remove('live');
  };
}
