import type { BufferSize } from '../flow-shared/buffers.js';

export const MAX_SIZES = 8;
export const MAX_SIZE = 64 * 1024 * 1024;

/**
 * "auto,1024,4096" → ['auto', 1024, 4096]: the sweep, in the order it runs. 'auto' always runs
 * first: once SO_RCVBUF is set on the listening socket the kernel never returns it (or the
 * sockets it accepts) to autotuning (SOCK_RCVBUF_LOCK), so auto cannot follow a fixed size on
 * the same listener. Numbers run smallest first. Throws with a clear message on bad input.
 */
export function parseSizes(text: string): BufferSize[] {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s !== '');
  if (parts.length === 0) throw new Error('sizes: give at least one size (bytes or auto), comma-separated');
  if (parts.length > MAX_SIZES) throw new Error(`sizes: at most ${MAX_SIZES} sizes, got ${parts.length}`);
  const nums = new Set<number>();
  let auto = false;
  for (const p of parts) {
    if (p === 'auto') { auto = true; continue; }
    const n = Number(p);
    if (!/^\d+$/.test(p) || !Number.isInteger(n) || n < 1 || n > MAX_SIZE) throw new Error(`sizes: "${p}" is not a size: use a whole number of bytes (1..${MAX_SIZE}) or auto`);
    nums.add(n);
  }
  return [...(auto ? ['auto' as const] : []), ...[...nums].sort((a, b) => a - b)];
}

/** The sizes as the sweep runs them, for messages: "auto, 1024, 4096". */
export const sizesLabel = (s: readonly BufferSize[]) => s.join(', ');
