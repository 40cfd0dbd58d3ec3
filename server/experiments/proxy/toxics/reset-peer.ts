/**
 * reset_peer (toxiproxy "reset_peer"): after `timeout` ms (0: at once) the proxy resets the
 * connection: RST to both sides (SO_LINGER 0), what was queued is discarded, and each peer's next
 * read or write fails with ECONNRESET.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'reset_peer',
  summary: 'reset the connection (RST) after timeout ms',
  defaultDirection: 0,
  params: {
    timeout: { default: 0, min: 0, max: 600_000, unit: 'ms', help: '0 = at once' },
  },
  create(p, env) {
    let stopped = false;
    const fire = () => { if (!stopped) env.close('reset', `reset_peer after ${p.timeout} ms`); };
    const timer = setTimeout(fire, p.timeout);
    return {
      data: (chunk, _arrived, next) => next(chunk),
      stop() { stopped = true; clearTimeout(timer); },
    };
  },
});
