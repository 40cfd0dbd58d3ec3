import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { listenPort, samples } from '../../net/checks.js';
import { connectionsOf, failed, held, kernelOff, lifeEnd, notReached, onSock, sameBytes, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import { resultOf } from '../../../shared/trace/verdict.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'raw-client',
  title: 'nc by hand: a listener and a client you type into',
  group: 'Tools',
  order: 160,
  summary: 'Seed 002’s nc: one listener, one client, both panes typed into, over IPv4 or IPv6.',
  seeds: ['002', '003'],
  params: z.object({
    family: z.enum(['IPv4', 'IPv6']).default('IPv4').describe('IPv4 = 127.0.0.1, IPv6 = ::1 (the listener is IPv6-only)'),
    greeting: z.string().max(200).default('hello from the client').describe('A line the client sends when connected (empty = nothing)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Listener port (0 = any free port; point your own nc at it with --port)'),
  }),
  roles: [
    { name: 'listener', program: 'listener.js', listens: true, summary: 'nc -l: one connection; what you type here goes to the client' },
    { name: 'client', program: 'client.js', after: 'listener', summary: 'nc host port: what you type here goes to the listener' },
  ],
  narrative,
  observations: [
    {
      id: 'family',
      label: 'The connection runs over the chosen family, on loopback',
      check: (q, p) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c) {
          const e = q.first('error', 'client');
          return notReached(e ? `the client did not connect: ${e.message}` : 'not connected yet');
        }
        const a = c.peer;
        if (!a) return lifeEnd(q, 'listener') - c.t >= SETTLE_MS ? failed(`the client connected from ${c.local.address}:${c.local.port}, but the listener never accepted it`) : notReached('the listener’s accept is not in the trace yet');
        const want = p.family === 'IPv6' ? '::1' : '127.0.0.1';
        const ok = c.remote.family === p.family && a.remote.family === p.family && c.remote.address === want && a.remote.address === want;
        const detail = `client ${c.local.address} → ${c.remote.address} (${c.remote.family}); the listener saw ${a.remote.address} (${a.remote.family})`;
        return ok ? held(detail) : failed(detail);
      },
    },
    {
      id: 'both-ways',
      label: 'Every byte sent arrived at the other end unchanged: the client’s greeting and lines, and whatever is typed into the listener',
      check: (q) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c?.peer) return notReached('not connected yet');
        const l = c.peer;
        const c2l = sameBytes(q, c, l, (s, g) => `client → listener ${s} B sent, ${g} B arrived`);
        const l2c = sameBytes(q, l, c, (s, g) => `listener → client ${s} B sent, ${g} B arrived`);
        // A direction nothing was sent in says nothing: it is left out, not counted as "every byte".
        const sent = [c2l, l2c].filter((r) => r.sent > 0);
        const detail = [c2l.sent > 0 ? c2l.detail : 'client → listener: nothing sent yet', l2c.sent > 0 ? l2c.detail : 'listener → client: nothing typed into the listener yet'].join('; ');
        if (sent.some((r) => resultOf(r) === 'failed')) return failed(detail);
        if (sent.length === 0 || sent.some((r) => !r.held)) return notReached(detail);
        return held(detail);
      },
    },
    {
      id: 'one-connection',
      label: 'Like nc -l, the listener took one connection and closed its listening socket: the kernel’s LISTEN socket went away while the program ran',
      check: (q) => {
        const off = kernelOff(q);
        if (off) return off;
        const port = listenPort(q, 'listener');
        const accepts = q.of('accept', 'listener');
        const a = accepts[0];
        if (!a) return notReached('no connection yet');
        if (accepts.length > 1) return failed(`the listener took ${accepts.length} connections`);
        const listening = samples(q, (s) => s.state === 'LISTEN' && s.local.port === port)[0];
        if (!listening) return notReached('the kernel view has not shown the listening socket');
        const gone = samples(q, (s) => s.key === listening.key && s.state === 'GONE' && s.t >= a.t)[0];
        // The end of the run frees every socket: a LISTEN socket gone only after its program exited proves nothing.
        const exit = q.first('exit', 'listener')?.t ?? Infinity;
        if (gone && gone.t < exit) {
          const ended = [...onSock(q.of('eof', 'listener'), a.sock), ...onSock(q.of('close', 'listener'), a.sock)].some((e) => e.t <= gone.t);
          return held(`LISTEN ${listening.key} gone ${(gone.t - a.t).toFixed(0)} ms after the accept${ended ? '' : '; the connection lives on'}`);
        }
        const looked = Math.min(exit, traceEnd(q)) - a.t;
        return looked >= SETTLE_MS
          ? failed(`the kernel still showed the listening socket ${looked.toFixed(0)} ms after the accept${gone ? ', until the program exited' : ''}`)
          : notReached('the kernel still shows the listening socket');
      },
    },
  ],
  defaultDurationMs: 3000,
});
