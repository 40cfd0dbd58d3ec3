/**
 * timeout (toxiproxy "timeout"): stops all data from getting through — the proxy keeps reading
 * and throws it away — and after `timeout` ms closes the connection (0: never; data is dropped
 * until the toxic is removed). Nothing tells either program: their writes succeed.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'timeout',
  summary: 'drop all data; close after timeout ms (0 = never)',
  defaultDirection: 1,
  params: {
    timeout: { default: 0, min: 0, max: 600_000, unit: 'ms', help: '0 = keep the connection, drop data until removed' },
  },
  create(p, env) {
    let dropped = 0;
    let stopped = false;
    const timer = p.timeout! > 0 ? setTimeout(() => { if (!stopped) env.close('end', `timeout toxic: closed after ${p.timeout} ms`); }, p.timeout) : undefined;
    return {
      async data(chunk) {
        dropped += chunk.length;
      },
      stop() {
        stopped = true;
        if (timer) clearTimeout(timer);
        if (dropped) env.log(`${env.direction}: timeout toxic dropped ${dropped} B`);
      },
    };
  },
});
