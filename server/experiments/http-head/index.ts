import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { headText, reports } from '../../net/checks.js';
import { connectionsOf, failed, held, knownBytes, lifeEnd, notReached, onSock, sameBytes, SETTLE_MS, streamOf } from '../../net/verdicts.js';
import { resultOf } from '../../../shared/trace/verdict.js';
import { narrative } from './narrative.js';

const REQUEST = 'HEAD / HTTP/1.0\r\n\r\n';

export default defineExperiment({
  id: 'http-head',
  title: 'HTTP HEAD by hand',
  group: 'Tools',
  order: 170,
  summary: 'Seed 003’s HTTP client: write “HEAD / HTTP/1.0\\r\\n\\r\\n” on a TCP connection, read to EOF.',
  seeds: ['003'],
  params: z.object({
    port: z.number().int().min(0).max(65535).default(0).describe('The web server’s port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'node:http: headers for HEAD, no body' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'writes the request by hand, reads to EOF, prints it' },
  ],
  narrative,
  observations: [
    {
      id: 'request',
      label: `The request is the ${REQUEST.length} bytes the program wrote in one write, and the server parsed them as HEAD / HTTP/1.0`,
      check: (q) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c) return notReached('not connected yet');
        const w = onSock(q.of('write', 'client'), c.sock);
        if (w.length === 0) return notReached('the client has not written yet');
        // node:http parses the socket inside its C++ parser (no 'data' events): its report says what it understood.
        const r = reports<{ method: string; url: string; httpVersion: string; port?: number }>(q, 'request', 'server').find((x) => x.port === undefined || x.port === c.local.port);
        const detail = `client wrote ${w.map((x) => `${x.bytes} B ${JSON.stringify(headText(x))}`).join(', ')}; the server parsed ${r ? `${r.method} ${r.url} HTTP/${r.httpVersion}` : 'nothing yet'}`;
        const wrote = w.length === 1 && w[0]!.bytes === REQUEST.length && headText(w[0]!) === REQUEST;
        if (!wrote) return failed(detail);
        if (!r) return lifeEnd(q, 'server') - w[0]!.t >= SETTLE_MS ? failed(detail) : notReached(detail);
        return r.method === 'HEAD' && r.url === '/' && r.httpVersion === '1.0' ? held(detail) : failed(detail);
      },
    },
    {
      id: 'headers-only',
      label: 'The whole answer, read to EOF, is a status line and headers with no body, though Content-Length names one',
      check: (q) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c) return notReached('not connected yet');
        const eof = onSock(q.of('eof', 'client'), c.sock)[0];
        const data = onSock(q.of('data', 'client'), c.sock).filter((d) => !eof || d.t <= eof.t);
        const answer = streamOf(data);
        const text = data.map(headText).join('');
        const head = text.split('\r\n\r\n');
        const len = /content-length:\s*(\d+)/i.exec(text)?.[1];
        const detail = text ? `${JSON.stringify(text.split('\r\n')[0])}, Content-Length ${len ?? '—'}, ${Buffer.byteLength(head.slice(1).join('\r\n\r\n'))} B after the blank line` : 'no answer yet';
        // Until EOF a body could still come (HTTP/1.0: the answer ends where the connection does).
        if (!eof) return notReached(text ? `${detail} so far (no EOF yet)` : detail);
        if (knownBytes(answer) < answer.bytes) return notReached(`${detail}: the trace kept ${knownBytes(answer)} of the answer’s ${answer.bytes} B`);
        return /^HTTP\/1\.[01] 200 /.test(text) && head.length === 2 && head[1] === '' && Number(len) > 0 ? held(detail) : failed(detail);
      },
    },
    {
      id: 'read-to-eof',
      label: 'The server closed the connection first (its answer says Connection: close) and the client read every byte it wrote, unchanged, up to EOF',
      check: (q) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c?.peer) return notReached('not connected yet');
        const s = c.peer;
        const eof = onSock(q.of('eof', 'client'), c.sock)[0];
        const serverEnd = [...onSock(q.of('end', 'server'), s.sock), ...onSock(q.of('destroy', 'server'), s.sock)].sort((a, b) => a.t - b.t)[0];
        const bytes = sameBytes(q, s, c, (w, r) => `server wrote ${w} B, client read ${r} B`);
        const said = /\r\nconnection:\s*close\r\n/i.test(onSock(q.of('write', 'server'), s.sock).map(headText).join(''));
        const detail = `${bytes.detail}; ${serverEnd ? `the server closed at ${serverEnd.t.toFixed(1)} ms` : 'the server has not closed'}${said ? ' (Connection: close)' : ''}; ${eof ? `client EOF at ${eof.t.toFixed(1)} ms` : 'no EOF yet'}`;
        if (resultOf(bytes) === 'failed') return failed(detail);
        if (!eof || !serverEnd) {
          const since = serverEnd ? lifeEnd(q, 'client') - serverEnd.t : 0;
          return serverEnd && since >= SETTLE_MS ? failed(detail) : notReached(detail);
        }
        if (serverEnd.t > eof.t || !said) return failed(`${detail}${said ? '' : '; the answer does not say Connection: close'}`);
        return bytes.held ? held(detail) : notReached(detail);
      },
    },
  ],
  defaultDurationMs: 2500,
});
