import { describe, expect, it } from 'vitest';
import type { DecodeResult } from '../../shared/codecs/types.js';
import {
  checkHandshake,
  computeAcceptKey,
  createWebSocketDecoder,
  createWebSocketEncoder,
  createWebSocketStreamDecoder,
  isValidWebSocketKey,
  type WebSocketDecoderOptions,
  type WsFrame,
  type WsStreamItem,
} from '../../shared/codecs/websocket-frame.js';
import { bytes, concat, feed, text } from './helpers.js';

const hex = (s: string): Uint8Array => Uint8Array.from(s.split(/\s+/).filter(Boolean).map((h) => parseInt(h, 16)));

function decodeOne(b: Uint8Array, o?: WebSocketDecoderOptions): WsFrame {
  const fed = feed(createWebSocketDecoder(o), [b]);
  expect(fed.errors).toEqual([]);
  expect(fed.messages).toHaveLength(1);
  return fed.messages[0]!.message;
}

function codes<M>(rs: readonly DecodeResult<M>[]): string[] {
  return rs.map((r) => (r.kind === 'error' ? r.error.code : 'message'));
}

describe('WebSocket frames: RFC 6455 section 5.7 examples', () => {
  it('a single-frame unmasked text message', () => {
    const f = decodeOne(hex('81 05 48 65 6c 6c 6f'));
    expect(f).toMatchObject({ fin: true, opcodeName: 'text', masked: false, maskingKey: null, lengthForm: 7, payloadLength: 5, text: 'Hello' });
  });

  it('a single-frame masked text message (unmasked into a copy; the input is untouched)', () => {
    const input = hex('81 85 37 fa 21 3d 7f 9f 4d 51 58');
    const before = Array.from(input);
    const fed = feed(createWebSocketDecoder({ sender: 'client' }), [input]);
    const r = fed.messages[0]!;
    expect(r.message).toMatchObject({ masked: true, text: 'Hello', payloadLength: 5 });
    expect(Array.from(r.message.maskingKey!)).toEqual([0x37, 0xfa, 0x21, 0x3d]);
    expect(r).toMatchObject({ start: 0, payloadStart: 6, payloadEnd: 11, end: 11, copied: true });
    expect(Array.from(input)).toEqual(before);
  });

  it('a fragmented unmasked text message', () => {
    const fed = feed(createWebSocketDecoder(), [hex('01 03 48 65 6c 80 02 6c 6f')]);
    expect(fed.messages.map((m) => [m.message.opcodeName, m.message.fin, m.message.text])).toEqual([
      ['text', false, 'Hel'],
      ['continuation', true, 'lo'],
    ]);
  });

  it('unmasked ping and masked pong', () => {
    expect(decodeOne(hex('89 05 48 65 6c 6c 6f'))).toMatchObject({ opcodeName: 'ping', text: null });
    const pong = decodeOne(hex('8a 85 37 fa 21 3d 7f 9f 4d 51 58'));
    expect(pong.opcodeName).toBe('pong');
    expect(text(pong.payload)).toBe('Hello');
  });

  it('256 bytes in the 16-bit form and 64 KiB in the 64-bit form', () => {
    const f16 = decodeOne(concat([hex('82 7e 01 00'), new Uint8Array(256).fill(1)]));
    expect(f16).toMatchObject({ opcodeName: 'binary', lengthForm: 16, payloadLength: 256 });
    const f64 = decodeOne(concat([hex('82 7f 00 00 00 00 00 01 00 00'), new Uint8Array(65536).fill(2)]), { maxFrameSize: 1 << 20 });
    expect(f64).toMatchObject({ opcodeName: 'binary', lengthForm: 64, payloadLength: 65536 });
  });

  it('the accept key of the RFC example handshake (section 1.3)', () => {
    expect(computeAcceptKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(isValidWebSocketKey('dGhlIHNhbXBsZSBub25jZQ==')).toBe(true);
    expect(isValidWebSocketKey('abc')).toBe(false);
  });
});

describe('WebSocket encoder', () => {
  it('produces the RFC bytes, masks with the given key, forces a length form', () => {
    const server = createWebSocketEncoder({ sender: 'server' });
    expect(Array.from(server.encode({ opcode: 'text', payload: 'Hello' }))).toEqual(Array.from(hex('81 05 48 65 6c 6c 6f')));
    const client = createWebSocketEncoder({ sender: 'client' });
    expect(Array.from(client.encode({ opcode: 'text', payload: 'Hello', mask: hex('37 fa 21 3d') }))).toEqual(
      Array.from(hex('81 85 37 fa 21 3d 7f 9f 4d 51 58')),
    );
    expect(Array.from(server.encode({ opcode: 'binary', payload: hex('01'), lengthForm: 64 }))).toEqual(
      Array.from(hex('82 7f 00 00 00 00 00 00 00 01 01')),
    );
    expect(Array.from(server.encode({ opcode: 'close', closeCode: 1000, closeReason: 'bye' }))).toEqual(
      Array.from(hex('88 05 03 e8 62 79 65')),
    );
    const randomKey = client.encode({ opcode: 'text', payload: 'x' });
    expect(randomKey[1]! & 0x80).toBe(0x80);
  });

  it('masks long payloads word-wise exactly as the byte-wise definition (any alignment)', () => {
    const key = hex('a1 b2 c3 d4');
    const payload = Uint8Array.from({ length: 1001 }, (_v, i) => (i * 13) & 255);
    const enc = createWebSocketEncoder({ sender: 'client' });
    for (const form of [7, 16, 64] as const) {
      if (form === 7) continue;
      const frame = enc.encode({ opcode: 'binary', payload, mask: key, lengthForm: form });
      const at = frame.length - payload.length;
      expect(Array.from(frame.subarray(at))).toEqual(Array.from(payload, (b, i) => b ^ key[i % 4]!));
      // decode from an odd offset inside a larger buffer, in one chunk and split
      const shifted = new Uint8Array(frame.length + 3);
      shifted.set(frame, 3);
      for (const cut of [frame.length, 7, at + 5]) {
        const fed = feed(createWebSocketDecoder({ sender: 'client' }), [shifted.subarray(3, 3 + cut), shifted.subarray(3 + cut)]);
        expect(Array.from(fed.messages[0]!.message.payload)).toEqual(Array.from(payload));
      }
    }
  });

  it('refuses frames the protocol forbids unless told to produce them', () => {
    const enc = createWebSocketEncoder({ sender: 'server' });
    expect(() => enc.encode({ opcode: 'ping', payload: new Uint8Array(126) })).toThrow(/125/);
    expect(() => enc.encode({ opcode: 'ping', fin: false })).toThrow(/fragmented/);
    expect(() => enc.encode({ opcode: 3 })).toThrow(/reserved/);
    expect(() => enc.encode({ opcode: 'binary', payload: new Uint8Array(200), lengthForm: 7 })).toThrow(/length form/);
    expect(() => enc.encode({ opcode: 'binary', mask: new Uint8Array(3) })).toThrow(/4 bytes/);
    expect(enc.encode({ opcode: 'ping', fin: false, unchecked: true })[0]).toBe(0x09);
  });
});

describe('WebSocket decoder: protocol errors are named', () => {
  const server = createWebSocketEncoder({ sender: 'server' });
  const cases: [string, Uint8Array, WebSocketDecoderOptions, string][] = [
    ['RSV1 without an extension', hex('c1 00'), {}, 'RESERVED_BITS'],
    ['RSV2', hex('a1 00'), {}, 'RESERVED_BITS'],
    ['reserved opcode 0x3', hex('83 00'), {}, 'RESERVED_OPCODE'],
    ['reserved opcode 0xB', hex('8b 00'), {}, 'RESERVED_OPCODE'],
    ['ping over 125 bytes', server.encode({ opcode: 'ping', payload: new Uint8Array(126), unchecked: true }), {}, 'CONTROL_FRAME_TOO_LARGE'],
    ['fragmented close', hex('08 00'), {}, 'FRAGMENTED_CONTROL_FRAME'],
    ['continuation first', hex('80 00'), {}, 'UNEXPECTED_CONTINUATION'],
    ['new text inside a fragmented message', hex('01 01 41 81 01 42'), {}, 'EXPECTED_CONTINUATION'],
    ['unmasked client frame', hex('81 00'), { sender: 'client' }, 'MASK_MISMATCH'],
    ['masked server frame', hex('81 80 00 00 00 00'), { sender: 'server' }, 'MASK_MISMATCH'],
    ['close with a 1-byte payload', hex('88 01 03'), {}, 'INVALID_CLOSE_PAYLOAD'],
    ['close code 1005 on the wire', hex('88 02 03 ed'), {}, 'INVALID_CLOSE_PAYLOAD'],
    ['close reason not UTF-8', hex('88 03 03 e8 ff'), {}, 'INVALID_UTF8'],
    ['text not UTF-8', hex('81 02 c3 28'), {}, 'INVALID_UTF8'],
    ['64-bit length with the top bit set', hex('82 7f 80 00 00 00 00 00 00 01'), {}, 'MALFORMED'],
    ['non-minimal length, when checked', hex('82 7e 00 01 41'), { rejectNonMinimalLength: true }, 'NON_MINIMAL_LENGTH'],
    ['payload over maxFrameSize', hex('82 7e 01 00'), { maxFrameSize: 128 }, 'FRAME_TOO_LARGE'],
  ];
  it.each(cases)('%s', (_name, b, options, code) => {
    const fed = feed(createWebSocketDecoder(options), [b]);
    expect(fed.errors.map((e) => e.error.code)).toEqual([code]);
    expect(fed.errors[0]!.action).toBe('stop');
  });

  it('a text message split mid-character across fragments is valid; an invalid one is caught at the end', () => {
    const euro = bytes('€'); // e2 82 ac
    const ok = concat([hex('01 02'), euro.subarray(0, 2), hex('80 01'), euro.subarray(2)]);
    const fed = feed(createWebSocketDecoder(), [ok]);
    expect(fed.messages.map((m) => m.message.text)).toEqual(['', '€']);
    const bad = concat([hex('01 02'), euro.subarray(0, 2), hex('80 00')]);
    expect(codes(feed(createWebSocketDecoder(), [bad]).results)).toEqual(['message', 'INVALID_UTF8']);
  });

  it("'skip' resumes after a bad frame of known length; a bad 64-bit length always stops", () => {
    const stream = concat([hex('83 02 00 00'), hex('81 01 41')]);
    expect(codes(feed(createWebSocketDecoder({ onMalformed: 'skip' }), [stream]).results)).toEqual(['RESERVED_OPCODE', 'message']);
    const msb = concat([hex('82 7f 80 00 00 00 00 00 00 01 00'), hex('81 01 41')]);
    const fed = feed(createWebSocketDecoder({ onMalformed: 'skip' }), [msb]);
    expect(codes(fed.results)).toEqual(['MALFORMED']);
    expect(fed.end.stopped).toBe(true);
  });

  it('RSV1 is accepted on data frames when permessage-deflate was negotiated', () => {
    expect(decodeOne(hex('c2 01 00'), { allowRsv1: true })).toMatchObject({ rsv1: true, opcodeName: 'binary' });
    expect(codes(feed(createWebSocketDecoder({ allowRsv1: true }), [hex('c9 00')]).results)).toEqual(['RESERVED_BITS']);
  });

  it('a huge declared length is refused at the header; skipping it holds nothing', () => {
    const dec = createWebSocketDecoder({ maxFrameSize: 1024, onOversize: 'skip' });
    const r = dec.push(hex('82 7f 00 00 00 01 00 00 00 00'));
    expect(r[0]).toMatchObject({ kind: 'error', action: 'skip', resumeAt: 10 + 2 ** 32 });
    dec.push(new Uint8Array(100000));
    expect(dec.bufferedBytes).toBe(0);
    expect(dec.end()).toMatchObject({ incomplete: true, pendingStart: 0 });
  });
});

describe('HTTP Upgrade head, then frames', () => {
  const request = [
    'GET /chat HTTP/1.1',
    'Host: server.example.com',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==',
    'Origin: http://example.com',
    'Sec-WebSocket-Protocol: chat, superchat',
    'Sec-WebSocket-Version: 13',
    '',
    '',
  ].join('\r\n');
  const response = [
    'HTTP/1.1 101 Switching Protocols',
    'Upgrade: websocket',
    'Connection: Upgrade',
    'Sec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    'Sec-WebSocket-Protocol: chat',
    '',
    '',
  ].join('\r\n');

  function items(rs: readonly DecodeResult<WsStreamItem>[]): unknown[] {
    return rs.map((r) =>
      r.kind === 'error' ? r.error.code : r.message.kind === 'http-head' ? r.message.startLine : `${r.message.opcodeName}:${text(r.message.payload)}`,
    );
  }

  it('decodes the RFC handshake head and the frames after it, byte by byte, with continuous offsets', () => {
    const frame = createWebSocketEncoder({ sender: 'client' }).encode({ opcode: 'text', payload: 'Hello', mask: hex('37 fa 21 3d') });
    const stream = concat([bytes(request), frame]);
    const chunks = Array.from(stream, (_b, i) => stream.subarray(i, i + 1));
    const fed = feed(createWebSocketStreamDecoder(), chunks);
    expect(items(fed.results)).toEqual(['GET /chat HTTP/1.1', 'text:Hello']);
    const head = fed.messages[0]!;
    expect(head).toMatchObject({ start: 0, end: request.length });
    expect(fed.messages[1]).toMatchObject({ start: request.length, end: stream.length });
    const h = head.message;
    if (h.kind !== 'http-head') throw new Error('expected a head');
    expect(h).toMatchObject({ type: 'request', method: 'GET', target: '/chat', version: 'HTTP/1.1', headLength: request.length });
    expect(h.headers).toContainEqual({ name: 'Sec-WebSocket-Key', value: 'dGhlIHNhbXBsZSBub25jZQ==' });
  });

  it('checks the handshake: the accept key matches the key', () => {
    const req = feed(createWebSocketStreamDecoder(), [bytes(request)]).messages[0]!.message;
    const res = feed(createWebSocketStreamDecoder(), [bytes(response)]).messages[0]!.message;
    if (req.kind !== 'http-head' || res.kind !== 'http-head') throw new Error('expected heads');
    expect(checkHandshake(req, res)).toEqual({
      ok: true,
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      expectedAccept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      actualAccept: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      problems: [],
    });
    const forged = feed(createWebSocketStreamDecoder(), [bytes(response.replace('s3pP', 'AAAA'))]).messages[0]!.message;
    if (forged.kind !== 'http-head') throw new Error('expected a head');
    expect(checkHandshake(req, forged).problems).toEqual(['Sec-WebSocket-Accept does not match the key']);
  });

  it('frames after a response are the server\'s: masked ones are MASK_MISMATCH', () => {
    const masked = createWebSocketEncoder({ sender: 'client' }).encode({ opcode: 'text', payload: 'x' });
    const fed = feed(createWebSocketStreamDecoder(), [concat([bytes(response), masked])]);
    expect(items(fed.results)).toEqual(['HTTP/1.1 101 Switching Protocols', 'MASK_MISMATCH']);
  });

  it('a refused upgrade is NOT_UPGRADED; a malformed or endless head is refused with bounded memory', () => {
    const refused = feed(createWebSocketStreamDecoder(), [bytes('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')]);
    expect(items(refused.results)).toEqual(['HTTP/1.1 403 Forbidden', 'NOT_UPGRADED']);
    expect(items(feed(createWebSocketStreamDecoder(), [bytes('hello world\r\n\r\n')]).results)).toEqual(['MALFORMED']);
    expect(items(feed(createWebSocketStreamDecoder(), [bytes('GET / HTTP/1.1\r\nbad header\r\n\r\n')]).results)).toEqual(['MALFORMED']);
    const dec = createWebSocketStreamDecoder({ maxHeadSize: 1024 });
    const endless = bytes('GET / HTTP/1.1\r\nX: ' + 'y'.repeat(5000));
    const fed = feed(dec, Array.from({ length: 50 }, (_v, i) => endless.subarray(i * 100, i * 100 + 100)), 1024);
    expect(items(fed.results)).toEqual(['HEAD_TOO_LARGE']);
  });

  it('accepts bare LF line endings and reports an unfinished head as incomplete', () => {
    const fed = feed(createWebSocketStreamDecoder(), [bytes('GET / HTTP/1.1\nUpgrade: websocket\n\n')]);
    expect(items(fed.results)).toEqual(['GET / HTTP/1.1']);
    const part = feed(createWebSocketStreamDecoder(), [bytes('GET / HTTP/1.1\r\nHost: x\r\n')]);
    expect(part.end).toMatchObject({ incomplete: true, pendingBytes: 25, pendingStart: 0 });
  });
});
