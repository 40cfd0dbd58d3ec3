/**
 * The WebSocket decoder against the real `ws` package over real loopback TCP: a ws server and
 * client talk through a plain net proxy that taps the raw bytes of each direction, exactly as they
 * were read from the kernel; the taps are then decoded (head, then frames) and compared with what
 * the programs sent, and the handshake's accept key is verified.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { DecodeResult } from '../../shared/codecs/types.js';
import {
  checkHandshake,
  computeAcceptKey,
  createWebSocketStreamDecoder,
  getHeader,
  type HttpHead,
  type WebSocketStreamDecoderOptions,
  type WsFrame,
  type WsStreamItem,
} from '../../shared/codecs/websocket-frame.js';

interface Tap {
  c2s: Uint8Array[];
  s2c: Uint8Array[];
  closed: Promise<void>;
}

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function listen(server: net.Server): Promise<number> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve((server.address() as net.AddressInfo).port)));
}

/** A TCP proxy to `target` that records each direction's chunks. */
async function tapProxy(target: number): Promise<{ port: number; tap: Promise<Tap> }> {
  let onTap!: (t: Tap) => void;
  const tap = new Promise<Tap>((r) => (onTap = r));
  const server = net.createServer((client) => {
    const upstream = net.connect(target, '127.0.0.1');
    const t: Tap = { c2s: [], s2c: [], closed: Promise.resolve() };
    let open = 2;
    t.closed = new Promise((resolve) => {
      const done = (): void => {
        if (--open === 0) resolve();
      };
      client.on('close', done);
      upstream.on('close', done);
    });
    client.on('data', (d: Buffer) => {
      t.c2s.push(new Uint8Array(d));
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      t.s2c.push(new Uint8Array(d));
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    onTap(t);
  });
  const port = await listen(server);
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port, tap };
}

async function wsServer(options: { perMessageDeflate: boolean }): Promise<{ port: number; server: WebSocketServer }> {
  const server = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: options.perMessageDeflate });
  await new Promise<void>((r) => server.once('listening', () => r()));
  cleanups.push(() => new Promise<void>((r) => server.close(() => r())));
  return { port: (server.address() as net.AddressInfo).port, server };
}

function decodeTap(chunks: readonly Uint8Array[], o?: WebSocketStreamDecoderOptions): { head: HttpHead; frames: WsFrame[]; results: DecodeResult<WsStreamItem>[] } {
  const dec = createWebSocketStreamDecoder({ maxFrameSize: 1 << 20, ...o });
  const results: DecodeResult<WsStreamItem>[] = [];
  for (const c of chunks) results.push(...dec.push(c));
  const end = dec.end();
  expect(end.incomplete).toBe(false);
  const [first, ...rest] = results;
  if (first?.kind !== 'message' || first.message.kind !== 'http-head') throw new Error('expected the HTTP head first');
  const frames = rest.map((r) => {
    if (r.kind !== 'message' || r.message.kind !== 'frame') throw new Error(`unexpected ${r.kind === 'error' ? r.error.code : 'head'}`);
    return r.message;
  });
  return { head: first.message, frames, results };
}

function toBytes(d: RawData): Uint8Array {
  return Array.isArray(d) ? new Uint8Array(Buffer.concat(d)) : new Uint8Array(d as Buffer);
}

const summary = (f: WsFrame): string =>
  `${f.opcodeName}${f.fin ? '' : '(more)'} ${f.masked ? 'M' : '-'} ${f.lengthForm} ${f.payloadLength}` +
  (f.text !== null ? ` "${f.text.slice(0, 10)}"` : '') +
  (f.closeCode !== null ? ` ${f.closeCode} ${f.closeReason}` : '');

