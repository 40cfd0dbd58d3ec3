import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/deadlines/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, connection, ev, exit, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: 40000, server: 'server', ssock: 's1', sport: 9000 });
const line = (t: number) => ev({ t, actor: 'server', kind: 'data', sock: 's1', bytes: 20 });
/** Lines every 400 ms from `from` until `until`. */
const talk = (from: number, until: number) => Array.from({ length: Math.floor((until - from) / 400) + 1 }, (_, i) => line(from + i * 400));
const timedOut = (t: number, mode = 'deadline') => [report(t, 'server', 'timed-out', { mode, afterMs: t - 10.1, port: 40000 }), ev({ t: t + 0.1, actor: 'server', kind: 'destroy', sock: 's1', queued: 0 })];
const quiet = (t: number) => report(t, 'client', 'quiet', {});

const FULL = 41000;
const full = ev({ t: 5, actor: 'dialer', kind: 'listen', sock: 'L-full', local: { address: '127.0.0.1', port: FULL }, backlog: 0 });
const sysctl = report(4, 'dialer', 'sysctl', { tcp_abort_on_overflow: 0, tcp_syn_retries: 6 });
const dialTimeout = (t: number, afterMs: number): TraceEvent[] => [
  report(t, 'dialer', 'dial-timeout', { afterMs }), ev({ t: t + 0.2, actor: 'dialer', kind: 'error', sock: 'c1', code: 'ETIMEDOUT', message: 'dial tcp: i/o timeout', syscall: 'connect' }),
];
const synSent = (t: number, retransmits: number) => sample(t, 52000, FULL, 'SYN_SENT', { retransmits });

describe('deadlines observations', () => {
  describe('read-timeout', () => {
    it('deadline: holds when it closed readDeadlineMs after accept while the client still talked', () => {
      const r = check('read-timeout', [...conn, ...talk(11, 1500), ...timedOut(1511), quiet(2600)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('closed 1501 ms after accept (d = 1500 ms); the client was still talking');
    });
    it('deadline: fails when it closed before the deadline', () => {
      const r = check('read-timeout', [...conn, ...talk(11, 900), ...timedOut(1000)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^closed 990 ms after accept/);
    });
    it('deadline: fails when the client had already gone quiet though it talks longer than the deadline', () => {
      expect(check('read-timeout', [...conn, ...talk(11, 1000), quiet(1100), ...timedOut(3000)]).result).toBe('failed');
    });
    it('idle: holds after readDeadlineMs of silence, fails when it closed while the client talked', () => {
      const r = check('read-timeout', [...conn, ...talk(11, 2411), quiet(2600), ...timedOut(3912, 'idle')], { mode: 'idle' });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('closed after 1501 ms of silence (d = 1500 ms), 3902 ms after accept');
      const early = check('read-timeout', [...conn, ...talk(11, 2411), ...timedOut(2000, 'idle')], { mode: 'idle' });
      expect(early.result).toBe('failed');
      expect(early.detail).toMatch(/^closed after 389 ms of silence/);
    });
    it('fails when it was never closed though the run went a second past the deadline', () => {
      const r = check('read-timeout', [...conn, ...talk(11, 2000), exit(3000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('not closed 1490 ms after it was due (d = 1500 ms)');
    });
    it('is not reached before the deadline, and ignores a timeout of a connection from outside', () => {
      expect(check('read-timeout', [...conn, ...talk(11, 1000)])).toEqual({ result: 'not-reached', detail: 'the server has not timed out yet' });
      const outside = report(1511, 'server', 'timed-out', { mode: 'deadline', afterMs: 1500, port: 50000 });
      expect(check('read-timeout', [...conn, ...talk(11, 1400), outside]).result).toBe('not-reached');
    });
  });

  describe('dial-timeout', () => {
    it('holds when the program gave up at its DialTimeout, then ETIMEDOUT', () => {
      const r = check('dial-timeout', [sysctl, full, ...dialTimeout(1520, 1510)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('gave up after 1510 ms (DialTimeout 1500 ms), never connected, then ETIMEDOUT');
    });
    it('fails when the dial connected, or ended with another error first', () => {
      expect(check('dial-timeout', [full, ev({ t: 6, actor: 'dialer', kind: 'connect', sock: 'c1', local: { address: '127.0.0.1', port: 52000 }, remote: { address: '127.0.0.1', port: FULL } })])).toEqual({ result: 'failed', detail: 'connected: the queue had room' });
      const r = check('dial-timeout', [full, ev({ t: 6, actor: 'dialer', kind: 'error', sock: 'c1', code: 'ECONNRESET', message: 'read ECONNRESET', syscall: 'read' })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^the dial ended with ECONNRESET/);
    });
    it('fails when it gave up before its DialTimeout', () => {
      expect(check('dial-timeout', [full, ...dialTimeout(500, 490)]).result).toBe('failed');
    });
    it('is not reached while still dialing', () => {
      expect(check('dial-timeout', [full])).toEqual({ result: 'not-reached', detail: 'still dialing' });
    });
  });

  describe('syn-dropped', () => {
    it('holds when the kernel showed SYN_SENT and a retransmission during a 1.5 s dial', () => {
      const r = check('syn-dropped', [sysctl, full, synSent(20, 0), synSent(1020, 1), ...dialTimeout(1520, 1510)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('SYN_SENT seen, 1 SYN retransmission(s) in a 1510 ms dial; tcp_abort_on_overflow 0, tcp_syn_retries 6');
    });
    it('fails when the dial lasted over a second with no retransmission', () => {
      const r = check('syn-dropped', [sysctl, full, synSent(20, 0), ...dialTimeout(1520, 1510)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^SYN_SENT seen, 0 SYN retransmission\(s\) in a 1510 ms dial/);
    });
    it('asks no retransmission of a dial shorter than a second', () => {
      expect(check('syn-dropped', [sysctl, full, synSent(20, 0), ...dialTimeout(320, 300)], { dialTimeoutMs: 300 }).result).toBe('held');
    });
    it('is not reached without kernel samples, or while the dial goes on', () => {
      expect(check('syn-dropped', [sysctl, full, ...dialTimeout(1520, 1510)]).detail).toMatch(/no kernel samples/);
      expect(check('syn-dropped', [sysctl, full, sample(1, 9000, 0, 'LISTEN')]).result).toBe('not-reached');
    });
  });
});
