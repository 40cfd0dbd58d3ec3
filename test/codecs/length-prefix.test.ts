import { describe, expect, it } from 'vitest';
import { createLengthPrefixDecoder, createLengthPrefixEncoder } from '../../shared/codecs/length-prefix.js';
import { bytes, feed, text } from './helpers.js';

describe('length-prefix codec', () => {
  it('writes a 32-bit big-endian length before the payload', () => {
    expect(Array.from(createLengthPrefixEncoder().encode(bytes('hi')))).toEqual([0, 0, 0, 2, 104, 105]);
    expect(Array.from(createLengthPrefixEncoder().encode(new Uint8Array(0)))).toEqual([0, 0, 0, 0]);
    expect(Array.from(createLengthPrefixEncoder().encode(new Uint8Array(258)).subarray(0, 4))).toEqual([0, 0, 1, 2]);
  });

  it('decodes headers and payloads split one byte per read, and empty payloads', () => {
    const enc = createLengthPrefixEncoder();
    const stream = new Uint8Array([...enc.encode(bytes('hello')), ...enc.encode(new Uint8Array(0)), ...enc.encode(bytes('x'))]);
    const chunks = Array.from(stream, (_b, i) => stream.subarray(i, i + 1));
    const fed = feed(createLengthPrefixDecoder(), chunks);
    expect(fed.messages.map((m) => text(m.message))).toEqual(['hello', '', 'x']);
    expect(fed.messages.map((m) => [m.start, m.payloadStart, m.end])).toEqual([
      [0, 4, 9],
      [9, 13, 13],
      [13, 17, 18],
    ]);
  });

  it('refuses a declared length over maxFrameSize at the header, before any payload arrives', () => {
    const dec = createLengthPrefixDecoder({ maxFrameSize: 128 });
    const r = dec.push(Uint8Array.from([0xff, 0xff, 0xff, 0xff]));
    expect(r).toHaveLength(1);
    expect(r[0]).toMatchObject({ kind: 'error', offset: 0, action: 'stop', resumeAt: null });
    expect(r[0]!.kind === 'error' && r[0]!.error.code).toBe('FRAME_TOO_LARGE');
    expect(r[0]!.kind === 'error' && r[0]!.error.detail).toEqual({ declaredLength: 0xffffffff, maxFrameSize: 128 });
    expect(dec.bufferedBytes).toBe(0);
  });

  it("'skip' counts the declared bytes away without holding them, then resumes", () => {
    const dec = createLengthPrefixDecoder({ maxFrameSize: 16, onOversize: 'skip' });
    const enc = createLengthPrefixEncoder();
    const big = enc.encode(new Uint8Array(1000).fill(7));
    const results = [...dec.push(big.subarray(0, 10))];
    expect(results[0]).toMatchObject({ kind: 'error', action: 'skip', resumeAt: 1004 });
    for (let i = 10; i < big.length; i += 100) {
      results.push(...dec.push(big.subarray(i, i + 100)));
      expect(dec.bufferedBytes).toBe(0);
    }
    results.push(...dec.push(enc.encode(bytes('next'))));
    expect(results.map((r) => (r.kind === 'message' ? text(r.message) : r.error.code))).toEqual(['FRAME_TOO_LARGE', 'next']);
    expect(dec.stats.discardedBytes).toBe(1004);
  });

  it('end() in the middle of a header or payload reports where the frame started', () => {
    const dec = createLengthPrefixDecoder();
    dec.push(Uint8Array.from([0, 0, 0, 1, 65, 0, 0]));
    expect(dec.end()).toMatchObject({ incomplete: true, pendingStart: 5, pendingBytes: 2 });
  });
});
