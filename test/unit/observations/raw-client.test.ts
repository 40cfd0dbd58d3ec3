import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/raw-client/index.js';
import { b64, checker, connection, ev, exit, sample } from '../../helpers/hand-trace.js';

const check = checker(exp);
const P = 9000;
const C = 40000;
const listen = ev({ t: 1, actor: 'listener', kind: 'listen', sock: 'L1', local: { address: '127.0.0.1', port: P } });
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: C, server: 'listener', ssock: 's1', sport: P });
const conn6 = connection({ t: 10, client: 'client', csock: 'c1', cport: C, server: 'listener', ssock: 's1', sport: P, address: '::1' });
const w = (t: number, actor: string, sock: string, text: string) => ev({ t, actor, kind: 'write', sock, bytes: text.length, ok: true, queued: 0, head: b64(text) });
const d = (t: number, actor: string, sock: string, text: string) => ev({ t, actor, kind: 'data', sock, bytes: text.length, head: b64(text) });
const greeting = [w(11, 'client', 'c1', 'hello\n'), d(12, 'listener', 's1', 'hello\n')];
const typed = [w(500, 'listener', 's1', 'typed\n'), d(501, 'client', 'c1', 'typed\n')];
const LISTEN = sample(5, P, 0, 'LISTEN');
const gone = (t: number) => ev({ t, actor: 'kernel', kind: 'sample', key: `127.0.0.1:${P}>127.0.0.1:0`, local: { address: '127.0.0.1', port: P }, remote: { address: '127.0.0.1', port: 0 }, state: 'GONE' });

describe('raw-client observations', () => {
  describe('family', () => {
    it('holds over the chosen family, IPv4 or IPv6', () => {
      expect(check('family', conn)).toEqual({ result: 'held', detail: 'client 127.0.0.1 → 127.0.0.1 (IPv4); the listener saw 127.0.0.1 (IPv4)' });
      expect(check('family', conn6, { family: 'IPv6' }).detail).toBe('client ::1 → ::1 (IPv6); the listener saw ::1 (IPv6)');
    });
    it('fails over the other family', () => {
      expect(check('family', conn, { family: 'IPv6' }).result).toBe('failed');
    });
    it('is not reached when the client could not connect', () => {
      const refused = ev({ t: 10, actor: 'client', kind: 'error', sock: 'c1', code: 'ECONNREFUSED', message: 'connect ECONNREFUSED ::1:9000', syscall: 'connect' });
      expect(check('family', [refused])).toEqual({ result: 'not-reached', detail: 'the client did not connect: connect ECONNREFUSED ::1:9000' });
    });
  });

  describe('both-ways', () => {
    it('holds when the greeting arrived and nothing was typed into the listener (that way is not counted)', () => {
      const r = check('both-ways', [...conn, ...greeting]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('client → listener 6 B sent, 6 B arrived, the same bytes (all 6 B compared); listener → client: nothing typed into the listener yet');
    });
    it('holds when both ways carried the same bytes', () => {
      const r = check('both-ways', [...conn, ...greeting, ...typed]);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/; listener → client 6 B sent, 6 B arrived, the same bytes/);
    });
    it('fails when what was typed into the listener was lost', () => {
      const r = check('both-ways', [...conn, ...greeting, w(500, 'listener', 's1', 'typed\n'), exit(2000, 'client')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/listener → client 6 B sent, 0 B arrived: 6 B never arrived/);
    });
    it('is not reached when nothing was sent either way (0 B is not every byte)', () => {
      expect(check('both-ways', conn)).toEqual({ result: 'not-reached', detail: 'client → listener: nothing sent yet; listener → client: nothing typed into the listener yet' });
    });
  });

  describe('one-connection', () => {
    it('holds when the LISTEN socket went away after the one accept, while the program ran', () => {
      const r = check('one-connection', [listen, LISTEN, ...conn, gone(52), exit(3000, 'listener')]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe(`LISTEN 127.0.0.1:${P}>127.0.0.1:0 gone 42 ms after the accept; the connection lives on`);
    });
    it('fails when the LISTEN socket went away only when the program exited (the run’s end freed it)', () => {
      const r = check('one-connection', [listen, LISTEN, ...conn, exit(3000, 'listener'), gone(3010)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/still showed the listening socket 2990 ms after the accept, until the program exited$/);
    });
    it('fails when it took a second connection', () => {
      const second = ev({ t: 20, actor: 'listener', kind: 'accept', sock: 's2', local: { address: '127.0.0.1', port: P }, remote: { address: '127.0.0.1', port: 50000 } });
      expect(check('one-connection', [listen, LISTEN, ...conn, second]).detail).toBe('the listener took 2 connections');
    });
    it('is not reached before a connection, or without kernel samples', () => {
      expect(check('one-connection', [listen, LISTEN]).result).toBe('not-reached');
      expect(check('one-connection', [listen, ...conn]).detail).toMatch(/no kernel samples/);
    });
  });
});
