import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { noSamples, reports, samples } from '../../net/checks.js';
import { parseIp } from '../../../shared/net/parse-ip.js';
import { narrative } from './narrative.js';

interface Dialed { host: string; port: number; ok: boolean; local: string; seenAs: string; by: string; error: string }

export default defineExperiment({
  id: 'addresses',
  title: 'Addresses: ParseIP, tcp4, tcp6 and dual stack',
  group: 'Tools',
  order: 180,
  summary: 'Seed 003’s ParseIP and its “tcp4”, “tcp6”, “tcp”: IPv4, IPv6 and IPv4-mapped addresses, as bytes and as the kernel’s listeners.',
  seeds: ['003'],
  params: z.object({
    port: z.number().int().min(0).max(65535).default(0).describe('Port of the tcp4 and tcp6 listeners (0 = any free port)'),
  }),
  roles: [
    { name: 'listeners', program: 'listeners.js', listens: true, summary: 'tcp4 on 127.0.0.1, tcp6 on ::1, dual stack on ::ffff:127.0.0.1' },
    { name: 'client', program: 'client.js', after: 'listeners', summary: 'dials each port from 127.0.0.1, ::1 and ::ffff:127.0.0.1' },
  ],
  narrative,
  observations: [
    {
      id: 'kernel-listeners',
      label: 'The kernel lists three listening sockets: 127.0.0.1 (IPv4), ::1 and ::ffff:127.0.0.1 (both IPv6)',
      check: (q) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const l = samples(q, (s) => s.state === 'LISTEN');
        const seen = new Map(l.map((s) => [`${s.local.address}`, s.local.family]));
        const want: Array<[string, string]> = [['127.0.0.1', 'IPv4'], ['::1', 'IPv6'], ['::ffff:127.0.0.1', 'IPv6']];
        const ok = want.every(([a, f]) => seen.get(a) === f);
        return { held: ok, detail: [...seen].map(([a, f]) => `${a} (${f})`).join(', ') };
      },
    },
    {
      id: 'mapped',
      label: 'The dual-stack socket saw IPv4 clients as ::ffff:127.0.0.1 — ParseIP: IPv4-mapped, the same 4 bytes as the client’s 127.0.0.1',
      check: (q) => {
        const d = reports<Dialed>(q, 'dialed', 'client').filter((x) => x.ok && x.by === 'dual');
        if (d.length === 0) return { held: false, detail: 'no connection to the dual-stack listener yet' };
        const ok = d.every((x) => {
          const seen = parseIp(x.seenAs);
          const mine = parseIp(x.local);
          return seen.ok && mine.ok && seen.kind === 'IPv4-mapped IPv6' && seen.bytes16.join() === mine.bytes16.join();
        });
        return { held: ok, detail: d.map((x) => `from ${x.host}: client socket ${x.local}, server saw ${x.seenAs}`).join('; ') };
      },
    },
    {
      id: 'one-port-two-sockets',
      label: 'One port number, two sockets: 127.0.0.1 reached the tcp4 listener, ::1 the tcp6 one; a dual-stack socket on that port was refused (EADDRINUSE)',
      check: (q) => {
        const d = reports<Dialed>(q, 'dialed', 'client');
        const failed = reports<{ listener: string; code: string }>(q, 'listen-failed', 'listeners').find((f) => f.listener === 'dual');
        const p = q.first('listen', 'listeners')?.local.port;
        const v4 = d.find((x) => x.host === '127.0.0.1' && x.port === p);
        const v6 = d.find((x) => x.host === '::1' && x.port === p);
        const ok = v4?.by === 'tcp4' && v6?.by === 'tcp6' && failed?.code === 'EADDRINUSE';
        return { held: ok, detail: `port ${p}: 127.0.0.1 → ${v4?.by ?? '?'}, ::1 → ${v6?.by ?? '?'}; dual stack on it: ${failed?.code ?? 'no failure reported'}` };
      },
    },
    {
      id: 'v6-cannot-reach-mapped',
      label: 'An IPv6 client (::1) cannot reach the socket bound to ::ffff:127.0.0.1: that address is IPv4 underneath',
      check: (q) => {
        const dualPort = reports<Dialed>(q, 'dialed', 'client').find((x) => x.by === 'dual')?.port;
        const r = reports<Dialed>(q, 'dialed', 'client').find((x) => x.host === '::1' && x.port === dualPort);
        return { held: Boolean(r && !r.ok && r.error === 'ECONNREFUSED'), detail: r ? `::1 → :${dualPort}: ${r.ok ? `accepted by ${r.by}` : r.error}` : 'not tried yet' };
      },
    },
  ],
  defaultDurationMs: 3000,
});
