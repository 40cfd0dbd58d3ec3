import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/concurrency/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, connection, ev, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const WORK = 400;

/**
 * Three clients connect at 10 ms; client k is handled from start(k) to start(k) + WORK and its
 * answer arrives then. Sequential by default; `overlap` makes them concurrent.
 */
function run(o: { clients?: number; concurrent?: boolean; acceptLate?: boolean; empty?: number; unanswered?: number } = {}): TraceEvent[] {
  const n = o.clients ?? 3;
  const out: TraceEvent[] = [ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: { address: '127.0.0.1', port: 1200 } })];
  for (let k = 1; k <= n; k++) {
    const start = o.concurrent ? 12 : 12 + (k - 1) * WORK;
    const end = start + WORK;
    out.push(...connection({ t: o.acceptLate && k === n ? 1000 : 10, client: 'clients', csock: `c${k}`, cport: 40000 + k, server: 'server', ssock: `s${k}`, sport: 1200 }));
    out.push(report(start, 'server', 'handling', { n: k, port: 40000 + k }));
    if (k === o.unanswered) continue;
    out.push(report(end, 'server', 'handled', { n: k, port: 40000 + k }));
    if (k !== o.empty) out.push(ev({ t: end + 1, actor: 'clients', kind: 'data', sock: `c${k}`, bytes: 24 }));
    out.push(ev({ t: end + 2, actor: 'clients', kind: 'eof', sock: `c${k}` }), report(end + 2, 'clients', 'waited', { client: k, connectMs: 1, waitedMs: end + 2 - 10 }));
  }
  return out;
}

describe('concurrency observations', () => {
  describe('all-answered', () => {
    it('holds when every client got an answer, then EOF', () => {
      const r = check('all-answered', run(), { clients: 3 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('3/3 answered; waits 404, 804, 1204 ms');
    });
    it('fails when a client got EOF and no answer', () => {
      const r = check('all-answered', run({ empty: 2 }), { clients: 3 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/1 connection\(s\) got EOF with no answer$/);
    });
    it('is not reached while a client still waits', () => {
      const r = check('all-answered', run({ unanswered: 3 }), { clients: 3 });
      expect(r.result).toBe('not-reached');
      expect(r.detail).toBe('2/3 answered; waits 404, 804 ms so far');
    });
  });

  describe('shape', () => {
    it('sequential: holds when handlings never overlap and the k-th waited ≥ k × workMs', () => {
      const r = check('shape', run(), { clients: 3 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('0 overlapping handlings; waits 404, 804, 1204 ms vs k × 400 ms');
    });
    it('sequential: fails when two connections were handled at once', () => {
      const r = check('shape', run({ concurrent: true }), { clients: 3 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^2 overlapping handlings/);
    });
    it('concurrent: holds when every handler started before the first finished, fails when in turn', () => {
      const r = check('shape', run({ concurrent: true }), { clients: 3, mode: 'concurrent' });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('3/3 handlers had started when the first finished at 412 ms');
      expect(check('shape', run(), { clients: 3, mode: 'concurrent' }).result).toBe('failed');
    });
    it('is not reached before every connection was handled', () => {
      expect(check('shape', run({ unanswered: 3 }), { clients: 3 })).toEqual({ result: 'not-reached', detail: '2/3 connections handled so far' });
    });
  });

  describe('where-they-wait', () => {
    it('sequential: holds when every client was accepted before the first answer', () => {
      const r = check('where-they-wait', run(), { clients: 3 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('3/3 accepted before the first answer (accepts within 0.0 ms)');
    });
    it('sequential: fails when a client was accepted only after the first answer', () => {
      const r = check('where-they-wait', run({ acceptLate: true }), { clients: 3 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^2\/3 accepted before the first answer/);
    });
    it('blocking: holds when the listener’s Recv-Q showed waiting connections', () => {
      const r = check('where-they-wait', [...run(), sample(100, 1200, 0, 'LISTEN', { acceptQ: 2, acceptMax: 511 })], { clients: 3, mode: 'blocking' });
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^up to 2 connections waited in the accept queue/);
    });
    it('blocking: fails when the kernel never showed a queue though the work was done', () => {
      const r = check('where-they-wait', [...run(), sample(100, 1200, 0, 'LISTEN', { acceptQ: 0, acceptMax: 511 })], { clients: 3, mode: 'blocking' });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^up to 0 connections waited/);
    });
    it('blocking: not reached without kernel samples, or with one client (nobody waits)', () => {
      expect(check('where-they-wait', run(), { clients: 3, mode: 'blocking' }).detail).toMatch(/no kernel samples/);
      const one = check('where-they-wait', [...run({ clients: 1 }), sample(5, 1200, 0, 'LISTEN', { acceptQ: 0 })], { clients: 1, mode: 'blocking' });
      expect(one).toEqual({ result: 'not-reached', detail: 'one client: nobody waits behind another' });
    });
  });
});
