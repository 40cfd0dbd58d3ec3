import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'linger',
  title: 'Linger: closing with data still on its way',
  group: 'Closing',
  order: 40,
  summary: 'SO_LINGER default, 0 and n seconds, end() versus destroy(): who gets the bytes, FIN or RST, and how long close() blocks.',
  seeds: ['000'],
  params: z.object({
    bytes: z.number().int().min(1).max(16 * 1024 * 1024).default(1024 * 1024).describe('Bytes the writer hands to write() before closing'),
    linger: z.enum(['default', 'zero', 'seconds']).default('default').describe('SO_LINGER on the writer: default = not set (Go SetLinger(-1)); zero = {on, 0 s} (SetLinger(0)); seconds = {on, lingerSeconds} (SetLinger(n))'),
    lingerSeconds: z.number().int().min(1).max(30).default(2).describe('n for linger = seconds'),
    close: z.enum(['destroy', 'end']).default('destroy').describe('How the writer closes: destroy() = close(2) now, like Go’s Close; end() = FIN after Node’s queue, close later'),
    closeAfterMs: z.number().int().min(0).max(10_000).default(500).describe('Time between the last write() and the close call (ms)'),
    pauseMs: z.number().int().min(0).max(30_000).default(3500).describe('How long the reader does not read after accepting (ms)'),
    sndbuf: z.number().int().min(0).max(8 * 1024 * 1024).default(65536).describe('SO_SNDBUF asked for on the writer (Linux doubles it); 0 = kernel default with autotuning, which takes the whole MiB into the kernel'),
    port: z.number().int().min(0).max(65535).default(0).describe('Reader port (0 = any free port)'),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'accepts, does not read for pauseMs, then reads to the end' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'writes `bytes`, then closes with the chosen SO_LINGER and call' },
  ],
  narrative,
  observations,
  defaultDurationMs: 20_000,
  endWhenAllExit: true,
});
