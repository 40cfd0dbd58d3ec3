/**
 * udp observations on hand-made traces shaped like a real run: the client's phases (seed,
 * boundaries, flood, errors), the servers' datagrams, the TCP comparison and the UDP observer's
 * samples of the slow receiver.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/udp/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { addr, b64, connectPair, ev, judge } from '../../helpers/hand-trace.js';

const TIME = 'Wed Dec 02 2026 16:22:25 GMT+0000 (Coordinated Universal Time)';
const SERVER = 37292;
const SINK = 41422;
const phase = (t: number, name: string) => ev({ t, actor: 'client', kind: 'custom', name: 'phase', data: { name } });
const bind = (t: number, actor: string, sock: string, port: number) => ev({ t, actor, kind: 'bind', sock, local: addr(port, actor === 'client' ? '0.0.0.0' : '127.0.0.1'), proto: 'udp4' });
const datagram = (i: number, size: number) => `#${i} ` + String.fromCharCode(97 + (i % 26)).repeat(size - `#${i} `.length);
const sinkSample = (t: number, drops: number, recvQ: number) => ev({
  t, actor: 'kernel', kind: 'sample', proto: 'udp', key: `127.0.0.1:${SINK}>0.0.0.0:0`, local: addr(SINK), remote: addr(0, '0.0.0.0'), state: 'CLOSE', recvQ,
  skmem: { rmemAlloc: recvQ, rcvbuf: 8192, wmemAlloc: 0, sndbuf: 212992, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops },
});

interface Run { seedReply?: string | null; boundaryReads?: string[]; sinkGot?: number; drops?: number; refusedPortError?: boolean; bigError?: string | undefined; tcpReads?: number[]; end?: boolean }

/** K = 3 datagrams of 8 B, a flood of 100, as a run with count 3, size 8, floodCount 100 would make them. */
const P = { count: 3, size: 8, floodCount: 100, floodSize: 1000 };
function run(o: Run = {}): TraceEvent[] {
  const K = P.count;
  const e: TraceEvent[] = [bind(1, 'sink', 'u1', SINK), sinkSample(1.5, 0, 0), bind(2, 'server', 'u1', SERVER), phase(10, 'seed'), bind(11, 'client', 'u1', 56028),
    ev({ t: 11.5, actor: 'client', kind: 'dgram-connect', sock: 'u1', local: addr(56028, '0.0.0.0'), remote: addr(SERVER) }),
    ev({ t: 12, actor: 'client', kind: 'send', sock: 'u1', bytes: 8, head: b64('anything') })];
  const reply = o.seedReply === undefined ? TIME : o.seedReply;
  if (reply !== null) {
    e.push(ev({ t: 13, actor: 'server', kind: 'send', sock: 'u1', bytes: reply.length, to: addr(56028), head: b64(reply) }));
    e.push(ev({ t: 14, actor: 'client', kind: 'message', sock: 'u1', bytes: reply.length, from: addr(SERVER), head: b64(reply) }));
  }
  e.push(phase(20, 'boundaries'), bind(21, 'client', 'u2', 48845));
  for (let i = 0; i < K; i++) e.push(ev({ t: 22 + i / 10, actor: 'client', kind: 'send', sock: 'u2', bytes: P.size, head: b64(datagram(i, P.size)) }));
  const reads = o.boundaryReads ?? Array.from({ length: K }, (_v, i) => datagram(i, P.size));
  reads.forEach((r, i) => e.push(ev({ t: 23 + i / 10, actor: 'server', kind: 'message', sock: 'u1', bytes: r.length, from: addr(48845), head: b64(r) })));
  // The TCP comparison beside it: 3 writes of 8 B.
  e.push(...connectPair(25, { actor: 'tcp-writer', sock: 'c1', port: 40000 }, { actor: 'tcp-reader', sock: 's1', port: 9000 }));
  for (let i = 0; i < K; i++) e.push(ev({ t: 26 + i / 10, actor: 'tcp-writer', kind: 'write', sock: 'c1', bytes: P.size, ok: true, queued: 0 }));
  e.push(ev({ t: 26.5, actor: 'tcp-writer', kind: 'end', sock: 'c1' }));
  (o.tcpReads ?? [16, 8]).forEach((n, i) => e.push(ev({ t: 27 + i / 10, actor: 'tcp-reader', kind: 'data', sock: 's1', bytes: n })));
  e.push(ev({ t: 28, actor: 'tcp-reader', kind: 'eof', sock: 's1' }));
  e.push(phase(30, 'flood'), ev({ t: 31, actor: 'client', kind: 'send', sock: 'u3', bytes: P.floodCount * P.floodSize, calls: P.floodCount, size: P.floodSize, to: addr(SINK) }), bind(32, 'client', 'u3', 54845));
  const got = o.sinkGot ?? 6;
  e.push(ev({ t: 33, actor: 'sink', kind: 'message', sock: 'u1', bytes: got * P.floodSize, calls: got, size: P.floodSize, from: addr(54845) }));
  e.push(sinkSample(34, o.drops ?? P.floodCount - got, 6912), sinkSample(40, o.drops ?? P.floodCount - got, 0));
  e.push(phase(50, 'errors'), bind(51, 'client', 'u4', 49735),
    ev({ t: 51.5, actor: 'client', kind: 'dgram-connect', sock: 'u4', local: addr(49735, '0.0.0.0'), remote: addr(38751) }),
    ev({ t: 52, actor: 'client', kind: 'send', sock: 'u4', bytes: 27 }));
  if (o.refusedPortError !== false) e.push(ev({ t: 60, actor: 'client', kind: 'error', sock: 'u4', code: 'ECONNREFUSED', message: 'recvmsg ECONNREFUSED', syscall: 'recvmsg' }));
  e.push(ev({ t: 65, actor: 'client', kind: 'close', sock: 'u4' }), bind(66, 'client', 'u5', 56235),
    ev({ t: 67, actor: 'client', kind: 'send', sock: 'u5', bytes: 65507, to: addr(SERVER) }),
    ev({ t: 68, actor: 'client', kind: 'send', sock: 'u5', bytes: 65508, to: addr(SERVER), ...(o.bigError === undefined && 'bigError' in o ? {} : { error: o.bigError ?? 'EMSGSIZE' }) }));
  if (o.end !== false) e.push(ev({ t: 70, actor: 'client', kind: 'exit', pid: 1, code: 0, signal: null }), ev({ t: 80, actor: 'sink', kind: 'custom', name: 'sink-total', data: { received: got } }), ev({ t: 81, actor: 'sink', kind: 'close', sock: 'u1' }));
  return e.sort((a, b) => a.t - b.t);
}
const upTo = (t: number) => run({ end: false }).filter((e) => e.t < t);

