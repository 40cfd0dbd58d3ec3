/**
 * ws-view on hand-made traces: bytes written in any pieces decode to the same head and frames, a
 * write whose bytes the lab did not keep stops the decoding with a reason (never garbage), and
 * the accept computation is shown step by step.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { wsView } from '../../shared/websocket/ws-view.js';
import { createWebSocketEncoder } from '../../shared/codecs/websocket-frame.js';
import { base64Encode, concatBytes, utf8Encode } from '../../shared/codecs/bytes.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

const REQ = 'GET /chat HTTP/1.1\r\nHost: server.example.com\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n';
const RES = 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n\r\n';
const addr = { address: '127.0.0.1', port: 1, family: 'IPv4' as const };

function trace(client: Uint8Array[], server: Uint8Array[], keep = Infinity): TraceEvent[] {
  const ev: TraceEvent[] = [
    { type: 'event', t: 1, actor: 'client', kind: 'connect', sock: 'c1', local: addr, remote: addr },
    { type: 'event', t: 1, actor: 'server', kind: 'accept', sock: 's2', local: addr, remote: addr },
  ];
  let t = 2;
  for (const b of client) ev.push({ type: 'event', t: t++, actor: 'client', kind: 'write', sock: 'c1', bytes: b.length, ok: true, queued: 0, head: base64Encode(b.subarray(0, Math.min(keep, b.length))) });
  for (const b of server) ev.push({ type: 'event', t: t++, actor: 'server', kind: 'write', sock: 's2', bytes: b.length, ok: true, queued: 0, head: base64Encode(b.subarray(0, Math.min(keep, b.length))) });
  return ev;
}

function split(b: Uint8Array, points: number[]): Uint8Array[] {
  const cuts = [...new Set(points.map((p) => p % (b.length + 1)))].sort((x, y) => x - y);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const c of cuts) { out.push(b.subarray(prev, c)); prev = c; }
  out.push(b.subarray(prev));
  return out.filter((x) => x.length > 0);
}

describe('wsView', () => {
  const enc = createWebSocketEncoder({ sender: 'client', randomFill: (k) => k.set([1, 2, 3, 4]) });
  const clientBytes = concatBytes([utf8Encode(REQ), enc.encode({ opcode: 'text', payload: 'Hello' }), enc.encode({ opcode: 'close', closeCode: 1000, closeReason: 'bye' })]);
  const serverBytes = concatBytes([utf8Encode(RES), createWebSocketEncoder({ sender: 'server' }).encode({ opcode: 'text', payload: 'Hello' })]);

  it('shows the RFC 6455 accept computation step by step', () => {
    const v = wsView(trace([clientBytes], [serverBytes]));
    expect(v.accept).toEqual({
      key: 'dGhlIHNhbXBsZSBub25jZQ==',
      concatenated: 'dGhlIHNhbXBsZSBub25jZQ==258EAFA5-E914-47DA-95CA-C5AB0DC85B11',
      sha1Hex: 'b37a4f2cc0624f1690f64606cf385945b2bec4ea',
      computed: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
      actual: 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=',
    });
    expect(v.handshake?.ok).toBe(true);
    expect(v.clientToServer.frames.map((f) => [f.frame.opcodeName, f.frame.masked, f.frame.text ?? f.frame.closeCode])).toEqual([['text', true, 'Hello'], ['close', true, 1000]]);
    expect(v.serverToClient.frames.map((f) => [f.frame.opcodeName, f.frame.masked])).toEqual([['text', false]]);
  });

  it('property: however the bytes were cut into writes, the same head and frames at the same offsets', () => {
    const whole = wsView(trace([clientBytes], [serverBytes]));
    fc.assert(fc.property(fc.array(fc.nat(), { maxLength: 8 }), fc.array(fc.nat(), { maxLength: 8 }), (a, b) => {
      const v = wsView(trace(split(clientBytes, a), split(serverBytes, b)));
      expect(v.clientToServer.head?.headLength).toBe(whole.clientToServer.head?.headLength);
      expect(v.clientToServer.frames.map((f) => [f.offset, f.wireBytes, f.frame.opcodeName])).toEqual(whole.clientToServer.frames.map((f) => [f.offset, f.wireBytes, f.frame.opcodeName]));
      expect(v.serverToClient.frames.length).toBe(1);
      expect(v.clientToServer.problem).toBeUndefined();
    }), { numRuns: 100 });
  });

  it('a write whose bytes were not all kept stops the decoding and says so', () => {
    const v = wsView(trace([clientBytes], [serverBytes], 64));
    expect(v.clientToServer.problem).toMatch(/kept 64 of the \d+ bytes written at offset 0.*captureBytes/);
    expect(v.clientToServer.frames).toEqual([]);
    expect(v.handshake).toBeUndefined();
  });

  it('garbage after the upgrade is a named decode error at its offset', () => {
    const bad = concatBytes([utf8Encode(RES), Uint8Array.from([0x83, 0x00])]); // reserved opcode 3
    const v = wsView(trace([clientBytes], [bad]));
    expect(v.serverToClient.problem).toMatch(/RESERVED_OPCODE at offset \d+/);
  });
});
