import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { vanishingPeer } from '../../net/netns.js';
import { noSamples, reports, samples } from '../../net/checks.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

/** The client's connection as the kernel saw it (local side = the client's port). */
function clientSamples(q: TraceQuery) {
  const c = q.first('connect', 'client');
  return c ? samples(q, (s) => s.local.port === c.local.port && s.remote.port === c.remote.port) : [];
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
      label: 'The kernel kept SO_KEEPALIVE on and the three timers as asked',
      check: (q) => {
        const opts = q.of('sockopt', 'client');
        const want = ['SO_KEEPALIVE', 'TCP_KEEPIDLE', 'TCP_KEEPINTVL', 'TCP_KEEPCNT'];
        const got = want.map((o) => opts.find((x) => x.option === o));
        const ok = got.every((x) => x && !x.error && JSON.stringify(x.effective) === JSON.stringify(x.requested));
        return { held: ok, detail: got.map((x, i) => `${want[i]} ${x ? JSON.stringify(x.effective) : '—'}`).join(', ') };
      },
    },
    {
      id: 'timer',
      label: 'The kernel ran the keepalive timer on the client’s idle connection',
      check: (q) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const ka = clientSamples(q).filter((s) => s.timer?.name === 'keepalive');
        return { held: ka.length > 0, detail: ka.length ? `keepalive timer seen ${ka.length}× (e.g. fires in ${ka[0]!.timer!.expiresMs} ms)` : 'no keepalive timer in the client’s samples' };
      },
    },
    {
      id: 'verdict',
      label: 'loopback: probes answered, the connection stays up; vanishing: unanswered probes, then ETIMEDOUT no sooner than count × interval after the cut',
      check: (q, p) => {
        const dead = reports<{ code: string; afterMs: number }>(q, 'dead', 'client')[0];
        const c = q.first('connect', 'client');
        if (!c) return { held: false, detail: 'not connected yet' };
        if (p.peer === 'vanishing') {
          const off = netnsOff(q);
          if (off) return { held: false, detail: `not run: ${off}` };
          const cut = q.first('control', 'lab', (e) => e.command === 'cut');
          if (!cut) return { held: false, detail: 'the link is still up' };
          if (!dead) return { held: false, detail: `link down at ${cut.t.toFixed(0)} ms; the client has not given up yet` };
          const after = dead.t - cut.t;
          const min = Number(p.count) * Number(p.intervalS) * 1000;
          const probes = Math.max(0, ...clientSamples(q).map((s) => s.probes ?? 0));
          return { held: dead.code === 'ETIMEDOUT' && after >= min - 50, detail: `${dead.code} ${after.toFixed(0)} ms after the cut (≥ ${p.count} × ${p.intervalS} s = ${min} ms); up to ${probes} unanswered probe(s) in the samples` };
        }
        // The connection's life so far: up to the latest event of the run (samples are written only on change).
        const silentFor = Math.max(...q.events.map((e) => e.t)) - c.t;
        const enough = (Number(p.idleS) + Number(p.count) * Number(p.intervalS)) * 1000;
        const restarts = clientSamples(q).filter((s) => s.timer?.name === 'keepalive').length;
        return {
          held: !dead && silentFor >= enough && restarts >= 2,
          detail: dead ? `died: ${dead.code}` : `silent for ${(silentFor / 1000).toFixed(1)} s (> idle + count × interval = ${enough / 1000} s) and still up; keepalive timer restarted ${restarts}× (each answered probe re-arms it)`,
        };
      },
    },
  ],
  defaultDurationMs: 7000,
});