describe('udp: seed-exchange', () => {
  it('holds: one datagram out, the server\'s time back in one datagram', () => {
    const r = judge(exp, 'seed-exchange', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe(`sent 1 datagram of 8 B ("anything"); the reply: 1 datagram of 62 B from port ${SERVER}: "${TIME}" — all 62 B the server sent`);
  });
  it('fails when the reply is not a time, or none came before the client moved on', () => {
    const r = judge(exp, 'seed-exchange', run({ seedReply: 'hello' }), P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/"hello": that is not a time/);
    const n = judge(exp, 'seed-exchange', run({ seedReply: null }), P);
    expect(n.result).toBe('failed');
    expect(n.detail).toMatch(/no reply came before the client moved on/);
  });
  it('is not reached while the client waits for the reply', () => {
    const r = judge(exp, 'seed-exchange', run({ seedReply: null }).filter((e) => e.t < 20), P);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/no reply yet/);
  });
});

describe('udp: boundaries-kept', () => {
  it('holds: K reads of M bytes, each a whole datagram sent', () => {
    const r = judge(exp, 'boundaries-kept', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('sent 3 × 8 B; the server\'s reads returned 3 × 8 B, each beginning as one datagram sent began (#0 … #2)');
  });
  it('fails when a datagram is lost, or a read does not begin as any datagram sent', () => {
    const lost = judge(exp, 'boundaries-kept', run({ boundaryReads: [datagram(0, 8), datagram(1, 8)] }), P);
    expect(lost.result).toBe('failed');
    expect(lost.detail).toMatch(/1 never arrived/);
    const foreign = judge(exp, 'boundaries-kept', run({ boundaryReads: [datagram(0, 8), datagram(1, 8), 'zzzzzzzz'] }), P);
    expect(foreign.result).toBe('failed');
    expect(foreign.detail).toMatch(/a read began "zzzzzzzz", as no datagram sent began/);
  });
  it('fails when the count is not the K set', () => {
    const r = judge(exp, 'boundaries-kept', run(), { ...P, count: 4 });
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/not the 4 × 8 B set/);
  });
  it('is not reached before the phase', () => {
    expect(judge(exp, 'boundaries-kept', upTo(20), P).result).toBe('not-reached');
  });
});

