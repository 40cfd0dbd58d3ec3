/**
 * limit_data (toxiproxy "limit_data"): passes the first `bytes` bytes (counted from when the toxic
 * was added), then closes the connection.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'limit_data',
  summary: 'close the connection after bytes bytes',
  defaultDirection: 1,
  params: {
    bytes: { default: 4096, min: 0, max: 1 << 30, unit: 'B', help: 'bytes let through before the close' },
  },
  create(p, env) {
    let passed = 0;
    let closed = false;
    return {
      async data(chunk, _arrived, next) {
        if (closed) return;
        const room = p.bytes! - passed;
        if (room > 0) {
          const part = chunk.length <= room ? chunk : chunk.subarray(0, room);
          await next(part);
          passed += part.length;
        }
        if (passed >= p.bytes!) {
          closed = true;
          env.close('end', `limit_data: ${passed} B passed, limit ${p.bytes} B`);
        }
      },
    };
  },
});
