import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports, samples } from '../../net/checks.js';
import { connectionsOf, failed, held, kernelOff, notReached, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { parseIp } from '../../../shared/net/parse-ip.js';
import { narrative } from './narrative.js';

interface Dialed { host: string; port: number; ok: boolean; local: string; seenAs: string; by: string; error: string }

const WANT: Array<[string, string]> = [['127.0.0.1', 'IPv4'], ['::1', 'IPv6'], ['::ffff:127.0.0.1', 'IPv6']];
const NAMES = new Map([['127.0.0.1', 'tcp4'], ['::1', 'tcp6'], ['::ffff:127.0.0.1', 'dual']]);

/** The listeners' listen event at this address (tcp4 127.0.0.1, tcp6 ::1, dual ::ffff:127.0.0.1). */
function listenerAt(q: TraceQuery, address: string) {
  return q.of('listen', 'listeners').find((l) => l.local.address === address);
}

/**
 * Each connection the client made, with the listener's accept of it and the listening socket that
 * accepted it (from the trace's connect, accept and listen events, not from what the programs print).
 */
function reached(q: TraceQuery) {
  const listens = q.of('listen', 'listeners');
  return connectionsOf(q, 'client', 'connect').flatMap((client) => {
    const peer = client.peer;
    const accept = peer ? q.of('accept', 'listeners').find((a) => a.sock === peer.sock) : undefined;
    const listener = accept ? listens.find((l) => l.sock === accept.listener) : undefined;
    return accept && listener ? [{ client, accept, listener }] : [];
  });
}

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
        const off = kernelOff(q);
        if (off) return off;
        const ports = new Set(q.of('listen', 'listeners').map((l) => l.local.port));
        const l = samples(q, (s) => s.state === 'LISTEN' && ports.has(s.local.port));
        const seen = new Map(l.map((s) => [`${s.local.address}`, s.local.family]));
        const detail = [...seen].map(([a, f]) => `${a} (${f})`).join(', ') || 'no listening socket yet';
        const wrong = WANT.filter(([a, f]) => seen.has(a) && seen.get(a) !== f);
        if (wrong.length) return failed(detail);
        if (WANT.every(([a]) => seen.has(a))) return held(detail);
        const listens = q.of('listen', 'listeners');
        const last = Math.max(0, ...listens.map((x) => x.t));
        return listens.length >= WANT.length && traceEnd(q) - last >= SETTLE_MS ? failed(`${detail}: the kernel does not list ${WANT.filter(([a]) => !seen.has(a)).map(([a]) => a).join(', ')}`) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'mapped',
      label: 'The dual-stack socket saw IPv4 clients as ::ffff:127.0.0.1 — ParseIP: IPv4-mapped, the same 4 bytes as the client’s 127.0.0.1',
      check: (q) => {
        const dual = listenerAt(q, '::ffff:127.0.0.1');
        if (!dual) return notReached('the dual-stack listener is not listening yet');
        const on = reached(q).filter((r) => r.listener === dual);
        const v4 = on.filter((r) => r.client.local.family === 'IPv4');
        const detail = on.map((r) => `client socket ${r.client.local.address} (${r.client.local.family}), the dual-stack socket saw ${r.accept.remote.address}`).join('; ');
        const bad = on.filter((r) => {
          const seen = parseIp(r.accept.remote.address);
          const mine = parseIp(r.client.local.address);
          return !(seen.ok && mine.ok && seen.kind === 'IPv4-mapped IPv6' && seen.bytes16.join() === mine.bytes16.join());
        });
        if (bad.length) return failed(detail);
        if (v4.length === 0) {
          const refused = reports<Dialed>(q, 'dialed', 'client').find((x) => x.host === '127.0.0.1' && x.port === dual.local.port && !x.ok);
          return refused ? failed(`127.0.0.1 → :${dual.local.port}: ${refused.error}`) : notReached(detail || 'no IPv4 client has reached the dual-stack listener yet');
        }
        return held(detail);
      },
    },
    {
      id: 'one-port-two-sockets',
      label: 'One port number, two sockets: 127.0.0.1 reached the tcp4 listener, ::1 the tcp6 one; a dual-stack socket on that port was refused (EADDRINUSE)',
      check: (q) => {
        const tcp4 = listenerAt(q, '127.0.0.1');
        if (!tcp4) return notReached('the tcp4 listener is not listening yet');
        const p = tcp4.local.port;
        const refusal = reports<{ listener: string; port: number; code: string }>(q, 'listen-failed', 'listeners').find((f) => f.listener === 'dual' && f.port === p);
        const dualOnP = listenerAt(q, '::ffff:127.0.0.1')?.local.port === p;
        const via = (host: string) => {
          const r = reached(q).find((x) => x.client.remote.address === host && x.client.remote.port === p);
          return r ? NAMES.get(r.listener.local.address) ?? r.listener.local.address : reports<Dialed>(q, 'dialed', 'client').find((x) => x.host === host && x.port === p && !x.ok)?.error;
        };
        const v4 = via('127.0.0.1');
        const v6 = via('::1');
        const detail = `port ${p}: 127.0.0.1 → ${v4 ?? '?'}, ::1 → ${v6 ?? '?'}; dual stack on it: ${refusal?.code ?? (dualOnP ? 'listening' : 'no failure reported')}`;
        if (dualOnP || (refusal && refusal.code !== 'EADDRINUSE') || (v4 && v4 !== 'tcp4') || (v6 && v6 !== 'tcp6')) return failed(detail);
        return refusal && v4 && v6 ? held(detail) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'v6-cannot-reach-mapped',
      label: 'An IPv6 client (::1) is refused by the socket bound to ::ffff:127.0.0.1, which an IPv4 client reaches: that address is IPv4 underneath',
      check: (q) => {
        const dual = listenerAt(q, '::ffff:127.0.0.1');
        if (!dual) return notReached('the dual-stack listener is not listening yet');
        const port = dual.local.port;
        const r = reports<Dialed>(q, 'dialed', 'client').find((x) => x.host === '::1' && x.port === port);
        const v4 = reached(q).find((x) => x.listener === dual && x.client.local.family === 'IPv4');
        const detail = `::1 → :${port}: ${r ? (r.ok ? `accepted by ${r.by}` : r.error) : 'not tried yet'}; 127.0.0.1 → :${port}: ${v4 ? 'accepted' : 'not accepted'}`;
        if (!r) return notReached(detail);
        if (r.ok || r.error !== 'ECONNREFUSED') return failed(detail);
        if (!v4) {
          const refused = reports<Dialed>(q, 'dialed', 'client').find((x) => x.host === '127.0.0.1' && x.port === port && !x.ok);
          return refused ? failed(detail) : notReached(detail);
        }
        return held(detail);
      },
    },
  ],
  defaultDurationMs: 3000,
});
