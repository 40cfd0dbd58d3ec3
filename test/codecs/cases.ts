/**
 * One description per codec (and per interesting configuration) for the shared property tests:
 * how to make valid messages, how to compare what comes out with what went in, how much a decoder
 * may hold beyond maxFrameSize, and how to make a frame of a given payload size.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import { createDelimiterDecoder, createDelimiterEncoder } from '../../shared/codecs/delimiter.js';
import { createFixedLengthDecoder, createFixedLengthEncoder } from '../../shared/codecs/fixed-length.js';
import { createLengthPrefixDecoder, createLengthPrefixEncoder } from '../../shared/codecs/length-prefix.js';
import { createTlvDecoder, createTlvEncoder, tlvBinary, tlvText, type TlvInput, type TlvMessage } from '../../shared/codecs/tlv.js';
import type { Decoder, DecoderOptions, Encoder } from '../../shared/codecs/types.js';
import {
  createWebSocketDecoder,
  createWebSocketEncoder,
  type WsFrame,
  type WsFrameInput,
  type WsLengthForm,
} from '../../shared/codecs/websocket-frame.js';

export interface CodecCase<In, Out> {
  readonly name: string;
  encoder(): Encoder<In>;
  decoder(o?: DecoderOptions): Decoder<Out>;
  /** Lists of valid messages (the list level matters for WebSocket fragmentation). */
  readonly messages: fc.Arbitrary<In[]>;
  /** Asserts that `output` is the decoding of `input`. */
  check(input: In, output: Out): void;
  /** Payload bytes of a decoded message (for the copy checks). */
  payload(output: Out): Uint8Array;
  /** Bytes a decoder may hold beyond maxFrameSize (header, or delimiter length - 1). */
  readonly overhead: number;
  /** A valid message whose payload is exactly `len` bytes (formats that can exceed maxFrameSize). */
  sized?(len: number): fc.Arbitrary<In>;
  /** Bytes that never complete a frame and would grow without bound in a naive decoder. */
  flood?(maxFrameSize: number): fc.Arbitrary<Uint8Array>;
  /** Payloads are copied even when contiguous (masked WebSocket frames). */
  readonly alwaysCopies?: boolean;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): void {
  expect(Array.from(a)).toEqual(Array.from(b));
}

/**
 * Makes a message encodable for `delimiter` without changing its length: the delimiter must not
 * occur in message + delimiter before the appended one.
 */
function makeEncodable(delimiter: string, m: Uint8Array): Uint8Array {
  const out = m.slice();
  if (delimiter === '\r\n') {
    for (let i = 0; i + 1 < out.length; i++) if (out[i] === 13 && out[i + 1] === 10) out[i + 1] = 65;
  } else if (delimiter === 'aa' || delimiter === 'aab') {
    // every "a" must be followed by "b": no "aa" anywhere, no trailing "a"
    for (let i = 0; i < out.length; i++) if (out[i] === 97 && (i + 1 === out.length || out[i + 1] !== 98)) out[i] = 98;
  } else {
    const d = new TextEncoder().encode(delimiter)[0]!;
    for (let i = 0; i < out.length; i++) if (out[i] === d) out[i] = (d + 1) & 255;
  }
  return out;
}

function delimiterCase(label: string, delimiter: string, alphabet: number[] | null): CodecCase<Uint8Array, Uint8Array> {
  const enc = createDelimiterEncoder({ delimiter });
  const d = new TextEncoder().encode(delimiter);
  const encodable = (m: Uint8Array): boolean => {
    try {
      enc.encode(m);
      return true;
    } catch {
      return false;
    }
  };
  const raw = (min: number, max: number): fc.Arbitrary<Uint8Array> =>
    (alphabet === null
      ? fc.uint8Array({ minLength: min, maxLength: max })
      : fc.array(fc.constantFrom(...alphabet), { minLength: min, maxLength: max }).map((a) => Uint8Array.from(a))
    ).map((m) => makeEncodable(delimiter, m));
  return {
    name: label,
    encoder: () => createDelimiterEncoder({ delimiter }),
    decoder: (o) => createDelimiterDecoder({ ...o, delimiter }),
    messages: fc.array(raw(0, 40).filter(encodable), { maxLength: 20 }),
    check: bytesEqual,
    payload: (m) => m,
    overhead: d.length - 1,
    sized: (len) => raw(len, len).filter(encodable),
    flood: (max) =>
      fc.uint8Array({ minLength: 3 * max + 10, maxLength: 6 * max + 20 }).map((m) => m.map((b) => (b === d[0] ? (b + 1) & 255 : b))),
  };
}

export const delimiterNewline = delimiterCase('delimiter "\\n"', '\n', null);
export const delimiterCrlf = delimiterCase('delimiter "\\r\\n"', '\r\n', [10, 13, 65]);
/** Self-overlapping delimiters over a two-letter alphabet: the hardest case for split matches. */
export const delimiterAa = delimiterCase('delimiter "aa"', 'aa', [97, 98]);
export const delimiterAab = delimiterCase('delimiter "aab"', 'aab', [97, 98]);

