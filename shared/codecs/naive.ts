/**
 * The naive reader: "one read = one message". Each pushed chunk (one socket read) is taken as one
 * message, as the seed servers do with `conn.Read(buf)`. It exists to show what goes wrong: TCP
 * splits one write into several reads and merges several writes into one read, so these
 * "messages" match what was written only when writes and reads happen to line up.
 *
 * The encoder writes the message bytes as they are (one write per message, nothing added).
 *
 * maxFrameSize plays the part of the read buffer. With `onOversize: 'split'` (the default here) a
 * chunk longer than maxFrameSize becomes several messages of at most maxFrameSize bytes, exactly what
 * Go's `conn.Read` into a 128-byte buffer (seed 003) returns; 'error-and-stop' and 'skip' report
 * FRAME_TOO_LARGE instead (and stop, or drop that chunk).
 */
import { BaseDecoder } from './base.js';
import { FramingError, type DecodeResult, type Decoder, type DecoderOptions, type Encoder, type OnOversize } from './types.js';

export const CODEC = 'naive';

export interface NaiveDecoderOptions extends Omit<DecoderOptions, 'onOversize'> {
  onOversize?: OnOversize | 'split';
}

class NaiveEncoder implements Encoder<Uint8Array> {
  readonly codec = CODEC;
  encode(message: Uint8Array): Uint8Array {
    return message;
  }
}

class NaiveDecoder extends BaseDecoder<Uint8Array> {
  private readonly split: boolean;

  constructor(o: NaiveDecoderOptions | undefined) {
    const split = (o?.onOversize ?? 'split') === 'split';
    super(CODEC, { ...o, onOversize: split ? 'skip' : (o?.onOversize as OnOversize | undefined) });
    this.split = split;
  }

  get bufferedBytes(): number {
    return 0;
  }

  protected pendingStart(): null {
    return null;
  }

  protected releaseOnStop(): void {}

  protected decode(chunk: Uint8Array, out: DecodeResult<Uint8Array>[]): void {
    const n = chunk.length;
    const base = this.base;
    const max = this.maxFrameSize;
    if (n <= max) {
      this.emit(out, chunk, base, base, base + n, base + n, false);
      return;
    }
    if (this.split && max > 0) {
      for (let pos = 0; pos < n; pos += max) {
        const end = Math.min(n, pos + max);
        this.emit(out, chunk.subarray(pos, end), base + pos, base + pos, base + end, base + end, false);
      }
      return;
    }
    const action = this.policyAction(this.onOversize);
    const err = new FramingError('FRAME_TOO_LARGE', `read of ${n} bytes is longer than maxFrameSize ${max}`, base, {
      length: n,
      maxFrameSize: max,
    });
    this.fail(out, err, action, base + n, chunk, 0);
    if (action === 'skip') this.counters.discardedBytes += n;
  }
}

export function createNaiveEncoder(): Encoder<Uint8Array> {
  return new NaiveEncoder();
}

export function createNaiveDecoder(options?: NaiveDecoderOptions): Decoder<Uint8Array> {
  return new NaiveDecoder(options);
}
