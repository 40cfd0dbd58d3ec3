import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/errors/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, ev, exit, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const err = (t: number, actor: string, sock: string, code: string, syscall: string) => ev({ t, actor, kind: 'error', sock, code, message: `${syscall} ${code}`, syscall });
const scenario = (t: number, title: string, code: string, ms: number) => report(t, 'client', 'scenario', { title, code, ms });
const FULL = 41000;

/** The client's five scenarios, in order, each ending with its error. */
const five: TraceEvent[] = [
  err(10, 'client', 'c1', 'ECONNREFUSED', 'connect'), scenario(11, 'ECONNREFUSED: dial a port nobody listens on', 'ECONNREFUSED', 1),
  err(12, 'client', 'L2', 'EADDRINUSE', 'listen'), scenario(13, 'EADDRINUSE: listen on the server’s port a second time', 'EADDRINUSE', 1),
  err(14, 'client', 'c3', 'ECONNRESET', 'read'), scenario(15, 'ECONNRESET: the server answers with RST', 'ECONNRESET', 1),
  err(120, 'client', 'c4', 'EPIPE', 'write'), scenario(121, 'EPIPE: write after the peer is gone', 'EPIPE', 105),
  ev({ t: 122, actor: 'client', kind: 'listen', sock: 'L-full', local: { address: '127.0.0.1', port: FULL }, backlog: 0 }),
  sample(130, 52000, FULL, 'SYN_SENT', { retransmits: 0 }), sample(1130, 52000, FULL, 'SYN_SENT', { retransmits: 1 }),
  err(3200, 'client', 'c5', 'ETIMEDOUT', 'connect'), scenario(3201, 'ETIMEDOUT: dial a listener whose accept queue is full', 'ETIMEDOUT', 3075),
];

/** The retrier: connected, reset by the restarting server, refused three times with growing waits, connected again. */
const conn = (t: number, sock: string, port: number) => ev({ t, actor: 'retrier', kind: 'connect', sock, local: { address: '127.0.0.1', port }, remote: { address: '127.0.0.1', port: 9000 } });
const decision = (t: number, code: string, verdict: string, waitMs?: number) => report(t, 'retrier', 'decision', { code, verdict, attempt: 1, ...(waitMs ? { waitMs } : {}) });
const beat = (t: number, sock: string) => ev({ t, actor: 'retrier', kind: 'write', sock, bytes: 7, ok: true, queued: 0 });
const retrier: TraceEvent[] = [
  conn(10, 'c1', 40001), report(10, 'retrier', 'connected', { attempt: 1 }), beat(11, 'c1'),
  err(1000, 'retrier', 'c1', 'ECONNRESET', 'read'), decision(1000.5, 'ECONNRESET', 'new-connection'),
  err(1001, 'retrier', 'c2', 'ECONNREFUSED', 'connect'), decision(1001.2, 'ECONNREFUSED', 'retry', 100),
  err(1102, 'retrier', 'c3', 'ECONNREFUSED', 'connect'), decision(1102.2, 'ECONNREFUSED', 'retry', 200),
  err(1303, 'retrier', 'c4', 'ECONNREFUSED', 'connect'), decision(1303.2, 'ECONNREFUSED', 'retry', 400),
  conn(1704, 'c5', 40005), report(1704.1, 'retrier', 'connected', { attempt: 4 }), beat(1705, 'c5'),
];

