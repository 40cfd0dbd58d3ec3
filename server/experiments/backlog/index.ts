import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { listenPort, noSamples, reports, samples } from '../../net/checks.js';
import { narrative } from './narrative.js';

interface Somax { somaxconn: number | null; backlog: number; limit: number | null }

/** When "accept all" happened: the server's first accept (undefined: not yet). */
function acceptedAt(q: Parameters<typeof listenPort>[0]): number | undefined {
  return q.first('accept', 'server')?.t;
}

export default defineExperiment({
  id: 'backlog',
  title: 'Backlog: the accept queue of a listener that does not accept',
  group: 'Servers',
  order: 130,
  summary: 'Seed 001’s backlog and somaxconn: B+1 connections complete and wait, the rest retry their SYN; then accept all.',
  seeds: ['001'],
  params: z.object({
    backlog: z.number().int().min(0).max(65535).default(2).describe('The backlog passed to listen(); Linux caps it at net.core.somaxconn'),
    clients: z.number().int().min(1).max(64).default(6).describe('Clients that dial at the same moment'),
    acceptAfterMs: z.number().int().min(0).max(600_000).default(2500).describe('Start accepting by itself this long after the first connection was queued (0 = only with the “Accept all” button)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Listener port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'listen(backlog) without accept; “accept all” drains the queue' },
    { name: 'clients', program: 'clients.js', after: 'server', summary: 'N clients dial at once and report who got through' },
  ],
  narrative,
  controls: [{ id: 'accept', label: 'Accept all', role: 'server', command: 'accept' }],
  observations: [
    {
      id: 'limit',
      label: 'The listener’s limit (ss Send-Q) is min(backlog, somaxconn), somaxconn read from /proc/sys/net/core/somaxconn',
      check: (q) => {
        const s = reports<Somax>(q, 'somaxconn', 'server')[0];
        const none = noSamples(q);
        if (!s) return { held: false, detail: 'the server has not reported somaxconn yet' };
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'server');
        const l = samples(q, (x) => x.state === 'LISTEN' && x.local.port === port)[0];
        return { held: l?.acceptMax !== undefined && l.acceptMax === s.limit, detail: `backlog ${s.backlog}, somaxconn ${s.somaxconn ?? 'unknown'} → kernel limit ${l?.acceptMax ?? '?'}` };
      },
    },
    {
      id: 'queue-full',
      label: 'The accept queue (ss Recv-Q) filled to limit + 1 — Linux counts “full” as more than the backlog — or held every client if fewer',
      check: (q, p) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'server');
        const until = acceptedAt(q) ?? Infinity;
        const l = samples(q, (x) => x.state === 'LISTEN' && x.local.port === port && x.t < until);
        const max = Math.max(0, ...l.map((x) => x.acceptQ ?? 0));
        const limit = l[0]?.acceptMax;
        if (limit === undefined) return { held: false, detail: 'no sample of the listener yet' };
        const want = Math.min(Number(p.clients), limit + 1);
        return { held: max === want, detail: `Recv-Q peaked at ${max} with limit ${limit} and ${p.clients} clients` };
      },
    },
    {
      id: 'syn-sent',
      label: 'The clients that did not fit stayed in SYN_SENT, their SYNs dropped (and retransmitted, if they waited over a second)',
      check: (q, p) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'server');
        const until = acceptedAt(q) ?? Infinity;
        const before = reports<{ ms: number }>(q, 'connected', 'clients').filter((c) => c.t < until).length;
        const syn = samples(q, (x) => x.state === 'SYN_SENT' && x.remote.port === port && x.t < until);
        const keys = new Set(syn.map((x) => x.key));
        const retrans = Math.max(0, ...syn.map((x) => x.retransmits ?? 0));
        const overflow = Number(p.clients) - before;
        if (overflow <= 0) return { held: keys.size === 0, detail: `all ${before} clients fitted in the queue` };
        // The first SYN retransmission comes 1 s after the first SYN: a socket still waiting then shows it.
        const firstSyn = Math.min(...syn.map((x) => x.t));
        const waited = (Number.isFinite(until) ? until : Math.max(...q.events.map((e) => e.t))) - firstSyn;
        const wantRetrans = waited > 1200;
        return { held: keys.size >= 1 && (!wantRetrans || retrans >= 1), detail: `${before} connected before any accept; ${keys.size} socket(s) seen in SYN_SENT for ${waited.toFixed(0)} ms, up to ${retrans} SYN retransmission(s)` };
      },
    },
    {
      id: 'drained',
      label: 'After “accept all”, every client connected and the accept queue emptied',
      check: (q, p) => {
        const at = acceptedAt(q);
        if (at === undefined) return { held: false, detail: 'not accepting yet (press “Accept all”)' };
        const accepted = q.of('accept', 'server').length;
        const connected = reports(q, 'connected', 'clients').length;
        const port = listenPort(q, 'server');
        const last = samples(q, (x) => x.state === 'LISTEN' && x.local.port === port).at(-1);
        const ok = accepted === Number(p.clients) && connected === Number(p.clients) && (last?.acceptQ ?? -1) === 0;
        return { held: ok, detail: `${accepted} accepted, ${connected}/${p.clients} clients connected; Recv-Q now ${last?.acceptQ ?? '?'} (limit ${last?.acceptMax ?? '?'})` };
      },
    },
  ],
  defaultDurationMs: 5000,
});