export const fixedLength: CodecCase<Uint8Array, Uint8Array> = {
  name: 'fixed-length 7',
  encoder: () => createFixedLengthEncoder({ frameSize: 7 }),
  decoder: (o) => createFixedLengthDecoder({ ...o, frameSize: 7 }),
  messages: fc.array(fc.uint8Array({ minLength: 7, maxLength: 7 }), { maxLength: 20 }),
  check: bytesEqual,
  payload: (m) => m,
  overhead: 0,
};

function u32Header(prefix: number[], len: number): Uint8Array {
  return Uint8Array.from([...prefix, len >>> 24, (len >>> 16) & 255, (len >>> 8) & 255, len & 255]);
}

export const lengthPrefix: CodecCase<Uint8Array, Uint8Array> = {
  name: 'length-prefix',
  encoder: () => createLengthPrefixEncoder(),
  decoder: (o) => createLengthPrefixDecoder(o),
  messages: fc.array(fc.uint8Array({ maxLength: 60 }), { maxLength: 20 }),
  check: bytesEqual,
  payload: (m) => m,
  overhead: 4,
  sized: (len) => fc.uint8Array({ minLength: len, maxLength: len }),
  flood: (max) =>
    fc.tuple(fc.integer({ min: max + 1, max: 0xffffffff }), fc.uint8Array({ minLength: 0, maxLength: 4 * max + 10 })).map(([len, junk]) => {
      const h = u32Header([], Math.max(len, junk.length + 1)); // never completed by the junk
      const out = new Uint8Array(h.length + junk.length);
      out.set(h);
      out.set(junk, h.length);
      return out;
    }),
};

export const tlv: CodecCase<TlvInput, TlvMessage> = {
  name: 'tlv',
  encoder: () => createTlvEncoder(),
  decoder: (o) => createTlvDecoder(o),
  messages: fc.array(
    fc.oneof(fc.string({ unit: 'binary', maxLength: 20 }).map(tlvText), fc.uint8Array({ maxLength: 40 }).map(tlvBinary)),
    { maxLength: 20 },
  ),
  check: (input, output) => {
    expect(output.type).toBe(input.type);
    if ('text' in input) {
      expect(output.typeName).toBe('text');
      expect(output.text).toBe(input.text);
      bytesEqual(output.value, new TextEncoder().encode(input.text));
    } else {
      expect(output.typeName).toBe('binary');
      expect(output.text).toBeUndefined();
      bytesEqual(output.value, input.value);
    }
  },
  payload: (m) => m.value,
  overhead: 5,
  sized: (len) => fc.uint8Array({ minLength: len, maxLength: len }).map(tlvBinary),
  flood: (max) =>
    fc.tuple(fc.integer({ min: max + 1, max: 0xffffffff }), fc.uint8Array({ maxLength: 4 * max + 10 })).map(([len, junk]) => {
      const h = u32Header([2], Math.max(len, junk.length + 1));
      const out = new Uint8Array(h.length + junk.length);
      out.set(h);
      out.set(junk, h.length);
      return out;
    }),
};

// WebSocket: lists of frames that form valid sequences (fragmented messages with control frames
// between fragments), payloads long enough to use all three length forms.

const control = fc.oneof(
  fc.record({ opcode: fc.constantFrom('ping' as const, 'pong' as const), payload: fc.uint8Array({ maxLength: 125 }) }),
  fc.record({
    opcode: fc.constant('close' as const),
    closeCode: fc.constantFrom(1000, 1001, 1002, 1011, 1014, 3000, 4999),
    closeReason: fc.string({ maxLength: 30 }),
  }),
  fc.constant({ opcode: 'close' as const }),
);

const dataMessage = fc.record({
  isText: fc.boolean(),
  text: fc.string({ unit: 'binary', maxLength: 60 }),
  binary: fc.oneof(
    { weight: 6, arbitrary: fc.uint8Array({ maxLength: 200 }) },
    { weight: 1, arbitrary: fc.uint8Array({ minLength: 65536, maxLength: 65600 }) },
  ),
  cuts: fc.array(fc.nat(), { maxLength: 3 }),
  between: fc.array(control, { maxLength: 2 }),
  forms: fc.array(fc.constantFrom<WsLengthForm | undefined>(undefined, 16, 64), { minLength: 4, maxLength: 4 }),
});

type Item = WsFrameInput & { expectText?: string };

