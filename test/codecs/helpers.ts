/**
 * Shared test helpers for the codec tests: split a stream at given points (as views of one buffer,
 * so copies are detectable by `.buffer` identity), feed a decoder while checking its memory bound.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { DecodeError, DecodeResult, DecodedMessage, Decoder, EndResult } from '../../shared/codecs/types.js';

/** The codecs' own concatenation, under the name the tests use. */
export { concatBytes as concat } from '../../shared/codecs/bytes.js';

/** Chunks of `stream` cut at `points` (any numbers; taken modulo length + 1, sorted, deduplicated). */
export function splitAt(stream: Uint8Array, points: readonly number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => p % (stream.length + 1)))].sort((a, b) => a - b);
  const chunks: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) {
    chunks.push(stream.subarray(prev, c));
    prev = c;
  }
  chunks.push(stream.subarray(prev));
  return chunks;
}

export const splitPoints = fc.array(fc.nat(), { maxLength: 40 });

export interface Fed<M> {
  results: DecodeResult<M>[];
  messages: DecodedMessage<M>[];
  errors: DecodeError[];
  end: EndResult;
  maxBuffered: number;
}

/** Pushes every chunk, asserting `bufferedBytes <= bound` after each push, then ends the stream. */
export function feed<M>(decoder: Decoder<M>, chunks: readonly Uint8Array[], bound = Infinity): Fed<M> {
  const results: DecodeResult<M>[] = [];
  let maxBuffered = 0;
  for (const c of chunks) {
    for (const r of decoder.push(c)) results.push(r);
    maxBuffered = Math.max(maxBuffered, decoder.bufferedBytes);
    if (decoder.bufferedBytes > bound) {
      expect.fail(`bufferedBytes ${decoder.bufferedBytes} over the bound ${bound}`);
    }
  }
  expect(decoder.stats.peakBufferedBytes).toBeLessThanOrEqual(bound);
  const end = decoder.end();
  return {
    results,
    messages: results.filter((r): r is DecodedMessage<M> => r.kind === 'message'),
    errors: results.filter((r): r is DecodeError => r.kind === 'error'),
    end,
    maxBuffered,
  };
}

/** Which chunk holds stream offset `offset` (offsets at a boundary belong to the next chunk). */
export function chunkBounds(chunks: readonly Uint8Array[]): number[] {
  const bounds = [0];
  let at = 0;
  for (const c of chunks) {
    at += c.length;
    bounds.push(at);
  }
  return bounds;
}

/** Whether [from, to) lies inside one chunk (empty ranges always do). */
export function withinOneChunk(chunks: readonly Uint8Array[], from: number, to: number): boolean {
  if (to <= from) return true;
  let at = 0;
  for (const c of chunks) {
    const end = at + c.length;
    if (from >= at && to <= end) return true;
    at = end;
  }
  return false;
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}
