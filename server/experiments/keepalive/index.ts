import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { vanishingPeer } from '../../net/netns.js';
import { reports, samples } from '../../net/checks.js';
import { failed, held, kernelOff, lifeEnd, notReached, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

/** The client's connection as the kernel saw it (local side = the client's port). */
function clientSamples(q: TraceQuery) {
  const c = q.first('connect', 'client');
  return c ? samples(q, (s) => s.local.port === c.local.port && s.remote.port === c.remote.port) : [];
}

/**
 * Keepalive probes the capture saw from the client's port, and how many the peer answered (an
 * ACK back within 200 ms). Undefined when nothing of the connection was captured (capture off).
 */
function answeredProbes(q: TraceQuery, client: number, server: number): { sent: number; answered: number } | undefined {
  const pkts = q.of('packet').filter((x) => (x.src.port === client && x.dst.port === server) || (x.src.port === server && x.dst.port === client));
  if (pkts.length === 0) return undefined;
  const end = traceEnd(q);
  // A probe sent in the run's last 200 ms may have had no time to be answered: not counted.
  const sent = pkts.filter((x) => x.src.port === client && x.labels.includes('keepalive') && end - x.t >= 200);
  const answered = sent.filter((x) => pkts.some((y) => y.src.port === server && y.flags.includes('ACK') && y.t >= x.t && y.t - x.t <= 200)).length;
  return { sent: sent.length, answered };
}

/** Why the vanishing peer did not run, if the lab said so (not root, no ip netns). */
function netnsOff(q: TraceQuery): string | undefined {
  return q.of('note', 'lab').find((n) => n.text.startsWith('The vanishing peer cannot run') || n.text.startsWith('could not set up the namespace'))?.text;
}

export default defineExperiment({
  id: 'keepalive',
  title: 'Keepalive: probing a silent connection',
  group: 'Errors & timeouts',
  order: 140,
  summary: 'SO_KEEPALIVE with short idle, interval and count; on loopback the peer always answers, in a namespace it can vanish.',
  seeds: ['003'],
  params: z.object({
    peer: z.enum(['loopback', 'vanishing']).default('loopback').describe('loopback = the peer always answers; vanishing = the peer runs in a network namespace whose link the lab takes down (needs root)'),
    idleS: z.number().int().min(1).max(7200).default(1).describe('TCP_KEEPIDLE: seconds of silence before the first probe (Linux default 7200)'),
    intervalS: z.number().int().min(1).max(600).default(1).describe('TCP_KEEPINTVL: seconds between probes (Linux default 75)'),
    count: z.number().int().min(1).max(20).default(3).describe('TCP_KEEPCNT: unanswered probes before the connection is dead (Linux default 9)'),
    cutAtMs: z.number().int().min(0).max(600_000).default(2500).describe('vanishing: take the link down this long after the connection is up (0 = only with the button)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'accepts and stays silent (in its own namespace when vanishing)' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'keepalive on with short timers; sends nothing' },
  ],
  fixture: (p) => vanishingPeer({ wanted: p.peer === 'vanishing', roleInside: 'server', hostParam: 'host', cutAtMs: Number(p.cutAtMs) }),
  controls: [{ id: 'cut', label: 'Take the peer’s link down', role: 'lab', command: 'cut' }],
  narrative,
  observations: [
    {
      id: 'options',
      label: 'The kernel kept SO_KEEPALIVE on and the three timers as set (idleS, intervalS, count)',
      check: (q, p) => {
        const opts = q.of('sockopt', 'client');
        const want: Array<[string, unknown]> = [['SO_KEEPALIVE', true], ['TCP_KEEPIDLE', Number(p.idleS)], ['TCP_KEEPINTVL', Number(p.intervalS)], ['TCP_KEEPCNT', Number(p.count)]];
        if (opts.length === 0) return notReached('the client has not set its options yet');
        const got = want.map(([o]) => opts.find((x) => x.option === o));
        const detail = got.map((x, i) => `${want[i]![0]} ${x ? `${JSON.stringify(x.effective)}${x.error ? ` (${x.error})` : ''}` : '—'}`).join(', ');
        const wrong = got.filter((x, i) => x && (x.error || JSON.stringify(x.effective) !== JSON.stringify(want[i]![1]) || JSON.stringify(x.requested) !== JSON.stringify(want[i]![1])));
        if (wrong.length) return failed(`${detail}; asked ${want.map(([o, v]) => `${o} ${JSON.stringify(v)}`).join(', ')}`);
        if (got.some((x) => !x)) return lifeEnd(q, 'client') - opts[0]!.t >= SETTLE_MS ? failed(`${detail}: not all set`) : notReached(`${detail} so far`);
        return held(detail);
      },
    },
    {
      id: 'timer',
      label: 'The kernel ran the keepalive timer on the client’s idle connection',
      check: (q) => {
        const off = kernelOff(q);
        if (off) return off;
        const ka = clientSamples(q).filter((s) => s.timer?.name === 'keepalive');
        if (ka.length) return held(`keepalive timer seen ${ka.length}× (e.g. fires in ${ka[0]!.timer!.expiresMs} ms)`);
        const on = q.first('sockopt', 'client', (x) => x.option === 'SO_KEEPALIVE');
        if (!on) return notReached('keepalive is not on yet');
        // Turning it on arms the timer: a sample changes, and the kernel view writes it.
        const looked = Math.min(lifeEnd(q, 'client'), traceEnd(q)) - on.t;
        return looked >= SETTLE_MS ? failed(`no keepalive timer in the client’s samples ${looked.toFixed(0)} ms after SO_KEEPALIVE`) : notReached('no keepalive timer in the client’s samples yet');
      },
    },
    {
      id: 'verdict',
      label: 'loopback: the peer answered every probe and the connection stayed up past idle + count × interval; vanishing: unanswered probes, then ETIMEDOUT no sooner than count × interval after the cut',
      check: (q, p) => {
        const dead = reports<{ code: string; afterMs: number }>(q, 'dead', 'client')[0];
        const c = q.first('connect', 'client');
        if (!c) return notReached('not connected yet');
        const idle = Number(p.idleS) * 1000;
        const probing = Number(p.count) * Number(p.intervalS) * 1000;
        const probes = (after = 0) => Math.max(0, ...clientSamples(q).filter((s) => s.t >= after).map((s) => s.probes ?? 0));
        if (p.peer === 'vanishing') {
          const off = netnsOff(q);
          if (off) return notReached(`not run: ${off}`);
          const cut = q.first('control', 'lab', (e) => e.command === 'cut');
          if (!cut) return notReached('the link is still up');
          if (!dead) {
            const late = Math.min(lifeEnd(q, 'client'), traceEnd(q)) - cut.t - (idle + probing);
            return late >= 2000
              ? failed(`link down at ${cut.t.toFixed(0)} ms; still up ${(late / 1000).toFixed(1)} s after idle + count × interval`)
              : notReached(`link down at ${cut.t.toFixed(0)} ms; the client has not given up yet`);
          }
          const after = dead.t - cut.t;
          const kernel = kernelOff(q) ? undefined : probes(cut.t);
          const detail = `${dead.code} ${after.toFixed(0)} ms after the cut (≥ ${p.count} × ${p.intervalS} s = ${probing} ms); ${kernel === undefined ? 'no kernel samples to count the probes' : `up to ${kernel} unanswered probe(s) in the samples`}`;
          if (dead.code !== 'ETIMEDOUT' || after < probing - 50 || kernel === 0) return failed(detail);
          return kernel === undefined ? notReached(detail) : held(detail);
        }
        if (dead) return failed(`died: ${dead.code}`);
        // The connection's life so far: until the client's exit, or the latest event of the run.
        const silentFor = Math.min(lifeEnd(q, 'client'), traceEnd(q)) - c.t;
        const enough = idle + probing;
        const seen = answeredProbes(q, c.local.port, c.remote.port);
        const restarts = clientSamples(q).filter((s) => s.timer?.name === 'keepalive').length;
        const evidence = seen
          ? `${seen.answered}/${seen.sent} probes answered on the wire`
          : `${probes()} unanswered probes in the kernel’s samples, keepalive timer restarted ${restarts}× (each answered probe re-arms it)`;
        const detail = `silent for ${(silentFor / 1000).toFixed(1)} s (idle + count × interval = ${enough / 1000} s) and still up; ${evidence}`;
        if (seen ? seen.answered < seen.sent : probes() > 0) return failed(detail);
        if (!seen && kernelOff(q)) return notReached(`${detail}: no capture or kernel samples to see the probes`);
        if (silentFor < enough) return notReached(`${detail} so far`);
        // The timer is armed once when keepalive is turned on; each answered probe re-arms it.
        return (seen ? seen.sent >= 1 : restarts >= 2) ? held(detail) : failed(`${detail}: no probe seen`);
      },
    },
  ],
  defaultDurationMs: 7000,
});
