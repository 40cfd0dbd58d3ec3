import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/tcp-ping/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, connection, ev, exit, report } from '../../helpers/hand-trace.js';

const check = checker(exp);
const attempt = (t: number, seq: number, outcome: string, ms = 1.5) => report(t, 'pinger', 'attempt', { seq, outcome, ms });
/** Attempt seq answered with a handshake the lab's listener accepted (`accepted` false: it did not). */
const open = (seq: number, accepted = true): TraceEvent[] => {
  const [connect, accept] = connection({ t: seq * 100, client: 'pinger', csock: `c${seq}`, cport: 40000 + seq, server: 'server', ssock: `s${seq}`, sport: 9000 });
  return [connect!, ...(accepted ? [accept!] : []), attempt(seq * 100 + 1, seq, 'open')];
};
const refused = (seq: number): TraceEvent[] => [
  ev({ t: seq * 100, actor: 'pinger', kind: 'error', sock: `c${seq}`, code: 'ECONNREFUSED', message: 'connect ECONNREFUSED 127.0.0.1:9', syscall: 'connect' }),
  attempt(seq * 100 + 1, seq, 'closed'),
];
const five = [1, 2, 3, 4, 5].flatMap((k) => open(k));

describe('tcp-ping observations', () => {
  describe('attempts', () => {
    it('holds when every attempt got one of the three verdicts and a time', () => {
      const r = check('attempts', five);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('5/5: 5 open, 0 refused, 0 no answer; times 1.50, 1.50, 1.50, 1.50, 1.50 ms');
    });
    it('fails on an attempt that ended in another error (not one of the three verdicts)', () => {
      const r = check('attempts', [...five.slice(0, -1), attempt(501, 5, 'error')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/seq 5: error, 1\.5 ms$/);
    });
    it('is not reached before count attempts', () => {
      expect(check('attempts', open(1)).detail).toBe('1/5: 1 open, 0 refused, 0 no answer; times 1.50 ms so far');
    });
  });

  describe('host-up', () => {
    it('holds when each open was a handshake the listener accepted', () => {
      const r = check('host-up', five);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('5 of 5 answered (5 handshakes, 0 RSTs); the listener accepted 5');
    });
    it('holds on RSTs for an outside target (refused: host up, port closed)', () => {
      const r = check('host-up', [1, 2, 3].flatMap(refused), { targetPort: 9 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('3 of 3 answered (0 handshakes, 3 RSTs)');
    });
    it('fails when a verdict contradicts the trace (“open” with no handshake)', () => {
      const r = check('host-up', [...open(1), attempt(201, 2, 'open')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/seq 2 says open, the trace shows neither a handshake nor an RST$/);
    });
    it('fails when the lab’s listener never accepted an “open” though it lived on', () => {
      const r = check('host-up', [...open(1, false), exit(2000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/the listener never accepted :40001$/);
    });
    it('does not count an outside connection’s accept as the listener accepting the pinger', () => {
      const outside = ev({ t: 50, actor: 'server', kind: 'accept', sock: 's9', local: { address: '127.0.0.1', port: 9000 }, remote: { address: '127.0.0.1', port: 50000 } });
      expect(check('host-up', [outside, ...open(1, false), exit(2000, 'server')]).result).toBe('failed');
    });
    it('is not reached when nothing answered (no answer does not show the host up), or before any attempt', () => {
      const r = check('host-up', [attempt(1001, 1, 'no answer', 1000)], { targetPort: 9 });
      expect(r).toEqual({ result: 'not-reached', detail: '0 of 1 answered (0 handshakes, 0 RSTs): no answer, so nothing shows the host up' });
      expect(check('host-up', []).result).toBe('not-reached');
    });
  });
});
