/**
 * proxy observations on hand-made traces: a client → proxy → server chain with the client's
 * stream (stream-pattern.ts) in the reads' heads, the kernel's and Node's last looks at the
 * queues, the server's pause and the waits for 'drain', and the toxic changes against what was
 * asked for (the toxics parameter, the controls).
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/proxy/index.js';
import { chunkHead } from '../../../server/experiments/proxy/stream-pattern.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { addr, b64, connectPair, ev, judge } from '../../helpers/hand-trace.js';

const CB = 1024;
const chunk = (i: number) => chunkHead(i, CB).padEnd(CB, '.');
const stream = (from: number, to: number) => { let s = ''; for (let i = Math.floor(from / CB); i * CB < to; i++) s += chunk(i); return s.slice(from % CB, from % CB + (to - from)); };
const head = (from: number, to: number) => b64(stream(from, Math.min(to, from + 64)));

/** client c1 (port 40000) → proxy (s2 on 9001, c3 from 41000) → server s2 (9000). */
const chain = (): TraceEvent[] => [
  ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: addr(9000) }),
  ev({ t: 2, actor: 'proxy', kind: 'listen', sock: 'L1', local: addr(9001) }),
  ...connectPair(3, { actor: 'client', sock: 'c1', port: 40000 }, { actor: 'proxy', sock: 's2', port: 9001 }),
  ...connectPair(3.5, { actor: 'proxy', sock: 'c3', port: 41000 }, { actor: 'server', sock: 's2', port: 9000 }),
];
const cwrite = (t: number, bytes: number, ok = true) => ev({ t, actor: 'client', kind: 'write', sock: 'c1', bytes, ok, queued: 0 });
const pread = (t: number, from: number, to: number) => ev({ t, actor: 'proxy', kind: 'data', sock: 's2', bytes: to - from, head: head(from, to) });
const pwrite = (t: number, bytes: number, ok = true) => ev({ t, actor: 'proxy', kind: 'write', sock: 'c3', bytes, ok, queued: 0 });
const sread = (t: number, from: number, to: number, text?: string) => ev({ t, actor: 'server', kind: 'data', sock: 's2', bytes: to - from, head: text === undefined ? head(from, to) : b64(text) });
const sample = (t: number, local: number, remote: number, q: { recvQ?: number; sendQ?: number }) =>
  ev({ t, actor: 'kernel', kind: 'sample', key: `127.0.0.1:${local}>127.0.0.1:${remote}`, local: addr(local), remote: addr(remote), state: 'ESTABLISHED', recvQ: q.recvQ ?? 0, sendQ: q.sendQ ?? 0 });
/** The kernel's look at all four sockets of the chain, every queue empty but the client's send queue. */
const looks = (t: number, clientSendQ = 0) => [sample(t, 40000, 9001, { sendQ: clientSendQ }), sample(t, 9001, 40000, {}), sample(t, 41000, 9000, {}), sample(t, 9000, 41000, {})];
/** Each program's last report (its sockets closing), so the trace has all three programs' reports up to `t`. */
const closes = (t: number) => [ev({ t, actor: 'client', kind: 'close', sock: 'c1' }), ev({ t, actor: 'proxy', kind: 'close', sock: 's2' }), ev({ t, actor: 'proxy', kind: 'close', sock: 'c3' }), ev({ t, actor: 'server', kind: 'close', sock: 's2' })];
const gone = (t: number) => [40000, 9001, 41000, 9000].map((p, i) => ev({ t, actor: 'kernel', kind: 'sample', key: `127.0.0.1:${p}>127.0.0.1:${[9001, 40000, 9000, 41000][i]}`, local: addr(p), remote: addr([9001, 40000, 9000, 41000][i]!), state: 'GONE' }));

