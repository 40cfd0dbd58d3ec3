import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports } from '../../net/checks.js';
import { connectionsOf, failed, held, lifeEnd, notReached, SETTLE_MS } from '../../net/verdicts.js';
import { targetRefusal } from '../../net/targets.js';
import { narrative } from './narrative.js';

interface Attempt { seq: number; outcome: string; ms: number }
const VERDICTS = ['open', 'closed', 'no answer'];

export default defineExperiment({
  id: 'tcp-ping',
  title: 'TCP ping: reachability without ICMP',
  group: 'Tools',
  order: 150,
  summary: 'Seed 000’s ping where ICMP is filtered: time a TCP connect; a refusal still means the host is up.',
  seeds: ['000'],
  params: z.object({
    host: z.string().min(1).max(253).default('127.0.0.1').describe('Target host: loopback, or a host the lab was started with --allow-target for'),
    targetPort: z.number().int().min(0).max(65535).default(0).describe('Target port (0 = the lab’s own listener)'),
    count: z.number().int().min(1).max(100).default(5).describe('Connects to make'),
    intervalMs: z.number().int().min(100).max(10_000).default(300).describe('Pause between connects (ms; at least 100: this is a ping, not a flood)'),
    timeoutMs: z.number().int().min(50).max(30_000).default(1000).describe('Give up on a connect after this long (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('The lab listener’s port (0 = any free port)'),
  }),
  validate: (p, ctx) => targetRefusal(String(p.host), ctx.allowTargets),
  roles: [
    { name: 'server', program: 'server.js', listens: true, enabled: (p) => p.targetPort === 0, summary: 'a listener that accepts and closes (the default target)' },
    { name: 'pinger', program: 'pinger.js', after: 'server', summary: 'connects count times; prints each connect time' },
  ],
  narrative,
  observations: [
    {
      id: 'attempts',
      label: 'Every attempt got a verdict and a time: open, refused (host up, port closed) or no answer',
      check: (q, p) => {
        const a = reports<Attempt>(q, 'attempt', 'pinger');
        const n = Number(p.count);
        const by = (o: string) => a.filter((x) => x.outcome === o).length;
        const detail = `${a.length}/${n}: ${by('open')} open, ${by('closed')} refused, ${by('no answer')} no answer; times ${a.map((x) => x.ms.toFixed(2)).join(', ') || '—'} ms`;
        const bad = a.filter((x) => !VERDICTS.includes(x.outcome) || !(x.ms > 0));
        if (bad.length) return failed(`${detail}; ${bad.map((x) => `seq ${x.seq}: ${x.outcome}, ${x.ms} ms`).join('; ')}`);
        return a.length >= n ? held(detail) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'host-up',
      label: 'The host counts as up when it answered at all: each “open” was a completed handshake (the lab’s own listener accepted it), each “refused” an RST (ECONNREFUSED)',
      check: (q, p) => {
        const a = reports<Attempt>(q, 'attempt', 'pinger').sort((x, y) => x.t - y.t);
        if (a.length === 0) return notReached('no attempt yet');
        const ownListener = p.targetPort === 0;
        const conns = connectionsOf(q, 'pinger', 'connect');
        const refusals = q.of('error', 'pinger').filter((e) => e.code === 'ECONNREFUSED');
        const wrong: string[] = [];
        let pending = 0;
        a.forEach((x, i) => {
          // What the kernel answered this attempt: the pinger's events since the previous verdict.
          const from = i > 0 ? a[i - 1]!.t : 0;
          const c = conns.find((e) => e.t > from && e.t <= x.t);
          const rst = refusals.find((e) => e.t > from && e.t <= x.t);
          const seen = c ? 'open' : rst ? 'closed' : 'no answer';
          if (seen !== x.outcome) wrong.push(`seq ${x.seq} says ${x.outcome}, the trace shows ${c ? 'a handshake' : rst ? 'an RST' : 'neither a handshake nor an RST'}`);
          else if (c && ownListener && !c.peer) {
            if (lifeEnd(q, 'server') - c.t >= SETTLE_MS) wrong.push(`seq ${x.seq}: the listener never accepted :${c.local.port}`);
            else pending++;
          }
        });
        const open = a.filter((x) => x.outcome === 'open').length;
        const closed = a.filter((x) => x.outcome === 'closed').length;
        const accepted = connectionsOf(q, 'server', 'accept').filter((s) => s.peer).length;
        const detail = `${open + closed} of ${a.length} answered (${conns.length} handshakes, ${refusals.length} RSTs)${ownListener ? `; the listener accepted ${accepted}` : ''}`;
        if (wrong.length) return failed(`${detail}; ${wrong.join('; ')}`);
        if (pending) return notReached(`${detail} so far`);
        return open + closed > 0 ? held(detail) : notReached(`${detail}: no answer, so nothing shows the host up`);
      },
    },
  ],
  defaultDurationMs: 5000,
});
