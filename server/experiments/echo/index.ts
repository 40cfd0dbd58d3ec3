import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'echo',
  title: 'Echo server and client',
  group: 'Basics',
  order: 10,
  summary: 'listen, accept, connect, write, read, close — one connection, every byte sent back.',
  seeds: ['002', '001', '003', '004'],
  params: z.object({
    message: z.string().max(200).default('hello, socket lab').describe('What the client sends, once per interval'),
    count: z.number().int().min(0).max(100).default(3).describe('How many times the client sends the message before waiting for your typing'),
    intervalMs: z.number().int().min(0).max(10_000).default(400).describe('Pause between the client’s messages (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port; the lab’s --port sets it)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'accepts connections and writes back every byte it reads' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'connects, sends a few lines, then sends what you type' },
  ],
  narrative,
  observations: [
    {
      id: 'accepted',
      label: 'The server accepted the client’s connection',
      check: (q) => {
        const a = q.first('accept', 'server');
        return a ? { held: true, detail: `accept at ${a.t.toFixed(1)} ms from ${a.remote.address}:${a.remote.port}` } : { held: false, detail: 'no accept in the trace' };
      },
    },
    {
      id: 'server-read-all',
      label: 'The server read every byte the client wrote',
      check: (q) => {
        const sent = q.bytes('write', 'client');
        const got = q.bytes('data', 'server');
        return { held: sent > 0 && got === sent, detail: `client wrote ${sent} B, server read ${got} B` };
      },
    },
    {
      id: 'echoed',
      label: 'Every byte came back to the client',
      check: (q) => {
        const sent = q.bytes('write', 'client');
        const back = q.bytes('data', 'client');
        return { held: sent > 0 && back === sent, detail: `client wrote ${sent} B and read back ${back} B` };
      },
    },
  ],
  defaultDurationMs: 3000,
});
