import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/keepalive/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { at, checker, connection, ev, exit, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const C = 40000;
const S = 9000;
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: C, server: 'server', ssock: 's1', sport: S });
const opt = (option: string, requested: unknown, effective = requested) => ev({ t: 11, actor: 'client', kind: 'sockopt', sock: 'c1', option, requested, effective });
const opts = [opt('SO_KEEPALIVE', true), opt('TCP_KEEPIDLE', 1), opt('TCP_KEEPINTVL', 1), opt('TCP_KEEPCNT', 3)];
const ka = (t: number, probes = 0) => sample(t, C, S, 'ESTABLISHED', { probes, timer: { name: 'keepalive', expiresMs: 990, retrans: 0 } });
const pkt = (t: number, from: number, to: number, labels: string[] = []) => ev({ t, actor: 'wire', kind: 'packet', src: at(from), dst: at(to), flags: ['ACK'], seq: 1, ack: 1, fromSyn: true, win: 64, len: 0, labels });
/** A probe every second from 1 s of silence, each answered within a millisecond. */
const probes = (n: number, answered = n) => Array.from({ length: n }, (_, i) => [pkt(1011 + i * 1000, C, S, ['keepalive']), ...(i < answered ? [pkt(1011.1 + i * 1000, S, C)] : [])]).flat();
/** The kernel's keepalive timer, armed at 12 ms and re-armed after each answered probe. */
const timers = (n: number) => [ka(12), ...Array.from({ length: n }, (_, i) => ka(1012 + i * 1000))];
const lived = (t: number) => exit(t, 'client');

describe('keepalive observations', () => {
  describe('options', () => {
    it('holds when the kernel kept the options as set by the parameters', () => {
      const r = check('options', [...conn, ...opts]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('SO_KEEPALIVE true, TCP_KEEPIDLE 1, TCP_KEEPINTVL 1, TCP_KEEPCNT 3');
    });
    it('fails when the kernel kept another value, or the program asked for another than the parameter', () => {
      expect(check('options', [...conn, ...opts.slice(0, 3), opt('TCP_KEEPCNT', 3, 9)]).result).toBe('failed');
      const r = check('options', [...conn, ...opts.slice(0, 3), opt('TCP_KEEPCNT', 5)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/TCP_KEEPCNT 5; asked .*TCP_KEEPCNT 3$/);
    });
    it('is not reached before the client set them', () => {
      expect(check('options', conn)).toEqual({ result: 'not-reached', detail: 'the client has not set its options yet' });
    });
  });

  describe('timer', () => {
    it('holds when the client’s samples show the keepalive timer', () => {
      const r = check('timer', [...conn, ...opts, ...timers(2)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('keepalive timer seen 3× (e.g. fires in 990 ms)');
    });
    it('fails when the kernel showed no keepalive timer long after SO_KEEPALIVE', () => {
      const r = check('timer', [...conn, ...opts, sample(12, C, S, 'ESTABLISHED', { probes: 0 }), lived(3000)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('no keepalive timer in the client’s samples 2989 ms after SO_KEEPALIVE');
    });
    it('is not reached without kernel samples', () => {
      expect(check('timer', [...conn, ...opts]).detail).toMatch(/no kernel samples/);
    });
  });

  describe('verdict (loopback)', () => {
    it('holds when every probe was answered on the wire and the connection outlived idle + count × interval', () => {
      const r = check('verdict', [...conn, ...opts, ...timers(4), ...probes(4), lived(4500)]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('silent for 4.5 s (idle + count × interval = 4 s) and still up; 4/4 probes answered on the wire');
    });
    it('fails when a probe went unanswered', () => {
      const r = check('verdict', [...conn, ...opts, ...timers(4), ...probes(4, 3), lived(4500)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/3\/4 probes answered on the wire$/);
    });
    it('without capture: holds on the kernel’s re-armed timer with no unanswered probe, fails when it counted one', () => {
      expect(check('verdict', [...conn, ...opts, ...timers(4), lived(4500)]).result).toBe('held');
      const r = check('verdict', [...conn, ...opts, ...timers(3), ka(4012, 1), lived(4500)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/1 unanswered probes in the kernel’s samples/);
    });
    it('fails when the connection died', () => {
      expect(check('verdict', [...conn, report(3000, 'client', 'dead', { code: 'ETIMEDOUT', afterMs: 2990 })])).toEqual({ result: 'failed', detail: 'died: ETIMEDOUT' });
    });
    it('is not reached before idle + count × interval of silence, or with neither capture nor kernel', () => {
      expect(check('verdict', [...conn, ...opts, ...timers(1), ...probes(1), lived(2000)]).result).toBe('not-reached');
      expect(check('verdict', [...conn, ...opts, lived(6000)]).detail).toMatch(/no capture or kernel samples to see the probes$/);
    });
  });

  describe('verdict (vanishing)', () => {
    const vanishing = { peer: 'vanishing', count: 2 };
    const cut = ev({ t: 1500, actor: 'lab', kind: 'control', command: 'cut', args: {} });
    const unanswered: TraceEvent[] = [ka(2600, 1), ka(3600, 2)];
    it('holds on unanswered probes, then ETIMEDOUT no sooner than count × interval after the cut', () => {
      const r = check('verdict', [...conn, ...opts, cut, ...unanswered, report(4600, 'client', 'dead', { code: 'ETIMEDOUT', afterMs: 4590 })], vanishing);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('ETIMEDOUT 3100 ms after the cut (≥ 2 × 1 s = 2000 ms); up to 2 unanswered probe(s) in the samples');
    });
    it('fails when it died too soon after the cut, or not by ETIMEDOUT', () => {
      expect(check('verdict', [...conn, ...opts, cut, ...unanswered, report(1600, 'client', 'dead', { code: 'ETIMEDOUT', afterMs: 1590 })], vanishing).result).toBe('failed');
      expect(check('verdict', [...conn, ...opts, cut, ...unanswered, report(4600, 'client', 'dead', { code: 'ECONNRESET', afterMs: 4590 })], vanishing).result).toBe('failed');
    });
    it('fails when the client was still up long after it should have given up', () => {
      const r = check('verdict', [...conn, ...opts, cut, ...unanswered, lived(8000)], vanishing);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^link down at 1500 ms; still up 3\.5 s after/);
    });
    it('is not reached before the cut, or when the namespace could not be made', () => {
      expect(check('verdict', [...conn, ...opts], vanishing)).toEqual({ result: 'not-reached', detail: 'the link is still up' });
      const note = ev({ t: 1, actor: 'lab', kind: 'note', level: 'warn', text: 'The vanishing peer cannot run: needs root (CAP_NET_ADMIN).' });
      expect(check('verdict', [note, ...conn], vanishing).detail).toMatch(/^not run: The vanishing peer cannot run: needs root/);
    });
  });
});
