/**
 * Bookkeeping shared by the decoders: stream offsets, the stop/skip policy, counters, and (for the
 * header + payload formats) the state machine that gathers a header, then a payload, or skips one.
 */
import { Pieces } from './bytes.js';
import {
  DEFAULT_MAX_FRAME_SIZE,
  FramingError,
  MAX_MAX_FRAME_SIZE,
  type DecodeResult,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type EndResult,
  type OnMalformed,
  type OnOversize,
} from './types.js';

export function checkInteger(name: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer in [${min}, ${max}], got ${String(value)}`);
  }
  return value;
}

function checkPolicy<T extends string>(name: string, value: T | undefined, fallback: T, allowed: readonly T[]): T {
  const v = value ?? fallback;
  if (!allowed.includes(v)) throw new RangeError(`${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  return v;
}

const POLICIES = ['error-and-stop', 'skip'] as const;

export interface ResolvedDecoderOptions {
  maxFrameSize: number;
  onOversize: OnOversize;
  onMalformed: OnMalformed;
  startOffset: number;
}

export function resolveDecoderOptions(o: DecoderOptions | undefined): ResolvedDecoderOptions {
  return {
    maxFrameSize: checkInteger('maxFrameSize', o?.maxFrameSize ?? DEFAULT_MAX_FRAME_SIZE, 0, MAX_MAX_FRAME_SIZE),
    onOversize: checkPolicy('onOversize', o?.onOversize, 'error-and-stop', POLICIES),
    onMalformed: checkPolicy('onMalformed', o?.onMalformed, 'error-and-stop', POLICIES),
    startOffset: checkInteger('startOffset', o?.startOffset ?? 0, 0, Number.MAX_SAFE_INTEGER),
  };
}

interface MutableStats {
  bytesIn: number;
  messages: number;
  errors: number;
  copiedMessages: number;
  copiedBytes: number;
  discardedBytes: number;
  peakBufferedBytes: number;
}

export abstract class BaseDecoder<M> implements Decoder<M> {
  readonly codec: string;
  protected readonly maxFrameSize: number;
  protected readonly onOversize: OnOversize;
  protected readonly onMalformed: OnMalformed;
  /** Stream offset of chunk[0] during `decode`, of the next byte otherwise. */
  protected base: number;
  protected halted = false;
  private ended = false;
  protected readonly counters: MutableStats = {
    bytesIn: 0,
    messages: 0,
    errors: 0,
    copiedMessages: 0,
    copiedBytes: 0,
    discardedBytes: 0,
    peakBufferedBytes: 0,
  };

  constructor(codec: string, options: DecoderOptions | undefined) {
    this.codec = codec;
    const o = resolveDecoderOptions(options);
    this.maxFrameSize = o.maxFrameSize;
    this.onOversize = o.onOversize;
    this.onMalformed = o.onMalformed;
    this.base = o.startOffset;
  }

  abstract get bufferedBytes(): number;

  get position(): number {
    return this.base;
  }

  get stopped(): boolean {
    return this.halted;
  }

  get stats(): DecoderStats {
    return this.counters;
  }

  push(chunk: Uint8Array): DecodeResult<M>[] {
    if (this.ended) throw new Error(`${this.codec} decoder: push() after end()`);
    const n = chunk.length;
    this.counters.bytesIn += n;
    const out: DecodeResult<M>[] = [];
    if (this.halted) {
      this.counters.discardedBytes += n;
    } else if (n > 0) {
      this.decode(chunk, out);
    }
    this.base += n;
    const held = this.bufferedBytes;
    if (held > this.counters.peakBufferedBytes) this.counters.peakBufferedBytes = held;
    return out;
  }

  end(): EndResult {
    this.ended = true;
    const start = this.halted ? null : this.pendingStart();
    return {
      incomplete: start !== null,
      pendingBytes: start === null ? 0 : this.base - start,
      pendingStart: start,
      stopped: this.halted,
      totalBytes: this.base,
    };
  }

  /** Decodes one non-empty chunk whose first byte is at stream offset `this.base`. */
  protected abstract decode(chunk: Uint8Array, out: DecodeResult<M>[]): void;
  /** Stream offset where an incomplete frame starts, or null if the decoder is between frames. */
  protected abstract pendingStart(): number | null;

  protected emit(
    out: DecodeResult<M>[],
    message: M,
    start: number,
    payloadStart: number,
    payloadEnd: number,
    end: number,
    copied: boolean,
  ): void {
    const c = this.counters;
    c.messages++;
    if (copied) {
      c.copiedMessages++;
      c.copiedBytes += payloadEnd - payloadStart;
    }
    out.push({ kind: 'message', message, start, end, payloadStart, payloadEnd, copied });
  }

  /**
   * Reports an error. With action 'stop' the decoder halts: the caller must return at once and the
   * rest of the current chunk (from `stopFrom`, a chunk index) is counted as discarded.
   */
  protected fail(
    out: DecodeResult<M>[],
    error: FramingError,
    action: 'stop' | 'skip',
    resumeAt: number | null,
    chunk?: Uint8Array,
    stopFrom?: number,
  ): void {
    this.counters.errors++;
    out.push({ kind: 'error', error, offset: error.offset, action, resumeAt: action === 'stop' ? null : resumeAt });
    if (action === 'stop') {
      this.halted = true;
      if (chunk !== undefined && stopFrom !== undefined) this.counters.discardedBytes += chunk.length - stopFrom;
      this.releaseOnStop();
    }
  }

  /** Drops whatever an incomplete frame held, when the decoder stops. */
  protected abstract releaseOnStop(): void;

  protected policyAction(policy: OnOversize | OnMalformed): 'stop' | 'skip' {
    return policy === 'skip' ? 'skip' : 'stop';
  }
}

/** What `parseHeader` returns for a header it rejects. */
export interface HeaderFault {
  readonly fault: FramingError;
  /** Whether the frame's extent is known (then the 'skip' policy can skip it). */
  readonly payloadLength: number | null;
  /** Which policy governs: oversize or malformed. */
  readonly policy: 'oversize' | 'malformed';
}

export interface ParsedHeader {
  readonly payloadLength: number;
}

export function isFault(h: ParsedHeader | HeaderFault): h is HeaderFault {
  return (h as HeaderFault).fault !== undefined;
}

const HEADER = 0;
const PAYLOAD = 1;
const SKIP = 2;

/**
 * Formats made of a header that states the payload length, then the payload: length prefix, TLV,
 * WebSocket frames. The header may arrive split across chunks (it is gathered in a small scratch);
 * the payload is returned as a view when contiguous, otherwise gathered as views and copied once.
 * Oversized or rejected frames of known length are skipped by counting, never buffered.
 */
export abstract class HeaderedDecoder<M, H extends ParsedHeader> extends BaseDecoder<M> {
  private readonly scratch: Uint8Array;
  private have = 0;
  private state = HEADER;
  private header: H | null = null;
  private headerLength = 0;
  private readonly pending = new Pieces();
  private frameStart: number;
  private remaining = 0; // payload bytes still to gather, or to skip

  constructor(codec: string, options: DecoderOptions | undefined, maxHeaderSize: number) {
    super(codec, options);
    this.scratch = new Uint8Array(maxHeaderSize);
    this.frameStart = this.base;
  }

  get bufferedBytes(): number {
    return this.have + this.pending.length;
  }

  /**
   * Header size once it can be told from the `avail` bytes at buf[at..]; otherwise the negated
   * number of bytes needed before it can be told.
   */
  protected abstract headerSize(buf: Uint8Array, at: number, avail: number): number;
  /** Reads a complete header of `len` bytes at buf[at..]. `frameStart` is for error offsets. */
  protected abstract parseHeader(buf: Uint8Array, at: number, len: number, frameStart: number): H | HeaderFault;
  /**
   * Builds the message from its complete payload, or returns the error that rejects it.
   * `owned` means the payload is a fresh buffer the decoder made (it may transform it in place);
   * otherwise it is a view of the caller's chunk. A finish that copies a view calls `markCopied`.
   */
  protected abstract finish(header: H, payload: Uint8Array, owned: boolean, frameStart: number): M | FramingError;

  private copiedByFinish = false;
  protected markCopied(): void {
    this.copiedByFinish = true;
  }

  protected pendingStart(): number | null {
    // A partial header is always the last bytes received.
    if (this.state === HEADER) return this.have === 0 ? null : this.base - this.have;
    return this.frameStart;
  }

  protected releaseOnStop(): void {
    this.pending.clear();
    this.have = 0;
    this.header = null;
  }

  protected decode(chunk: Uint8Array, out: DecodeResult<M>[]): void {
    const n = chunk.length;
    const base = this.base;
    let pos = 0;
    for (;;) {
      if (this.state === HEADER) {
        if (pos >= n) return;
        let hbuf: Uint8Array;
        let hat: number;
        let hlen: number;
        const size = this.have === 0 ? this.headerSize(chunk, pos, n - pos) : 0;
        if (size > 0 && n - pos >= size) {
          // The whole header is in this chunk: read it in place.
          hbuf = chunk;
          hat = pos;
          hlen = size;
          pos += size;
        } else {
          // Gather the header into the scratch, as far as this chunk allows.
          for (;;) {
            const s = this.headerSize(this.scratch, 0, this.have);
            const target = s > 0 ? s : -s;
            if (s > 0 && this.have >= s) break;
            const take = Math.min(target - this.have, n - pos);
            if (take <= 0) return;
            this.scratch.set(chunk.subarray(pos, pos + take), this.have);
            this.have += take;
            pos += take;
          }
          hbuf = this.scratch;
          hat = 0;
          hlen = this.have;
          this.have = 0;
        }
        this.frameStart = base + pos - hlen;
        this.headerLength = hlen;
        const h = this.parseHeader(hbuf, hat, hlen, this.frameStart);
        if (isFault(h)) {
          const policy = h.policy === 'oversize' ? this.onOversize : this.onMalformed;
          const action = h.payloadLength === null ? 'stop' : this.policyAction(policy);
          const resumeAt = h.payloadLength === null ? null : base + pos + h.payloadLength;
          this.fail(out, h.fault, action, resumeAt, chunk, pos);
          if (action === 'stop') return;
          this.counters.discardedBytes += hlen;
          this.state = SKIP;
          this.remaining = h.payloadLength ?? 0;
          continue;
        }
        if (h.payloadLength > this.maxFrameSize) {
          const action = this.policyAction(this.onOversize);
          const err = new FramingError(
            'FRAME_TOO_LARGE',
            `frame declares ${h.payloadLength} payload bytes, more than maxFrameSize ${this.maxFrameSize}`,
            this.frameStart,
            { declaredLength: h.payloadLength, maxFrameSize: this.maxFrameSize },
          );
          this.fail(out, err, action, base + pos + h.payloadLength, chunk, pos);
          if (action === 'stop') return;
          this.counters.discardedBytes += hlen;
          this.state = SKIP;
          this.remaining = h.payloadLength;
          continue;
        }
        this.header = h;
        this.remaining = h.payloadLength;
        this.state = PAYLOAD;
      }

      if (this.state === PAYLOAD) {
        const header = this.header!;
        const need = header.payloadLength;
        let payload: Uint8Array;
        let owned: boolean;
        if (this.pending.length === 0 && n - pos >= need) {
          payload = chunk.subarray(pos, pos + need);
          owned = false;
          pos += need;
        } else {
          const take = Math.min(this.remaining, n - pos);
          this.pending.add(chunk.subarray(pos, pos + take));
          pos += take;
          this.remaining -= take;
          if (this.remaining > 0) return;
          payload = this.pending.take();
          owned = this.pending.lastTakeCopied;
        }
        const start = this.frameStart;
        const payloadStart = start + this.headerLength;
        const payloadEnd = payloadStart + need;
        this.header = null;
        this.state = HEADER;
        this.copiedByFinish = false;
        const done = this.finish(header, payload, owned, start);
        if (done instanceof FramingError) {
          const action = this.policyAction(this.onMalformed);
          this.fail(out, done, action, payloadEnd, chunk, pos);
          if (action === 'stop') return;
          this.counters.discardedBytes += payloadEnd - start;
        } else {
          this.emit(out, done, start, payloadStart, payloadEnd, payloadEnd, owned || this.copiedByFinish);
        }
        continue;
      }

      // SKIP: count the bytes of a rejected frame away without holding them.
      const take = Math.min(this.remaining, n - pos);
      this.counters.discardedBytes += take;
      pos += take;
      this.remaining -= take;
      if (this.remaining > 0) return;
      this.state = HEADER;
    }
  }
}
