/**
 * time-wait's observations on small hand-made traces (the server closing first, and the client):
 * where each holds, where it must not (TIME_WAIT on the wrong side, a timer far from 60 s, a
 * TIME_WAIT that vanished, a bind refused with no TIME_WAIT on the port) and where its moment is
 * not in the trace yet.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/time-wait/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const e = (t: number, actor: string, kind: string, more: Record<string, unknown> = {}) => ev({ t, actor, kind, ...more });
const report = (t: number, name: string, data: Record<string, unknown>) => e(t, 'server', 'custom', { name, data });
const sample = (t: number, local: number, remote: number, state: string, more: Record<string, unknown> = {}) => e(t, 'kernel', 'sample', { key: `127.0.0.1:${local}>127.0.0.1:${remote}`, local: at(local), remote: at(remote), state, ...more });
const fin = (t: number, from: number, to: number) => e(t, 'wire', 'packet', { src: at(from), dst: at(to), flags: ['FIN', 'ACK'], seq: 1, fromSyn: true, win: 512, len: 0 });
const timer = (expiresMs: number) => ({ name: 'timewait', expiresMs, retrans: 0 });
const rebinds = (raw: string) => [
  e(320, 'server', 'close', { sock: 'L1' }),
  report(321, 'rebind', { how: 'socket()+bind() without SO_REUSEADDR', port: 9000, result: raw }),
  report(322, 'rebind', { how: 'Node server.listen() (SO_REUSEADDR on)', port: 9000, result: 'ok' }),
];
const setup = [
  e(1, 'server', 'listen', { sock: 'L1', local: at(9000) }),
  report(2, 'listener-reuseaddr', { value: 'true', setBy: 'Node (libuv uv_tcp_bind)' }),
  report(3, 'sysctl', { tcp_fin_timeout: '60' }),
  e(10, 'client', 'connect', { sock: 'c1', local: at(40000), remote: at(9000) }),
  e(10.1, 'server', 'accept', { sock: 's2', local: at(9000), remote: at(40000) }),
];
/** closer = server: its end() and FIN first; its socket (9000 > 40000) sits in TIME_WAIT. */
const serverFirst = [
  ...setup,
  e(12, 'server', 'end', { sock: 's2' }), fin(12.5, 9000, 40000),
  e(13, 'client', 'eof', { sock: 'c1' }), e(13.2, 'client', 'end', { sock: 'c1' }), fin(13.5, 40000, 9000),
  e(14, 'client', 'close', { sock: 'c1' }), e(15, 'server', 'close', { sock: 's2' }),
  sample(50, 9000, 40000, 'TIME_WAIT', { inode: 0, timer: timer(59_980) }),
  e(80, 'client', 'exit', { pid: 2, code: 0, signal: null }),
  ...rebinds('EADDRINUSE'),
  e(5330, 'server', 'exit', { pid: 1, code: 0, signal: null }),
  e(5600, 'lab', 'note', { level: 'info', text: 'kernel observer: done' }),
];
/** closer = client: the TIME_WAIT is on the client's port; the server's port is free. */
const clientFirst = [
  ...setup,
  e(12, 'client', 'end', { sock: 'c1' }), fin(12.5, 40000, 9000),
  e(13, 'server', 'eof', { sock: 's2' }), e(13.2, 'server', 'end', { sock: 's2' }), fin(13.5, 9000, 40000),
  e(14, 'client', 'close', { sock: 'c1' }), e(15, 'server', 'close', { sock: 's2' }),
  sample(50, 40000, 9000, 'TIME_WAIT', { inode: 0, timer: timer(59_990) }),
  e(80, 'client', 'exit', { pid: 2, code: 0, signal: null }),
  ...rebinds('ok'),
  e(5330, 'server', 'exit', { pid: 1, code: 0, signal: null }),
];

function check(id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse(params));
  return { result: resultOf(r), detail: r.detail };
}
const noSamples = (events: readonly TraceEvent[]) => events.filter((x) => x.kind !== 'sample');

