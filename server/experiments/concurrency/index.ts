import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports, samples, listenPort } from '../../net/checks.js';
import { connectionsOf, failed, held, kernelOff, notReached, onSock } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

interface Waited { client: number; connectMs: number; waitedMs: number }
interface Handling { n: number; port?: number }

/** The clients' connections, each with what came back on it. */
function clientConns(q: TraceQuery) {
  return connectionsOf(q, 'clients', 'connect').map((c) => {
    const eof = onSock(q.of('eof', 'clients'), c.sock)[0];
    const read = onSock(q.of('data', 'clients'), c.sock).filter((d) => !eof || d.t <= eof.t).reduce((n, d) => n + d.bytes, 0);
    return { ...c, eof, read };
  });
}

/** [start, end] of each handled connection of the clients (not one from outside), from the server's reports. */
function intervals(q: TraceQuery): Array<{ n: number; start: number; end: number }> {
  const ports = new Set(connectionsOf(q, 'clients', 'connect').map((c) => c.local.port));
  const ours = (h: Handling) => h.port === undefined || ports.has(h.port);
  const ends = new Map(reports<Handling>(q, 'handled', 'server').filter(ours).map((h) => [h.n, h.t]));
  return reports<Handling>(q, 'handling', 'server').filter(ours).flatMap((h) => {
    const end = ends.get(h.n);
    return end === undefined ? [] : [{ n: h.n, start: h.t, end }];
  });
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
      label: 'Every client got an answer, then EOF; their waits, shortest to longest',
      check: (q, p) => {
        const n = Number(p.clients);
        const conns = clientConns(q);
        const empty = conns.filter((c) => c.eof && c.read === 0);
        const w = reports<Waited>(q, 'waited', 'clients').sort((a, b) => a.waitedMs - b.waitedMs);
        const detail = `${conns.filter((c) => c.eof && c.read > 0).length}/${n} answered; waits ${w.map((x) => x.waitedMs.toFixed(0)).join(', ') || '—'} ms`;
        if (empty.length) return failed(`${detail}; ${empty.length} connection(s) got EOF with no answer`);
        return conns.length >= n && conns.every((c) => c.eof) && w.length >= n ? held(detail) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'shape',
      label: 'sequential/blocking: no two connections handled at once, the k-th answer waited ≥ k × workMs; concurrent: every handler started before the first finished',
      check: (q, p) => {
        const iv = intervals(q).sort((a, b) => a.start - b.start);
        const n = Number(p.clients);
        if (iv.length < n) return notReached(`${iv.length}/${n} connections handled so far`);
        if (p.mode === 'concurrent') {
          const firstEnd = Math.min(...iv.map((i) => i.end));
          const started = iv.filter((i) => i.start <= firstEnd).length;
          const detail = `${started}/${n} handlers had started when the first finished at ${firstEnd.toFixed(0)} ms`;
          return started === n ? held(detail) : failed(detail);
        }
        const overlaps = iv.filter((x, i) => i > 0 && x.start < iv[i - 1]!.end).length;
        const w = reports<Waited>(q, 'waited', 'clients').map((x) => x.waitedMs).sort((a, b) => a - b);
        const work = Number(p.workMs);
        const detail = `${overlaps} overlapping handlings; waits ${w.map((x) => x.toFixed(0)).join(', ') || '—'} ms vs k × ${work} ms`;
        if (overlaps > 0) return failed(detail);
        if (w.length < n) return notReached(`${detail}; ${w.length}/${n} clients have reported their wait so far`);
        // A small allowance for timer granularity (Node timers may fire up to 1 ms early).
        return w.every((ms, k) => ms >= (k + 1) * work - 2) ? held(detail) : failed(detail);
      },
    },
    {
      id: 'where-they-wait',
      label: 'Where the waiting clients were: blocking → in the kernel’s accept queue (listener Recv-Q > 0); otherwise accepted at once, before the first answer',
      check: (q, p) => {
        const n = Number(p.clients);
        const port = listenPort(q, 'server');
        const listener = samples(q, (s) => s.state === 'LISTEN' && s.local.port === port);
        const maxQ = Math.max(0, ...listener.map((s) => s.acceptQ ?? 0));
        const accepts = connectionsOf(q, 'server', 'accept').filter((a) => a.peer).map((a) => a.t);
        const spread = accepts.length ? Math.max(...accepts) - Math.min(...accepts) : 0;
        const firstAnswer = Math.min(...intervals(q).map((h) => h.end));
        if (p.mode === 'blocking') {
          const off = kernelOff(q);
          if (off) return off;
          if (n < 2) return notReached('one client: nobody waits behind another');
          const detail = `up to ${maxQ} connections waited in the accept queue; accepts spread over ${spread.toFixed(0)} ms`;
          if (maxQ >= 1) return held(detail);
          // The queue is full while the first handler works: once it has answered, the kernel had its look.
          return Number.isFinite(firstAnswer) ? failed(detail) : notReached(`${detail} so far`);
        }
        const early = accepts.filter((t) => t < firstAnswer).length;
        const detail = `${early}/${n} accepted before the first answer (accepts within ${spread.toFixed(1)} ms)${listener.length ? `; accept queue peak ${maxQ}` : ''}`;
        if (early >= n) return held(detail);
        return Number.isFinite(firstAnswer) ? failed(detail) : notReached(`${detail} so far`);
      },
    },
  ],
  defaultDurationMs: 4000,
});
