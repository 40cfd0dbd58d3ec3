import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'time-wait',
  title: 'TIME_WAIT and restarting on the same port',
  group: 'Closing',
  order: 70,
  summary: 'The side that closes first keeps TIME_WAIT for 60 s; rebinding the port with and without SO_REUSEADDR.',
  seeds: ['000', '001'],
  params: z.object({
    closer: z.enum(['server', 'client']).default('server').describe('Who closes first (the active closer gets TIME_WAIT)'),
    restartAfterMs: z.number().int().min(0).max(10_000).default(300).describe('After the connection closed, the server restarts its listener after this long (ms)'),
    watchMs: z.number().int().min(500).max(60_000).default(5000).describe('How long the run keeps watching TIME_WAIT after the restart (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'answers once, then rebinds its port with and without SO_REUSEADDR' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'says hello, reads the reply' },
  ],
  narrative,
  observations,
  defaultDurationMs: 20_000,
  endWhenAllExit: true,
});
