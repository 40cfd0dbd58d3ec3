/**
 * Delimiter framing: each message is followed by a delimiter (default "\n", as in seed 004's
 * server and Go's bufio.Scanner with ScanLines). The delimiter can be any 1-64 bytes ("\r\n", "\0",
 * "END").
 *
 *   | message bytes ... | delimiter |
 *
 * Differences from bufio.Scanner, on purpose: a trailing "\r" is kept unless `stripCR` is set (so
 * any bytes round-trip), and an unterminated last line is not returned at end of stream: `end()`
 * reports it as incomplete instead (a truncated stream never yields a wrong message).
 *
 * The search uses `Uint8Array.prototype.indexOf` and scans each byte once; a multi-byte delimiter
 * split across chunks is found from the last (length - 1) bytes of the previous chunks.
 * Memory: a message without its delimiter is held (as views) only up to maxFrameSize +
 * delimiter length - 1 bytes; past that it is FRAME_TOO_LARGE, and on 'skip' the decoder discards
 * up to the next delimiter without holding anything but the last (delimiter length - 1) bytes.
 */
import { BaseDecoder } from './base.js';
import { Pieces, copyBytes, toBytes } from './bytes.js';
import { FramingError, type DecodeResult, type Decoder, type DecoderOptions, type Encoder } from './types.js';

export const CODEC = 'delimiter';
export const MAX_DELIMITER_LENGTH = 64;

export interface DelimiterOptions {
  /** The delimiter: a string (UTF-8), bytes, or one byte value. Default "\n". */
  delimiter?: string | Uint8Array | number;
}

export type DelimiterEncoderOptions = DelimiterOptions;

export interface DelimiterDecoderOptions extends DecoderOptions, DelimiterOptions {
  /** Drop one "\r" right before a "\n" delimiter, like bufio.ScanLines (default false). */
  stripCR?: boolean;
}

export function delimiterBytes(d: string | Uint8Array | number | undefined): Uint8Array {
  let bytes: Uint8Array;
  if (d === undefined) bytes = new Uint8Array([10]);
  else if (typeof d === 'number') {
    if (!Number.isInteger(d) || d < 0 || d > 255) throw new RangeError(`delimiter byte must be 0-255, got ${d}`);
    bytes = new Uint8Array([d]);
  } else bytes = copyBytes(toBytes(d));
  if (bytes.length < 1 || bytes.length > MAX_DELIMITER_LENGTH) {
    throw new RangeError(`delimiter must be 1-${MAX_DELIMITER_LENGTH} bytes, got ${bytes.length}`);
  }
  return bytes;
}

/** Index of the first full occurrence of `delim` in buf[from..], or -1. */
function findDelimiter(buf: Uint8Array, delim: Uint8Array, from: number): number {
  const dlen = delim.length;
  const first = delim[0]!;
  if (dlen === 1) return buf.indexOf(first, from);
  const last = buf.length - dlen;
  let i = buf.indexOf(first, from);
  while (i >= 0 && i <= last) {
    let j = 1;
    while (j < dlen && buf[i + j] === delim[j]) j++;
    if (j === dlen) return i;
    i = buf.indexOf(first, i + 1);
  }
  return -1;
}

class DelimiterEncoder implements Encoder<Uint8Array> {
  readonly codec = CODEC;
  private readonly delim: Uint8Array;
  constructor(o: DelimiterEncoderOptions | undefined) {
    this.delim = delimiterBytes(o?.delimiter);
  }
  encode(message: Uint8Array): Uint8Array {
    const out = new Uint8Array(message.length + this.delim.length);
    out.set(message, 0);
    out.set(this.delim, message.length);
    // The first delimiter in message + delimiter must be the one we appended, or the peer would
    // split the message (this also catches a message ending in a prefix of the delimiter).
    const first = findDelimiter(out, this.delim, 0);
    if (first !== message.length) {
      throw new FramingError(
        'DELIMITER_IN_MESSAGE',
        `message contains the delimiter at index ${first}; it would be decoded as more than one message`,
        first,
      );
    }
    return out;
  }
}

class DelimiterDecoder extends BaseDecoder<Uint8Array> {
  private readonly delim: Uint8Array;
  private readonly dlen: number;
  private readonly first: number;
  private readonly stripCR: boolean;
  private readonly pending = new Pieces();
  private frameStart: number;
  private skipping = false;
  /** Last (dlen - 1) bytes of the current frame so far, to find a delimiter split across chunks. */
  private readonly tail: Uint8Array;
  private tailLen = 0;

  constructor(o: DelimiterDecoderOptions | undefined) {
    super(CODEC, o);
    this.delim = delimiterBytes(o?.delimiter);
    this.dlen = this.delim.length;
    this.first = this.delim[0]!;
    this.stripCR = o?.stripCR ?? false;
    this.tail = new Uint8Array(this.dlen - 1);
    this.frameStart = this.base;
  }

  get bufferedBytes(): number {
    return this.pending.length + (this.skipping ? this.tailLen : 0);
  }

  protected pendingStart(): number | null {
    return this.pending.length > 0 || this.skipping || this.tailLen > 0 ? this.frameStart : null;
  }

  protected releaseOnStop(): void {
    this.pending.clear();
    this.tailLen = 0;
    this.skipping = false;
  }

