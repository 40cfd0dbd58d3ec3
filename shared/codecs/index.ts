/**
 * The framing codec registry, in the spirit of toxiproxy's toxics: each codec is one file with its
 * parameters and its behaviour, registered here by name. The UI lists `codecNames`, draws a form
 * from `params`, and the server validates what it receives with `validateCodecParams`.
 *
 *   const codec = getCodec('delimiter')!;
 *   const enc = codec.createEncoder({ delimiter: '\n' });
 *   const dec = codec.createDecoder({ maxFrameSize: 128, onOversize: 'skip' });
 *   socket.write(enc.encode(codec.fromText('hello')));
 *   socket.on('data', (chunk) => { for (const r of dec.push(chunk)) ... });
 */
import { utf8DecodeLenient, utf8Encode } from './bytes.js';
import { createDelimiterDecoder, createDelimiterEncoder, type DelimiterDecoderOptions } from './delimiter.js';
import {
  createFixedLengthDecoder,
  createFixedLengthEncoder,
  DEFAULT_FRAME_SIZE,
  type FixedLengthDecoderOptions,
  type FixedLengthEncoderOptions,
} from './fixed-length.js';
import { createLengthPrefixDecoder, createLengthPrefixEncoder, type LengthPrefixDecoderOptions } from './length-prefix.js';
import { createNaiveDecoder, createNaiveEncoder, type NaiveDecoderOptions } from './naive.js';
import { maxFrameSizeParam, onMalformedParam, onOversizeParam, validateParams, type ParamCheck, type ParamSpec } from './params.js';
import { createTlvDecoder, createTlvEncoder, TLV_TEXT, type TlvDecoderOptions, type TlvInput, type TlvMessage } from './tlv.js';
import type { Decoder, Encoder } from './types.js';
import {
  createWebSocketEncoder,
  createWebSocketStreamDecoder,
  type WebSocketEncoderOptions,
  type WebSocketStreamDecoderOptions,
  type WsFrameInput,
  type WsStreamItem,
} from './websocket-frame.js';

export * from './types.js';
export { validateParams, type ParamSpec, type ParamValues, type ParamCheck } from './params.js';

/** How the UI shows one decoded message: a one-line label, its payload as text, and the bytes. */
export interface MessageView {
  readonly label: string;
  readonly text: string;
  readonly bytes: Uint8Array;
}

/**
 * One registered codec. `In` is what its encoder takes, `Out` what its decoder returns, `P` its
 * parameters (one object for both sides; each side ignores what does not concern it).
 */
export interface CodecEntry<In, Out, P extends object> {
  readonly name: string;
  readonly title: string;
  readonly summary: string;
  readonly params: readonly ParamSpec[];
  createEncoder(params?: P): Encoder<In>;
  createDecoder(params?: P): Decoder<Out>;
  /** A message from text typed in a pane (encoded as UTF-8; a text frame or TLV text for those codecs). */
  fromText(text: string): In;
  describe(message: Out): MessageView;
}

function bytesView(message: Uint8Array): MessageView {
  return { label: `${message.length} bytes`, text: utf8DecodeLenient(message), bytes: message };
}

export type DelimiterParams = DelimiterDecoderOptions & { delimiter?: string };
export type FixedLengthParams = FixedLengthDecoderOptions & FixedLengthEncoderOptions;
export type LengthPrefixParams = LengthPrefixDecoderOptions;
export type TlvParams = TlvDecoderOptions;
export type NaiveParams = NaiveDecoderOptions;
export type WebSocketParams = WebSocketStreamDecoderOptions & Omit<WebSocketEncoderOptions, 'sender'>;

const delimiter: CodecEntry<Uint8Array, Uint8Array, DelimiterParams> = {
  name: 'delimiter',
  title: 'Delimiter',
  summary: 'Each message ends with a delimiter ("\\n" by default), like the seed server and Go\'s bufio.Scanner.',
  params: [
    { name: 'delimiter', label: 'Delimiter', description: 'Byte sequence that ends each message (UTF-8), e.g. "\\n" or "\\r\\n".', type: 'string', default: '\n', minLength: 1, maxLength: 64 },
    { name: 'stripCR', label: 'Strip CR', description: 'Drop a "\\r" before a "\\n" delimiter, like bufio.ScanLines.', type: 'boolean', default: false },
    maxFrameSizeParam,
    onOversizeParam,
  ],
  createEncoder: (p) => createDelimiterEncoder(p),
  createDecoder: (p) => createDelimiterDecoder(p),
  fromText: utf8Encode,
  describe: bytesView,
};

