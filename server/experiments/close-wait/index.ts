import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'close-wait',
  title: 'CLOSE_WAIT: a server that forgets to close',
  group: 'Closing',
  order: 60,
  summary: 'Clients hang up, the server never closes: CLOSE_WAIT piles up; a late write draws RST and the next one fails.',
  seeds: ['000'],
  params: z.object({
    clients: z.number().int().min(1).max(20).default(3).describe('How many clients come and go'),
    intervalMs: z.number().int().min(50).max(10_000).default(600).describe('Time between clients (ms)'),
    writeAfterMs: z.number().int().min(0).max(30_000).default(2500).describe('After the last client hung up, the server writes to its forgotten sockets (ms; 0 = only on the live control)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'never closes after a client’s FIN; writes late' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'clients that connect, send a line and close' },
  ],
  narrative,
  observations,
  controls: [
    { id: 'write', label: 'Write to CLOSE_WAIT sockets now', role: 'server', command: 'write' },
    { id: 'close', label: 'Close them (the fix)', role: 'server', command: 'close' },
  ],
  defaultDurationMs: 15_000,
  endWhenAllExit: true,
});