describe('proxy: copies', () => {
  it('holds when the server read the client\'s stream, all of it', () => {
    const r = judge(exp, 'copies', [...chain(), cwrite(10, 3072), pread(11, 0, 3072), pwrite(12, 3072), sread(13, 0, 2048), sread(14, 2048, 3072), ...looks(15), ...closes(16), ...gone(20)]);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('client wrote 3072 B; the proxy read 3072 B from it and wrote 3072 B to the server; the server read 3072 B; the 192 B of the reads the lab kept are the client\'s stream at their offsets');
  });
  it('holds when what was not read was in the buffers at the last look (not the GONE sample)', () => {
    const r = judge(exp, 'copies', [...chain(), cwrite(10, 10240), pread(11, 0, 4096), pwrite(12, 4096), sread(13, 0, 4096), ...looks(15, 6144), ...closes(16), ...gone(20)]);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/the 6144 B not read were in the buffers at the last look \(6144 B in the client's send queue\)/);
  });
  it('compares the counts where every program\'s reports reach, not past it (a busy proxy\'s last reports never came)', () => {
    const e = [...chain(), cwrite(10, 3072), pread(11, 0, 3072), pwrite(12, 3072), sread(13, 0, 3072), ...looks(15), ...closes(16).filter((x) => x.actor !== 'proxy'),
      ev({ t: 14, actor: 'proxy', kind: 'nodestate', sock: 'c3', writableLength: 0, writableHighWaterMark: 16384, toKernel: 3072, readableLength: 0, readableHighWaterMark: 16384, bytesRead: 0, delivered: 0, flowing: true, writeFalse: 0, drainWaitMs: 0, waiting: false }),
      cwrite(900, 500_000), sread(950, 3072, 503072), ev({ t: 1000, actor: 'client', kind: 'close', sock: 'c1' }), ev({ t: 1000, actor: 'server', kind: 'close', sock: 's2' })];
    const r = judge(exp, 'copies', e);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^client wrote 3072 B; .* the server read 3072 B \(at 0\.01 s, the latest moment the trace has every program's reports for\)/);
  });
  it('fails when 99% of the bytes were lost: not at the server, not in any buffer', () => {
    const r = judge(exp, 'copies', [...chain(), cwrite(10, 102400), cwrite(500, 1024), pread(600, 0, 1024), pwrite(601, 1024), sread(602, 0, 1024), ...looks(700), ...closes(750), ...gone(800)]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/client wrote 103424 B; .* the server read 1024 B: 102400 B are neither at the server nor in any buffer at the last look/);
  });
  it('fails when the bytes read are not the client\'s stream at that offset', () => {
    const r = judge(exp, 'copies', [...chain(), cwrite(10, 3072), pread(11, 0, 3072), pwrite(12, 3072), sread(13, 0, 1024), sread(14, 1024, 3072, chunk(2).slice(0, 64)), ...looks(15)]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/at byte 1027 the server read "2<<<.*" where the client's stream has "1<<<.*"/);
  });
  it('is not reached when the kernel never showed the queues, or nothing was written', () => {
    const r = judge(exp, 'copies', [...chain(), cwrite(10, 102400), cwrite(500, 1024), pread(600, 0, 1024), pwrite(601, 1024), sread(602, 0, 1024)]);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/the kernel never showed .*so the rest cannot be told from lost bytes/);
    expect(judge(exp, 'copies', chain()).result).toBe('not-reached');
  });
  it('leaves out a client from outside the run (an nc to the proxy)', () => {
    const outside = [ev({ t: 4, actor: 'proxy', kind: 'accept', sock: 's9', local: addr(9001), remote: addr(52000) }), ev({ t: 5, actor: 'proxy', kind: 'data', sock: 's9', bytes: 5, head: b64('hello') })];
    const r = judge(exp, 'copies', [...chain(), ...outside, cwrite(10, 3072), pread(11, 0, 3072), pwrite(12, 3072), sread(13, 0, 3072), ...looks(15), ...closes(16)]);
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^client wrote 3072 B; the proxy read 3072 B from it/);
  });
});

const reader = (t: number, state: 'paused' | 'reading') => ev({ t, actor: 'server', kind: 'custom', name: 'reader', data: { state, why: 'scheduled' } });
const drain = (t: number, actor: 'client' | 'proxy') => ev({ t, actor, kind: 'drain', sock: actor === 'client' ? 'c1' : 'c3', waitedMs: 1 });
/** pause 4 s → 8 s; the proxy's write false at 6.16 s, 'drain' 8.90 s; the client's false at 6.10 s, 'drain' 8.94 s (as in a real run). */
function stall(o: { proxyFalse?: number; proxyDrain?: number; clientFalse?: number; clientDrain?: number; resume?: boolean } = {}): TraceEvent[] {
  const e = [...chain(), reader(4000, 'paused'),
    cwrite(o.clientFalse ?? 6100, 1024, false), pwrite(o.proxyFalse ?? 6160, 1024, false)];
  if (o.resume !== false) e.push(reader(8890, 'reading'), drain(o.proxyDrain ?? 8900, 'proxy'), drain(o.clientDrain ?? 8940, 'client'));
  return e.sort((a, b) => a.t - b.t);
}

describe('proxy: backpressure', () => {
  it('holds: the proxy stalls during the pause; both released after the server reads, the proxy first', () => {
    const r = judge(exp, 'backpressure', stall());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('server paused at 4.00 s, read again at 8.89 s; the proxy\'s write() to it returned false at 6.16 s, \'drain\' at 8.90 s; the client\'s write() returned false at 6.10 s, \'drain\' at 8.94 s: released in order, the server reading, then the proxy, then the client');
  });
  it('fails when the client got \'drain\' before the proxy did', () => {
    const r = judge(exp, 'backpressure', stall({ clientDrain: 8895 }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/the client got 'drain' before the proxy/);
  });
  it('fails when the client blocked before the pause and the proxy was never held back', () => {
    const e = [...chain(), cwrite(3000, 1024, false), reader(4000, 'paused'), reader(8890, 'reading'), drain(8940, 'client')];
    const r = judge(exp, 'backpressure', e);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/the proxy's write\(\) to it was not held back/);
  });
  it('fails when the proxy was held back before the pause began', () => {
    const r = judge(exp, 'backpressure', stall({ proxyFalse: 3500 }));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/the proxy was held back before the pause/);
  });
  it('is not reached when the run ended before the pause, or before the server read again', () => {
    const before = judge(exp, 'backpressure', [...chain(), cwrite(1000, 1024)]);
    expect(before.result).toBe('not-reached');
    expect(before.detail).toMatch(/the server has not paused yet/);
    const during = judge(exp, 'backpressure', stall({ resume: false }));
    expect(during.result).toBe('not-reached');
    expect(during.detail).toMatch(/the server has not read again yet/);
  });
});

const toxic = (t: number, data: Record<string, unknown>) => ev({ t, actor: 'proxy', kind: 'custom', name: 'toxic', data });
const control = (t: number, command: string, args: Record<string, number>) => ev({ t, actor: 'proxy', kind: 'control', command, args });

describe('proxy: bandwidth', () => {
  /** The server reads `rate` B/s from 1 s to 5 s under a 65,536 B/s toxic, the client held back throughout. */
  const reading = (rate: number, clientHeld = true) => {
    const e = [...chain(), toxic(2.5, { name: 'bandwidth', on: true, dir: 1, params: { rate: 65536 }, source: 'param' })];
    if (clientHeld) e.push(cwrite(900, 1024, false));
    for (let t = 1000; t <= 5000; t += 100) e.push(ev({ t, actor: 'server', kind: 'data', sock: 's2', bytes: Math.round(rate / 10) }));
    return e.sort((a, b) => a.t - b.t);
  };
  it('holds when the server read at the limit', () => {
    const r = judge(exp, 'bandwidth', reading(65536));
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^limit 65536 B\/s; the server read \d+ B in 3\.50 s: \d+ B\/s \(10\d\.\d% of the limit\)$/);
  });
  it('fails when the server read at half the limit', () => {
    const r = judge(exp, 'bandwidth', reading(32768));
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/\(50\.0% of the limit\)/);
  });
  it('is not reached when the client never pushed against the limit, or there is no toxic', () => {
    const r = judge(exp, 'bandwidth', reading(32768, false));
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/the client was never held back meanwhile/);
    expect(judge(exp, 'bandwidth', chain(), { toxics: '' }).detail).toMatch(/no bandwidth toxic/);
  });
});

