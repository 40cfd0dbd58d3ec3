/**
 * bandwidth (toxiproxy "bandwidth", which counts in KB/s; bytes per second here): passes at most
 * `rate` bytes per second. Chunks are cut into pieces of a tenth of a second's worth and each is
 * released on a schedule kept against the clock (start + bytes / rate), so timer lateness does not
 * add up over a long transfer.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'bandwidth',
  summary: 'limit to rate bytes per second',
  defaultDirection: 1,
  params: {
    rate: { default: 32768, min: 1, max: 1 << 30, unit: 'B/s', help: 'bytes per second' },
  },
  create(p, env) {
    const rate = p.rate!;
    const piece = Math.max(1, Math.floor(rate / 10));
    let start = -1;
    let sent = 0;
    return {
      async data(chunk, _arrived, next) {
        const now = performance.now();
        // After an idle spell, start the schedule again rather than let a burst through.
        if (start < 0 || start + (sent / rate) * 1000 < now - 100) { start = now; sent = 0; }
        for (let at = 0; at < chunk.length; at += piece) {
          const part = chunk.subarray(at, Math.min(chunk.length, at + piece));
          await next(part);
          sent += part.length;
          const due = start + (sent / rate) * 1000;
          const wait = due - performance.now();
          if (wait > 0) await env.sleep(wait);
        }
      },
    };
  },
});
