/**
 * WebSocket framing (RFC 6455 section 5.2), decoded from raw TCP bytes, and the opening handshake's
 * accept key (section 4.2.2).
 *
 *    0                   1                   2                   3
 *    0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *   +-+-+-+-+-------+-+-------------+-------------------------------+
 *   |F|R|R|R| opcode|M| Payload len |    Extended payload length    |
 *   |I|S|S|S|  (4)  |A|     (7)     |             (16/64)           |
 *   |N|V|V|V|       |S|             |   (if payload len==126/127)   |
 *   | |1|2|3|       |K|             |                               |
 *   +-+-+-+-+-------+-+-------------+ - - - - - - - - - - - - - - - +
 *   |     Extended payload length continued, if payload len == 127  |
 *   + - - - - - - - - - - - - - - - +-------------------------------+
 *   |                               |Masking-key, if MASK set to 1  |
 *   +-------------------------------+-------------------------------+
 *   | Masking-key (continued)       |          Payload Data         |
 *   +-------------------------------- - - - - - - - - - - - - - - - +
 *
 * The decoder returns one {@link WsFrame} per frame (not reassembled messages), unmasked, with
 * FIN, RSV bits, opcode, mask key, which length form was used, and for close frames the code and
 * reason. Protocol violations are named errors (see FramingErrorCode). A masked payload is copied
 * once (unmasked into a fresh buffer) even when contiguous: the caller's chunk is never modified.
 *
 * `createWebSocketStreamDecoder` reads the HTTP Upgrade head first, then frames, with one set of
 * stream offsets, which is how the bytes of one direction of a WebSocket connection look.
 */
import { HeaderedDecoder, type HeaderFault, type ParsedHeader } from './base.js';
import { base64Decode, base64Encode, copyBytes, toBytes, utf8DecodeStrict, utf8Encode } from './bytes.js';
import { DEFAULT_MAX_HEAD_SIZE, HttpHeadScanner, getHeader, headerHasToken, type HttpHead } from './http-head.js';
import { sha1 } from './sha1.js';
import {
  FramingError,
  type DecodeResult,
  type Decoder,
  type DecoderOptions,
  type DecoderStats,
  type Encoder,
  type EndResult,
} from './types.js';

export { parseHttpHead, getHeader, HttpHeadScanner, type HttpHead, type HttpHeader } from './http-head.js';

export const CODEC = 'websocket';

/** RFC 6455 section 1.3: appended to Sec-WebSocket-Key before hashing. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)). */
export function computeAcceptKey(secWebSocketKey: string): string {
  return base64Encode(sha1(secWebSocketKey + WS_GUID));
}

/** A valid Sec-WebSocket-Key is the base64 of 16 bytes (section 4.1). */
export function isValidWebSocketKey(key: string): boolean {
  const raw = base64Decode(key);
  return raw !== null && raw.length === 16;
}

export interface HandshakeCheck {
  readonly ok: boolean;
  readonly key: string | null;
  readonly expectedAccept: string | null;
  readonly actualAccept: string | null;
  readonly problems: readonly string[];
}

/** Checks an Upgrade request and its response against RFC 6455 section 4 (what a client verifies). */
export function checkHandshake(request: HttpHead, response: HttpHead): HandshakeCheck {
  const problems: string[] = [];
  if (request.type !== 'request' || request.method !== 'GET') problems.push('request is not a GET');
  if (!headerHasToken(getHeader(request, 'upgrade'), 'websocket')) problems.push('request lacks Upgrade: websocket');
  if (!headerHasToken(getHeader(request, 'connection'), 'upgrade')) problems.push('request lacks Connection: Upgrade');
  if (getHeader(request, 'sec-websocket-version') !== '13') problems.push('request Sec-WebSocket-Version is not 13');
  const key = getHeader(request, 'sec-websocket-key') ?? null;
  if (key === null) problems.push('request has no Sec-WebSocket-Key');
  else if (!isValidWebSocketKey(key)) problems.push('Sec-WebSocket-Key is not base64 of 16 bytes');
  if (response.type !== 'response' || response.status !== 101) problems.push(`response status is ${response.status ?? 'missing'}, not 101`);
  if (!headerHasToken(getHeader(response, 'upgrade'), 'websocket')) problems.push('response lacks Upgrade: websocket');
  if (!headerHasToken(getHeader(response, 'connection'), 'upgrade')) problems.push('response lacks Connection: Upgrade');
  const expectedAccept = key === null ? null : computeAcceptKey(key);
  const actualAccept = getHeader(response, 'sec-websocket-accept') ?? null;
  if (actualAccept === null) problems.push('response has no Sec-WebSocket-Accept');
  else if (expectedAccept !== null && actualAccept !== expectedAccept) problems.push('Sec-WebSocket-Accept does not match the key');
  return { ok: problems.length === 0, key, expectedAccept, actualAccept, problems };
}

