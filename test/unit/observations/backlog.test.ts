import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/backlog/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { checker, ev, exit, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const P = 9000;
const listen = ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: { address: '127.0.0.1', port: P }, backlog: 1 });
const somax = report(1, 'server', 'somaxconn', { somaxconn: 4096, backlog: 1, limit: 1 });
const L = (t: number, acceptQ: number, acceptMax = 1) => sample(t, P, 0, 'LISTEN', { acceptQ, acceptMax, recvQ: acceptQ, sendQ: acceptMax });
const port = (k: number) => 40000 + k;
const est = (t: number, k: number) => sample(t, port(k), P, 'ESTABLISHED');
const syn = (t: number, k: number, retransmits = 0) => sample(t, port(k), P, 'SYN_SENT', { retransmits });
const connected = (t: number, k: number) => [ev({ t, actor: 'clients', kind: 'connect', sock: `c${k}`, local: { address: '127.0.0.1', port: port(k) }, remote: { address: '127.0.0.1', port: P } }), report(t, 'clients', 'connected', { client: k, ms: t })];
const accepted = (t: number, k: number) => ev({ t, actor: 'server', kind: 'accept', sock: `s${k}`, local: { address: '127.0.0.1', port: P }, remote: { address: '127.0.0.1', port: port(k) } });

/** backlog 1, 4 clients: two fit (limit + 1), two wait in SYN_SENT, retransmitting; nobody accepts yet. */
const queued: TraceEvent[] = [
  listen, somax, L(5, 0),
  ...connected(10, 1), ...connected(10, 2),
  L(20, 2), est(20, 1), est(20, 2), syn(20, 3), syn(20, 4),
  syn(1020, 3, 1), syn(1020, 4, 1),
];
/** Then "accept all" at 2000: the two queued are accepted, the queue empties, the others get in at their next SYN. */
const drained: TraceEvent[] = [
  ...queued, accepted(2000, 1), accepted(2000.5, 2), L(2010, 0, 511),
  ...connected(3020, 3), accepted(3020.5, 3), ...connected(3021, 4), accepted(3021.5, 4), est(3030, 3), est(3030, 4),
];

describe('backlog observations', () => {
  describe('limit', () => {
    it('holds when the kernel’s limit is min(backlog, somaxconn)', () => {
      const r = check('limit', queued);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('backlog 1, somaxconn 4096 → kernel limit 1');
    });
    it('fails when the kernel shows another limit', () => {
      const r = check('limit', [listen, somax, L(5, 0, 4096)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('backlog 1, somaxconn 4096 → kernel limit 4096, not 1');
    });
    it('is not reached without kernel samples or an unknown somaxconn', () => {
      expect(check('limit', [listen, somax]).detail).toMatch(/no kernel samples/);
      expect(check('limit', [listen, report(1, 'server', 'somaxconn', { somaxconn: null, backlog: 1, limit: null }), L(5, 0)]).result).toBe('not-reached');
    });
  });

  describe('queue-full', () => {
    it('holds when Recv-Q reached limit + 1', () => {
      const r = check('queue-full', queued, { clients: 4 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('Recv-Q peaked at 2 with limit 1 and 4 clients');
    });
    it('fails when every client dialed and the queue stayed below limit + 1', () => {
      const r = check('queue-full', [listen, somax, L(5, 0), L(20, 1), est(20, 1), syn(20, 2), syn(20, 3), syn(20, 4)], { clients: 4 });
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('Recv-Q peaked at 1 with limit 1 and 4 clients: 2 expected');
    });
    it('is not reached while the clients are still dialing', () => {
      const r = check('queue-full', [listen, somax, L(5, 0), L(20, 1), est(20, 1)], { clients: 4 });
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/the kernel has seen 1\/4 clients dial$/);
    });
  });

  describe('syn-sent', () => {
    it('holds when the clients that did not fit stayed in SYN_SENT and retransmitted', () => {
      const r = check('syn-sent', drained, { clients: 4 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('2 connected before any accept; 2 socket(s) seen in SYN_SENT for 1980 ms, up to 1 SYN retransmission(s)');
    });
    it('fails when a waiting client never retransmitted its SYN in two seconds', () => {
      const r = check('syn-sent', drained.filter((e) => !(e.kind === 'sample' && e.state === 'SYN_SENT' && e.t === 1020)), { clients: 4 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/up to 0 SYN retransmission\(s\): none after more than a second$/);
    });
    it('fails when a client that did not fit was not in SYN_SENT', () => {
      const r = check('syn-sent', [listen, somax, L(20, 2), est(20, 1), est(20, 2), est(20, 3), syn(20, 4), ...connected(10, 1), ...connected(10, 2)], { clients: 4 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/1 socket\(s\) seen in SYN_SENT .*; 2 did not fit$/);
    });
    it('is not reached when every client fitted (none had to wait)', () => {
      const r = check('syn-sent', [listen, somax, L(20, 2), est(20, 1), est(20, 2), ...connected(10, 1), ...connected(10, 2)], { clients: 2 });
      expect(r).toEqual({ result: 'not-reached', detail: 'all 2 clients fitted in the queue: none had to wait in SYN_SENT' });
    });
  });

  describe('drained', () => {
    it('holds when after accept every client connected and the queue emptied', () => {
      const r = check('drained', drained, { clients: 4 });
      expect(r.result).toBe('held');
      expect(r.detail).toBe('4 accepted, 4/4 clients connected; Recv-Q now 0 (limit 511)');
    });
    it('is not reached before “accept all”', () => {
      expect(check('drained', queued, { clients: 4 })).toEqual({ result: 'not-reached', detail: 'not accepting yet (press “Accept all”)' });
    });
    it('is not reached while the waiting clients have not resent their SYN yet', () => {
      const r = check('drained', [...queued, accepted(2000, 1), accepted(2000.5, 2), L(2010, 0, 511)], { clients: 4 });
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/^2 accepted, 2\/4 clients connected; Recv-Q now 0 .* so far/);
    });
    it('fails when a client resent its SYN after the queue had room and still did not get in', () => {
      const r = check('drained', [...queued, accepted(2000, 1), accepted(2000.5, 2), L(2010, 0, 511), syn(3020, 3, 2), syn(3020, 4, 2), exit(4000, 'clients'), exit(4000, 'server')], { clients: 4 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/2 resent its SYN after the queue had room and still did not connect$/);
    });
    it('fails when the kernel still shows connections queued though the server accepts', () => {
      const r = check('drained', [...drained, L(3040, 2, 511), exit(4000, 'server')], { clients: 4 });
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/Recv-Q now 2 .*: still queued though accepting$/);
    });
  });
});
