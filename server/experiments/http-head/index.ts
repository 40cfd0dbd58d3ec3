import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { headText, reports } from '../../net/checks.js';
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
        const w = q.of('write', 'client');
        // node:http parses the socket inside its C++ parser (no 'data' events): its report says what it understood.
        const r = reports<{ method: string; url: string; httpVersion: string }>(q, 'request', 'server')[0];
        const ok = w.length === 1 && w[0]!.bytes === REQUEST.length && headText(w[0]!) === REQUEST && r?.method === 'HEAD' && r.url === '/' && r.httpVersion === '1.0';
        return { held: ok, detail: `client wrote ${w.map((x) => `${x.bytes} B ${JSON.stringify(headText(x))}`).join(', ') || 'nothing'}; the server parsed ${r ? `${r.method} ${r.url} HTTP/${r.httpVersion}` : 'nothing yet'}` };
      },
    },
    {
      id: 'headers-only',
      label: 'The answer is a status line and headers with no body, though Content-Length names one',
      check: (q) => {
        const text = q.of('data', 'client').map(headText).join('');
        const head = text.split('\r\n\r\n');
        const len = /content-length:\s*(\d+)/i.exec(text)?.[1];
        const ok = /^HTTP\/1\.[01] 200 /.test(text) && head.length === 2 && head[1] === '' && Number(len) > 0;
        return { held: ok, detail: text ? `${JSON.stringify(text.split('\r\n')[0])}, Content-Length ${len ?? '—'}, ${Buffer.byteLength(head[1] ?? '')} B after the blank line` : 'no answer yet' };
      },
    },
    {
      id: 'read-to-eof',
      label: 'The server closed the connection (HTTP/1.0, no keep-alive) and the client read every byte up to EOF',
      check: (q) => {
        const wrote = q.bytes('write', 'server');
        const read = q.bytes('data', 'client');
        const eof = q.first('eof', 'client');
        const serverEnd = q.first('end', 'server') ?? q.first('destroy', 'server');
        const ok = Boolean(eof && serverEnd && serverEnd.t <= eof.t) && wrote > 0 && wrote === read;
        return { held: ok, detail: `server wrote ${wrote} B and closed ${serverEnd ? 'first' : '—'}; client read ${read} B${eof ? ', then EOF' : ''}` };
      },
    },
  ],
  defaultDurationMs: 2500,
});