export const OPCODES = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;
export type WsOpcodeName = keyof typeof OPCODES;
const OPCODE_NAMES: readonly (WsOpcodeName | null)[] = [
  'continuation', 'text', 'binary', null, null, null, null, null,
  'close', 'ping', 'pong', null, null, null, null, null,
];
export function opcodeName(opcode: number): WsOpcodeName | null {
  return OPCODE_NAMES[opcode] ?? null;
}
export function isControlOpcode(opcode: number): boolean {
  return (opcode & 0x8) !== 0;
}

/** Which payload-length encoding a frame used: 7-bit, 126 + 16-bit, or 127 + 64-bit. */
export type WsLengthForm = 7 | 16 | 64;

export function minimalLengthForm(length: number): WsLengthForm {
  return length < 126 ? 7 : length < 65536 ? 16 : 64;
}

/** Close codes allowed on the wire (section 7.4; the same test as the ws package). */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1014 && code !== 1004 && code !== 1005 && code !== 1006) || (code >= 3000 && code <= 4999);
}

/** One decoded frame. */
export interface WsFrame {
  readonly kind: 'frame';
  readonly fin: boolean;
  readonly rsv1: boolean;
  readonly rsv2: boolean;
  readonly rsv3: boolean;
  readonly opcode: number;
  readonly opcodeName: WsOpcodeName;
  readonly masked: boolean;
  /** The 4-byte masking key when masked, else null. */
  readonly maskingKey: Uint8Array | null;
  readonly lengthForm: WsLengthForm;
  readonly payloadLength: number;
  /** Unmasked payload. */
  readonly payload: Uint8Array;
  /**
   * Text of a text frame, or of a continuation frame of a text message (UTF-8 decoded across
   * fragments); null otherwise or when `decodeText` is off.
   */
  readonly text: string | null;
  /** Close frames: the status code (null when the payload is empty) and reason. */
  readonly closeCode: number | null;
  readonly closeReason: string | null;
}

/** What the encoder takes. */
export interface WsFrameInput {
  readonly opcode: WsOpcodeName | number;
  /** Payload bytes, or a string sent as UTF-8. For close frames, see closeCode/closeReason. */
  readonly payload?: Uint8Array | string;
  /** Default true. */
  readonly fin?: boolean;
  readonly rsv1?: boolean;
  readonly rsv2?: boolean;
  readonly rsv3?: boolean;
  /** true: a random key; a 4-byte key: that key; false: unmasked. Default: masked when sender is 'client'. */
  readonly mask?: boolean | Uint8Array;
  /** Force a length form (e.g. 64-bit for a short payload, to show it); default the shortest. */
  readonly lengthForm?: WsLengthForm;
  /** Close frames: payload = 2-byte code + UTF-8 reason (ignored when `payload` is given). */
  readonly closeCode?: number;
  readonly closeReason?: string;
  /** Skip the control-frame and opcode checks, to produce invalid frames for a demonstration. */
  readonly unchecked?: boolean;
}

export type WsSender = 'client' | 'server';

export interface WebSocketEncoderOptions {
  /** 'client' masks by default (RFC 6455 section 5.3); 'server' does not. Default 'client'. */
  sender?: WsSender;
  /** Fills a masking key; default crypto.getRandomValues. */
  randomFill?: (key: Uint8Array) => void;
}

export interface WebSocketDecoderOptions extends DecoderOptions {
  /**
   * Who sent the frames: 'client' frames must be masked and 'server' frames must not (else
   * MASK_MISMATCH); 'any' checks neither. Default 'any'.
   */
  sender?: WsSender | 'any';
  /** Accept RSV1 on data frames (permessage-deflate was negotiated). The payload is not inflated. */
  allowRsv1?: boolean;
  /** Reject lengths not written in their shortest form (NON_MINIMAL_LENGTH). Default false, like ws. */
  rejectNonMinimalLength?: boolean;
  /** Decode text payloads to `text` (default true). */
  decodeText?: boolean;
}

