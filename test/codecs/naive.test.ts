import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createDelimiterDecoder, createDelimiterEncoder } from '../../shared/codecs/delimiter.js';
import { createNaiveDecoder, createNaiveEncoder } from '../../shared/codecs/naive.js';
import { bytes, concat, feed, splitAt, splitPoints, text } from './helpers.js';

describe('naive codec (one read = one message)', () => {
  it('returns each read as a message, as a view, with its offsets', () => {
    const chunks = ['hel', 'lo wor', 'ld'].map(bytes);
    const fed = feed(createNaiveDecoder(), chunks);
    expect(fed.messages.map((m) => text(m.message))).toEqual(['hel', 'lo wor', 'ld']);
    expect(fed.messages.map((m) => [m.start, m.end])).toEqual([
      [0, 3],
      [3, 9],
      [9, 11],
    ]);
    expect(fed.messages.every((m, i) => m.message.buffer === chunks[i]!.buffer && !m.copied)).toBe(true);
    expect(fed.end.incomplete).toBe(false);
  });

  it('is wrong when TCP splits or merges writes, where the delimiter reader is right', () => {
    const writes = ['reading 1', 'reading 2', 'reading 3'];
    const enc = createDelimiterEncoder();
    const stream = concat(writes.map((w) => enc.encode(bytes(w))));
    const reads = [stream.subarray(0, 4), stream.subarray(4, 25), stream.subarray(25)];
    const naive = feed(createNaiveDecoder(), reads).messages.map((m) => text(m.message));
    const framed = feed(createDelimiterDecoder(), reads).messages.map((m) => text(m.message));
    expect(framed).toEqual(writes);
    expect(naive).not.toEqual(writes.map((w) => `${w}\n`));
    expect(naive).toEqual(['read', 'ing 1\nreading 2\nreadi', 'ng 3\n']);
  });

  it('a read longer than maxFrameSize is cut like conn.Read into a 128-byte buffer (split), or refused', () => {
    const big = new Uint8Array(300).fill(97);
    expect(feed(createNaiveDecoder({ maxFrameSize: 128 }), [big]).messages.map((m) => m.message.length)).toEqual([128, 128, 44]);
    const stop = feed(createNaiveDecoder({ maxFrameSize: 128, onOversize: 'error-and-stop' }), [big, bytes('x')]);
    expect(stop.errors.map((e) => [e.error.code, e.action])).toEqual([['FRAME_TOO_LARGE', 'stop']]);
    expect(stop.messages).toEqual([]);
    const skip = feed(createNaiveDecoder({ maxFrameSize: 128, onOversize: 'skip' }), [big, bytes('x')]);
    expect(skip.results.map((r) => (r.kind === 'message' ? text(r.message) : r.error.code))).toEqual(['FRAME_TOO_LARGE', 'x']);
  });

  it('property: messages are exactly the reads, and right only when reads match writes', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ minLength: 1, maxLength: 30 }), { maxLength: 10 }), splitPoints, (writes, points) => {
        const enc = createNaiveEncoder();
        const stream = concat(writes.map((w) => enc.encode(w)));
        const reads = splitAt(stream, points).filter((c) => c.length > 0);
        const fed = feed(createNaiveDecoder(), reads);
        expect(fed.messages.map((m) => Array.from(m.message))).toEqual(reads.map((r) => Array.from(r)));
        // Aligned reads: the naive reader is right.
        const aligned = feed(createNaiveDecoder(), writes);
        expect(aligned.messages.map((m) => Array.from(m.message))).toEqual(writes.map((w) => Array.from(w)));
      }),
    );
  });
});
