/**
 * close-wait's observations on small hand-made traces of three clients hanging up on a server
 * that forgets to close: where each holds, where it must not (CLOSE_WAIT before the hang-up, a
 * late write nobody answered, a socket the server closed itself, a next write that went through)
 * and where its moment is not in the trace yet (the late write waits for the live control).
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/close-wait/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const e = (t: number, actor: string, kind: string, more: Record<string, unknown> = {}) => ev({ t, actor, kind, ...more });
const sample = (t: number, local: number, remote: number, state: string) => e(t, 'kernel', 'sample', { key: `127.0.0.1:${local}>127.0.0.1:${remote}`, local: at(local), remote: at(remote), state });
const pkt = (t: number, from: number, to: number, flags: string[], len = 0) => e(t, 'wire', 'packet', { src: at(from), dst: at(to), flags, seq: 1, fromSyn: true, win: 512, len });
const port = (i: number) => 40_000 + i;

/** Client i connects at 100·i, writes its line and hangs up (destroy(): FIN); the server's socket goes to CLOSE_WAIT. */
const client = (i: number) => {
  const t = 100 * i;
  return [
    e(t, 'client', 'connect', { sock: `c${i}`, local: at(port(i)), remote: at(9000) }),
    e(t + 0.1, 'server', 'accept', { sock: `s${i}`, local: at(9000), remote: at(port(i)) }),
    sample(t + 1, 9000, port(i), 'ESTABLISHED'),
    e(t + 1, 'client', 'write', { sock: `c${i}`, bytes: 21, ok: true, queued: 0 }),
    e(t + 2, 'client', 'destroy', { sock: `c${i}`, queued: 0 }),
    pkt(t + 3, port(i), 9000, ['FIN', 'ACK']),
    e(t + 4, 'server', 'eof', { sock: `s${i}` }),
    sample(t + 20, 9000, port(i), 'CLOSE_WAIT'), sample(t + 20, port(i), 9000, 'FIN_WAIT2'),
  ];
};
const hungUp = [e(1, 'server', 'listen', { sock: 'L1', local: at(9000) }), ...client(1), ...client(2), ...client(3), e(400, 'client', 'exit', { pid: 2, code: 0, signal: null })];
/** The late write into each CLOSE_WAIT socket: RST back at once; the socket is reset away. */
const lateWrite = [1, 2, 3].flatMap((i) => [
  e(1000 + i / 10, 'server', 'write', { sock: `s${i}`, bytes: 11, ok: true, queued: 0 }),
  pkt(1000.01 + i / 10, 9000, port(i), ['ACK', 'PSH'], 11), pkt(1000.05 + i / 10, port(i), 9000, ['RST']),
  sample(1010, 9000, port(i), 'GONE'), sample(1010, port(i), 9000, 'GONE'),
]);
/** The next write on each: EPIPE. */
const nextWrite = [1, 2, 3].flatMap((i) => [
  e(1300 + i / 10, 'server', 'write', { sock: `s${i}`, bytes: 19, ok: false, queued: 0 }),
  e(1302 + i / 10, 'server', 'error', { sock: `s${i}`, code: 'EPIPE', message: 'write EPIPE', syscall: 'write' }),
  e(1303 + i / 10, 'server', 'close', { sock: `s${i}`, hadError: true }),
]);
const story = [...hungUp, ...lateWrite, ...nextWrite, e(2300, 'server', 'exit', { pid: 1, code: 0, signal: null })];

function check(id: string, events: readonly TraceEvent[]) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse({}));
  return { result: resultOf(r), detail: r.detail };
}
const noWire = (events: readonly TraceEvent[]) => events.filter((x) => x.kind !== 'packet');

