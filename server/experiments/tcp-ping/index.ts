import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports } from '../../net/checks.js';
import { targetRefusal } from '../../net/targets.js';
import { narrative } from './narrative.js';

interface Attempt { seq: number; outcome: string; ms: number }

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
        const by = (o: string) => a.filter((x) => x.outcome === o).length;
        return { held: a.length === Number(p.count) && a.every((x) => x.ms > 0), detail: `${a.length}/${p.count}: ${by('open')} open, ${by('closed')} refused, ${by('no answer')} no answer; times ${a.map((x) => x.ms.toFixed(2)).join(', ')} ms` };
      },
    },
    {
      id: 'host-up',
      label: 'The host counts as up when it answered at all — a handshake or an RST; the lab’s own listener accepted every “open”',
      check: (q, p) => {
        const a = reports<Attempt>(q, 'attempt', 'pinger');
        const open = a.filter((x) => x.outcome === 'open').length;
        const closed = a.filter((x) => x.outcome === 'closed').length;
        const connects = q.of('connect', 'pinger').length;
        const refused = q.of('error', 'pinger').filter((e) => e.code === 'ECONNREFUSED').length;
        const consistent = open === connects && closed === refused;
        const ownListener = p.targetPort === 0;
        const accepted = q.of('accept', 'server').length;
        const held = open + closed > 0 && consistent && (!ownListener || accepted === open);
        return { held, detail: `${open + closed} of ${a.length} answered (${connects} handshakes, ${refused} RSTs)${ownListener ? `; the listener accepted ${accepted}` : ''}` };
      },
    },
  ],
  defaultDurationMs: 5000,
});
