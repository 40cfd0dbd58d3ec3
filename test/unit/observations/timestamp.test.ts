import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/timestamp/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, connection, ev, exit, report } from '../../helpers/hand-trace.js';

const check = checker(exp);
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: 40000, server: 'server', ssock: 's1', sport: 1200 });
const PEER = '127.0.0.1:40000';
const NOW = 1_800_000_000;
const DATE = '2027-01-15 08:00:00.000 +0000 UTC\n';
const cw = (t: number, bytes: number) => ev({ t, actor: 'client', kind: 'write', sock: 'c1', bytes, ok: true, queued: 0 });
const sw = (t: number, bytes: number) => ev({ t, actor: 'server', kind: 'write', sock: 's1', bytes, ok: true, queued: 0 });
const cd = (t: number, bytes: number) => ev({ t, actor: 'client', kind: 'data', sock: 'c1', bytes });
const read = (t: number, bytes: number, text: string, answer: 'unix' | 'date', value: string) => report(t, 'server', 'request', { peer: PEER, bytes, text, answer, value });

/** "timestamp", answered (by the server's Unix time `value`, and the client's clock). */
function askTimestamp(value = String(NOW), answer: 'unix' | 'date' = 'unix'): TraceEvent[] {
  return [
    report(20, 'client', 'asked', { request: 'timestamp', bytes: 10, wallSec: NOW + 0.1 }), cw(20.1, 10),
    read(21, 10, 'timestamp\n', answer, value), sw(21.1, value.length + 1),
    cd(22, value.length + 1), report(22.1, 'client', 'answer', { text: `${value}\n`, wallSec: NOW + 0.2 }),
  ];
}
/** The client's 301-byte request read in `sizes` pieces, each answered with a date (the client receives `received` answers). */
function longRequest(sizes: number[], received = sizes.length): TraceEvent[] {
  const out: TraceEvent[] = [report(100, 'client', 'asked', { request: 'AAAA', bytes: 301, wallSec: NOW + 1 }), cw(100.1, 301)];
  sizes.forEach((n, i) => out.push(read(101 + i, n, 'AAAA', 'date', DATE.trim()), sw(101.1 + i, DATE.length)));
  for (let i = 0; i < received; i++) out.push(cd(110 + i, DATE.length));
  return out;
}
const deadline = (t: number) => [report(t, 'server', 'read-deadline', { peer: PEER, afterMs: 3000 }), ev({ t: t + 0.1, actor: 'server', kind: 'destroy', sock: 's1', queued: 0 })];
const eof = (t: number) => ev({ t, actor: 'client', kind: 'eof', sock: 'c1' });

describe('timestamp observations', () => {
  describe('unix-time', () => {
    it('holds when "timestamp" got a Unix time between asking and the answer', () => {
      const r = check('unix-time', [...conn, ...askTimestamp()]);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^answer "1800000000"; asked at 1800000000\.1 s/);
    });
    it('fails when the answer is not the Unix time of that moment', () => {
      const r = check('unix-time', [...conn, ...askTimestamp(String(NOW + 3600))]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^answer "1800003600"/);
    });
    it('is not reached before the client asked, or while the answer is on its way', () => {
      expect(check('unix-time', conn).result).toBe('not-reached');
      const r = check('unix-time', [...conn, ...askTimestamp().slice(0, 2)]);
      expect(r).toEqual({ result: 'not-reached', detail: 'no answer to "timestamp" yet' });
    });
    it('fails when the server closed the connection without answering', () => {
      expect(check('unix-time', [...conn, ...askTimestamp().slice(0, 3), eof(30), exit(1000, 'client')]).result).toBe('failed');
    });
    it('compareWholeBuffer: holds on the date, fails on the Unix time', () => {
      const r = check('unix-time', [...conn, ...askTimestamp('2027-01-15 08:00:00.000 +0000 UTC', 'date')], { compareWholeBuffer: true });
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/the seed’s comparison never matches/);
      expect(check('unix-time', [...conn, ...askTimestamp()], { compareWholeBuffer: true }).result).toBe('failed');
    });
  });

  describe('split-request', () => {
    it('holds when the long request was read in pieces of at most 128 bytes, each answered and received', () => {
      const r = check('split-request', [...conn, ...longRequest([128, 128, 45])]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('301 B request → 3 reads of 128 + 128 + 45 B (max 128), 3 answers (102 B), client received 102 B of them');
    });
    it('fails when a read was larger than maxRequest', () => {
      const r = check('split-request', [...conn, ...longRequest([256, 45])]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/2 reads of 256 \+ 45 B \(max 128\)/);
    });
    it('fails when the client never received an answer, though both lived on', () => {
      const r = check('split-request', [...conn, ...longRequest([128, 128, 45], 2), exit(2000, 'client'), exit(2000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/client received 68 B of them$/);
    });
    it('is not reached before the long request, or when it fits in one read', () => {
      expect(check('split-request', [...conn, ...askTimestamp()]).detail).toBe('the client has not sent its long request yet');
      const fits = check('split-request', [...conn], { maxRequest: 4096 });
      expect(fits).toEqual({ result: 'not-reached', detail: 'the long request (301 B with its newline) fits in one 4096-byte read: nothing to split' });
    });
    it('is not reached while the pieces are still being read', () => {
      expect(check('split-request', [...conn, ...longRequest([128], 1)]).result).toBe('not-reached');
    });
  });

  describe('deadline', () => {
    it('holds when the deadline fired after readDeadlineMs though the client talked, then the server closed and the client saw EOF', () => {
      const r = check('deadline', [...conn, ...askTimestamp(), ...deadline(3011), eof(3012)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('fired 3001 ms after accept (deadline 3000 ms) after 1 client writes; the server closed the connection; client saw EOF');
    });
    it('fails when it fired too early', () => {
      const r = check('deadline', [...conn, ...askTimestamp(), ...deadline(1000), eof(1001)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^fired 990 ms after accept \(deadline 3000 ms\)/);
    });
    it('fails when the deadline never fired though the run went well past it', () => {
      const r = check('deadline', [...conn, ...askTimestamp(), exit(5000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^no read deadline 1990 ms after it was due/);
    });
    it('is not reached when the run ended before the deadline, or the client never talked', () => {
      expect(check('deadline', [...conn, ...askTimestamp(), exit(2000, 'server')])).toEqual({ result: 'not-reached', detail: 'the deadline has not passed yet' });
      expect(check('deadline', [...conn, ...deadline(3011), eof(3012)]).result).toBe('not-reached');
    });
    it('ignores a deadline of a connection from outside the run', () => {
      const other = report(3011, 'server', 'read-deadline', { peer: '127.0.0.1:50000', afterMs: 3000 });
      expect(check('deadline', [...conn, ...askTimestamp(), other, exit(3100, 'server')]).result).toBe('not-reached');
    });
  });
});