const fixedLength: CodecEntry<Uint8Array, Uint8Array, FixedLengthParams> = {
  name: 'fixed-length',
  title: 'Fixed length',
  summary: 'Every message is exactly N bytes; short messages are padded, long ones rejected or truncated.',
  params: [
    { name: 'frameSize', label: 'Frame size', description: 'Bytes per message (must not exceed the max frame size).', type: 'integer', default: DEFAULT_FRAME_SIZE, min: 1, max: 1 << 20 },
    { name: 'padByte', label: 'Pad byte', description: 'Byte value used to pad short messages (0-255).', type: 'integer', default: 0, min: 0, max: 255 },
    { name: 'onShort', label: 'Short message', description: 'Encoder: pad a short message, or refuse it (WRONG_SIZE).', type: 'enum', default: 'pad', options: ['pad', 'error'] },
    { name: 'onLong', label: 'Long message', description: 'Encoder: refuse a long message (WRONG_SIZE), or truncate it.', type: 'enum', default: 'error', options: ['error', 'truncate'] },
    { name: 'stripPadding', label: 'Strip padding', description: 'Decoder: remove trailing pad bytes (lossy for binary data).', type: 'boolean', default: false },
    maxFrameSizeParam,
  ],
  createEncoder: (p) => createFixedLengthEncoder(p),
  createDecoder: (p) => createFixedLengthDecoder(p),
  fromText: utf8Encode,
  describe: bytesView,
};

const lengthPrefix: CodecEntry<Uint8Array, Uint8Array, LengthPrefixParams> = {
  name: 'length-prefix',
  title: 'Length prefix',
  summary: 'A 32-bit big-endian length, then that many payload bytes.',
  params: [maxFrameSizeParam, onOversizeParam],
  createEncoder: () => createLengthPrefixEncoder(),
  createDecoder: (p) => createLengthPrefixDecoder(p),
  fromText: utf8Encode,
  describe: bytesView,
};

const tlv: CodecEntry<TlvInput, TlvMessage, TlvParams> = {
  name: 'tlv',
  title: 'TLV',
  summary: 'Type (1 byte: 1 text, 2 binary), length (4 bytes big-endian), value, as in seed 000.',
  params: [maxFrameSizeParam, onOversizeParam, onMalformedParam],
  createEncoder: () => createTlvEncoder(),
  createDecoder: (p) => createTlvDecoder(p),
  fromText: (text) => ({ type: TLV_TEXT, text }),
  describe: (m) => ({
    label: `type ${m.type} (${m.typeName}), ${m.value.length} bytes`,
    text: m.text ?? utf8DecodeLenient(m.value),
    bytes: m.value,
  }),
};

const naive: CodecEntry<Uint8Array, Uint8Array, NaiveParams> = {
  name: 'naive',
  title: 'Naive (one read = one message)',
  summary: 'Takes each read as a message, as the seed servers do: wrong whenever TCP splits or merges writes.',
  params: [
    { ...maxFrameSizeParam, description: 'The read buffer size: a read is at most this many bytes (seed 003 uses 128).' },
    {
      name: 'onOversize',
      label: 'Read longer than the buffer',
      description: 'split: cut it into buffer-sized messages, as Go\'s conn.Read does; or error-and-stop / skip.',
      type: 'enum',
      default: 'split',
      options: ['split', 'error-and-stop', 'skip'],
    },
  ],
  createEncoder: () => createNaiveEncoder(),
  createDecoder: (p) => createNaiveDecoder(p),
  fromText: utf8Encode,
  describe: bytesView,
};