describe('udp: tcp-merged', () => {
  it('holds when the same K writes were merged over TCP', () => {
    const r = judge(exp, 'tcp-merged', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('3 TCP writes of 3 × 8 B arrived as 2 reads: 1 read carried several writes, 0 writes were split');
  });
  it('fails when TCP kept every boundary', () => {
    const r = judge(exp, 'tcp-merged', run({ tcpReads: [8, 8, 8] }), P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/every write came back as one read/);
  });
  it('is not reached with compareTcp off', () => {
    const r = judge(exp, 'tcp-merged', run(), { ...P, compareTcp: false });
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/compareTcp is off/);
  });
});

describe('udp: drops-counted', () => {
  it('holds when every datagram that did not reach the program was counted', () => {
    const r = judge(exp, 'drops-counted', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('sent 100 of 100 datagrams of 1000 B, none refused; the receiver\'s program got 6; its socket\'s drop counter says 94 (the kernel\'s last look, at 0.04 s, nothing queued): every datagram that did not reach the program was counted');
  });
  it('fails when datagrams were lost without being counted, or nothing was dropped', () => {
    const r = judge(exp, 'drops-counted', run({ drops: 50 }), P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/44 lost without being counted/);
    const kept = judge(exp, 'drops-counted', run({ sinkGot: 100, drops: 0 }), P);
    expect(kept.result).toBe('failed');
    expect(kept.detail).toMatch(/nothing was dropped/);
  });
  it('is not reached without the kernel\'s samples of the receiver', () => {
    const r = judge(exp, 'drops-counted', run().filter((e) => e.kind !== 'sample'), P);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/the kernel's drop count is unknown/);
  });
  it('reads the kernel\'s last live look, not the GONE sample at the end', () => {
    const gone = ev({ t: 90, actor: 'kernel', kind: 'sample', proto: 'udp', key: `127.0.0.1:${SINK}>0.0.0.0:0`, local: addr(SINK), remote: addr(0, '0.0.0.0'), state: 'GONE' });
    expect(judge(exp, 'drops-counted', [...run(), gone], P).result).toBe('held');
  });
});

describe('udp: econnrefused', () => {
  it('holds: connect, a send that succeeded, then ECONNREFUSED', () => {
    const r = judge(exp, 'econnrefused', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('port 38751: ECONNREFUSED reported by recvmsg(), 8.0 ms after a send() that itself succeeded');
  });
  it('fails when no error came before the client moved on', () => {
    const r = judge(exp, 'econnrefused', run({ refusedPortError: false }), P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/no ECONNREFUSED came/);
  });
  it('fails when a socket of the run listens on that port', () => {
    const r = judge(exp, 'econnrefused', [bind(0.5, 'server', 'u9', 38751), ...run()], P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/server's socket was bound to that port/);
  });
  it('is not reached while the client waits for the error', () => {
    expect(judge(exp, 'econnrefused', upTo(55), P).result).toBe('not-reached');
  });
});

describe('udp: emsgsize', () => {
  it('holds: 65,508 B refused with EMSGSIZE, 65,507 B sent', () => {
    const r = judge(exp, 'emsgsize', run(), P);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('65508 B: EMSGSIZE; 65507 B went through');
  });
  it('fails when a datagram over the most went through', () => {
    const r = judge(exp, 'emsgsize', run({ bigError: undefined }), P);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/65508 B, over the most, was sent/);
  });
  it('is not reached before a datagram over 65,507 B was sent', () => {
    const r = judge(exp, 'emsgsize', upTo(67.5), P);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/nothing over 65,507 B sent yet/);
  });
});
