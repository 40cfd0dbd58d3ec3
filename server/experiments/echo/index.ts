import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { connectionsOf, failed, held, lifeEnd, notReached, sameBytes, SETTLE_MS } from '../../net/verdicts.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

/** The client's connection (its first), with the server's end of it when that is in the trace. */
function clientConnection(q: TraceQuery) {
  return connectionsOf(q, 'client', 'connect')[0];
}

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
        const c = clientConnection(q);
        const outside = connectionsOf(q, 'server', 'accept').filter((a) => !a.peer).length;
        const others = outside ? ` (and ${outside} connection${outside === 1 ? '' : 's'} from outside the run)` : '';
        if (!c) return notReached(`the client has not connected yet${others}`);
        if (!c.peer) {
          const lived = lifeEnd(q, 'server') - c.t;
          return lived < SETTLE_MS
            ? notReached(`the client connected from ${c.local.address}:${c.local.port} at ${c.t.toFixed(1)} ms; no accept of it in the trace yet`)
            : failed(`no accept in the trace of the client’s connection from ${c.local.address}:${c.local.port} (connected at ${c.t.toFixed(1)} ms)`);
        }
        return held(`accept at ${c.peer.t.toFixed(1)} ms of the client’s ${c.local.address}:${c.local.port}${others}`);
      },
    },
    {
      id: 'server-read-all',
      label: 'The server read every byte the client wrote',
      check: (q) => {
        const c = clientConnection(q);
        if (!c) return notReached('the client has not connected yet');
        if (!c.peer) return notReached('the server’s end of the client’s connection is not in the trace');
        return sameBytes(q, c, c.peer, (s, g) => `client wrote ${s} B, server read ${g} B`);
      },
    },
    {
      id: 'echoed',
      label: 'Every byte came back to the client',
      check: (q) => {
        const c = clientConnection(q);
        if (!c) return notReached('the client has not connected yet');
        return sameBytes(q, c, c, (s, g) => `client wrote ${s} B and read back ${g} B`);
      },
    },
  ],
  defaultDurationMs: 3000,
});
