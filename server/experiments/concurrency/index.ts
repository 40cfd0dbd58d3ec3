import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { noSamples, reports, samples, listenPort } from '../../net/checks.js';
import { narrative } from './narrative.js';

interface Waited { client: number; connectMs: number; waitedMs: number }
interface Handling { n: number }

/** [start, end] of each handled connection, from the server's reports. */
function intervals(q: Parameters<typeof reports>[0]): Array<{ n: number; start: number; end: number }> {
  const ends = new Map(reports<Handling>(q, 'handled', 'server').map((h) => [h.n, h.t]));
  return reports<Handling>(q, 'handling', 'server').flatMap((h) => (ends.has(h.n) ? [{ n: h.n, start: h.t, end: ends.get(h.n)! }] : []));
}

export default defineExperiment({
  id: 'concurrency',
  title: 'One client at a time, or a handler per connection',
  group: 'Servers',
  order: 100,
  summary: 'Seed 003’s sequential and concurrent servers with N clients at once: each client’s wait is the lesson.',
  seeds: ['003', '002'],
  params: z.object({
    mode: z.enum(['sequential', 'concurrent', 'blocking']).default('sequential').describe('sequential = one at a time (the seed’s loop); concurrent = a handler per connection (go handleClient); blocking = per connection, but the work is synchronous'),
    clients: z.number().int().min(1).max(20).default(5).describe('Clients that connect at the same moment'),
    workMs: z.number().int().min(0).max(5000).default(400).describe('Work per connection before the answer (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'daytime after workMs of work, in the chosen mode' },
    { name: 'clients', program: 'clients.js', after: 'server', summary: 'N clients at once; each prints how long it waited' },
  ],
  narrative,
  observations: [
    {
      id: 'all-answered',
      label: 'Every client got its answer; their waits, shortest to longest',
      check: (q, p) => {
        const w = reports<Waited>(q, 'waited', 'clients').sort((a, b) => a.waitedMs - b.waitedMs);
        return { held: w.length === Number(p.clients), detail: `${w.length}/${p.clients} answered; waits ${w.map((x) => x.waitedMs.toFixed(0)).join(', ')} ms` };
      },
    },
    {
      id: 'shape',
      label: 'sequential/blocking: no two connections handled at once, the k-th answer waited ≥ k × workMs; concurrent: every handler started before the first finished',
      check: (q, p) => {
        const iv = intervals(q).sort((a, b) => a.start - b.start);
        const n = Number(p.clients);
        if (iv.length < n) return { held: false, detail: `${iv.length}/${n} connections handled so far` };
        if (p.mode === 'concurrent') {
          const firstEnd = Math.min(...iv.map((i) => i.end));
          const started = iv.filter((i) => i.start <= firstEnd).length;
          return { held: started === n, detail: `${started}/${n} handlers had started when the first finished at ${firstEnd.toFixed(0)} ms` };
        }
        const overlaps = iv.filter((x, i) => i > 0 && x.start < iv[i - 1]!.end).length;
        const w = reports<Waited>(q, 'waited', 'clients').map((x) => x.waitedMs).sort((a, b) => a - b);
        const work = Number(p.workMs);
        // A small allowance for timer granularity (Node timers may fire up to 1 ms early).
        const lowOk = w.length === n && w.every((ms, k) => ms >= (k + 1) * work - 2);
        return { held: overlaps === 0 && lowOk, detail: `${overlaps} overlapping handlings; waits ${w.map((x) => x.toFixed(0)).join(', ')} ms vs k × ${work} ms` };
      },
    },
    {
      id: 'where-they-wait',
      label: 'Where the waiting clients were: blocking → in the kernel’s accept queue (listener Recv-Q > 0); otherwise accepted at once',
      check: (q, p) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'server');
        const maxQ = Math.max(0, ...samples(q, (s) => s.state === 'LISTEN' && s.local.port === port).map((s) => s.acceptQ ?? 0));
        const accepts = q.of('accept', 'server').map((a) => a.t);
        const spread = accepts.length ? Math.max(...accepts) - Math.min(...accepts) : 0;
        if (p.mode === 'blocking') {
          return { held: maxQ >= 1 && Number(p.clients) > 1, detail: `up to ${maxQ} connections waited in the accept queue; accepts spread over ${spread.toFixed(0)} ms` };
        }
        const before = Math.min(...reports<Handling>(q, 'handled', 'server').map((h) => h.t));
        const allAccepted = accepts.length === Number(p.clients) && accepts.every((t) => t < before);
        return { held: allAccepted, detail: `all ${accepts.length} accepted before the first answer (accepts within ${spread.toFixed(1)} ms); accept queue peak ${maxQ}` };
      },
    },
  ],
  defaultDurationMs: 4000,
});
