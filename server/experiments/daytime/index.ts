import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { headText, samples } from '../../net/checks.js';
import { addrText, connectionsOf, failed, held, kernelOff, notReached, onSock, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import type { Connection, TraceQuery } from '../../../shared/trace/query.js';
import type { Address } from '../../../shared/trace/common.js';
import { narrative } from './narrative.js';

/** What the seed's server writes: Go's time.Now().String(), "2009-11-10 23:00:00.123 +0000 UTC". */
const DATE = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/;

/** One of the client's connections, with what each end did on it. */
function answered(q: TraceQuery) {
  return connectionsOf(q, 'client', 'connect').map((c) => {
    const eof = onSock(q.of('eof', 'client'), c.sock)[0];
    const data = onSock(q.of('data', 'client'), c.sock);
    const before = data.filter((d) => !eof || d.t <= eof.t);
    return {
      ...c,
      eof,
      text: before.map(headText).join(''),
      read: before.reduce((n, d) => n + d.bytes, 0),
      dataAfterEof: data.filter((d) => eof && d.t > eof.t).reduce((n, d) => n + d.bytes, 0),
      clientEnd: onSock(q.of('end', 'client'), c.sock)[0],
      serverEnd: c.peer ? onSock(q.of('end', 'server'), c.peer.sock)[0] : undefined,
      wrote: c.peer ? onSock(q.of('write', 'server'), c.peer.sock).reduce((n, w) => n + w.bytes, 0) : 0,
    };
  });
}
type Answered = ReturnType<typeof answered>[number];

export default defineExperiment({
  id: 'daytime',
  title: 'Daytime: the one-shot server',
  group: 'Servers',
  order: 80,
  summary: 'Seed 003’s first server: accept, write the time, close. The answer ends where the server’s FIN is.',
  seeds: ['003', '002'],
  params: z.object({
    count: z.number().int().min(1).max(20).default(3).describe('How many times the client asks (one connection each)'),
    intervalMs: z.number().int().min(0).max(5000).default(300).describe('Pause between the client’s connections (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'daytime: accept, write the date, close' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'connects, reads to EOF, prints; `count` times' },
  ],
  narrative,
  observations: [
    {
      id: 'answers',
      label: 'Each of the client’s connections read the date, then EOF: the server’s FIN ended the answer',
      check: (q, p) => {
        const want = Number(p.count);
        const conns = answered(q);
        if (conns.length === 0) return notReached(`0/${want} connections made so far`);
        const bad = conns.filter((c) => c.eof && !(DATE.test(c.text) && c.dataAfterEof === 0));
        if (bad.length) return failed(`${bad.map((c) => `:${c.local.port} ${c.dataAfterEof ? `read ${c.dataAfterEof} B after its EOF` : `got ${JSON.stringify(c.text.slice(0, 40))} then EOF`}`).join('; ')}`);
        const done = conns.filter((c) => c.eof).length;
        if (done < want) return notReached(`${done}/${want} connections read the date and then EOF so far`);
        return held(`${done}/${want} connections read the date and then EOF (e.g. ${JSON.stringify(conns[0]!.text.trim())})`);
      },
    },
    {
      id: 'server-closed-first',
      label: 'The server closed first every time: its end() came before the client’s EOF, the client’s own end() after',
      check: (q, p) => {
        const want = Number(p.count);
        const done = answered(q).filter((c) => c.eof);
        if (done.length === 0) return notReached(`0/${want} connections ended so far`);
        const bad = done.filter((c) => !c.serverEnd || c.serverEnd.t > c.eof!.t || (c.clientEnd !== undefined && c.clientEnd.t < c.serverEnd.t));
        const say = (c: Answered) => `:${c.local.port} ${c.serverEnd ? `server end() at ${c.serverEnd.t.toFixed(1)} ms` : 'no server end()'}, client EOF at ${c.eof!.t.toFixed(1)} ms${c.clientEnd ? `, client end() at ${c.clientEnd.t.toFixed(1)} ms` : ''}`;
        if (bad.length) return failed(bad.map(say).join('; '));
        if (done.length < want) return notReached(`${done.length}/${want} connections so far, the server first on each`);
        return held(`${done.length}/${want} connections: server end(), then client EOF, then client end() (e.g. ${say(done[0]!)})`);
      },
    },
    {
      id: 'bytes',
      label: 'On every connection the client read exactly as many bytes as the server wrote',
      check: (q, p) => {
        const want = Number(p.count);
        // After EOF nothing more arrives: a finished connection's count is final.
        const done = answered(q).filter((c) => c.eof);
        if (done.length === 0) return notReached(`0/${want} connections ended so far`);
        const bad = done.filter((c) => c.wrote === 0 || c.read !== c.wrote);
        const total = (k: 'wrote' | 'read') => done.reduce((n, c) => n + c[k], 0);
        if (bad.length) return failed(bad.map((c) => `:${c.local.port} server wrote ${c.wrote} B, client read ${c.read} B`).join('; '));
        if (done.length < want) return notReached(`${done.length}/${want} connections so far: server wrote ${total('wrote')} B, client read ${total('read')} B`);
        return held(`${done.length}/${want} connections: server wrote ${total('wrote')} B, client read ${total('read')} B, the same count on each`);
      },
    },
    {
      id: 'time-wait-server-side',
      label: 'The kernel kept TIME_WAIT on the server’s side of every connection, the side that closed first, and none on the client’s',
      check: (q, p) => {
        const off = kernelOff(q);
        if (off) return off;
        const end = traceEnd(q);
        // A socket enters TIME_WAIT when the second FIN is acknowledged: right after the client's
        // EOF, since the client closes at once. Counted once the kernel observer had time to look.
        const done = answered(q).filter((c) => c.eof && c.peer && end - c.eof.t >= SETTLE_MS);
        if (done.length === 0) return notReached('no connection has ended long enough ago for the kernel view to show its TIME_WAIT');
        const tw = samples(q, (s) => s.state === 'TIME_WAIT');
        const on = (l: Connection, r: Address) => tw.some((s) => addrText(s.local) === addrText(l.local) && addrText(s.remote) === addrText(r));
        const rows = done.map((c) => ({ c, server: on(c.peer!, c.local), client: on(c, c.remote), serverFirst: Boolean(c.serverEnd && c.serverEnd.t <= c.eof!.t) }));
        const bad = rows.filter((r) => !r.server || r.client || !r.serverFirst);
        const count = (k: 'server' | 'client') => rows.filter((r) => r[k]).length;
        const detail = `TIME_WAIT on the server’s side of ${count('server')}/${rows.length} ended connections, on the client’s side of ${count('client')}`;
        if (bad.length) return failed(`${detail}${bad.some((r) => !r.serverFirst) ? '; the server did not close first on every one' : ''}`);
        if (rows.length < Number(p.count)) return notReached(`${detail} so far (${p.count} to make)`);
        return held(detail);
      },
    },
  ],
  defaultDurationMs: 2500,
});
