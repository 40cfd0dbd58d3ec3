/**
 * slow_close (toxiproxy "slow_close"): when the source closes its side (FIN), wait `delay` ms
 * before passing the FIN on. Data still flows meanwhile; only the close is late.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'slow_close',
  summary: 'pass the FIN on only after delay ms',
  defaultDirection: 0,
  params: {
    delay: { default: 1000, min: 0, max: 600_000, unit: 'ms', help: 'how long the close is held' },
  },
  create(p, env) {
    return {
      data: (chunk, _arrived, next) => next(chunk),
      async end() {
        env.log(`${env.direction}: FIN held for ${p.delay} ms (slow_close)`);
        await env.sleep(p.delay!);
      },
    };
  },
});