  /**
   * A delimiter that starts in the tail (previous chunks) and ends in this chunk: returns the chunk
   * index just past it, or -1. Earliest start wins, as in a plain left-to-right search.
   */
  private straddle(chunk: Uint8Array): number {
    const t = this.tailLen;
    const d = this.delim;
    for (let s = 0; s < t; s++) {
      const inTail = t - s;
      const need = this.dlen - inTail;
      if (need > chunk.length) continue;
      let j = 0;
      while (j < inTail && this.tail[s + j] === d[j]) j++;
      if (j < inTail) continue;
      while (j < this.dlen && chunk[j - inTail] === d[j]) j++;
      if (j === this.dlen) return need;
    }
    return -1;
  }

  /** Ends the current frame with the delimiter ending at stream offset `delimEnd`. */
  private complete(
    out: DecodeResult<Uint8Array>[],
    chunk: Uint8Array,
    from: number,
    idx: number,
    delimEnd: number,
    stolen: number,
  ): boolean {
    // Payload = pending (minus `stolen` bytes that turned out to be the delimiter's start) + chunk[from, idx).
    const start = this.frameStart;
    this.frameStart = delimEnd;
    if (this.skipping) {
      this.skipping = false;
      this.counters.discardedBytes += idx - from + this.dlen - stolen;
      return true;
    }
    let len = this.pending.length - stolen + (idx - from);
    if (len > this.maxFrameSize) {
      const action = this.policyAction(this.onOversize);
      const err = new FramingError(
        'FRAME_TOO_LARGE',
        `message of ${len} bytes is longer than maxFrameSize ${this.maxFrameSize}`,
        start,
        { length: len, maxFrameSize: this.maxFrameSize },
      );
      this.pending.clear();
      this.fail(out, err, action, delimEnd, chunk, idx + this.dlen - stolen);
      if (action === 'stop') return false;
      this.counters.discardedBytes += delimEnd - start;
      return true;
    }
    let message: Uint8Array;
    let copied: boolean;
    if (this.pending.length === 0) {
      message = chunk.subarray(from, idx);
      copied = false;
    } else {
      // One copy if the payload spans chunks; a view if it lies in one (earlier, or this) chunk.
      message = this.pending.take(this.pending.length - stolen, chunk.subarray(from, idx));
      copied = this.pending.lastTakeCopied;
    }
    if (this.stripCR && len > 0 && message[len - 1] === 13 && this.delim[0] === 10 && this.dlen === 1) {
      message = message.subarray(0, len - 1);
      len--;
    }
    this.emit(out, message, start, start, start + len, delimEnd, copied);
    return true;
  }

  protected decode(chunk: Uint8Array, out: DecodeResult<Uint8Array>[]): void {
    const n = chunk.length;
    const base = this.base;
    const dlen = this.dlen;
    let pos = 0;
    let frameEnded = false;

    if (this.tailLen > 0) {
      const after = this.straddle(chunk);
      if (after >= 0) {
        frameEnded = true;
        if (!this.complete(out, chunk, 0, 0, base + after, dlen - after)) return;
        pos = after;
      }
    }

    const fast = !this.stripCR;
    for (;;) {
      const idx = dlen === 1 ? chunk.indexOf(this.first, pos) : findDelimiter(chunk, this.delim, pos);
      if (idx < 0) break;
      frameEnded = true;
      if (fast && this.pending.length === 0 && !this.skipping && idx - pos <= this.maxFrameSize) {
        // The common case: the whole message lies in this chunk. Return a view of it.
        const start = this.frameStart;
        const end = base + idx + dlen;
        this.emit(out, chunk.subarray(pos, idx), start, start, base + idx, end, false);
        this.frameStart = end;
      } else if (!this.complete(out, chunk, pos, idx, base + idx + dlen, 0)) return;
      pos = idx + dlen;
    }

    if (pos < n) {
      const rest = chunk.subarray(pos);
      if (this.skipping) {
        this.counters.discardedBytes += rest.length;
      } else {
        this.pending.add(rest);
        if (this.pending.length > this.maxFrameSize + dlen - 1) {
          // Longer than any allowed message even if its last bytes begin a delimiter.
          const action = this.policyAction(this.onOversize);
          const err = new FramingError(
            'FRAME_TOO_LARGE',
            `no delimiter within maxFrameSize ${this.maxFrameSize} bytes`,
            this.frameStart,
            { length: null, maxFrameSize: this.maxFrameSize },
          );
          this.counters.discardedBytes += this.pending.length;
          this.pending.clear();
          if (action === 'skip') this.skipping = true;
          this.fail(out, err, action, null, chunk, n);
          if (action === 'stop') return;
        }
      }
    }

    if (dlen > 1) this.keepTail(chunk, pos, frameEnded);
  }

  private keepTail(chunk: Uint8Array, pos: number, frameEnded: boolean): void {
    const keep = this.dlen - 1;
    const region = chunk.length - pos;
    if (frameEnded) this.tailLen = 0;
    if (region >= keep) {
      this.tail.set(chunk.subarray(chunk.length - keep), 0);
      this.tailLen = keep;
      return;
    }
    const fromOld = Math.min(this.tailLen, keep - region);
    this.tail.copyWithin(0, this.tailLen - fromOld, this.tailLen);
    this.tail.set(chunk.subarray(pos), fromOld);
    this.tailLen = fromOld + region;
  }
}

export function createDelimiterEncoder(options?: DelimiterEncoderOptions): Encoder<Uint8Array> {
  return new DelimiterEncoder(options);
}

export function createDelimiterDecoder(options?: DelimiterDecoderOptions): Decoder<Uint8Array> {
  return new DelimiterDecoder(options);
}
