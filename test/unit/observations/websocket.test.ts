/**
 * websocket observations on hand-made traces: the TCP bytes each side wrote (request head,
 * response head, frames encoded with the shared codec), the server's `ws-message` reports, and
 * a connection from outside that must not be judged.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/websocket/index.js';
import { computeAcceptKey, createWebSocketEncoder, type WsFrameInput } from '../../../shared/codecs/websocket-frame.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { addr, b64, connectPair, ev, judge } from '../../helpers/hand-trace.js';

const KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const request = `GET /chat HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`;
const response = (accept = computeAcceptKey(KEY), status = '101 Switching Protocols') => `HTTP/1.1 ${status}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`;
const clientEnc = createWebSocketEncoder({ sender: 'client' });
const serverEnc = createWebSocketEncoder({ sender: 'server' });
let keyNo = 1;
const key = () => new Uint8Array([keyNo, keyNo + 1, keyNo + 2, (keyNo++) + 3]);

interface Frame { t: number; from: 'client' | 'server'; frame: WsFrameInput }
/** One frame each way, as the default run sends them (fewer, smaller). */
function frames(): Frame[] {
  return [
    { t: 10, from: 'client', frame: { opcode: 'text', payload: 'hello', mask: key() } },
    { t: 11, from: 'server', frame: { opcode: 'text', payload: 'hello' } },
    { t: 12, from: 'client', frame: { opcode: 'text', payload: 'x'.repeat(200), mask: key() } },
    { t: 13, from: 'server', frame: { opcode: 'text', payload: 'x'.repeat(200) } },
    { t: 14, from: 'client', frame: { opcode: 'text', payload: 'part one, ', fin: false, mask: key() } },
    { t: 14.1, from: 'client', frame: { opcode: 'continuation', payload: 'part two', mask: key() } },
    { t: 15, from: 'server', frame: { opcode: 'text', payload: 'part one, part two' } },
    { t: 16, from: 'client', frame: { opcode: 'ping', payload: 'are you there?', mask: key() } },
    { t: 16.5, from: 'server', frame: { opcode: 'pong', payload: 'are you there?' } },
    { t: 17, from: 'client', frame: { opcode: 'binary', payload: new Uint8Array(70_000).fill(0x5a), mask: key() } },
    { t: 18, from: 'server', frame: { opcode: 'binary', payload: new Uint8Array(70_000).fill(0x5a) } },
    { t: 19, from: 'client', frame: { opcode: 'close', closeCode: 1000, closeReason: 'done', mask: key() } },
    { t: 19.5, from: 'server', frame: { opcode: 'close', closeCode: 1000, closeReason: 'done' } },
  ];
}
const received = (t: number, type: string, payload: string | Uint8Array, peerPort = 40000) => {
  const b = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
  return ev({ t, actor: 'server', kind: 'custom', name: 'ws-message', data: { dir: 'received', type, bytes: b.length, sum: payloadSum(b), peerPort, ...(type === 'text' ? { text: b.toString('utf8').slice(0, 80) } : {}) } });
};
const reports = () => [
  received(10.5, 'text', 'hello'), received(12.5, 'text', 'x'.repeat(200)), received(14.5, 'text', 'part one, part two'), received(17.5, 'binary', new Uint8Array(70_000).fill(0x5a)),
];

function session(o: { frames?: Frame[]; response?: string; reports?: TraceEvent[]; closed?: boolean } = {}): TraceEvent[] {
  const evs: TraceEvent[] = [
    ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: addr(8080) }),
    ...connectPair(2, { actor: 'client', sock: 'c1', port: 40000 }, { actor: 'server', sock: 's1', port: 8080 }),
    ev({ t: 3, actor: 'client', kind: 'write', sock: 'c1', bytes: request.length, ok: true, queued: 0, head: b64(request) }),
  ];
  const res = o.response ?? response();
  evs.push(ev({ t: 4, actor: 'server', kind: 'write', sock: 's1', bytes: res.length, ok: true, queued: 0, head: b64(res) }));
  for (const f of o.frames ?? frames()) {
    const bytes = (f.from === 'client' ? clientEnc : serverEnc).encode(f.frame);
    evs.push(ev({ t: f.t, actor: f.from, kind: 'write', sock: f.from === 'client' ? 'c1' : 's1', bytes: bytes.length, ok: true, queued: 0, head: b64(bytes) }));
  }
  evs.push(...(o.reports ?? reports()));
  if (o.closed !== false) evs.push(ev({ t: 20, actor: 'server', kind: 'close', sock: 's1' }), ev({ t: 20.1, actor: 'client', kind: 'close', sock: 'c1' }));
  return evs.sort((a, b) => a.t - b.t);
}
const without = (pred: (f: Frame) => boolean) => frames().filter((f) => !pred(f));

