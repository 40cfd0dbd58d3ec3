import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/daytime/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { b64, checker, connection, ev, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const DATE = '2026-01-02 03:04:05.678 +0000 UTC';

/** One daytime connection n: the server writes the date and ends, the client reads to EOF and ends. */
function ask(n: number, o: { text?: string; serverEndAt?: number; clientFirst?: boolean; lost?: number } = {}): TraceEvent[] {
  const t = n * 100;
  const text = o.text ?? DATE;
  const cport = 40000 + n;
  const serverEnd = o.serverEndAt ?? t + 2;
  return [
    ...connection({ t, client: 'client', csock: `c${n}`, cport, server: 'server', ssock: `s${n}`, sport: 7777 }),
    ev({ t: t + 1, actor: 'server', kind: 'write', sock: `s${n}`, bytes: text.length, ok: true, queued: 0 }),
    ev({ t: serverEnd, actor: 'server', kind: 'end', sock: `s${n}` }),
    ev({ t: t + 3, actor: 'client', kind: 'data', sock: `c${n}`, bytes: text.length - (o.lost ?? 0), head: b64(text) }),
    ev({ t: t + 4, actor: 'client', kind: 'eof', sock: `c${n}` }),
    ev({ t: o.clientFirst ? t + 1.5 : t + 5, actor: 'client', kind: 'end', sock: `c${n}` }),
  ];
}
/** The kernel's TIME_WAIT for connection n, on the server's side (or the client's). */
const tw = (n: number, side: 'server' | 'client' = 'server') => side === 'server' ? sample(n * 100 + 6, 7777, 40000 + n, 'TIME_WAIT') : sample(n * 100 + 6, 40000 + n, 7777, 'TIME_WAIT');
const three = [...ask(1), ...ask(2), ...ask(3)];
const later = sample(2000, 7777, 0, 'LISTEN');

describe('daytime observations', () => {
  describe('answers', () => {
    it('holds when each of the count connections read the date, then EOF', () => {
      const r = check('answers', three);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^3\/3 connections read the date and then EOF/);
    });
    it('fails when a connection got something else before its EOF', () => {
      const r = check('answers', [...ask(1), ...ask(2, { text: 'go away' }), ...ask(3)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/:40002 got "go away" then EOF/);
    });
    it('is not reached when the run ended before the count connections were made', () => {
      const r = check('answers', [...ask(1), ...ask(2)]);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toBe('2/3 connections read the date and then EOF so far');
      expect(check('answers', []).result).toBe('not-reached');
    });
  });

  describe('server-closed-first', () => {
    it('holds when the server’s end() came before the client’s EOF and end() on every connection', () => {
      const r = check('server-closed-first', three);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^3\/3 connections: server end\(\), then client EOF, then client end\(\)/);
    });
    it('fails when the server’s end() came after the client’s EOF (the reversed order)', () => {
      const r = check('server-closed-first', [...ask(1), ...ask(2, { serverEndAt: 209 }), ...ask(3)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/:40002 server end\(\) at 209\.0 ms, client EOF at 204\.0 ms/);
    });
    it('fails when the client closed before the server', () => {
      expect(check('server-closed-first', [...ask(1, { clientFirst: true })], { count: 1 }).result).toBe('failed');
    });
    it('is not reached with no ended connection (zero is not every time)', () => {
      const r = check('server-closed-first', connection({ t: 1, client: 'client', csock: 'c1', cport: 40001, server: 'server', ssock: 's1', sport: 7777 }));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toBe('0/3 connections ended so far');
    });
  });

  describe('bytes', () => {
    it('holds when the client read as many bytes as the server wrote on each connection', () => {
      const r = check('bytes', three);
      expect(r.result).toBe('held');
      expect(r.detail).toBe(`3/3 connections: server wrote ${3 * DATE.length} B, client read ${3 * DATE.length} B, the same count on each`);
    });
    it('fails when a connection lost bytes before its EOF', () => {
      const r = check('bytes', [...ask(1), ...ask(2, { lost: 5 }), ...ask(3)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe(`:40002 server wrote ${DATE.length} B, client read ${DATE.length - 5} B`);
    });
    it('is not reached before any connection ended', () => {
      expect(check('bytes', []).result).toBe('not-reached');
    });
  });

  describe('time-wait-server-side', () => {
    it('holds when every ended connection left TIME_WAIT on the server’s side only', () => {
      const r = check('time-wait-server-side', [...three, tw(1), tw(2), tw(3), later]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('TIME_WAIT on the server’s side of 3/3 ended connections, on the client’s side of 0');
    });
    it('fails when TIME_WAIT is on the client’s side', () => {
      const r = check('time-wait-server-side', [...three, tw(1), tw(2, 'client'), tw(3), later]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('TIME_WAIT on the server’s side of 2/3 ended connections, on the client’s side of 1');
    });
    it('fails when the kernel, looking long after, showed no TIME_WAIT for a connection', () => {
      expect(check('time-wait-server-side', [...three, tw(1), tw(3), later]).result).toBe('failed');
    });
    it('is not reached without kernel samples, or before the kernel could look', () => {
      const off = check('time-wait-server-side', three);
      expect(off.result).toBe('not-reached');
      expect(off.detail).toMatch(/no kernel samples/);
      expect(check('time-wait-server-side', [...three, tw(1)]).result).toBe('not-reached');
    });
  });
});