function defaultRandomFill(key: Uint8Array): void {
  globalThis.crypto.getRandomValues(key);
}

/**
 * XORs buf[from, to) in place with the masking key (RFC 6455 section 5.3), key byte (i - from) % 4
 * for byte i. Works a 32-bit word at a time once aligned.
 */
function maskInPlace(buf: Uint8Array, from: number, to: number, key: Uint8Array): void {
  let i = from;
  if (to - from >= 32) {
    while (((buf.byteOffset + i) & 3) !== 0) {
      buf[i] = buf[i]! ^ key[(i - from) & 3]!;
      i++;
    }
    const r = (i - from) & 3;
    const rotated = new Uint8Array([key[r]!, key[(r + 1) & 3]!, key[(r + 2) & 3]!, key[(r + 3) & 3]!]);
    const word = new Uint32Array(rotated.buffer)[0]!; // platform byte order, as the view below
    const words = new Uint32Array(buf.buffer, buf.byteOffset + i, (to - i) >>> 2);
    for (let w = 0; w < words.length; w++) words[w] = words[w]! ^ word;
    i += words.length << 2;
  }
  for (; i < to; i++) buf[i] = buf[i]! ^ key[(i - from) & 3]!;
}

class WebSocketEncoder implements Encoder<WsFrameInput> {
  readonly codec = CODEC;
  private readonly sender: WsSender;
  private readonly randomFill: (key: Uint8Array) => void;

  constructor(o: WebSocketEncoderOptions | undefined) {
    this.sender = o?.sender ?? 'client';
    this.randomFill = o?.randomFill ?? defaultRandomFill;
  }

  encode(f: WsFrameInput): Uint8Array {
    const opcode = typeof f.opcode === 'number' ? f.opcode : OPCODES[f.opcode];
    if (!Number.isInteger(opcode) || opcode < 0 || opcode > 15) throw new FramingError('UNENCODABLE', `opcode must be 0-15, got ${opcode}`, 0);
    const fin = f.fin ?? true;
    let payload: Uint8Array;
    if (f.payload !== undefined) payload = toBytes(f.payload);
    else if (f.closeCode !== undefined) {
      const reason = utf8Encode(f.closeReason ?? '');
      payload = new Uint8Array(2 + reason.length);
      payload[0] = (f.closeCode >>> 8) & 255;
      payload[1] = f.closeCode & 255;
      payload.set(reason, 2);
    } else payload = new Uint8Array(0);
    const len = payload.length;
    if (!f.unchecked) {
      if (opcodeName(opcode) === null) throw new FramingError('RESERVED_OPCODE', `opcode 0x${opcode.toString(16)} is reserved`, 0);
      if (isControlOpcode(opcode)) {
        if (len > 125) throw new FramingError('CONTROL_FRAME_TOO_LARGE', `control frame payload of ${len} bytes is over 125`, 0);
        if (!fin) throw new FramingError('FRAGMENTED_CONTROL_FRAME', 'control frames cannot be fragmented', 0);
      }
    }
    const form = f.lengthForm ?? minimalLengthForm(len);
    if ((form === 7 && len > 125) || (form === 16 && len > 0xffff) || len > Number.MAX_SAFE_INTEGER) {
      throw new FramingError('UNENCODABLE', `payload of ${len} bytes does not fit the ${form}-bit length form`, 0);
    }
    let key: Uint8Array | null = null;
    if (f.mask instanceof Uint8Array) {
      if (f.mask.length !== 4) throw new FramingError('UNENCODABLE', 'masking key must be 4 bytes', 0);
      key = f.mask;
    } else if (f.mask ?? this.sender === 'client') {
      key = new Uint8Array(4);
      this.randomFill(key);
    }
    const headerLen = 2 + (form === 16 ? 2 : form === 64 ? 8 : 0) + (key === null ? 0 : 4);
    const out = new Uint8Array(headerLen + len);
    out[0] = (fin ? 0x80 : 0) | (f.rsv1 ? 0x40 : 0) | (f.rsv2 ? 0x20 : 0) | (f.rsv3 ? 0x10 : 0) | opcode;
    const maskBit = key === null ? 0 : 0x80;
    let at = 2;
    if (form === 7) out[1] = maskBit | len;
    else if (form === 16) {
      out[1] = maskBit | 126;
      out[2] = len >>> 8;
      out[3] = len & 255;
      at = 4;
    } else {
      out[1] = maskBit | 127;
      const hi = Math.floor(len / 0x100000000);
      const lo = len >>> 0;
      out[2] = hi >>> 24;
      out[3] = (hi >>> 16) & 255;
      out[4] = (hi >>> 8) & 255;
      out[5] = hi & 255;
      out[6] = lo >>> 24;
      out[7] = (lo >>> 16) & 255;
      out[8] = (lo >>> 8) & 255;
      out[9] = lo & 255;
      at = 10;
    }
    if (key !== null) {
      out.set(key, at);
      at += 4;
    }
    out.set(payload, at);
    if (key !== null) maskInPlace(out, at, out.length, key);
    return out;
  }
}

