import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'websocket',
  title: 'WebSocket, seen as TCP bytes',
  group: 'Beyond TCP',
  order: 240,
  summary: 'A ws echo server and client; the lab decodes the bytes under them: the HTTP Upgrade and its accept key, then every frame (FIN, opcode, mask, length form), ping/pong and the close code.',
  seeds: ['002'],
  params: z.object({
    bigBytes: z.number().int().min(0).max(1_000_000).default(70000).describe('Size of the binary message (over 65,535 B uses the 64-bit length form; 0 = do not send it)'),
    captureBytes: z.number().int().min(1024).max(2_000_000).default(131072).describe('Bytes of each write() the lab keeps for decoding (must hold the largest write)'),
    connections: z.number().int().min(0).max(100).default(1).describe('The server stops after this many connections (0 = keep serving: connect your own client)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port; the lab’s --port sets it)'),
  }).refine((p) => p.captureBytes >= p.bigBytes + 14, { message: 'captureBytes must hold the binary message and its frame header (bigBytes + 14)', path: ['captureBytes'] }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'an HTTP server that upgrades to WebSocket (ws) and echoes every message' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'a ws client: texts, a fragmented text, a ping, a big binary message, then close 1000' },
  ],
  narrative,
  observations,
  defaultDurationMs: 10_000,
  endWhenAllExit: true,
});
