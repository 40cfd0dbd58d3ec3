import { describe, expect, it } from 'vitest';
import { createTlvDecoder, createTlvEncoder, tlvBinary, tlvText } from '../../shared/codecs/tlv.js';
import { FramingError, type DecodeResult } from '../../shared/codecs/types.js';
import type { TlvMessage } from '../../shared/codecs/tlv.js';
import { bytes, feed } from './helpers.js';

const summary = (rs: readonly DecodeResult<TlvMessage>[]): unknown[] =>
  rs.map((r) => (r.kind === 'message' ? [r.message.type, r.message.text ?? Array.from(r.message.value)] : r.error.code));

describe('TLV codec (seed 000)', () => {
  it('lays out type, 4-byte big-endian length, value', () => {
    const enc = createTlvEncoder();
    expect(Array.from(enc.encode(tlvText('hé')))).toEqual([1, 0, 0, 0, 3, 104, 0xc3, 0xa9]);
    expect(Array.from(enc.encode(tlvBinary(Uint8Array.from([9, 8]))))).toEqual([2, 0, 0, 0, 2, 9, 8]);
    expect(() => enc.encode({ type: 256, value: new Uint8Array(0) })).toThrow(FramingError);
  });

  it('decodes text and binary values', () => {
    const enc = createTlvEncoder();
    const stream = new Uint8Array([...enc.encode(tlvText('hello')), ...enc.encode(tlvBinary(Uint8Array.from([1, 2, 3])))]);
    const fed = feed(createTlvDecoder(), [stream.subarray(0, 3), stream.subarray(3)]);
    expect(summary(fed.results)).toEqual([
      [1, 'hello'],
      [2, [1, 2, 3]],
    ]);
    expect(fed.messages[0]!.message.typeName).toBe('text');
    expect(fed.messages[1]).toMatchObject({ start: 10, payloadStart: 15, end: 18, copied: false });
  });

  it('an unknown type is UNKNOWN_TYPE: stop by default, or skip the frame by its length', () => {
    const enc = createTlvEncoder();
    const stream = new Uint8Array([
      ...enc.encode(tlvText('a')),
      ...enc.encode({ type: 7, value: bytes('???') }),
      ...enc.encode(tlvText('b')),
    ]);
    const stop = feed(createTlvDecoder(), [stream]);
    expect(summary(stop.results)).toEqual([[1, 'a'], 'UNKNOWN_TYPE']);
    expect(stop.errors[0]).toMatchObject({ offset: 6, action: 'stop' });
    expect(stop.errors[0]!.error.detail).toEqual({ type: 7, declaredLength: 3 });

    const skip = feed(createTlvDecoder({ onMalformed: 'skip' }), [stream]);
    expect(summary(skip.results)).toEqual([[1, 'a'], 'UNKNOWN_TYPE', [1, 'b']]);
    expect(skip.errors[0]).toMatchObject({ offset: 6, action: 'skip', resumeAt: 14 });
  });

  it('a text value that is not UTF-8 is INVALID_UTF8', () => {
    const enc = createTlvEncoder();
    const stream = new Uint8Array([...enc.encode({ type: 1, value: Uint8Array.from([0xff, 0xfe]) }), ...enc.encode(tlvText('ok'))]);
    expect(summary(feed(createTlvDecoder({ onMalformed: 'skip' }), [stream]).results)).toEqual(['INVALID_UTF8', [1, 'ok']]);
  });

  it('oversize is checked against the declared length, before the value arrives', () => {
    const dec = createTlvDecoder({ maxFrameSize: 128 });
    const r = dec.push(Uint8Array.from([2, 0, 0, 1, 0]));
    expect(summary(r)).toEqual(['FRAME_TOO_LARGE']);
  });

  it('takes a custom type table', () => {
    const dec = createTlvDecoder({ types: { 1: 'text', 2: 'binary', 9: 'text' } });
    const fed = feed(dec, [createTlvEncoder().encode({ type: 9, text: 'nine' })]);
    expect(summary(fed.results)).toEqual([[9, 'nine']]);
  });
});
