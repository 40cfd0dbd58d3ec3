import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { bufferParam, portParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'write-deadline',
  title: 'Write deadline on a blocked writer',
  group: 'Flow control',
  order: 210,
  summary: 'Go’s SetWriteDeadline in Node: a writer stuck behind a busy reader gives up (or not); who has which bytes when it does.',
  seeds: ['000', '003', '004'],
  params: z.object({
    writeDeadlineMs: z.number().int().min(50).max(120_000).default(2000).describe('How long the writer waits for ’drain’ before its deadline fires (ms)'),
    onWriteTimeout: z.enum(['destroy', 'keep-waiting']).default('destroy').describe('What the program does at the deadline: destroy the socket (what a Go program usually does after "i/o timeout"), or keep waiting'),
    busyMs: z.number().int().min(0).max(120_000).default(4000).describe('The reader does not read for this long after accepting (ms)'),
    readDeadlineMs: z.number().int().min(50).max(120_000).default(1500).describe('Once reading, the reader gives up after this long without a byte (socket.setTimeout, ms)'),
    totalBytes: z.number().int().min(1).max(64 * 1024 * 1024).default(262_144).describe('Bytes the writer means to write in all'),
    messageBytes: z.number().int().min(2).max(65536).default(1024).describe('Bytes per write()'),
    sndbuf: bufferParam(4096, 'Writer’s SO_SNDBUF in bytes, or auto'),
    rcvbuf: bufferParam(4096, 'Reader’s SO_RCVBUF in bytes (on its listening socket), or auto'),
    port: portParam(),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'busy at first (not reading), then reads with a read deadline' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'writes with a write deadline and decides what to do when it passes' },
  ],
  narrative,
  observations,
  defaultDurationMs: 12_000,
});
