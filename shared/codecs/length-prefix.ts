/**
 * Length-prefix framing: a 32-bit big-endian unsigned payload length, then the payload.
 *
 *   0       1       2       3       4 ...
 *   +-------+-------+-------+-------+------------------+
 *   |   length (uint32, big-endian) | payload (length) |
 *   +-------+-------+-------+-------+------------------+
 *
 * A declared length over maxFrameSize is FRAME_TOO_LARGE at the header, before any payload is
 * held; on 'skip' the decoder counts the declared bytes away without buffering them.
 */
import { HeaderedDecoder, type ParsedHeader } from './base.js';
import { FramingError, type Decoder, type DecoderOptions, type Encoder } from './types.js';

export const CODEC = 'length-prefix';
export const HEADER_SIZE = 4;
export const MAX_LENGTH = 0xffffffff;

export type LengthPrefixDecoderOptions = DecoderOptions;

class LengthPrefixEncoder implements Encoder<Uint8Array> {
  readonly codec = CODEC;
  encode(message: Uint8Array): Uint8Array {
    const len = message.length;
    if (len > MAX_LENGTH) throw new FramingError('UNENCODABLE', `message of ${len} bytes does not fit a 32-bit length`, 0);
    const out = new Uint8Array(HEADER_SIZE + len);
    out[0] = len >>> 24;
    out[1] = (len >>> 16) & 255;
    out[2] = (len >>> 8) & 255;
    out[3] = len & 255;
    out.set(message, HEADER_SIZE);
    return out;
  }
}

class LengthPrefixDecoder extends HeaderedDecoder<Uint8Array, ParsedHeader> {
  constructor(o: LengthPrefixDecoderOptions | undefined) {
    super(CODEC, o, HEADER_SIZE);
  }
  protected headerSize(): number {
    return HEADER_SIZE;
  }
  protected parseHeader(buf: Uint8Array, at: number): ParsedHeader {
    const payloadLength = ((buf[at]! << 24) | (buf[at + 1]! << 16) | (buf[at + 2]! << 8) | buf[at + 3]!) >>> 0;
    return { payloadLength };
  }
  protected finish(_h: ParsedHeader, payload: Uint8Array): Uint8Array {
    return payload;
  }
}

export function createLengthPrefixEncoder(): Encoder<Uint8Array> {
  return new LengthPrefixEncoder();
}

export function createLengthPrefixDecoder(options?: LengthPrefixDecoderOptions): Decoder<Uint8Array> {
  return new LengthPrefixDecoder(options);
}