describe('websocket: accept-key', () => {
  it('holds for 101 with the accept key computed from the key', () => {
    const r = judge(exp, 'accept-key', session());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^the server answered 101 Switching Protocols; key dGhlIHNhbXBsZSBub25jZQ== → SHA-1 .* → base64 s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=; the server sent s3pPLMBiTxaQ9kYGzzhZRbK\+xOo=$/);
  });
  it('fails for a wrong accept key, or a status other than 101', () => {
    const r = judge(exp, 'accept-key', session({ response: response('AAAAAAAAAAAAAAAAAAAAAAAAAAA=') }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/Sec-WebSocket-Accept does not match the key/);
    const s = judge(exp, 'accept-key', session({ response: response(undefined, '200 OK'), frames: [] }));
    expect(s.result).toBe('failed');
    expect(s.detail).toMatch(/answered 200 OK.*response status is 200, not 101/);
  });
  it('is not reached before the response', () => {
    const r = judge(exp, 'accept-key', session().filter((e) => !(e.actor === 'server' && e.kind === 'write')));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/no response to the Upgrade request yet/);
  });
});

describe('websocket: masking', () => {
  it('holds when every client frame is masked with its own key and no server frame is', () => {
    const r = judge(exp, 'masking', session());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^7 of 7 client frames masked, with 7 different keys; 0 of 6 server frames masked; in all 7 client frames with a payload the bytes on the wire differ/);
  });
  it('fails when two frames share a key, a key of zeros leaves the payload plain, or the server masks', () => {
    const shared = frames().map((f) => (f.from === 'client' && f.t === 12 ? { ...f, frame: { ...f.frame, mask: new Uint8Array([1, 2, 3, 4]) } } : f.from === 'client' && f.t === 10 ? { ...f, frame: { ...f.frame, mask: new Uint8Array([1, 2, 3, 4]) } } : f));
    const a = judge(exp, 'masking', session({ frames: shared }));
    expect(a.result).toBe('failed');
    expect(a.detail).toMatch(/share a key/);
    const zero = frames().map((f) => (f.from === 'client' && f.t === 10 ? { ...f, frame: { ...f.frame, mask: new Uint8Array(4) } } : f));
    const b = judge(exp, 'masking', session({ frames: zero }));
    expect(b.result).toBe('failed');
    expect(b.detail).toMatch(/carries its plain payload on the wire/);
    const serverMasks = frames().map((f) => (f.from === 'server' && f.t === 11 ? { ...f, frame: { ...f.frame, mask: key() } } : f));
    const c = judge(exp, 'masking', session({ frames: serverMasks }));
    expect(c.result).toBe('failed');
    expect(c.detail).toMatch(/the server's next frame: MASK_MISMATCH at offset 129: frames from a server must not be masked/);
    const clientPlain = frames().map((f) => (f.from === 'client' && f.t === 12 ? { ...f, frame: { ...f.frame, mask: false } } : f));
    const d = judge(exp, 'masking', session({ frames: clientPlain }));
    expect(d.result).toBe('failed');
    expect(d.detail).toMatch(/the client's next frame: MASK_MISMATCH/);
  });
  it('is not reached before frames both ways', () => {
    const r = judge(exp, 'masking', session({ frames: frames().filter((f) => f.from === 'client') }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toBe('frames so far: 7 from the client, 0 from the server');
  });
});

describe('websocket: length-forms', () => {
  it('holds with all three forms, each the shortest', () => {
    const r = judge(exp, 'length-forms', session());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/7-bit: \d+ frames .*; 16-bit: 2 frames \(200–200 B\); 64-bit: 2 frames \(70000–70000 B\)/);
  });
  it('fails when a short payload is sent in a longer form', () => {
    const long = frames().map((f) => (f.t === 10 ? { ...f, frame: { ...f.frame, lengthForm: 64 as const } } : f));
    const r = judge(exp, 'length-forms', session({ frames: long }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/a 5 B payload at offset \d+ used the 64-bit form, not the shortest \(7-bit\)/);
  });
  it('is not reached without a 64-bit frame (bigBytes 0)', () => {
    const r = judge(exp, 'length-forms', session({ frames: without((f) => f.frame.opcode === 'binary') }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/64-bit: none/);
  });
});

describe('websocket: fragments', () => {
  it('holds for FIN 0 then a continuation with FIN 1', () => {
    const r = judge(exp, 'fragments', session());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/text frame FIN 0 "part one, " at offset \d+, continuation FIN 1 "part two"/);
  });
  it('fails when the message takes three frames', () => {
    const three = frames().flatMap((f) => (f.t === 14.1 ? [{ ...f, frame: { ...f.frame, fin: false, payload: 'part ' } }, { t: 14.2, from: 'client' as const, frame: { opcode: 'continuation' as const, payload: 'two', mask: key() } }] : [f]));
    const r = judge(exp, 'fragments', session({ frames: three }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/then a continuation with FIN 0 .*more than two frames/);
  });
  it('is not reached while the continuation has not come', () => {
    const r = judge(exp, 'fragments', session({ frames: frames().filter((f) => f.t <= 14), closed: false }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/its continuation has not come yet/);
  });
});

describe('websocket: ping-pong', () => {
  it('holds for a pong after the ping with the same payload', () => {
    const r = judge(exp, 'ping-pong', session());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/ping "are you there\?" .*; pong "are you there\?" .*, the same bytes/);
  });
  it('fails for a pong with other bytes', () => {
    const other = frames().map((f) => (f.frame.opcode === 'pong' ? { ...f, frame: { ...f.frame, payload: 'no' } } : f));
    const r = judge(exp, 'ping-pong', session({ frames: other }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/different bytes/);
  });
  it('does not take a pong from before the ping as its answer; a close without a pong fails', () => {
    const early = frames().map((f) => (f.frame.opcode === 'pong' ? { ...f, t: 15.5 } : f));
    const r = judge(exp, 'ping-pong', session({ frames: early }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/the server sent its close frame without a pong/);
    const open = judge(exp, 'ping-pong', session({ frames: early.filter((f) => f.t <= 17), closed: false }));
    expect(open.result).toBe('not-reached');
    expect(open.detail).toMatch(/no pong after it yet/);
  });
});

describe('websocket: close-code', () => {
  it('holds for 1000 each way', () => {
    const r = judge(exp, 'close-code', session());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('client: code 1000 "done"; server: code 1000 "done" (the client closed first)');
  });
  it('fails for another code, or when the connection ended without the server\'s close frame', () => {
    const other = frames().map((f) => (f.frame.opcode === 'close' && f.from === 'server' ? { ...f, frame: { ...f.frame, closeCode: 1011 } } : f));
    expect(judge(exp, 'close-code', session({ frames: other })).result).toBe('failed');
    const r = judge(exp, 'close-code', session({ frames: without((f) => f.frame.opcode === 'close' && f.from === 'server') }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/server: no close frame: the TCP connection ended without it/);
  });
  it('is not reached while the connection is open', () => {
    const r = judge(exp, 'close-code', session({ frames: without((f) => f.frame.opcode === 'close' && f.from === 'server'), closed: false }));
    expect(r.result).toBe('not-reached');
  });
});

describe('websocket: messages-vs-frames', () => {
  it('holds when the server got the messages the frames make, with the same bytes', () => {
    const r = judge(exp, 'messages-vs-frames', session());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('5 data frames from the client make 4 messages (1 in several frames); the server\'s program got 4, each the same type, size and bytes (checksum), in order');
  });
  it('fails when the same count arrives with other content', () => {
    const changed = reports().map((e, i) => (i === 2 ? received(14.5, 'text', 'part one, PART TWO') : e));
    const r = judge(exp, 'messages-vs-frames', session({ reports: changed }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/message 3: its bytes differ \(checksum\)/);
  });
  it('fails when a message never reached the program and the connection is over', () => {
    const r = judge(exp, 'messages-vs-frames', session({ reports: reports().slice(0, 3) }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/got 3: 1 never reached the program/);
  });
  it('is not reached before a message in several frames', () => {
    const r = judge(exp, 'messages-vs-frames', session({ frames: frames().filter((f) => f.t < 14), reports: reports().slice(0, 2), closed: false }));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/none was in several frames yet/);
  });
  it('leaves out a connection from outside the run and the messages reported on it', () => {
    const outside = [
      ev({ t: 2.5, actor: 'server', kind: 'accept', sock: 's9', local: addr(8080), remote: addr(51000) }),
      received(12.7, 'text', 'from a browser', 51000),
    ];
    const r = judge(exp, 'messages-vs-frames', [...session(), ...outside].sort((a, b) => a.t - b.t));
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/got 4,/);
  });
});