describe('time-wait observations', () => {
  it('every observation holds with either side closing first', () => {
    for (const o of exp.observations) {
      expect({ id: o.id, ...check(o.id, serverFirst) }).toMatchObject({ result: 'held' });
      expect({ id: o.id, ...check(o.id, clientFirst, { closer: 'client' }) }).toMatchObject({ result: 'held' });
    }
  });

  describe('active-closer-time-wait', () => {
    it('holds: the side whose FIN came first is in TIME_WAIT, the other never was', () => {
      expect(check('active-closer-time-wait', serverFirst)).toEqual({ result: 'held', detail: 'the server closed first (its FIN first on the wire, at 13 ms); server side: TIME_WAIT; client side: never sampled (so never in TIME_WAIT, which the observer keeps seeing for 60 s)' });
    });
    it('decides who closed first from the trace, not from the closer parameter', () => {
      const r = check('active-closer-time-wait', [...noSamples(clientFirst), sample(50, 40000, 9000, 'TIME_WAIT', { inode: 0 })], { closer: 'server' });
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^the client closed first/);
    });
    it('fails when the other side went to TIME_WAIT too', () => {
      const r = check('active-closer-time-wait', [...serverFirst, sample(50, 40000, 9000, 'TIME_WAIT', { inode: 0 })]);
      expect(r).toEqual({ result: 'failed', detail: 'the server closed first (its FIN first on the wire, at 13 ms); server side: TIME_WAIT; client side: TIME_WAIT' });
    });
    it('fails when the closer’s socket went away without TIME_WAIT', () => {
      const r = check('active-closer-time-wait', [...noSamples(serverFirst), sample(11, 9000, 40000, 'ESTABLISHED', { inode: 5 }), sample(50, 9000, 40000, 'GONE')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/server side: ESTABLISHED → GONE; .*: gone without TIME_WAIT$/);
    });
    it('is not reached before either side closed', () => {
      expect(check('active-closer-time-wait', setup)).toEqual({ result: 'not-reached', detail: 'neither side has closed yet' });
    });
    it('is not reached without kernel samples', () => {
      expect(check('active-closer-time-wait', noSamples(serverFirst))).toEqual({ result: 'not-reached', detail: 'no kernel samples (kernel view off)' });
    });
  });

  describe('time-wait-length', () => {
    it('holds: the timer started near 60 s and TIME_WAIT outlived the closer to the end of the run', () => {
      expect(check('time-wait-length', serverFirst)).toEqual({ result: 'held', detail: 'TIME_WAIT on the server’s side from 0.1 s; the kernel’s timer at its first look: 60.0 s; still there at 5.6 s, the trace’s last moment, 0.3 s after the server exited; tcp_fin_timeout = 60 s (that one times FIN_WAIT2, not TIME_WAIT)' });
    });
    it('holds when the closer exited before the observer’s first look at its TIME_WAIT', () => {
      const quick = clientFirst.map((x) => (x.kind === 'exit' && x.actor === 'client' ? e(30, 'client', 'exit', { pid: 2, code: 0, signal: null }) : x));
      expect(check('time-wait-length', quick, { closer: 'client' }).detail).toMatch(/still there at 5\.3 s, the trace’s last moment, 5\.3 s after the client exited/);
    });
    it('fails when the timer is far from 60 s (it is checked, not just reported)', () => {
      const r = check('time-wait-length', serverFirst.map((x) => (x.kind === 'sample' ? sample(50, 9000, 40000, 'TIME_WAIT', { inode: 0, timer: timer(30_000) }) : x)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/timer at its first look: 30\.0 s: not near 60 s/);
    });
    it('fails when the TIME_WAIT disappeared before the end', () => {
      const r = check('time-wait-length', [...serverFirst, sample(2000, 9000, 40000, 'GONE')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/it disappeared at 2\.0 s/);
    });
    it('is not reached while the closer still runs', () => {
      const r = check('time-wait-length', serverFirst.filter((x) => !(x.kind === 'exit' && x.actor === 'server')));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/still there, and the server is still running/);
    });
    it('is not reached when the kernel reports no timer', () => {
      const r = check('time-wait-length', serverFirst.map((x) => (x.kind === 'sample' ? sample(50, 9000, 40000, 'TIME_WAIT', { inode: 0 }) : x)));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/the kernel’s timer at its first look: not reported/);
    });
  });

  describe('rebind', () => {
    it('holds (server closed first): EADDRINUSE while the port’s TIME_WAIT exists, Node’s listen ok', () => {
      expect(check('rebind', serverFirst)).toEqual({ result: 'held', detail: 'without SO_REUSEADDR: EADDRINUSE (a TIME_WAIT socket had the port); Node listen: ok; Node’s first listener had SO_REUSEADDR = true' });
    });
    it('holds (client closed first): no TIME_WAIT on the port, the plain bind succeeds', () => {
      expect(check('rebind', clientFirst, { closer: 'client' }).detail).toMatch(/^without SO_REUSEADDR: ok \(no TIME_WAIT on the port\)/);
    });
    it('fails when the plain bind was refused with no TIME_WAIT on the port (judged from the trace, not the closer parameter)', () => {
      const refused = [...clientFirst.filter((x) => !(x.kind === 'custom' && x.name === 'rebind')), ...rebinds('EADDRINUSE').slice(1)];
      expect(check('rebind', refused, { closer: 'server' })).toEqual({ result: 'failed', detail: 'without SO_REUSEADDR: EADDRINUSE (no TIME_WAIT on the port); Node listen: ok; Node’s first listener had SO_REUSEADDR = true' });
    });
    it('fails when Node’s listener did not have SO_REUSEADDR after all', () => {
      const off = serverFirst.map((x) => (x.kind === 'custom' && x.name === 'listener-reuseaddr' ? report(2, 'listener-reuseaddr', { value: 'false' }) : x));
      expect(check('rebind', off).result).toBe('failed');
    });
    it('is not reached before the restart', () => {
      expect(check('rebind', setup)).toEqual({ result: 'not-reached', detail: 'the server has not restarted yet' });
    });
    it('is not reached without kernel samples: whether a TIME_WAIT had the port is unknown', () => {
      const r = check('rebind', noSamples(serverFirst));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/no kernel samples, so whether a TIME_WAIT had the port is unknown$/);
    });
  });
});
