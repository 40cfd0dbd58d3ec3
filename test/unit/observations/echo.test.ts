import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/echo/index.js';
import { b64, checker, connection, ev, exit } from '../../helpers/hand-trace.js';

const check = checker(exp);
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: 40000, server: 'server', ssock: 's1', sport: 9000 });
const w = (t: number, actor: string, sock: string, text: string) => ev({ t, actor, kind: 'write', sock, bytes: Buffer.byteLength(text), ok: true, queued: 0, head: b64(text) });
const d = (t: number, actor: string, sock: string, text: string) => ev({ t, actor, kind: 'data', sock, bytes: Buffer.byteLength(text), head: b64(text) });
const roundTrip = (t: number, text: string) => [w(t, 'client', 'c1', text), d(t + 1, 'server', 's1', text), w(t + 1, 'server', 's1', text), d(t + 2, 'client', 'c1', text)];

describe('echo observations', () => {
  describe('accepted', () => {
    it('holds when the server accepted the client’s own connection', () => {
      const r = check('accepted', conn);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^accept at 10\.1 ms of the client’s 127\.0\.0\.1:40000/);
    });
    it('does not count a connection from outside the run (nc with --port): not reached', () => {
      const r = check('accepted', [ev({ t: 5, actor: 'server', kind: 'accept', sock: 's1', local: { address: '127.0.0.1', port: 9000 }, remote: { address: '127.0.0.1', port: 50000 } })]);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toBe('the client has not connected yet (and 1 connection from outside the run)');
    });
    it('fails when the client connected and the server, alive long after, never accepted it', () => {
      const r = check('accepted', [conn[0]!, exit(2000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('no accept in the trace of the client’s connection from 127.0.0.1:40000 (connected at 10.0 ms)');
    });
  });

  describe('server-read-all', () => {
    it('holds when the server read the same bytes the client wrote', () => {
      const r = check('server-read-all', [...conn, ...roundTrip(20, 'hello #1\n'), ...roundTrip(30, 'hello #2\n')]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('client wrote 18 B, server read 18 B, the same bytes (all 18 B compared)');
    });
    it('fails when bytes were lost and the server lived on', () => {
      const r = check('server-read-all', [...conn, w(20, 'client', 'c1', 'hello #1\n'), w(30, 'client', 'c1', 'hello #2\n'), d(21, 'server', 's1', 'hello #1\n'), exit(3000, 'server')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/client wrote 18 B, server read 9 B: 9 B never arrived/);
    });
    it('fails when the bytes differ though the count matches', () => {
      const r = check('server-read-all', [...conn, w(20, 'client', 'c1', 'hello'), d(21, 'server', 's1', 'hellO')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/byte 4 differs/);
    });
    it('is not reached when the client wrote nothing (0 B is not every byte)', () => {
      const r = check('server-read-all', conn);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toBe('client wrote 0 B, server read 0 B: nothing written yet');
    });
    it('is not reached when the run ended right after the last write', () => {
      const r = check('server-read-all', [...conn, w(20, 'client', 'c1', 'hello\n'), exit(21, 'server')]);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/so far; the last write was 1 ms before the end/);
    });
    it('counts only the client’s connection, not bytes from an outside connection', () => {
      const outside = [ev({ t: 5, actor: 'server', kind: 'accept', sock: 's9', local: { address: '127.0.0.1', port: 9000 }, remote: { address: '127.0.0.1', port: 50000 } }), d(6, 'server', 's9', 'xyz')];
      const r = check('server-read-all', [...outside, ...conn, ...roundTrip(20, 'hello\n')]);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^client wrote 6 B, server read 6 B/);
    });
  });

  describe('echoed', () => {
    it('holds when the client read back exactly what it wrote', () => {
      const r = check('echoed', [...conn, ...roundTrip(20, 'hello\n')]);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('client wrote 6 B and read back 6 B, the same bytes (all 6 B compared)');
    });
    it('fails when the echo lost bytes', () => {
      const r = check('echoed', [...conn, w(20, 'client', 'c1', 'hello\n'), d(21, 'server', 's1', 'hello\n'), d(22, 'client', 'c1', 'hel'), exit(3000, 'client')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/read back 3 B: 3 B never arrived/);
    });
    it('is not reached before the client connected', () => {
      expect(check('echoed', []).result).toBe('not-reached');
    });
  });
});
