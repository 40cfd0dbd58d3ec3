import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { headText, listenPort, noSamples, samples } from '../../net/checks.js';
import { narrative } from './narrative.js';

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
      label: 'Each connection got the date and then EOF (the server’s FIN ended the answer)',
      check: (q, p) => {
        const eofs = q.of('eof', 'client').length;
        const dates = q.of('data', 'client').filter((d) => /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d/.test(headText(d))).length;
        return { held: eofs === Number(p.count) && dates >= eofs, detail: `${eofs} EOFs for ${p.count} connections; ${dates} reads began with a date` };
      },
    },
    {
      id: 'server-closed-first',
      label: 'The server closed first every time: its end() came before the client’s EOF',
      check: (q) => {
        const ends = q.of('end', 'server').map((e) => e.t).sort((a, b) => a - b);
        const eofs = q.of('eof', 'client').map((e) => e.t).sort((a, b) => a - b);
        const ok = eofs.length > 0 && eofs.every((t, i) => ends[i] !== undefined && ends[i]! <= t);
        return { held: ok, detail: `server end() ×${ends.length}, client EOF ×${eofs.length}` };
      },
    },
    {
      id: 'bytes',
      label: 'The client read exactly the bytes the server wrote',
      check: (q) => {
        const w = q.bytes('write', 'server');
        const r = q.bytes('data', 'client');
        return { held: w > 0 && w === r, detail: `server wrote ${w} B, client read ${r} B` };
      },
    },
    {
      id: 'time-wait-server-side',
      label: 'The kernel keeps TIME_WAIT on the server’s side: the side that closes first waits',
      check: (q) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'server');
        const tw = samples(q, (s) => s.state === 'TIME_WAIT');
        const serverSide = new Set(tw.filter((s) => s.local.port === port).map((s) => s.key));
        const clientSide = new Set(tw.filter((s) => s.remote.port === port).map((s) => s.key));
        return { held: serverSide.size > 0 && clientSide.size === 0, detail: `TIME_WAIT sockets: ${serverSide.size} on the server’s side (port ${port}), ${clientSide.size} on the client’s` };
      },
    },
  ],
  defaultDurationMs: 2500,
});
