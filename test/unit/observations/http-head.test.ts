import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/http-head/index.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { b64, checker, connection, ev, exit, report } from '../../helpers/hand-trace.js';

const check = checker(exp);
const REQUEST = 'HEAD / HTTP/1.0\r\n\r\n';
const HEAD = 'HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: 76\r\nConnection: close\r\n\r\n';
const conn = connection({ t: 10, client: 'client', csock: 'c1', cport: 40000, server: 'server', ssock: 's1', sport: 8080 });
const w = (t: number, actor: string, sock: string, text: string) => ev({ t, actor, kind: 'write', sock, bytes: text.length, ok: true, queued: 0, head: b64(text) });
const d = (t: number, text: string, bytes = text.length) => ev({ t, actor: 'client', kind: 'data', sock: 'c1', bytes, head: b64(text) });
const parsed = (method = 'HEAD', httpVersion = '1.0') => report(12, 'server', 'request', { method, url: '/', httpVersion, port: 40000 });
/** The whole exchange: request, parsed, the answer `answer`, the server's end, the client's EOF. */
function exchange(answer = HEAD, o: { endAt?: number; received?: string } = {}): TraceEvent[] {
  return [
    ...conn, w(11, 'client', 'c1', REQUEST), parsed(),
    w(13, 'server', 's1', answer), ev({ t: o.endAt ?? 14, actor: 'server', kind: 'end', sock: 's1' }),
    d(15, o.received ?? answer), ev({ t: 16, actor: 'client', kind: 'eof', sock: 'c1' }),
  ];
}

describe('http-head observations', () => {
  describe('request', () => {
    it('holds when the 19 bytes went in one write and the server parsed HEAD / HTTP/1.0', () => {
      const r = check('request', exchange());
      expect(r.result).toBe('held');
      expect(r.detail).toBe('client wrote 19 B "HEAD / HTTP/1.0\\r\\n\\r\\n"; the server parsed HEAD / HTTP/1.0');
    });
    it('fails when the request went in two writes, or the server parsed something else', () => {
      expect(check('request', [...conn, w(11, 'client', 'c1', 'HEAD / '), w(12, 'client', 'c1', 'HTTP/1.0\r\n\r\n')]).result).toBe('failed');
      expect(check('request', [...conn, w(11, 'client', 'c1', REQUEST), parsed('GET')]).result).toBe('failed');
    });
    it('is not reached before the write, or while the server has not parsed it yet', () => {
      expect(check('request', conn)).toEqual({ result: 'not-reached', detail: 'the client has not written yet' });
      expect(check('request', [...conn, w(11, 'client', 'c1', REQUEST)]).result).toBe('not-reached');
    });
  });

  describe('headers-only', () => {
    it('holds when the answer read to EOF ends at the blank line, though Content-Length is 76', () => {
      const r = check('headers-only', exchange());
      expect(r.result).toBe('held');
      expect(r.detail).toBe('"HTTP/1.1 200 OK", Content-Length 76, 0 B after the blank line');
    });
    it('fails when a body followed the headers', () => {
      const r = check('headers-only', exchange(`${HEAD}<p>hi</p>`));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/9 B after the blank line$/);
    });
    it('is not reached before EOF (a body could still come), or when the trace did not keep the whole answer', () => {
      const r = check('headers-only', exchange().slice(0, -1));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/so far \(no EOF yet\)$/);
      const cut = [...exchange().slice(0, -2), d(15, HEAD, HEAD.length + 5000), ev({ t: 16, actor: 'client', kind: 'eof', sock: 'c1' })];
      expect(check('headers-only', cut).detail).toMatch(/the trace kept \d+ of the answer’s \d+ B$/);
    });
  });

  describe('read-to-eof', () => {
    it('holds when the server closed first (Connection: close) and the client read the same bytes to EOF', () => {
      const r = check('read-to-eof', exchange());
      expect(r.result).toBe('held');
      expect(r.detail).toBe(`server wrote ${HEAD.length} B, client read ${HEAD.length} B, the same bytes (all ${HEAD.length} B compared); the server closed at 14.0 ms (Connection: close); client EOF at 16.0 ms`);
    });
    it('fails when the client’s EOF came before the server closed (the reversed order)', () => {
      expect(check('read-to-eof', exchange(HEAD, { endAt: 20 })).result).toBe('failed');
    });
    it('fails when the bytes read differ from the bytes written', () => {
      const r = check('read-to-eof', exchange(HEAD, { received: HEAD.replace('200', '404') }));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/but byte 9 differs/);
    });
    it('fails when the answer does not say Connection: close', () => {
      const r = check('read-to-eof', exchange(HEAD.replace('Connection: close\r\n', '')));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/the answer does not say Connection: close$/);
    });
    it('is not reached before EOF; failed when the server closed and the client, alive long after, never saw it', () => {
      expect(check('read-to-eof', exchange().slice(0, -1)).result).toBe('not-reached');
      expect(check('read-to-eof', [...exchange().slice(0, -1), exit(2000, 'client')]).result).toBe('failed');
    });
  });
});
