import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { bufferParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';
import { UnixFixture } from './fixture.js';

export default defineExperiment({
  id: 'unix',
  title: 'Unix domain sockets: a path instead of a port',
  group: 'Beyond TCP',
  order: 230,
  summary: 'A stream server on a filesystem path: the socket file, a leftover file (EADDRINUSE) and its cleanup, the abstract namespace, and a slow reader whose queues the kernel shows.',
  seeds: ['002', '004'],
  params: z.object({
    leftover: z.boolean().default(true).describe('Start with a crashed server’s leftover socket file on the path (the server then finds EADDRINUSE and cleans up)'),
    readBytes: z.number().int().min(1).max(65536).default(7).describe('Bytes the reader takes per read'),
    readIntervalMs: z.number().int().min(10).max(60_000).default(1000).describe('Pause between reads (ms)'),
    sndbuf: bufferParam(32768, 'Writer’s SO_SNDBUF in bytes (Linux doubles it), or auto: over a Unix socket this is the limit'),
    rcvbuf: bufferParam(4096, 'Reader’s SO_RCVBUF in bytes, or auto: see whether it limits anything'),
    readerHighWaterMark: z.number().int().min(1).max(1 << 20).default(1024).describe('Reader’s Node buffer limit (highWaterMark)'),
    messageBytes: z.number().int().min(0).max(65536).default(0).describe('Pad each ">>>i<<<" message to this many bytes (0 = as the seed writes it)'),
  }),
  roles: [
    { name: 'old-server', program: 'old-server.js', enabled: (p) => p.leftover === true, summary: 'a server that listened on the path and died without cleaning up (on only when "leftover" is set)' },
    { name: 'server', program: 'server.js', after: 'old-server', summary: 'listens on the path (cleaning up a leftover file) and on an abstract name; reads 7 bytes a second' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'says hello over the abstract name, then writes as fast as the path socket takes it' },
  ],
  narrative,
  observations,
  controls: [
    { id: 'read-all', label: 'Read everything now', role: 'server', command: 'read-all', args: { ms: 1000 } },
    { id: 'reader-pause', label: 'Pause reader', role: 'server', command: 'pause' },
    { id: 'reader-resume', label: 'Resume reader', role: 'server', command: 'resume' },
  ],
  fixture: () => new UnixFixture(),
  defaultDurationMs: 10_000,
});