describe('WebSocket decoder on bytes from the real ws package', () => {
  it('decodes both directions of a ws conversation tapped from TCP, and verifies the accept key', async () => {
    const { port: wsPort, server } = await wsServer({ perMessageDeflate: false });
    const received: Uint8Array[] = [];
    server.on('connection', (sock) => {
      sock.on('message', (data, isBinary) => {
        received.push(toBytes(data));
        if (!isBinary && data.toString() === 'bye') sock.close(4000, 'done');
        else sock.send(data, { binary: isBinary });
      });
    });
    const { port, tap } = await tapProxy(wsPort);
    const client = new WebSocket(`ws://127.0.0.1:${port}/lab?x=1`, { perMessageDeflate: false });
    const big = new Uint8Array(70000).map((_v, i) => i & 255);
    const mid = new Uint8Array(300).fill(7);
    const echoes: Uint8Array[] = [];
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('open', () => {
        client.send('hello, 세계');
        client.send(mid);
        client.send(big);
        client.ping(Buffer.from('are you there'));
        client.send('frag-', { fin: false });
        client.send('ment', { fin: true });
        client.send('bye');
      });
      client.on('message', (d) => echoes.push(toBytes(d)));
      client.on('close', (code, reason) => {
        expect(code).toBe(4000);
        expect(reason.toString()).toBe('done');
        resolve();
      });
    });
    const t = await tap;
    await t.closed;

    const up = decodeTap(t.c2s);
    const down = decodeTap(t.s2c);
    expect(up.head).toMatchObject({ type: 'request', method: 'GET', target: '/lab?x=1' });
    expect(down.head).toMatchObject({ type: 'response', status: 101 });

    // The accept key ws sent is the one our SHA-1 derives from the key ws's client sent.
    const check = checkHandshake(up.head, down.head);
    expect(check.problems).toEqual([]);
    expect(check.ok).toBe(true);
    expect(getHeader(down.head, 'sec-websocket-accept')).toBe(computeAcceptKey(getHeader(up.head, 'sec-websocket-key')!));

    expect(up.frames.map(summary)).toEqual([
      'text M 7 13 "hello, 세계"',
      'binary M 16 300',
      'binary M 64 70000',
      'ping M 7 13',
      'text(more) M 7 5 "frag-"',
      'continuation M 7 4 "ment"',
      'text M 7 3 "bye"',
      'close M 7 6 4000 done',
    ]);
    expect(up.frames.every((f) => f.masked && f.maskingKey !== null)).toBe(true);
    expect(Array.from(up.frames[2]!.payload)).toEqual(Array.from(big));
    expect(Array.from(up.frames[1]!.payload)).toEqual(Array.from(mid));

    // The server echoes: unmasked, the fragmented message reassembled into one frame, the ping
    // answered with a pong carrying the same payload, then its close frame.
    expect(down.frames.map(summary)).toEqual([
      'text - 7 13 "hello, 세계"',
      'binary - 16 300',
      'binary - 64 70000',
      'pong - 7 13',
      'text - 7 9 "frag-ment"',
      'close - 7 6 4000 done',
    ]);
    expect(Array.from(down.frames[2]!.payload)).toEqual(Array.from(big));
    expect(received.map((r) => r.length)).toEqual([13, 300, 70000, 9, 3]);
    expect(echoes.map((e) => e.length)).toEqual([13, 300, 70000, 9]);

    // Offsets cover the tapped bytes exactly: head, then frame after frame, nothing in between.
    for (const [dir, chunks] of [
      [up, t.c2s],
      [down, t.s2c],
    ] as const) {
      let at = 0;
      for (const r of dir.results) {
        if (r.kind !== 'message') throw new Error('unexpected error');
        expect(r.start).toBe(at);
        at = r.end;
      }
      expect(at).toBe(chunks.reduce((n, c) => n + c.length, 0));
    }
  });

  it('with permessage-deflate negotiated, data frames carry RSV1: accepted only when allowed', async () => {
    const { port: wsPort, server } = await wsServer({ perMessageDeflate: true });
    server.on('connection', (sock) => sock.on('message', () => sock.close(1000)));
    const { port, tap } = await tapProxy(wsPort);
    const client = new WebSocket(`ws://127.0.0.1:${port}/`, { perMessageDeflate: true });
    await new Promise<void>((resolve, reject) => {
      client.on('error', reject);
      client.on('open', () => client.send('compress me '.repeat(20)));
      client.on('close', () => resolve());
    });
    const t = await tap;
    await t.closed;
    const up = decodeTap(t.c2s, { allowRsv1: true });
    expect(getHeader(up.head, 'sec-websocket-extensions')).toContain('permessage-deflate');
    const first = up.frames[0]!;
    expect(first).toMatchObject({ opcodeName: 'text', rsv1: true, masked: true, text: null });
    expect(first.payloadLength).toBeLessThan(240); // compressed
    const strict = createWebSocketStreamDecoder();
    const codes = t.c2s.flatMap((c) => strict.push(c)).map((r) => (r.kind === 'error' ? r.error.code : r.message.kind));
    expect(codes).toEqual(['http-head', 'RESERVED_BITS']);
  });
});
