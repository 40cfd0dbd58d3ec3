import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { listenPort, noSamples, samples } from '../../net/checks.js';
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
        const c = q.first('connect', 'client');
        const a = q.first('accept', 'listener');
        if (!c || !a) return { held: false, detail: 'not connected yet' };
        const want = p.family === 'IPv6' ? '::1' : '127.0.0.1';
        const ok = c.remote.family === p.family && a.remote.family === p.family && c.remote.address === want && a.remote.address === want;
        return { held: ok, detail: `client ${c.local.address} → ${c.remote.address} (${c.remote.family}); the listener saw ${a.remote.address} (${a.remote.family})` };
      },
    },
    {
      id: 'both-ways',
      label: 'Every byte sent from either pane arrived at the other',
      check: (q) => {
        const c2l = [q.bytes('write', 'client'), q.bytes('data', 'listener')];
        const l2c = [q.bytes('write', 'listener'), q.bytes('data', 'client')];
        const ok = c2l[0]! > 0 && c2l[0] === c2l[1] && l2c[0] === l2c[1];
        return { held: ok, detail: `client → listener ${c2l[0]} B sent, ${c2l[1]} B arrived; listener → client ${l2c[0]} B sent, ${l2c[1]} B arrived` };
      },
    },
    {
      id: 'one-connection',
      label: 'Like nc -l, the listener took one connection and closed its listening socket: the kernel’s LISTEN socket is gone',
      check: (q) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const port = listenPort(q, 'listener');
        const a = q.first('accept', 'listener');
        const listening = samples(q, (s) => s.state === 'LISTEN' && s.local.port === port)[0];
        if (!a || !listening) return { held: false, detail: 'not connected yet' };
        const gone = samples(q, (s) => s.key === listening.key && s.state === 'GONE')[0];
        return { held: Boolean(gone && gone.t >= a.t), detail: gone ? `LISTEN ${listening.key} gone ${(gone.t - a.t).toFixed(0)} ms after the accept; the connection lives on` : 'the kernel still shows the listening socket' };
      },
    },
  ],
  defaultDurationMs: 3000,
});
