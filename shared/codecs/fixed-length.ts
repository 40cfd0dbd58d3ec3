/**
 * Fixed-length framing: every message is exactly `frameSize` bytes; no header, no delimiter.
 *
 *   | frameSize bytes | frameSize bytes | ...
 *
 * Encoder policy for messages of the wrong size (documented in docs/codecs.md):
 * - shorter: `onShort: 'pad'` (default) appends `padByte` (default 0x00) up to frameSize;
 *   `onShort: 'error'` throws WRONG_SIZE.
 * - longer: `onLong: 'error'` (default) throws WRONG_SIZE; `onLong: 'truncate'` keeps the first
 *   frameSize bytes (the rest is lost, silently: that is what truncation means).
 * The decoder cannot tell padding from data; `stripPadding: true` removes trailing `padByte`s from
 * each message (lossy for binary data that ends in that byte, so off by default).
 *
 * The frame size is the maximum frame size: it must not exceed `maxFrameSize`, and the decoder
 * never holds more than frameSize - 1 bytes.
 */
import { BaseDecoder, checkInteger } from './base.js';
import { Pieces, copyBytes } from './bytes.js';
import { FramingError, type DecodeResult, type Decoder, type DecoderOptions, type Encoder } from './types.js';

export const CODEC = 'fixed-length';
export const DEFAULT_FRAME_SIZE = 16;

export interface FixedLengthOptions {
  /** Bytes per message (default 16). */
  frameSize?: number;
  /** Byte used to pad short messages, and stripped by `stripPadding` (default 0). */
  padByte?: number;
}

export interface FixedLengthEncoderOptions extends FixedLengthOptions {
  onShort?: 'pad' | 'error';
  onLong?: 'error' | 'truncate';
}

export interface FixedLengthDecoderOptions extends DecoderOptions, FixedLengthOptions {
  stripPadding?: boolean;
}

function resolve(o: FixedLengthOptions | undefined): { frameSize: number; padByte: number } {
  return {
    frameSize: checkInteger('frameSize', o?.frameSize ?? DEFAULT_FRAME_SIZE, 1, 2 ** 30),
    padByte: checkInteger('padByte', o?.padByte ?? 0, 0, 255),
  };
}

class FixedLengthEncoder implements Encoder<Uint8Array> {
  readonly codec = CODEC;
  private readonly frameSize: number;
  private readonly padByte: number;
  private readonly onShort: 'pad' | 'error';
  private readonly onLong: 'error' | 'truncate';
  constructor(o: FixedLengthEncoderOptions | undefined) {
    ({ frameSize: this.frameSize, padByte: this.padByte } = resolve(o));
    this.onShort = o?.onShort ?? 'pad';
    this.onLong = o?.onLong ?? 'error';
  }
  encode(message: Uint8Array): Uint8Array {
    const size = this.frameSize;
    if (message.length > size) {
      if (this.onLong === 'error') {
        throw new FramingError('WRONG_SIZE', `message of ${message.length} bytes is longer than the frame size ${size}`, size);
      }
      return copyBytes(message, 0, size);
    }
    if (message.length < size && this.onShort === 'error') {
      throw new FramingError('WRONG_SIZE', `message of ${message.length} bytes is shorter than the frame size ${size}`, message.length);
    }
    const out = new Uint8Array(size);
    out.set(message, 0);
    if (message.length < size && this.padByte !== 0) out.fill(this.padByte, message.length);
    return out;
  }
}

class FixedLengthDecoder extends BaseDecoder<Uint8Array> {
  private readonly frameSize: number;
  private readonly padByte: number;
  private readonly stripPadding: boolean;
  private readonly pending = new Pieces();

  constructor(o: FixedLengthDecoderOptions | undefined) {
    super(CODEC, o);
    ({ frameSize: this.frameSize, padByte: this.padByte } = resolve(o));
    if (this.frameSize > this.maxFrameSize) {
      throw new RangeError(`frameSize ${this.frameSize} is larger than maxFrameSize ${this.maxFrameSize}`);
    }
    this.stripPadding = o?.stripPadding ?? false;
  }

  get bufferedBytes(): number {
    return this.pending.length;
  }

  protected pendingStart(): number | null {
    return this.pending.length > 0 ? this.base - this.pending.length : null;
  }

  protected releaseOnStop(): void {
    this.pending.clear();
  }

  private out(out: DecodeResult<Uint8Array>[], message: Uint8Array, start: number, copied: boolean): void {
    let len = message.length;
    if (this.stripPadding) {
      while (len > 0 && message[len - 1] === this.padByte) len--;
      if (len !== message.length) message = message.subarray(0, len);
    }
    this.emit(out, message, start, start, start + len, start + this.frameSize, copied);
  }

  protected decode(chunk: Uint8Array, out: DecodeResult<Uint8Array>[]): void {
    const n = chunk.length;
    const size = this.frameSize;
    const base = this.base;
    let pos = 0;
    if (this.pending.length > 0) {
      const need = size - this.pending.length;
      if (n < need) {
        this.pending.add(chunk);
        return;
      }
      const start = base - this.pending.length;
      const message = this.pending.take(this.pending.length, chunk.subarray(0, need));
      this.out(out, message, start, this.pending.lastTakeCopied);
      pos = need;
    }
    while (n - pos >= size) {
      this.out(out, chunk.subarray(pos, pos + size), base + pos, false);
      pos += size;
    }
    if (pos < n) this.pending.add(chunk.subarray(pos));
  }
}

export function createFixedLengthEncoder(options?: FixedLengthEncoderOptions): Encoder<Uint8Array> {
  return new FixedLengthEncoder(options);
}

export function createFixedLengthDecoder(options?: FixedLengthDecoderOptions): Decoder<Uint8Array> {
  return new FixedLengthDecoder(options);
}
