import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/addresses/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { at, checker, ev, exit, report, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const P = 40881;
const D = 38979;
const V4 = '127.0.0.1';
const V6 = '::1';
const MAPPED = '::ffff:127.0.0.1';
const listen = (t: number, sock: string, address: string, port: number) => ev({ t, actor: 'listeners', kind: 'listen', sock, local: at(port, address) });
const listeners: TraceEvent[] = [
  listen(1, 'L1', V4, P), listen(2, 'L2', V6, P),
  report(3, 'listeners', 'listen-failed', { listener: 'dual', host: MAPPED, port: P, code: 'EADDRINUSE' }),
  listen(4, 'L4', MAPPED, D),
];
const kernel = [sample(5, P, 0, 'LISTEN', {}, V4), ev({ t: 5, actor: 'kernel', kind: 'sample', key: `[::1]:${P}>[::]:0`, local: at(P, V6), remote: at(0, '::'), state: 'LISTEN' }), ev({ t: 5, actor: 'kernel', kind: 'sample', key: `[${MAPPED}]:${D}>[::]:0`, local: at(D, MAPPED), remote: at(0, '::'), state: 'LISTEN' })];

let n = 0;
/** The client dials `host`:port from `from` (its own address); the listener `by` accepts it, seeing `seen`. */
function dial(t: number, host: string, port: number, o: { from?: string; by?: string; seen?: string; refused?: boolean; acceptLocal?: string } = {}): TraceEvent[] {
  const k = ++n;
  const cport = 50000 + k;
  const dialed = (ok: boolean, error = '') => report(t + 2, 'client', 'dialed', { host, port, ok, local: ok ? o.from ?? host : '', seenAs: o.seen ?? '', by: '', error });
  if (o.refused) return [ev({ t, actor: 'client', kind: 'error', sock: `c${k}`, code: 'ECONNREFUSED', message: `connect ECONNREFUSED ${host}:${port}`, syscall: 'connect' }), dialed(false, 'ECONNREFUSED')];
  return [
    ev({ t, actor: 'client', kind: 'connect', sock: `c${k}`, local: at(cport, o.from ?? host), remote: at(port, host) }),
    ev({ t: t + 0.5, actor: 'listeners', kind: 'accept', sock: `s${k}`, listener: o.by ?? 'L1', local: at(port, o.acceptLocal ?? (o.by === 'L4' ? MAPPED : o.by === 'L2' ? V6 : V4)), remote: at(cport, o.seen ?? o.from ?? host) }),
    dialed(true),
  ];
}
/** The client's table at defaults: from 127.0.0.1, ::1 and ::ffff:127.0.0.1 to both ports. */
function table(o: { v6ReachesDual?: boolean; unmapped?: boolean; v6OnTcp4?: boolean } = {}): TraceEvent[] {
  n = 0;
  return [
    ...dial(100, V4, P),
    ...dial(110, V4, D, { by: 'L4', seen: o.unmapped ? V4 : MAPPED }),
    ...dial(120, V6, P, o.v6OnTcp4 ? { by: 'L1', acceptLocal: V6 } : { by: 'L2' }),
    ...(o.v6ReachesDual ? dial(130, V6, D, { by: 'L4', seen: V6 }) : dial(130, V6, D, { refused: true })),
    ...dial(140, MAPPED, P, { by: 'L1', seen: V4 }),
    ...dial(150, MAPPED, D, { by: 'L4' }),
  ];
}

describe('addresses observations', () => {
  describe('kernel-listeners', () => {
    it('holds when the kernel lists the three listening sockets with their families', () => {
      const r = check('kernel-listeners', [...listeners, ...kernel]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('127.0.0.1 (IPv4), ::1 (IPv6), ::ffff:127.0.0.1 (IPv6)');
    });
    it('fails when one is missing though the kernel had long to look', () => {
      const r = check('kernel-listeners', [...listeners, ...kernel.slice(0, 2), exit(3000, 'listeners')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/the kernel does not list ::ffff:127\.0\.0\.1$/);
    });
    it('is not reached without kernel samples, or before all three listen', () => {
      expect(check('kernel-listeners', listeners).detail).toMatch(/no kernel samples/);
      expect(check('kernel-listeners', [...listeners.slice(0, 1), kernel[0]!]).result).toBe('not-reached');
    });
  });

  describe('mapped', () => {
    it('holds when the dual-stack socket saw the IPv4 client as ::ffff:127.0.0.1, the same bytes', () => {
      const r = check('mapped', [...listeners, ...table()]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('client socket 127.0.0.1 (IPv4), the dual-stack socket saw ::ffff:127.0.0.1; client socket ::ffff:127.0.0.1 (IPv6), the dual-stack socket saw ::ffff:127.0.0.1');
    });
    it('fails when the dual-stack socket saw a plain IPv4 address', () => {
      expect(check('mapped', [...listeners, ...table({ unmapped: true })]).result).toBe('failed');
    });
    it('is not reached before any IPv4 client reached it', () => {
      expect(check('mapped', [...listeners, ...dial(100, V4, P)])).toEqual({ result: 'not-reached', detail: 'no IPv4 client has reached the dual-stack listener yet' });
    });
  });

  describe('one-port-two-sockets', () => {
    it('holds when 127.0.0.1 reached tcp4, ::1 reached tcp6 on the same port, and dual stack was refused it', () => {
      const r = check('one-port-two-sockets', [...listeners, ...table()]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe(`port ${P}: 127.0.0.1 → tcp4, ::1 → tcp6; dual stack on it: EADDRINUSE`);
    });
    it('fails when ::1 was accepted by the tcp4 socket', () => {
      const r = check('one-port-two-sockets', [...listeners, ...table({ v6OnTcp4: true })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/::1 → tcp4/);
    });
    it('fails when the dual-stack socket could listen on that port', () => {
      expect(check('one-port-two-sockets', [listen(1, 'L1', V4, P), listen(2, 'L2', V6, P), listen(4, 'L4', MAPPED, P)]).detail).toMatch(/dual stack on it: listening$/);
    });
    it('is not reached before the dials', () => {
      expect(check('one-port-two-sockets', listeners).result).toBe('not-reached');
    });
  });

  describe('v6-cannot-reach-mapped', () => {
    it('holds when ::1 was refused by the ::ffff:127.0.0.1 socket that 127.0.0.1 reached', () => {
      const r = check('v6-cannot-reach-mapped', [...listeners, ...table()]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe(`::1 → :${D}: ECONNREFUSED; 127.0.0.1 → :${D}: accepted`);
    });
    it('fails when ::1 got in', () => {
      expect(check('v6-cannot-reach-mapped', [...listeners, ...table({ v6ReachesDual: true })]).result).toBe('failed');
    });
    it('is not reached before ::1 tried it', () => {
      expect(check('v6-cannot-reach-mapped', [...listeners, ...dial(100, V4, P)]).result).toBe('not-reached');
    });
  });
});
