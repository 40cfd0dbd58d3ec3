/**
 * slicer (toxiproxy "slicer"): cuts every chunk into pieces of about `averageSize` ± `sizeVariation`
 * bytes, with `delayUs` microseconds between pieces — one write becomes several reads on the other
 * side, as on a real network. Node timers count whole milliseconds: 1-999 µs wait about 1 ms.
 */
import { defineToxic } from './types.js';

export default defineToxic({
  name: 'slicer',
  summary: 'cut chunks into pieces of averageSize ± sizeVariation bytes, delayUs apart',
  defaultDirection: 1,
  params: {
    averageSize: { default: 64, min: 1, max: 65536, unit: 'B', help: 'average piece size' },
    sizeVariation: { default: 32, min: 0, max: 65536, unit: 'B', help: 'pieces vary by up to this much either way' },
    delayUs: { default: 1000, min: 0, max: 1_000_000, unit: 'µs', help: 'pause between pieces' },
  },
  create(p, env) {
    const size = () => Math.max(1, p.averageSize! + Math.floor(Math.random() * (2 * p.sizeVariation! + 1)) - p.sizeVariation!);
    return {
      async data(chunk, _arrived, next) {
        for (let at = 0; at < chunk.length; ) {
          const n = Math.min(size(), chunk.length - at);
          await next(chunk.subarray(at, at + n));
          at += n;
          if (at < chunk.length && p.delayUs! > 0) await env.sleep(p.delayUs! / 1000);
        }
      },
    };
  },
});