describe('proxy: toxics-traced', () => {
  const started = [...chain(), toxic(2.5, { name: 'bandwidth', on: true, dir: 1, params: { rate: 65536 }, source: 'param' })];
  it('holds when the parameter\'s toxic and each control\'s change are in the trace as set', () => {
    const e = [...started, control(3000, 'toxic-latency', { on: 1, latency: 150, jitter: 0, dir: 0 }), toxic(3001, { name: 'latency', on: true, dir: 0, params: { latency: 150, jitter: 0 }, source: 'control' }),
      control(5000, 'toxics-off', {}), toxic(5001, { name: 'bandwidth', on: false, source: 'control' }), toxic(5002, { name: 'latency', on: false, source: 'control' }), cwrite(9000, 1)];
    const r = judge(exp, 'toxics-traced', e);
    expect(r.result).toBe('held');
    expect(r.detail).toBe('bandwidth on dir 1 (rate=65536) (toxics parameter): at 0.00 s; latency on dir 0 (latency=150, jitter=0) (control at 3.00 s): at 3.00 s; bandwidth off (control at 5.00 s): at 5.00 s; latency off (control at 5.00 s): at 5.00 s');
  });
  it('fails when a change is in the trace with other parameters than it was set with', () => {
    const e = [...started, control(3000, 'toxic-latency', { on: 1, latency: 150, jitter: 0, dir: 0 }), toxic(3001, { name: 'latency', on: true, dir: 0, params: { latency: 100, jitter: 0 }, source: 'control' })];
    const r = judge(exp, 'toxics-traced', e);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/latency on dir 0 \(latency=150, jitter=0\) \(control at 3\.00 s\): the proxy reported it at 3\.00 s with dir 0 \(latency=100, jitter=0\)/);
  });
  it('fails when a control was never reported, and is not reached while it may still be', () => {
    const e = [...started, control(3000, 'toxic-slicer', { on: 1 }), cwrite(6000, 1)];
    const r = judge(exp, 'toxics-traced', e);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/slicer on .*: the proxy never reported it/);
    expect(judge(exp, 'toxics-traced', [...started, control(3000, 'toxic-slicer', { on: 1 })]).result).toBe('not-reached');
  });
  it('is not reached when no toxic was switched', () => {
    const r = judge(exp, 'toxics-traced', chain(), { toxics: '' });
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/no toxic was switched on or off/);
  });
});