/** The part of TextDecoder used here (the type is not global in a lib without DOM). */
interface Utf8StreamDecoder {
  decode(input: Uint8Array, options?: { stream?: boolean }): string;
}

interface WsHeader extends ParsedHeader {
  readonly b0: number;
  readonly opcode: number;
  readonly masked: boolean;
  readonly maskingKey: Uint8Array | null;
  readonly lengthForm: WsLengthForm;
  /** Whether this frame belongs to a text message (text frame, or continuation of one). */
  readonly textMessage: boolean;
}

class WebSocketFrameDecoder extends HeaderedDecoder<WsFrame, WsHeader> {
  private readonly sender: WsSender | 'any';
  private readonly allowRsv1: boolean;
  private readonly rejectNonMinimal: boolean;
  private readonly decodeText: boolean;
  /** Opcode of the fragmented message in progress (1 or 2), or 0. */
  private fragmented = 0;
  /** Whether that message is compressed (RSV1 on its first frame, permessage-deflate). */
  private fragmentedCompressed = false;
  /** Streaming UTF-8 decoder for a fragmented text message. */
  private textDecoder: Utf8StreamDecoder | null = null;
  private textBroken = false;

  constructor(o: WebSocketDecoderOptions | undefined) {
    super(CODEC, o, 14);
    this.sender = o?.sender ?? 'any';
    this.allowRsv1 = o?.allowRsv1 ?? false;
    this.rejectNonMinimal = o?.rejectNonMinimalLength ?? false;
    this.decodeText = o?.decodeText ?? true;
  }

  protected headerSize(buf: Uint8Array, at: number, avail: number): number {
    if (avail < 2) return -2;
    const b1 = buf[at + 1]!;
    const len7 = b1 & 0x7f;
    return 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (b1 & 0x80 ? 4 : 0);
  }

