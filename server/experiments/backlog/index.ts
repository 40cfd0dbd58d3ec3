import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { keysOf, listenPort, reports, samples } from '../../net/checks.js';
import { connectionsOf, failed, held, kernelOff, lifeEnd, notReached, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

interface Somax { somaxconn: number | null; backlog: number; limit: number | null }

/** When "accept all" happened: the server's first accept of a client (undefined: not yet). */
function acceptedAt(q: TraceQuery): number | undefined {
  const t = connectionsOf(q, 'server', 'accept').filter((a) => a.peer).map((a) => a.t);
  return t.length ? Math.min(...t) : undefined;
}

/** The listener's kernel samples (LISTEN), and the clients' sockets the kernel saw dialing it before `until`. */
function listener(q: TraceQuery, until = Infinity) {
  const port = listenPort(q, 'server');
  const listening = samples(q, (x) => x.state === 'LISTEN' && x.local.port === port && x.t < until);
  const dialing = samples(q, (x) => x.remote.port === port && x.local.port !== port && x.t < until && (x.state === 'SYN_SENT' || x.state === 'ESTABLISHED'));
  return { port, listening, dialers: keysOf(dialing).size };
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
        if (!s) return notReached('the server has not reported somaxconn yet');
        const off = kernelOff(q);
        if (off) return off;
        if (s.limit === null) return notReached(`backlog ${s.backlog}, somaxconn unknown (no /proc/sys/net/core/somaxconn): nothing to compare with`);
        const l = listener(q).listening[0];
        if (l?.acceptMax === undefined) return notReached(`backlog ${s.backlog}, somaxconn ${s.somaxconn}: ${l ? 'the kernel did not report the listener’s limit' : 'no sample of the listener yet'}`);
        const detail = `backlog ${s.backlog}, somaxconn ${s.somaxconn ?? 'unknown'} → kernel limit ${l.acceptMax}`;
        return l.acceptMax === s.limit ? held(detail) : failed(`${detail}, not ${s.limit}`);
      },
    },
    {
      id: 'queue-full',
      label: 'The accept queue (ss Recv-Q) filled to limit + 1 — Linux counts “full” as more than the backlog — or held every client if fewer',
      check: (q, p) => {
        const off = kernelOff(q);
        if (off) return off;
        const n = Number(p.clients);
        const { listening, dialers } = listener(q, acceptedAt(q) ?? Infinity);
        const limit = listening[0]?.acceptMax;
        if (limit === undefined) return notReached(listening.length ? 'the kernel did not report the listener’s limit' : 'no sample of the listener yet');
        const max = Math.max(0, ...listening.map((x) => x.acceptQ ?? 0));
        const want = Math.min(n, limit + 1);
        const detail = `Recv-Q peaked at ${max} with limit ${limit} and ${n} clients`;
        if (max === want) return held(detail);
        if (max > want) return failed(`${detail}: more than ${want}`);
        // Below what it should reach: failed once the kernel has seen every client dial.
        return dialers >= n ? failed(`${detail}: ${want} expected`) : notReached(`${detail} so far; the kernel has seen ${dialers}/${n} clients dial`);
      },
    },
    {
      id: 'syn-sent',
      label: 'The clients that did not fit stayed in SYN_SENT, their SYNs dropped (and retransmitted, if they waited over a second)',
      check: (q, p) => {
        const off = kernelOff(q);
        if (off) return off;
        const n = Number(p.clients);
        const at = acceptedAt(q);
        const until = at ?? Infinity;
        const { port, dialers } = listener(q, until);
        const before = reports<{ ms: number }>(q, 'connected', 'clients').filter((c) => c.t < until).length;
        const syn = samples(q, (x) => x.state === 'SYN_SENT' && x.remote.port === port && x.t < until);
        // Stayed: still in SYN_SENT at the kernel's last look before the first accept.
        const stayed = [...keysOf(syn)].filter((k) => q.lastBefore('sample', until, undefined, (x) => x.key === k)?.state === 'SYN_SENT');
        const retrans = Math.max(0, ...syn.map((x) => x.retransmits ?? 0));
        if (dialers < n) return notReached(`the kernel has seen ${dialers}/${n} clients dial so far`);
        const overflow = n - before;
        if (overflow <= 0) return notReached(`all ${before} clients fitted in the queue: none had to wait in SYN_SENT`);
        // The first SYN retransmission comes 1 s after the first SYN: a socket still waiting then shows it.
        const firstSyn = Math.min(...syn.map((x) => x.t));
        const waited = syn.length ? (at ?? traceEnd(q)) - firstSyn : 0;
        const wantRetrans = waited > 1200;
        const detail = `${before} connected before any accept; ${stayed.length} socket(s) seen in SYN_SENT for ${waited.toFixed(0)} ms, up to ${retrans} SYN retransmission(s)`;
        if (stayed.length !== overflow) return failed(`${detail}; ${overflow} did not fit`);
        return !wantRetrans || retrans >= 1 ? held(detail) : failed(`${detail}: none after more than a second`);
      },
    },
    {
      id: 'drained',
      label: 'After “accept all”, every client connected and the accept queue emptied',
      check: (q, p) => {
        const at = acceptedAt(q);
        if (at === undefined) return notReached('not accepting yet (press “Accept all”)');
        const n = Number(p.clients);
        const accepted = connectionsOf(q, 'server', 'accept').filter((a) => a.peer).length;
        const connected = reports(q, 'connected', 'clients').length;
        const { port } = listener(q);
        const key = samples(q, (x) => x.state === 'LISTEN' && x.local.port === port)[0]?.key;
        const last = key === undefined ? undefined : q.lastLiveSample(key);
        const seen = last && last.t >= at ? last : undefined;
        const detail = `${accepted} accepted, ${connected}/${n} clients connected; Recv-Q now ${seen?.acceptQ ?? '?'} (limit ${seen?.acceptMax ?? '?'})`;
        if (seen && (seen.acceptQ ?? 0) > 0 && lifeEnd(q, 'server') - seen.t >= SETTLE_MS) return failed(`${detail}: still queued though accepting`);
        if (connected < n) {
          // A client still in SYN_SENT gets in with its next SYN retransmission (1, 2, 4 s ... apart).
          // One resent after the queue had room that still did not connect: the queue did not drain.
          const stuck = [...keysOf(samples(q, (x) => x.state === 'SYN_SENT' && x.remote.port === port))].filter((k) => {
            const was = q.lastBefore('sample', at, undefined, (x) => x.key === k)?.retransmits ?? 0;
            const resent = samples(q, (x) => x.key === k && x.t > at && x.state === 'SYN_SENT' && (x.retransmits ?? 0) > was).at(-1);
            const now = q.lastLiveSample(k);
            return resent !== undefined && now?.state === 'SYN_SENT' && lifeEnd(q, 'clients') - resent.t >= SETTLE_MS;
          });
          if (stuck.length) return failed(`${detail}; ${stuck.length} resent its SYN after the queue had room and still did not connect`);
          return notReached(`${detail} so far; the rest connect at their next SYN retransmission`);
        }
        if (accepted < n) return lifeEnd(q, 'server') - at >= SETTLE_MS ? failed(detail) : notReached(`${detail} so far`);
        if (!seen) return notReached(`${detail}; the kernel has not shown the listener since accepting`);
        return held(detail);
      },
    },
  ],
  defaultDurationMs: 5000,
});
