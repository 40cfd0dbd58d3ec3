import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { bufferParam, portParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'slow-reader',
  title: 'Slow reader, fast writer',
  group: 'Flow control',
  order: 190,
  summary: 'A reader taking 7 bytes a second, a writer writing as fast as it can: the queues fill, write() pushes back, the window closes.',
  seeds: ['004', '001', '000'],
  params: z.object({
    readBytes: z.number().int().min(1).max(65536).default(7).describe('Bytes the reader takes per read (the seed’s 7-byte buffer)'),
    readIntervalMs: z.number().int().min(0).max(60_000).default(1000).describe('Pause between reads (ms); 0 = read as fast as the data comes'),
    writerMode: z.enum(['await-drain', 'ignore-backpressure']).default('await-drain').describe('await-drain: stop when write() returns false, go on at ’drain’ (Go’s blocking Write); ignore-backpressure: keep writing'),
    sndbuf: bufferParam(4096, 'Writer’s SO_SNDBUF in bytes, or auto (kernel autotuning)'),
    rcvbuf: bufferParam(4096, 'Reader’s SO_RCVBUF in bytes (set on its listening socket, before the handshake), or auto'),
    messageBytes: z.number().int().min(0).max(65536).default(0).describe('Pad each ">>>i<<<" message to this many bytes (0 = as the seed writes it)'),
    noDelay: z.boolean().default(false).describe('TCP_NODELAY on the writer (turn Nagle’s algorithm off)'),
    readFrom: z.enum(['node', 'kernel']).default('node').describe('node: a paused socket and conn.read(n) (Node buffers up to highWaterMark first); kernel: recv(2) of readBytes straight from the kernel, as Go’s Read does'),
    readerHighWaterMark: z.number().int().min(1).max(1 << 20).default(1024).describe('Reader’s Node buffer limit (highWaterMark): Node keeps pulling from the kernel until it holds this much, even paused (Node 20’s default is 16384)'),
    readAllAfterMs: z.number().int().min(0).max(600_000).default(12_000).describe('The reader reads everything by itself after this long (ms); 0 = only when you press “Read everything now”'),
    readAllForMs: z.number().int().min(1).max(60_000).default(1000).describe('How long “read everything” reads as fast as it can before going back to the slow pace (ms)'),
    stopAfterMs: z.number().int().min(0).max(600_000).default(0).describe('The writer stops after this long, prints its byte rate and ends (ms); 0 = never'),
    capMiB: z.number().int().min(1).max(128).default(64).describe('ignore-backpressure only: stop writing when Node’s queue holds this many MiB'),
    port: portParam(),
  }),
  roles: [
    { name: 'reader', program: 'reader.js', listens: true, summary: 'accepts, then reads 7 bytes a second like the seed’s Go server' },
    { name: 'writer', program: 'writer.js', after: 'reader', summary: 'writes >>>i<<< as fast as it can, like the seed’s Go client' },
  ],
  narrative,
  observations,
  controls: [
    { id: 'read-all', label: 'Read everything now', role: 'reader', command: 'read-all', args: { ms: 1000 } },
    { id: 'reader-pause', label: 'Pause reader', role: 'reader', command: 'pause' },
    { id: 'reader-resume', label: 'Resume reader', role: 'reader', command: 'resume' },
    { id: 'reader-rate', label: 'Set read pace', role: 'reader', command: 'rate', args: { bytes: 7, intervalMs: 1000 } },
    { id: 'writer-pause', label: 'Pause writer', role: 'writer', command: 'pause' },
    { id: 'writer-resume', label: 'Resume writer', role: 'writer', command: 'resume' },
  ],
  defaultDurationMs: 16_000,
});