const websocket: CodecEntry<WsFrameInput, WsStreamItem, WebSocketParams> = {
  name: 'websocket',
  title: 'WebSocket frames',
  summary: 'RFC 6455 frames (after the HTTP Upgrade head): FIN, RSV, opcode, mask, 7/16/64-bit lengths, control frames.',
  params: [
    { name: 'sender', label: 'Sender', description: 'Whose bytes these are: client frames must be masked, server frames must not; any checks neither (default: from the head).', type: 'enum', default: 'any', options: ['any', 'client', 'server'] },
    { name: 'handshake', label: 'HTTP head first', description: 'Read the HTTP Upgrade request/response head before the frames.', type: 'boolean', default: true },
    { name: 'allowRsv1', label: 'Allow RSV1', description: 'Accept RSV1 (permessage-deflate negotiated); payloads are shown compressed.', type: 'boolean', default: false },
    { name: 'rejectNonMinimalLength', label: 'Strict length form', description: 'Reject lengths not written in their shortest form.', type: 'boolean', default: false },
    { name: 'maxHeadSize', label: 'Max head size', description: 'Largest HTTP head accepted, in bytes.', type: 'integer', default: 16384, min: 64, max: 1 << 20 },
    maxFrameSizeParam,
    onOversizeParam,
    onMalformedParam,
  ],
  createEncoder: (p) => createWebSocketEncoder({ ...p, sender: p?.sender === 'server' ? 'server' : 'client' }),
  createDecoder: (p) => createWebSocketStreamDecoder(p?.sender === 'any' ? { ...p, sender: undefined } : p),
  fromText: (text) => ({ opcode: 'text', payload: text }),
  describe: (m) => {
    if (m.kind === 'http-head') return { label: m.startLine, text: m.headers.map((h) => `${h.name}: ${h.value}`).join('\n'), bytes: new Uint8Array(0) };
    const flags = [m.fin ? 'FIN' : 'no FIN', m.masked ? 'masked' : 'unmasked', `${m.lengthForm}-bit length`].join(', ');
    const text =
      m.opcodeName === 'close'
        ? m.closeCode === null ? '(no status)' : `${m.closeCode} ${m.closeReason ?? ''}`.trim()
        : (m.text ?? utf8DecodeLenient(m.payload));
    return { label: `${m.opcodeName} (${flags}), ${m.payloadLength} bytes`, text, bytes: m.payload };
  },
};

/** All codecs by name. */
export const codecs = {
  delimiter,
  'fixed-length': fixedLength,
  'length-prefix': lengthPrefix,
  tlv,
  naive,
  websocket,
} as const;

export type CodecName = keyof typeof codecs;
export const codecNames = Object.keys(codecs) as CodecName[];

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyCodecEntry = CodecEntry<any, any, any>;

export function isCodecName(name: string): name is CodecName {
  return Object.prototype.hasOwnProperty.call(codecs, name);
}

/** The codec registered under `name`, or undefined. */
export function getCodec(name: string): AnyCodecEntry | undefined {
  return isCodecName(name) ? codecs[name] : undefined;
}

/** Validates untrusted parameters for a codec (fills defaults); checks cross-field rules too. */
export function validateCodecParams(name: string, raw: unknown): ParamCheck {
  const codec = getCodec(name);
  if (codec === undefined) return { ok: false, errors: [`unknown codec "${name}"`] };
  const checked = validateParams(codec.params, raw);
  if (!checked.ok) return checked;
  try {
    codec.createEncoder(checked.params);
    codec.createDecoder(checked.params);
  } catch (e) {
    return { ok: false, errors: [e instanceof Error ? e.message : String(e)] };
  }
  return checked;
}

export { createDelimiterDecoder, createDelimiterEncoder, delimiterBytes } from './delimiter.js';
export type { DelimiterDecoderOptions, DelimiterEncoderOptions } from './delimiter.js';
export { createFixedLengthDecoder, createFixedLengthEncoder } from './fixed-length.js';
export type { FixedLengthDecoderOptions, FixedLengthEncoderOptions } from './fixed-length.js';
export { createLengthPrefixDecoder, createLengthPrefixEncoder } from './length-prefix.js';
export type { LengthPrefixDecoderOptions } from './length-prefix.js';
export { createTlvDecoder, createTlvEncoder, tlvBinary, tlvText, TLV_BINARY, TLV_TEXT, DEFAULT_TLV_TYPES } from './tlv.js';
export type { TlvDecoderOptions, TlvInput, TlvMessage, TlvTypeName, TlvTypeTable } from './tlv.js';
export { createNaiveDecoder, createNaiveEncoder } from './naive.js';
export type { NaiveDecoderOptions } from './naive.js';
export {
  checkHandshake,
  computeAcceptKey,
  createWebSocketDecoder,
  createWebSocketEncoder,
  createWebSocketStreamDecoder,
  isValidCloseCode,
  isValidWebSocketKey,
  minimalLengthForm,
  OPCODES,
  opcodeName,
  WS_GUID,
} from './websocket-frame.js';
export type {
  HandshakeCheck,
  WebSocketDecoderOptions,
  WebSocketEncoderOptions,
  WebSocketStreamDecoderOptions,
  WsFrame,
  WsFrameInput,
  WsLengthForm,
  WsOpcodeName,
  WsSender,
  WsStreamItem,
} from './websocket-frame.js';
export { findHeadEnd, getHeader, headerHasToken, HttpHeadScanner, parseHttpHead, DEFAULT_MAX_HEAD_SIZE } from './http-head.js';
export type { HttpHead, HttpHeader, HttpHeadParse, HttpHeadStep } from './http-head.js';
export { sha1 } from './sha1.js';
export { base64Decode, base64Encode, bytesEqual, concatBytes, toHex, utf8DecodeLenient, utf8Encode } from './bytes.js';