  protected parseHeader(buf: Uint8Array, at: number, len: number, frameStart: number): WsHeader | HeaderFault {
    const b0 = buf[at]!;
    const b1 = buf[at + 1]!;
    const fin = (b0 & 0x80) !== 0;
    const opcode = b0 & 0x0f;
    const masked = (b1 & 0x80) !== 0;
    const len7 = b1 & 0x7f;
    let payloadLength: number;
    let lengthForm: WsLengthForm;
    if (len7 === 126) {
      payloadLength = (buf[at + 2]! << 8) | buf[at + 3]!;
      lengthForm = 16;
    } else if (len7 === 127) {
      const hi = ((buf[at + 2]! << 24) | (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!) >>> 0;
      const lo = ((buf[at + 6]! << 24) | (buf[at + 7]! << 16) | (buf[at + 8]! << 8) | buf[at + 9]!) >>> 0;
      lengthForm = 64;
      if (hi & 0x80000000) {
        return this.fault('MALFORMED', 'the most significant bit of a 64-bit payload length must be 0', frameStart, null);
      }
      if (hi > 0x1fffff) {
        return this.fault('MALFORMED', 'payload length over 2^53 - 1 bytes', frameStart, null);
      }
      payloadLength = hi * 0x100000000 + lo;
    } else {
      payloadLength = len7;
      lengthForm = 7;
    }
    const fault = (code: Parameters<WebSocketFrameDecoder['fault']>[0], message: string): HeaderFault =>
      this.fault(code, message, frameStart, payloadLength, { opcode, payloadLength });

    if (b0 & 0x30) return fault('RESERVED_BITS', 'RSV2 and RSV3 must be clear');
    const name = opcodeName(opcode);
    if (name === null) return fault('RESERVED_OPCODE', `opcode 0x${opcode.toString(16)} is reserved`);
    const control = isControlOpcode(opcode);
    if (b0 & 0x40 && (!this.allowRsv1 || control || opcode === 0)) {
      return fault('RESERVED_BITS', control || opcode === 0 ? `RSV1 must be clear on ${name} frames` : 'RSV1 must be clear (no extension negotiated)');
    }
    if (control) {
      if (!fin) return fault('FRAGMENTED_CONTROL_FRAME', `${name} frame with FIN clear: control frames cannot be fragmented`);
      if (payloadLength > 125) return fault('CONTROL_FRAME_TOO_LARGE', `${name} frame payload of ${payloadLength} bytes is over 125`);
      if (opcode === OPCODES.close && payloadLength === 1) return fault('INVALID_CLOSE_PAYLOAD', 'close frame payload of 1 byte');
    } else if (opcode === 0) {
      if (this.fragmented === 0) return fault('UNEXPECTED_CONTINUATION', 'continuation frame with no fragmented message in progress');
    } else if (this.fragmented !== 0) {
      return fault('EXPECTED_CONTINUATION', `${name} frame while a fragmented message is in progress (expected continuation)`);
    }
    if (this.sender === 'client' && !masked) return fault('MASK_MISMATCH', 'frames from a client must be masked');
    if (this.sender === 'server' && masked) return fault('MASK_MISMATCH', 'frames from a server must not be masked');
    if (this.rejectNonMinimal && lengthForm !== minimalLengthForm(payloadLength)) {
      return fault('NON_MINIMAL_LENGTH', `length ${payloadLength} written in the ${lengthForm}-bit form`);
    }

    // The frame is acceptable: advance the fragmentation state.
    // Text is decoded and checked as UTF-8 unless the message is compressed (its bytes are deflate).
    let textMessage = false;
    if (!control) {
      const messageOpcode = opcode === 0 ? this.fragmented : opcode;
      const compressed = opcode === 0 ? this.fragmentedCompressed : (b0 & 0x40) !== 0;
      textMessage = messageOpcode === OPCODES.text && !compressed;
      if (opcode !== 0) this.textBroken = false;
      this.fragmented = fin ? 0 : messageOpcode;
      this.fragmentedCompressed = fin ? false : compressed;
    }
    if (payloadLength > this.maxFrameSize) {
      if (textMessage) {
        this.textBroken = true;
        this.textDecoder = null;
      }
      return {
        fault: new FramingError(
          'FRAME_TOO_LARGE',
          `frame declares ${payloadLength} payload bytes, more than maxFrameSize ${this.maxFrameSize}`,
          frameStart,
          { opcode, declaredLength: payloadLength, maxFrameSize: this.maxFrameSize },
        ),
        payloadLength,
        policy: 'oversize',
      };
    }
    const maskingKey = masked ? copyBytes(buf, at + len - 4, at + len) : null;
    return { b0, opcode, masked, maskingKey, lengthForm, payloadLength, textMessage };
  }

  private fault(
    code: 'MALFORMED' | 'RESERVED_BITS' | 'RESERVED_OPCODE' | 'FRAGMENTED_CONTROL_FRAME' | 'CONTROL_FRAME_TOO_LARGE' |
      'INVALID_CLOSE_PAYLOAD' | 'UNEXPECTED_CONTINUATION' | 'EXPECTED_CONTINUATION' | 'MASK_MISMATCH' | 'NON_MINIMAL_LENGTH',
    message: string,
    frameStart: number,
    payloadLength: number | null,
    detail?: Record<string, number>,
  ): HeaderFault {
    return { fault: new FramingError(code, message, frameStart, detail), payloadLength, policy: 'malformed' };
  }

  protected finish(h: WsHeader, raw: Uint8Array, owned: boolean, frameStart: number): WsFrame | FramingError {
    let payload = raw;
    if (h.maskingKey !== null) {
      // Unmask into our own buffer: a copy of the chunk's bytes if we did not copy them already.
      if (!owned) {
        payload = copyBytes(raw);
        this.markCopied();
      }
      maskInPlace(payload, 0, payload.length, h.maskingKey);
    }
    const opcode = h.opcode;
    let text: string | null = null;
    let closeCode: number | null = null;
    let closeReason: string | null = null;
    if (opcode === OPCODES.close) {
      closeReason = '';
      if (payload.length >= 2) {
        closeCode = (payload[0]! << 8) | payload[1]!;
        if (!isValidCloseCode(closeCode)) {
          return new FramingError('INVALID_CLOSE_PAYLOAD', `close code ${closeCode} is not allowed on the wire`, frameStart, { closeCode });
        }
        const reason = utf8DecodeStrict(payload.subarray(2));
        if (reason === null) return new FramingError('INVALID_UTF8', 'close reason is not valid UTF-8', frameStart);
        closeReason = reason;
      }
    } else if (h.textMessage && !this.textBroken) {
      const fin = (h.b0 & 0x80) !== 0;
      if (opcode === OPCODES.text && fin) {
        text = utf8DecodeStrict(payload);
        if (text === null) return new FramingError('INVALID_UTF8', 'text frame is not valid UTF-8', frameStart);
        if (!this.decodeText) text = null;
      } else {
        // A fragment: UTF-8 is checked across the whole message (a character may span fragments).
        if (opcode === OPCODES.text) this.textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
        try {
          text = (this.textDecoder ?? new TextDecoder('utf-8', { fatal: true, ignoreBOM: true })).decode(payload, { stream: !fin });
        } catch {
          this.textDecoder = null;
          this.textBroken = true;
          return new FramingError('INVALID_UTF8', 'text message is not valid UTF-8', frameStart);
        }
        if (fin) this.textDecoder = null;
        if (!this.decodeText) text = null;
      }
    }
    const b0 = h.b0;
    return {
      kind: 'frame',
      fin: (b0 & 0x80) !== 0,
      rsv1: (b0 & 0x40) !== 0,
      rsv2: (b0 & 0x20) !== 0,
      rsv3: (b0 & 0x10) !== 0,
      opcode,
      opcodeName: opcodeName(opcode)!,
      masked: h.masked,
      maskingKey: h.maskingKey,
      lengthForm: h.lengthForm,
      payloadLength: h.payloadLength,
      payload,
      text,
      closeCode,
      closeReason,
    };
  }
}

export function createWebSocketEncoder(options?: WebSocketEncoderOptions): Encoder<WsFrameInput> {
  return new WebSocketEncoder(options);
}

/** Frames only (the bytes after the handshake). */
export function createWebSocketDecoder(options?: WebSocketDecoderOptions): Decoder<WsFrame> {
  return new WebSocketFrameDecoder(options);
}

export type WsStreamItem = HttpHead | WsFrame;

export interface WebSocketStreamDecoderOptions extends WebSocketDecoderOptions {
  /** Expect the HTTP Upgrade head before the frames (default true). */
  handshake?: boolean;
  /** Largest head accepted (default 16 KiB, as Node). */
  maxHeadSize?: number;
}

/**
 * One direction of a WebSocket connection as TCP bytes: the HTTP Upgrade request (or response)
 * head, then frames. When `sender` is not given it follows from the head: frames after a request
 * are the client's (must be masked), after a response the server's (must not be).
 * A response that is not 101, or a head without `Upgrade: websocket`, is NOT_UPGRADED (stop).
 */
class WebSocketStreamDecoder implements Decoder<WsStreamItem> {
  readonly codec = CODEC;
  private readonly options: WebSocketStreamDecoderOptions;
  private scanner: HttpHeadScanner | null;
  private frames: Decoder<WsFrame> | null = null;
  private pos: number;
  private halted = false;
  private ended = false;
  private readonly own = { bytesIn: 0, messages: 0, errors: 0, copiedMessages: 0, copiedBytes: 0, discardedBytes: 0, peakBufferedBytes: 0 };

