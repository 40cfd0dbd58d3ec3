import { describe, expect, it } from 'vitest';
import { createDelimiterDecoder, createDelimiterEncoder } from '../../shared/codecs/delimiter.js';
import { FramingError, SEED_MAX_REQUEST_LENGTH, type DecodedMessage } from '../../shared/codecs/types.js';
import { bytes, concat, feed, text } from './helpers.js';

const texts = (rs: readonly DecodedMessage<Uint8Array>[]): string[] => rs.map((r) => text(r.message));

describe('delimiter codec', () => {
  it('decodes the seed 004 client stream however the reads fall', () => {
    const enc = createDelimiterEncoder();
    const stream = concat([1, 2, 3].map((i) => enc.encode(bytes(`>>>${i}<<< `))));
    expect(text(stream)).toBe('>>>1<<< \n>>>2<<< \n>>>3<<< \n');
    // three writes in one read, then one write in three reads
    for (const cuts of [[stream.length], [3, 5, 20], [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]]) {
      const chunks: Uint8Array[] = [];
      let prev = 0;
      for (const c of [...cuts, stream.length]) {
        chunks.push(stream.subarray(prev, c));
        prev = c;
      }
      const fed = feed(createDelimiterDecoder(), chunks);
      expect(texts(fed.messages)).toEqual(['>>>1<<< ', '>>>2<<< ', '>>>3<<< ']);
      expect(fed.messages.map((m) => [m.start, m.payloadEnd, m.end])).toEqual([
        [0, 8, 9],
        [9, 17, 18],
        [18, 26, 27],
      ]);
    }
  });

  it('returns views when a message is contiguous and copies once when it spans chunks', () => {
    const dec = createDelimiterDecoder();
    const a = bytes('one\ntw');
    const b = bytes('o\nthree\n');
    const r1 = dec.push(a);
    expect(r1).toHaveLength(1);
    const m1 = r1[0]! as DecodedMessage<Uint8Array>;
    expect(m1.copied).toBe(false);
    expect(m1.message.buffer).toBe(a.buffer);
    expect(dec.bufferedBytes).toBe(2);
    const r2 = dec.push(b) as DecodedMessage<Uint8Array>[];
    expect(texts(r2)).toEqual(['two', 'three']);
    expect(r2[0]!.copied).toBe(true);
    expect(r2[1]!.copied).toBe(false);
    expect(r2[1]!.message.buffer).toBe(b.buffer);
    expect(dec.stats).toMatchObject({ messages: 3, copiedMessages: 1, copiedBytes: 3, bytesIn: 14 });
  });

  it('a message whose delimiter arrives in the next chunk is still a view of its own chunk', () => {
    const dec = createDelimiterDecoder();
    const a = bytes('hello');
    expect(dec.push(a)).toEqual([]);
    const [r] = dec.push(bytes('\n')) as DecodedMessage<Uint8Array>[];
    expect(text(r!.message)).toBe('hello');
    expect(r!.copied).toBe(false);
    expect(r!.message.buffer).toBe(a.buffer);
  });

  it('handles multi-byte delimiters split over several chunks, including self-overlapping ones', () => {
    const dec = createDelimiterDecoder({ delimiter: '\r\n' });
    const chunks = ['ab\r', '\r', '\n', 'cd\r', '\n\r', '\n'].map(bytes);
    const fed = feed(dec, chunks);
    expect(texts(fed.messages)).toEqual(['ab\r', 'cd', '']);
    expect(fed.messages.map((m) => [m.start, m.end])).toEqual([
      [0, 5],
      [5, 9],
      [9, 11],
    ]);

    const aab = feed(createDelimiterDecoder({ delimiter: 'aab' }), ['xa', 'a', 'a', 'b', 'yaab'].map(bytes));
    // "xaaab" → leftmost "aab" starts at index 2: message "xa"
    expect(texts(aab.messages)).toEqual(['xa', 'y']);
  });

  it('accepts a delimiter given as a byte value or bytes, and rejects bad ones', () => {
    const nul = feed(createDelimiterDecoder({ delimiter: 0 }), [Uint8Array.from([65, 0, 66, 0])]);
    expect(texts(nul.messages)).toEqual(['A', 'B']);
    const end = feed(createDelimiterDecoder({ delimiter: Uint8Array.from([69, 78, 68]) }), [bytes('helloENDworldEND')]);
    expect(texts(end.messages)).toEqual(['hello', 'world']);
    expect(() => createDelimiterDecoder({ delimiter: '' })).toThrow(RangeError);
    expect(() => createDelimiterDecoder({ delimiter: 256 })).toThrow(RangeError);
    expect(() => createDelimiterDecoder({ delimiter: 'x'.repeat(65) })).toThrow(RangeError);
    expect(() => createDelimiterDecoder({ maxFrameSize: -1 })).toThrow(RangeError);
  });

  it('stripCR drops the "\\r" of a CRLF line, like bufio.ScanLines', () => {
    const fed = feed(createDelimiterDecoder({ stripCR: true }), [bytes('a\r\nb\n\r\n')]);
    expect(texts(fed.messages)).toEqual(['a', 'b', '']);
    expect(fed.messages[0]).toMatchObject({ start: 0, payloadEnd: 1, end: 3 });
  });

  it('the encoder refuses a message that would decode as more than one', () => {
    const enc = createDelimiterEncoder();
    expect(() => enc.encode(bytes('a\nb'))).toThrow(FramingError);
    try {
      enc.encode(bytes('a\nb'));
    } catch (e) {
      expect((e as FramingError).code).toBe('DELIMITER_IN_MESSAGE');
      expect((e as FramingError).offset).toBe(1);
    }
    // "x" + "aa" would be found one byte early in "xaaa"
    expect(() => createDelimiterEncoder({ delimiter: 'aa' }).encode(bytes('xa'))).toThrow(/delimiter/);
    expect(text(createDelimiterEncoder({ delimiter: '\r\n' }).encode(bytes('x\r')))).toBe('x\r\r\n');
  });

  it('seed 003 limit: a 128-byte maximum refuses a longer line (error-and-stop)', () => {
    const dec = createDelimiterDecoder({ maxFrameSize: SEED_MAX_REQUEST_LENGTH });
    const ok = 'x'.repeat(128);
    const fed = feed(dec, [bytes(`${ok}\n${'y'.repeat(129)}\nafter\n`), bytes('more\n')], 128);
    expect(texts(fed.messages)).toEqual([ok]);
    expect(fed.errors).toHaveLength(1);
    expect(fed.errors[0]!.error.code).toBe('FRAME_TOO_LARGE');
    expect(fed.errors[0]!.offset).toBe(129);
    expect(fed.errors[0]!.action).toBe('stop');
    expect(dec.stopped).toBe(true);
    expect(dec.stats.discardedBytes).toBe(11); // "after\n" and "more\n"
    expect(fed.end.stopped).toBe(true);
  });

  it("'skip' discards to the next delimiter; a flood without one stays bounded", () => {
    const dec = createDelimiterDecoder({ maxFrameSize: 128, onOversize: 'skip' });
    const results = [];
    results.push(...dec.push(bytes('first\n')));
    // 1 MiB without a newline, one byte per read
    const flood = new Uint8Array(1 << 20).fill(120);
    for (let i = 0; i < flood.length; i += 1) {
      results.push(...dec.push(flood.subarray(i, i + 1)));
      if (dec.bufferedBytes > 128) throw new Error(`buffered ${dec.bufferedBytes}`);
    }
    results.push(...dec.push(bytes('\nlast\n')));
    expect(results.map((r) => (r.kind === 'message' ? text(r.message) : r.error.code))).toEqual(['first', 'FRAME_TOO_LARGE', 'last']);
    expect(dec.stats.peakBufferedBytes).toBeLessThanOrEqual(128);
    expect(dec.stats.discardedBytes).toBe((1 << 20) + 1);
    const last = results[2]!;
    expect(last.kind === 'message' && last.start).toBe(6 + (1 << 20) + 1);
  });

  it('end() reports an unterminated last line as incomplete instead of returning it', () => {
    const dec = createDelimiterDecoder();
    dec.push(bytes('done\npart'));
    expect(dec.end()).toEqual({ incomplete: true, pendingBytes: 4, pendingStart: 5, stopped: false, totalBytes: 9 });
    expect(() => dec.push(bytes('x'))).toThrow(/after end/);
  });

  it('keeps offsets from startOffset', () => {
    const fed = feed(createDelimiterDecoder({ startOffset: 100 }), [bytes('a\nb\n')]);
    expect(fed.messages.map((m) => m.start)).toEqual([100, 102]);
  });
});
