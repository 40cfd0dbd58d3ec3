/**
 * The common streaming interface every framing codec implements.
 *
 * Shared by the Node side (actors, lab server) and the browser UI, so nothing here may import
 * `node:` modules or use `Buffer`: bytes are `Uint8Array`.
 *
 * - An {@link Encoder} turns one message into the exact bytes to write.
 * - A {@link Decoder} is fed the byte stream in whatever chunks the socket delivered
 *   (`push(chunk)`) and returns what those bytes completed: decoded messages with their byte
 *   offsets in the stream, or named {@link FramingError}s. `end()` says whether the stream stopped
 *   in the middle of a frame.
 *
 * Ownership: a decoded message is a view of the pushed chunk whenever its bytes were contiguous in
 * that chunk (no copy), and the decoder may keep views of a chunk until the frame it started is
 * complete. So a caller must not overwrite a chunk after pushing it. A message whose bytes spanned
 * chunks is copied exactly once into a fresh buffer (`copied: true`).
 */

/** What a decoder does when a frame declares (or grows) beyond `maxFrameSize`. */
export type OnOversize = 'error-and-stop' | 'skip';
/**
 * What a decoder does with a malformed frame whose extent is still known (an unknown TLV type, a
 * text payload that is not UTF-8, a WebSocket protocol violation in a frame whose length is
 * readable). Malformed input whose extent cannot be known always stops the decoder.
 */
export type OnMalformed = 'error-and-stop' | 'skip';

/**
 * The maximum request length in seed 003 (`make([]byte, 128)`, "to prevent flood attack"; the
 * seed's comment says 128KB but the buffer is 128 bytes). Experiments pass it as `maxFrameSize`.
 */
export const SEED_MAX_REQUEST_LENGTH = 128;
/** Default `maxFrameSize` when none is given: 64 KiB of payload. */
export const DEFAULT_MAX_FRAME_SIZE = 65536;
/** Largest accepted `maxFrameSize` (1 GiB): a bound on what a decoder may ever hold. */
export const MAX_MAX_FRAME_SIZE = 2 ** 30;

export type FramingErrorCode =
  // decoders, every format
  | 'FRAME_TOO_LARGE' // payload longer than maxFrameSize (declared, or grown without a delimiter)
  | 'MALFORMED' // bytes that cannot be a frame of this format, extent unknown
  // TLV
  | 'UNKNOWN_TYPE' // TLV type byte not in the type table
  | 'INVALID_UTF8' // a text payload (TLV text, WebSocket text or close reason) is not UTF-8
  // WebSocket (RFC 6455 section 5)
  | 'RESERVED_BITS' // RSV1-3 set without a negotiated extension
  | 'RESERVED_OPCODE' // opcode 0x3-0x7 or 0xB-0xF
  | 'CONTROL_FRAME_TOO_LARGE' // close/ping/pong payload over 125 bytes
  | 'FRAGMENTED_CONTROL_FRAME' // close/ping/pong with FIN clear
  | 'UNEXPECTED_CONTINUATION' // continuation frame with no fragmented message open
  | 'EXPECTED_CONTINUATION' // new text/binary frame while a fragmented message is open
  | 'MASK_MISMATCH' // client frame unmasked, or server frame masked
  | 'NON_MINIMAL_LENGTH' // payload length not in its shortest form (only when asked to check)
  | 'INVALID_CLOSE_PAYLOAD' // close payload of 1 byte, or a status code not allowed on the wire
  // HTTP head before the WebSocket frames
  | 'HEAD_TOO_LARGE' // no end of head within maxHeadSize bytes
  | 'NOT_UPGRADED' // the head is not a WebSocket upgrade (or the response is not 101)
  // encoders (thrown)
  | 'DELIMITER_IN_MESSAGE' // the message contains the delimiter: it would decode as two
  | 'WRONG_SIZE' // fixed-length message of the wrong size with policy 'error'
  | 'UNENCODABLE'; // a value the format cannot carry (length over 2^32-1, type byte over 255, ...)

export type FramingErrorDetail = Readonly<Record<string, string | number | boolean | null>>;

/**
 * A named framing error. `offset` is the stream offset of the first byte of the offending frame
 * (for a decoder), or the index inside the message (for an encoder, which throws it).
 */
export class FramingError extends Error {
  override readonly name = 'FramingError';
  readonly code: FramingErrorCode;
  readonly offset: number;
  readonly detail: FramingErrorDetail | undefined;

