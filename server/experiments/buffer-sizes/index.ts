import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { portParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';
import { parseSizes } from './sizes.js';

export default defineExperiment({
  id: 'buffer-sizes',
  title: 'Socket buffer sizes',
  group: 'Flow control',
  order: 200,
  summary: 'SO_SNDBUF / SO_RCVBUF swept from tiny to auto: what the kernel keeps, and how much a writer hands over before write() pushes back and before everything stops.',
  seeds: ['001', '004'],
  params: z.object({
    sizes: z.string().max(200).default('auto,1024,4096,65536,1048576')
      .refine((s) => { try { parseSizes(s); return true; } catch { return false; } }, { message: 'comma-separated sizes in bytes (1..67108864) or auto, at most 8' })
      .describe('Buffer sizes to try, comma-separated (bytes, or auto = kernel autotuning); each gets a fresh connection, auto first'),
    messageBytes: z.number().int().min(1).max(65536).default(1024).describe('Bytes per write()'),
    settleMs: z.number().int().min(100).max(10_000).default(500).describe('The writer counts as truly stopped after this long without ’drain’ (ms)'),
    readerHighWaterMark: z.number().int().min(1).max(1 << 20).default(16384).describe('Reader’s Node buffer limit (highWaterMark); Node pulls this much even though the reader never reads'),
    port: portParam(),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'accepts one connection per size and does not read until the writer has stopped' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'per size: sets SO_SNDBUF, writes until it truly cannot, reports' },
  ],
  narrative,
  observations,
  defaultDurationMs: 30_000,
  endWhenAllExit: true,
});
