import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'half-close',
  title: 'Half-close: FIN in one direction',
  group: 'Closing',
  order: 50,
  summary: 'The client end()s (shutdown write) and still reads the reply; FIN_WAIT2 and CLOSE_WAIT as they happen.',
  seeds: ['000'],
  params: z.object({
    message: z.string().min(1).max(200).default('half-close me').describe('The request the client sends before its FIN'),
    replyDelayMs: z.number().int().min(0).max(10_000).default(1500).describe('How long the server waits after the client’s FIN before replying (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'reads to EOF, then replies on its still-open side and closes' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'sends, end()s (FIN), keeps reading' },
  ],
  narrative,
  observations,
  defaultDurationMs: 8000,
  endWhenAllExit: true,
});