  constructor(o: WebSocketStreamDecoderOptions | undefined) {
    this.options = { ...o };
    this.pos = o?.startOffset ?? 0;
    // Validate the frame options now rather than after the head.
    new WebSocketFrameDecoder(o);
    if (o?.handshake === false) {
      this.scanner = null;
      this.frames = new WebSocketFrameDecoder(o);
    } else {
      this.scanner = new HttpHeadScanner({ maxHeadSize: o?.maxHeadSize ?? DEFAULT_MAX_HEAD_SIZE, startOffset: this.pos });
    }
  }

  get bufferedBytes(): number {
    return this.scanner !== null ? this.scanner.bufferedBytes : (this.frames?.bufferedBytes ?? 0);
  }

  get position(): number {
    return this.pos;
  }

  get stopped(): boolean {
    return this.halted || (this.frames?.stopped ?? false);
  }

  get stats(): DecoderStats {
    const f = this.frames?.stats;
    const o = this.own;
    return {
      bytesIn: o.bytesIn,
      messages: o.messages + (f?.messages ?? 0),
      errors: o.errors + (f?.errors ?? 0),
      copiedMessages: o.copiedMessages + (f?.copiedMessages ?? 0),
      copiedBytes: o.copiedBytes + (f?.copiedBytes ?? 0),
      discardedBytes: o.discardedBytes + (f?.discardedBytes ?? 0),
      peakBufferedBytes: Math.max(o.peakBufferedBytes, f?.peakBufferedBytes ?? 0),
    };
  }