describe('close-wait observations', () => {
  it('every observation holds on the whole story, captured or not', () => {
    for (const o of exp.observations) {
      expect({ id: o.id, ...check(o.id, story) }).toMatchObject({ result: 'held' });
      expect({ id: o.id, ...check(o.id, noWire(story)) }).toMatchObject({ result: 'held' });
    }
  });

  describe('close-wait-grows', () => {
    it('holds: one more CLOSE_WAIT after each hang-up', () => {
      expect(check('close-wait-grows', story)).toEqual({ result: 'held', detail: 'CLOSE_WAIT count over time: 1 → 2 → 3 → 2 → 1 → 0 (3 client(s) hung up); each step up after a client hung up (at 102 ms, 202 ms, 302 ms)' });
    });
    it('does not count a connection from outside the run (an nc left in CLOSE_WAIT)', () => {
      const nc = [e(50, 'server', 'accept', { sock: 's9', local: at(9000), remote: at(50_000) }), sample(60, 9000, 50_000, 'CLOSE_WAIT')];
      expect(check('close-wait-grows', [...nc, ...story]).detail).toMatch(/^CLOSE_WAIT count over time: 1 → 2 → 3 → 2 → 1 → 0 \(3 client\(s\) hung up\)/);
    });
    it('fails when a socket sat in CLOSE_WAIT before its client hung up (the reversed order)', () => {
      // Client 1's socket is in CLOSE_WAIT at 120 ms, but the first hang-up comes only at 202 ms.
      const early = story.map((x) => (x.kind === 'destroy' && x.sock === 'c1' ? e(350, 'client', 'destroy', { sock: 'c1', queued: 0 }) : x));
      expect(check('close-wait-grows', early)).toEqual({ result: 'failed', detail: 'CLOSE_WAIT count over time: 1 → 2 → 3 → 2 → 1 → 0 (3 client(s) hung up): 1 socket(s) were in CLOSE_WAIT at 120.0 ms, before hang-up #1 at 202.0 ms' });
    });
    it('fails when a client hung up and the count never followed', () => {
      const r = check('close-wait-grows', story.filter((x) => !(x.kind === 'sample' && x.state === 'CLOSE_WAIT' && x.remote.port === port(3))));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/hang-up #3 came at 302 ms and the count never reached 3$/);
    });
    it('is not reached before any client hung up', () => {
      expect(check('close-wait-grows', [e(1, 'server', 'listen', { sock: 'L1', local: at(9000) })])).toEqual({ result: 'not-reached', detail: 'no client has hung up yet' });
    });
    it('is not reached without kernel samples', () => {
      expect(check('close-wait-grows', story.filter((x) => x.kind !== 'sample'))).toEqual({ result: 'not-reached', detail: 'no kernel samples of the server’s connections (kernel view off)' });
    });
  });

  describe('late-write-rst', () => {
    it('holds: each late write into CLOSE_WAIT answered by an RST from the client’s port', () => {
      const r = check('late-write-rst', story);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^3 late write\(s\) into CLOSE_WAIT: 3 RST\(s\) captured from the client port\(s\); write at 1000 ms → RST after 0\.05 ms/);
    });
    it('holds without capture when the sockets were reset away right after the write', () => {
      expect(check('late-write-rst', noWire(story)).detail).toMatch(/^3 late write\(s\) into CLOSE_WAIT: 3 socket\(s\) reset away \(no capture\)/);
    });
    it('allows a few ms between the observer’s clock and the server’s (a reset look stamped just before the write)', () => {
      const early = noWire(story).map((x) => (x.kind === 'sample' && x.state === 'GONE' && x.local.port === 9000 ? sample(995, 9000, x.remote.port, 'GONE') : x));
      expect(check('late-write-rst', early).result).toBe('held');
    });
    it('fails when the wire shows no RST after the write', () => {
      const r = check('late-write-rst', story.filter((x) => !(x.kind === 'packet' && x.flags.includes('RST'))));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/port 40001: write at 1000 ms, no RST from the client’s port on the wire \d+ ms later$/);
    });
    it('fails when the socket vanished because the server closed it itself (the fix), not a reset', () => {
      const closedByServer = [...noWire(hungUp), e(1000.1, 'server', 'write', { sock: 's1', bytes: 11, ok: true, queued: 0 }), e(1005, 'server', 'destroy', { sock: 's1' }), sample(1010, 9000, port(1), 'GONE'), e(2000, 'server', 'exit', { pid: 1, code: 0, signal: null })];
      expect(check('late-write-rst', closedByServer).detail).toMatch(/the server closed it itself at 1005 ms/);
      expect(check('late-write-rst', closedByServer).result).toBe('failed');
    });
    it('is not reached before the late write (writeAfterMs 0 and the control never pressed)', () => {
      expect(check('late-write-rst', hungUp)).toEqual({ result: 'not-reached', detail: 'the server has not written into a CLOSE_WAIT socket yet (writeAfterMs, or the “Write” control)' });
    });
  });

  describe('next-write-fails', () => {
    it('holds: the write after the RST failed with EPIPE on each socket', () => {
      expect(check('next-write-fails', story)).toEqual({ result: 'held', detail: 'the write after the RST failed: port 40001: EPIPE (write at 1300 ms); port 40002: EPIPE (write at 1300 ms); port 40003: EPIPE (write at 1300 ms)' });
    });
    it('fails when the next write went through and the socket lived on', () => {
      const r = check('next-write-fails', [...hungUp, ...lateWrite, e(1300.1, 'server', 'write', { sock: 's1', bytes: 19, ok: true, queued: 0 }), e(2300, 'server', 'exit', { pid: 1, code: 0, signal: null })]);
      expect(r).toEqual({ result: 'failed', detail: 'port 40001: the write at 1300 ms after the RST did not fail' });
    });
    it('fails on another error than EPIPE / ECONNRESET', () => {
      const other = story.map((x) => (x.kind === 'error' && x.sock === 's1' ? e(1302.1, 'server', 'error', { sock: 's1', code: 'ETIMEDOUT', message: 'x' }) : x));
      expect(check('next-write-fails', other)).toEqual({ result: 'failed', detail: 'port 40001: the write at 1300 ms after the RST failed with ETIMEDOUT' });
    });
    it('is not reached before a write after the RST', () => {
      expect(check('next-write-fails', [...hungUp, ...lateWrite])).toEqual({ result: 'not-reached', detail: 'no write after an RST yet' });
    });
  });
});
