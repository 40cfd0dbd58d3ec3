import { describe, expect, it } from 'vitest';
import { createFixedLengthDecoder, createFixedLengthEncoder } from '../../shared/codecs/fixed-length.js';
import { FramingError } from '../../shared/codecs/types.js';
import { bytes, feed, text } from './helpers.js';

describe('fixed-length codec', () => {
  it('pads short messages by default and refuses long ones', () => {
    const enc = createFixedLengthEncoder({ frameSize: 8 });
    expect(Array.from(enc.encode(bytes('abc')))).toEqual([97, 98, 99, 0, 0, 0, 0, 0]);
    expect(() => enc.encode(bytes('123456789'))).toThrow(FramingError);
    try {
      enc.encode(bytes('123456789'));
    } catch (e) {
      expect((e as FramingError).code).toBe('WRONG_SIZE');
    }
  });

  it('encoder policies: pad byte, truncate, refuse short', () => {
    expect(text(createFixedLengthEncoder({ frameSize: 5, padByte: 32 }).encode(bytes('ab')))).toBe('ab   ');
    expect(text(createFixedLengthEncoder({ frameSize: 3, onLong: 'truncate' }).encode(bytes('abcdef')))).toBe('abc');
    expect(() => createFixedLengthEncoder({ frameSize: 3, onShort: 'error' }).encode(bytes('a'))).toThrow(/shorter/);
  });

  it('splits a stream into frameSize pieces whatever the reads', () => {
    const fed = feed(createFixedLengthDecoder({ frameSize: 4 }), ['ab', 'cdefg', 'h', 'ijkl', 'mn'].map(bytes));
    expect(fed.messages.map((m) => text(m.message))).toEqual(['abcd', 'efgh', 'ijkl']);
    expect(fed.messages.map((m) => m.copied)).toEqual([true, true, false]);
    expect(fed.end).toMatchObject({ incomplete: true, pendingBytes: 2, pendingStart: 12 });
    expect(fed.maxBuffered).toBeLessThanOrEqual(3);
  });

  it('stripPadding removes trailing pad bytes (lossy by design, so off by default)', () => {
    const enc = createFixedLengthEncoder({ frameSize: 6 });
    const stream = new Uint8Array([...enc.encode(bytes('hi')), ...enc.encode(bytes('there'))]);
    const plain = feed(createFixedLengthDecoder({ frameSize: 6 }), [stream]);
    expect(plain.messages.map((m) => m.message.length)).toEqual([6, 6]);
    const stripped = feed(createFixedLengthDecoder({ frameSize: 6, stripPadding: true }), [stream]);
    expect(stripped.messages.map((m) => text(m.message))).toEqual(['hi', 'there']);
    expect(stripped.messages[0]).toMatchObject({ start: 0, payloadEnd: 2, end: 6 });
  });

  it('frameSize must fit maxFrameSize', () => {
    expect(() => createFixedLengthDecoder({ frameSize: 200, maxFrameSize: 128 })).toThrow(RangeError);
    expect(() => createFixedLengthDecoder({ frameSize: 0 })).toThrow(RangeError);
  });
});
