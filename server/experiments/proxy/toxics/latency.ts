/**
 * latency (toxiproxy "latency"): every chunk is held until `latency` ± `jitter` ms after it arrived
 * at the proxy. Chunks keep their order; a chunk that arrived while an earlier one waited has
 * waited too, so data keeps flowing at full rate, only later (a long pipe, not a slow one).
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'latency',
  summary: 'delay every chunk by latency ± jitter ms',
  defaultDirection: 0,
  params: {
    latency: { default: 100, min: 0, max: 60_000, unit: 'ms', help: 'delay added to every chunk' },
    jitter: { default: 0, min: 0, max: 60_000, unit: 'ms', help: 'random extra delay, up to this much either way' },
  },
  create(p, env) {
    return {
      async data(chunk, arrived, next) {
        const j = p.jitter! > 0 ? (Math.random() * 2 - 1) * p.jitter! : 0;
        const due = arrived + Math.max(0, p.latency! + j);
        const wait = due - performance.now();
        if (wait > 0) await env.sleep(wait);
        await next(chunk);
      },
    };
  },
});