  constructor(code: FramingErrorCode, message: string, offset: number, detail?: FramingErrorDetail) {
    super(message);
    this.code = code;
    this.offset = offset;
    this.detail = detail;
  }

  toJSON(): { name: 'FramingError'; code: FramingErrorCode; message: string; offset: number; detail?: FramingErrorDetail } {
    return this.detail === undefined
      ? { name: this.name, code: this.code, message: this.message, offset: this.offset }
      : { name: this.name, code: this.code, message: this.message, offset: this.offset, detail: this.detail };
  }
}

export function isFramingError(e: unknown): e is FramingError {
  return e instanceof FramingError;
}

/**
 * One decoded message. Offsets are absolute stream offsets (bytes since the decoder's
 * `startOffset`); ranges are half-open. `[start, end)` is the whole frame (header, payload, trailing
 * delimiter); `[payloadStart, payloadEnd)` is the payload inside it, so a hex view can colour both.
 */
export interface DecodedMessage<M> {
  readonly kind: 'message';
  readonly message: M;
  readonly start: number;
  readonly end: number;
  readonly payloadStart: number;
  readonly payloadEnd: number;
  /** True when the payload bytes were copied (once) because they spanned chunks (or had to be unmasked). */
  readonly copied: boolean;
}

/** A framing error met while decoding, and what the decoder did about it. */
export interface DecodeError {
  readonly kind: 'error';
  readonly error: FramingError;
  /** Same as `error.offset`: where the offending frame starts. */
  readonly offset: number;
  /** 'stop': the decoder discards everything from here on. 'skip': it resumes at the next frame. */
  readonly action: 'stop' | 'skip';
  /**
   * When skipping a frame of known extent, the stream offset where decoding resumes; null when
   * stopping or when the resume point is the next delimiter (not yet seen).
   */
  readonly resumeAt: number | null;
}

export type DecodeResult<M> = DecodedMessage<M> | DecodeError;

export interface EndResult {
  /** The stream ended inside a frame (header, payload, or a frame being skipped). */
  readonly incomplete: boolean;
  /** Bytes of that incomplete frame that arrived (0 when complete). They are never decoded. */
  readonly pendingBytes: number;
  /** Stream offset where the incomplete frame starts, or null. */
  readonly pendingStart: number | null;
  /** The decoder had stopped on an error before the end. */
  readonly stopped: boolean;
  /** Stream offset just past the last byte pushed. */
  readonly totalBytes: number;
}

/** Counters a decoder keeps about itself; the benchmark and tests read them. */
export interface DecoderStats {
  readonly bytesIn: number;
  readonly messages: number;
  readonly errors: number;
  /** Messages whose payload was copied (each at most once). */
  readonly copiedMessages: number;
  readonly copiedBytes: number;
  /** Bytes thrown away: skipped frames and everything after a stop. */
  readonly discardedBytes: number;
  /** Highest `bufferedBytes` seen at the end of any `push`. */
  readonly peakBufferedBytes: number;
}

export interface Decoder<M> {
  /** Registry name of the codec. */
  readonly codec: string;
  /** Feeds the next bytes of the stream; returns what they completed, in stream order. */
  push(chunk: Uint8Array): DecodeResult<M>[];
  /** Declares the end of the stream. Further `push` calls throw. */
  end(): EndResult;
  /**
   * Bytes of incomplete frames the decoder holds (retained views of pushed chunks, plus header
   * bytes copied into its scratch). Never above `maxFrameSize` plus the format's header or delimiter
   * overhead.
   */
  readonly bufferedBytes: number;
  /** Stream offset of the next byte to be pushed. */
  readonly position: number;
  /** True once an error with action 'stop' was reported. */
  readonly stopped: boolean;
  readonly stats: DecoderStats;
}

export interface Encoder<In> {
  readonly codec: string;
  /** The exact bytes to write for one message. Throws {@link FramingError} for unencodable input. */
  encode(message: In): Uint8Array;
}

/** Options every decoder accepts. */
export interface DecoderOptions {
  /** Largest payload accepted, in bytes (default {@link DEFAULT_MAX_FRAME_SIZE}). */
  maxFrameSize?: number;
  /** Default 'error-and-stop'. */
  onOversize?: OnOversize;
  /** Default 'error-and-stop'. */
  onMalformed?: OnMalformed;
  /** Stream offset of the first byte pushed (default 0), for decoders that take over mid-stream. */
  startOffset?: number;
}