describe('errors observations', () => {
  describe('the five errors', () => {
    it('each holds when its scenario ended with that error from that syscall', () => {
      for (const id of ['error-econnrefused', 'error-eaddrinuse', 'error-econnreset', 'error-epipe', 'error-etimedout']) expect(check(id, five).result).toBe('held');
      expect(check('error-epipe', five).detail).toBe('write EPIPE after 105 ms');
      expect(check('error-etimedout', five).detail).toBe("connect ETIMEDOUT after 3075 ms (the kernel's schedule: 3000 ms for 1 SYN retries)");
    });
    it('fails when the scenario ended otherwise (no reset: EOF)', () => {
      const noReset = five.map((e) => (e.kind === 'custom' && e.data.code === 'ECONNRESET' ? scenario(e.t, 'ECONNRESET: the server answers with RST', 'EOF (no reset?)', 1) : e)).filter((e) => !(e.kind === 'error' && e.code === 'ECONNRESET'));
      const r = check('error-econnreset', noReset);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('the ECONNRESET scenario ended with EOF (no reset?) after 1.00 ms');
    });
    it('fails when the error came from another syscall', () => {
      const r = check('error-epipe', five.map((e) => (e.kind === 'error' && e.code === 'EPIPE' ? err(e.t, 'client', 'c4', 'EPIPE', 'read') : e)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/from read\(\), not write\(\)$/);
    });
    it('ETIMEDOUT fails when it came sooner than the kernel’s SYN schedule', () => {
      const r = check('error-etimedout', [...five.slice(0, -1), scenario(3201, 'ETIMEDOUT: dial a listener whose accept queue is full', 'ETIMEDOUT', 1000)]);
      expect(r.result).toBe('failed');
    });
    it('is not reached when the run ended before the scenario', () => {
      expect(check('error-etimedout', five.slice(0, 8))).toEqual({ result: 'not-reached', detail: 'the ETIMEDOUT scenario has not ended yet' });
    });
  });

  describe('syn-sent', () => {
    it('holds when the hanging dial was in SYN_SENT and its SYN retransmitted', () => {
      const r = check('syn-sent', five);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('1 socket(s) in SYN_SENT, up to 1 SYN retransmission(s)');
    });
    it('fails when the dial ended without a retransmission in the kernel’s samples', () => {
      const r = check('syn-sent', five.filter((e) => !(e.kind === 'sample' && e.t === 1130)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/up to 0 SYN retransmission\(s\) while the dial hung/);
    });
    it('is not reached without kernel samples, or before the first retransmission', () => {
      expect(check('syn-sent', five.filter((e) => e.kind !== 'sample')).detail).toMatch(/no kernel samples/);
      expect(check('syn-sent', five.slice(0, 10)).result).toBe('not-reached');
    });
  });

  describe('retry-backoff', () => {
    it('holds when each refused dial was retried after a wait no shorter than the last, and it got back in', () => {
      const r = check('retry-backoff', retrier);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('3 refused dial(s), waits 100, 200, 400 ms; connected again');
    });
    it('fails when a wait shrank', () => {
      const r = check('retry-backoff', retrier.map((e) => (e.kind === 'custom' && e.data.waitMs === 400 ? decision(e.t, 'ECONNREFUSED', 'retry', 50) : e)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/wait 3 is shorter than the one before$/);
    });
    it('fails when it dialed again before its wait was over', () => {
      const r = check('retry-backoff', retrier.map((e) => (e.kind === 'error' && e.sock === 'c3' ? err(1010, 'retrier', 'c3', 'ECONNREFUSED', 'connect') : e)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/dialed 9 ms after a 100 ms wait/);
    });
    it('fails when it gave up; not reached while the server is still down', () => {
      const down = retrier.slice(0, 11);
      expect(check('retry-backoff', [...down, decision(1800, 'ECONNREFUSED', 'give-up')]).result).toBe('failed');
      expect(check('retry-backoff', down).detail).toBe('3 refused dial(s), waits 100, 200, 400 ms; not connected again yet so far');
      expect(check('retry-backoff', retrier.slice(0, 3)).result).toBe('not-reached');
    });
  });

  describe('reset-ends-connection', () => {
    it('holds when the reset connection was left and a new one dialed', () => {
      const r = check('reset-ends-connection', retrier);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('ECONNRESET on c1 → a new connection c2 1 ms later (ECONNREFUSED); nothing more written on c1');
    });
    it('fails when it wrote on the dead connection again', () => {
      const r = check('reset-ends-connection', [...retrier, beat(1100, 'c1')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('ECONNRESET on c1, yet 1 more write(s) on it');
    });
    it('fails when it decided to retry on it instead', () => {
      const r = check('reset-ends-connection', retrier.map((e) => (e.kind === 'custom' && e.data.verdict === 'new-connection' ? decision(e.t, 'ECONNRESET', 'give-up') : e)));
      expect(r.result).toBe('failed');
    });
    it('fails when no new dial followed though the retrier lived on; not reached before any reset', () => {
      expect(check('reset-ends-connection', [...retrier.slice(0, 5), exit(3000, 'retrier')]).result).toBe('failed');
      expect(check('reset-ends-connection', retrier.slice(0, 3)).result).toBe('not-reached');
    });
  });
});