  push(chunk: Uint8Array): DecodeResult<WsStreamItem>[] {
    if (this.ended) throw new Error('websocket decoder: push() after end()');
    const base = this.pos;
    this.pos += chunk.length;
    this.own.bytesIn += chunk.length;
    if (this.halted) {
      this.own.discardedBytes += chunk.length;
      return [];
    }
    if (this.scanner === null) return this.frames!.push(chunk);
    const step = this.scanner.push(chunk);
    if (step.status === 'incomplete') {
      this.own.peakBufferedBytes = Math.max(this.own.peakBufferedBytes, this.scanner.bufferedBytes);
      return [];
    }
    const out: DecodeResult<WsStreamItem>[] = [];
    if (step.status === 'error') {
      this.stop(out, step.error, chunk.length);
      return out;
    }
    const head = step.head;
    const start = base + step.consumed - head.headLength;
    this.scanner = null;
    this.own.messages++;
    if (step.copied) {
      this.own.copiedMessages++;
      this.own.copiedBytes += head.headLength;
    }
    out.push({ kind: 'message', message: head, start, end: start + head.headLength, payloadStart: start, payloadEnd: start + head.headLength, copied: step.copied });
    const upgraded =
      headerHasToken(getHeader(head, 'upgrade'), 'websocket') && (head.type === 'request' || head.status === 101);
    if (!upgraded) {
      const why = head.type === 'response' && head.status !== 101 ? `response status ${head.status}, not 101` : 'no Upgrade: websocket header';
      this.stop(out, new FramingError('NOT_UPGRADED', `not a WebSocket upgrade (${why}): no frames follow`, start), chunk.length - step.consumed);
      return out;
    }
    const sender = this.options.sender ?? (head.type === 'request' ? 'client' : 'server');
    this.frames = new WebSocketFrameDecoder({ ...this.options, sender, startOffset: start + head.headLength });
    if (step.consumed < chunk.length) {
      for (const r of this.frames.push(chunk.subarray(step.consumed))) out.push(r);
    }
    return out;
  }

  private stop(out: DecodeResult<WsStreamItem>[], error: FramingError, discarded: number): void {
    this.halted = true;
    this.scanner = null;
    this.own.errors++;
    this.own.discardedBytes += discarded;
    out.push({ kind: 'error', error, offset: error.offset, action: 'stop', resumeAt: null });
  }

  end(): EndResult {
    this.ended = true;
    if (this.frames !== null && !this.halted) return this.frames.end();
    const start = this.options.startOffset ?? 0;
    const incomplete = !this.halted && this.scanner !== null && this.scanner.received > 0;
    return {
      incomplete,
      pendingBytes: incomplete ? this.pos - start : 0,
      pendingStart: incomplete ? start : null,
      stopped: this.halted,
      totalBytes: this.pos,
    };
  }
}

export function createWebSocketStreamDecoder(options?: WebSocketStreamDecoderOptions): Decoder<WsStreamItem> {
  return new WebSocketStreamDecoder(options);
}
