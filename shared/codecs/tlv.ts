/**
 * TLV (type-length-value), as in seed 000: a 1-byte type, a 4-byte big-endian length, the value.
 *
 *   0      1      2      3      4      5 ...
 *   +------+------+------+------+------+-----------------+
 *   | type |  length (uint32, big-endian) | value (length)  |
 *   +------+------+------+------+------+-----------------+
 *
 * Types: 1 = text (the value must be UTF-8), 2 = binary. A type byte not in the table is
 * UNKNOWN_TYPE; a text value that is not UTF-8 is INVALID_UTF8. Both have a known extent, so
 * `onMalformed: 'skip'` skips the frame (without buffering it) and decoding continues.
 * The encoder writes any type byte 0-255, so the lab can show the decoder's UNKNOWN_TYPE.
 */
import { HeaderedDecoder, checkInteger, type HeaderFault, type ParsedHeader } from './base.js';
import { utf8DecodeStrict, utf8Encode } from './bytes.js';
import { FramingError, type Decoder, type DecoderOptions, type Encoder } from './types.js';

export const CODEC = 'tlv';
export const HEADER_SIZE = 5;
export const TLV_TEXT = 1;
export const TLV_BINARY = 2;

export type TlvTypeName = 'text' | 'binary';
/** Type byte → how its value is read. Default: {1: 'text', 2: 'binary'}. */
export type TlvTypeTable = Readonly<Record<number, TlvTypeName>>;
export const DEFAULT_TLV_TYPES: TlvTypeTable = { [TLV_TEXT]: 'text', [TLV_BINARY]: 'binary' };

/** What the encoder takes: a value as bytes, or text (encoded as UTF-8). */
export type TlvInput = { readonly type: number; readonly value: Uint8Array } | { readonly type: number; readonly text: string };

/** What the decoder returns. `text` is set for text types. */
export interface TlvMessage {
  readonly type: number;
  readonly typeName: TlvTypeName;
  readonly value: Uint8Array;
  readonly text?: string;
}

export interface TlvDecoderOptions extends DecoderOptions {
  types?: TlvTypeTable;
}

export function tlvText(text: string): TlvInput {
  return { type: TLV_TEXT, text };
}

export function tlvBinary(value: Uint8Array): TlvInput {
  return { type: TLV_BINARY, value };
}

class TlvEncoder implements Encoder<TlvInput> {
  readonly codec = CODEC;
  encode(message: TlvInput): Uint8Array {
    const type = message.type;
    if (!Number.isInteger(type) || type < 0 || type > 255) {
      throw new FramingError('UNENCODABLE', `TLV type must be a byte 0-255, got ${type}`, 0);
    }
    const value = 'text' in message ? utf8Encode(message.text) : message.value;
    const len = value.length;
    if (len > 0xffffffff) throw new FramingError('UNENCODABLE', `value of ${len} bytes does not fit a 32-bit length`, 1);
    const out = new Uint8Array(HEADER_SIZE + len);
    out[0] = type;
    out[1] = len >>> 24;
    out[2] = (len >>> 16) & 255;
    out[3] = (len >>> 8) & 255;
    out[4] = len & 255;
    out.set(value, HEADER_SIZE);
    return out;
  }
}

interface TlvHeader extends ParsedHeader {
  readonly type: number;
  readonly typeName: TlvTypeName;
}

class TlvDecoder extends HeaderedDecoder<TlvMessage, TlvHeader> {
  private readonly types: Map<number, TlvTypeName>;

  constructor(o: TlvDecoderOptions | undefined) {
    super(CODEC, o, HEADER_SIZE);
    this.types = new Map();
    for (const [k, v] of Object.entries(o?.types ?? DEFAULT_TLV_TYPES)) {
      const t = checkInteger('TLV type', Number(k), 0, 255);
      if (v !== 'text' && v !== 'binary') throw new RangeError(`TLV type ${t}: kind must be 'text' or 'binary'`);
      this.types.set(t, v);
    }
  }

  protected headerSize(): number {
    return HEADER_SIZE;
  }

  protected parseHeader(buf: Uint8Array, at: number, _len: number, frameStart: number): TlvHeader | HeaderFault {
    const type = buf[at]!;
    const payloadLength = ((buf[at + 1]! << 24) | (buf[at + 2]! << 16) | (buf[at + 3]! << 8) | buf[at + 4]!) >>> 0;
    const typeName = this.types.get(type);
    if (typeName === undefined) {
      return {
        fault: new FramingError('UNKNOWN_TYPE', `unknown TLV type ${type} (length ${payloadLength})`, frameStart, {
          type,
          declaredLength: payloadLength,
        }),
        payloadLength,
        policy: 'malformed',
      };
    }
    return { type, typeName, payloadLength };
  }

  protected finish(h: TlvHeader, value: Uint8Array, _owned: boolean, frameStart: number): TlvMessage | FramingError {
    if (h.typeName === 'binary') return { type: h.type, typeName: 'binary', value };
    const text = utf8DecodeStrict(value);
    if (text === null) {
      return new FramingError('INVALID_UTF8', `TLV text value (type ${h.type}) is not valid UTF-8`, frameStart, { type: h.type });
    }
    return { type: h.type, typeName: 'text', value, text };
  }
}

export function createTlvEncoder(): Encoder<TlvInput> {
  return new TlvEncoder();
}

export function createTlvDecoder(options?: TlvDecoderOptions): Decoder<TlvMessage> {
  return new TlvDecoder(options);
}