function framesOf(m: fc.Arbitrary<typeof dataMessage extends fc.Arbitrary<infer T> ? T : never>): fc.Arbitrary<Item[]> {
  return m.map((d) => {
    const payload = d.isText ? new TextEncoder().encode(d.text) : d.binary;
    const cuts = [...new Set(d.cuts.map((c) => c % (payload.length + 1)))].sort((a, b) => a - b);
    const parts: Uint8Array[] = [];
    let prev = 0;
    for (const c of cuts) {
      parts.push(payload.subarray(prev, c));
      prev = c;
    }
    parts.push(payload.subarray(prev));
    const frames: Item[] = [];
    parts.forEach((p, i) => {
      const form = d.forms[i % 4];
      frames.push({
        opcode: i === 0 ? (d.isText ? 'text' : 'binary') : 'continuation',
        payload: p,
        fin: i === parts.length - 1,
        ...(form !== undefined && (form === 64 || p.length < 65536) ? { lengthForm: form } : {}),
      });
      const ctl = d.between[i];
      if (i < parts.length - 1 && ctl !== undefined) frames.push(ctl);
    });
    return frames;
  });
}

export const wsFrameLists = fc
  .array(fc.oneof({ weight: 3, arbitrary: framesOf(dataMessage) }, { weight: 1, arbitrary: control.map((c) => [c as Item]) }), {
    maxLength: 6,
  })
  .map((groups) => groups.flat());

function wsCheck(input: WsFrameInput, output: WsFrame, masked: boolean): void {
  const expectedPayload =
    input.payload !== undefined
      ? typeof input.payload === 'string' ? new TextEncoder().encode(input.payload) : input.payload
      : input.closeCode !== undefined
        ? Uint8Array.from([input.closeCode >> 8, input.closeCode & 255, ...new TextEncoder().encode(input.closeReason ?? '')])
        : new Uint8Array(0);
  expect(output.opcodeName).toBe(input.opcode);
  expect(output.fin).toBe(input.fin ?? true);
  expect(output.masked).toBe(masked);
  expect(output.maskingKey === null).toBe(!masked);
  expect(output.rsv1 || output.rsv2 || output.rsv3).toBe(false);
  expect(output.payloadLength).toBe(expectedPayload.length);
  if (input.lengthForm !== undefined) expect(output.lengthForm).toBe(input.lengthForm);
  bytesEqual(output.payload, expectedPayload);
  if (input.opcode === 'close') {
    expect(output.closeCode).toBe(input.closeCode ?? null);
    expect(output.closeReason).toBe(input.closeCode === undefined ? '' : (input.closeReason ?? ''));
  }
}

function wsCase(sender: 'client' | 'server'): CodecCase<WsFrameInput, WsFrame> {
  const masked = sender === 'client';
  return {
    name: `websocket (${sender} frames, ${masked ? 'masked' : 'unmasked'})`,
    encoder: () => createWebSocketEncoder({ sender }),
    decoder: (o) => createWebSocketDecoder({ ...o, sender, maxFrameSize: o?.maxFrameSize ?? 1 << 20 }),
    messages: wsFrameLists,
    check: (i, o) => wsCheck(i, o, masked),
    payload: (m) => m.payload,
    overhead: 14,
    alwaysCopies: masked,
    sized: (len) => fc.uint8Array({ minLength: len, maxLength: len }).map((payload) => ({ opcode: 'binary' as const, payload })),
    flood: (max) =>
      fc.tuple(fc.integer({ min: max + 1, max: 2 ** 40 }), fc.uint8Array({ maxLength: 4 * max + 10 })).map(([declared, junk]) => {
        const len = Math.max(declared, junk.length + 1);
        const hi = Math.floor(len / 2 ** 32);
        const lo = len >>> 0;
        const h = [0x82, (masked ? 0x80 : 0) | 127, hi >>> 24, (hi >>> 16) & 255, (hi >>> 8) & 255, hi & 255, lo >>> 24, (lo >>> 16) & 255, (lo >>> 8) & 255, lo & 255];
        if (masked) h.push(1, 2, 3, 4);
        return Uint8Array.from([...h, ...junk]);
      }),
  };
}

export const wsServer = wsCase('server');
export const wsClient = wsCase('client');

/** Text of the text messages in a frame list, per message, as the decoder should rebuild it. */
export function expectedTexts(frames: readonly WsFrameInput[]): string[] {
  const out: string[] = [];
  let parts: Uint8Array[] | null = null;
  for (const f of frames) {
    if (f.opcode === 'text') parts = [];
    if ((f.opcode === 'text' || (f.opcode === 'continuation' && parts !== null)) && parts !== null) {
      parts.push(typeof f.payload === 'string' ? new TextEncoder().encode(f.payload) : (f.payload ?? new Uint8Array(0)));
      if (f.fin ?? true) {
        const all = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
        let at = 0;
        for (const p of parts) {
          all.set(p, at);
          at += p.length;
        }
        out.push(new TextDecoder().decode(all));
        parts = null;
      }
    } else if (f.opcode === 'binary') parts = null;
  }
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const allCases: CodecCase<any, any>[] = [
  delimiterNewline,
  delimiterCrlf,
  delimiterAa,
  delimiterAab,
  fixedLength,
  lengthPrefix,
  tlv,
  wsServer,
  wsClient,
];
