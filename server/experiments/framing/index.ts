import { z } from 'zod';
import { SEED_MAX_REQUEST_LENGTH } from '../../../shared/codecs/index.js';
import { FRAMINGS, ON_ERROR } from '../../../shared/stream/framing-setup.js';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

export default defineExperiment({
  id: 'framing',
  title: 'Framing: four ways to get messages back',
  group: 'Framing',
  order: 30,
  summary: 'One byte stream read two ways: naively (one read = one message: wrong) and with a framing — delimiter, fixed length, length prefix or TLV.',
  seeds: ['004', '000', '003'],
  params: z.object({
    framing: z.enum(FRAMINGS).default('delimiter').describe('How messages are framed: delimiter "\\n" (seed 004), fixed length, 32-bit big-endian length prefix, or TLV (seed 000)'),
    slicer: z.boolean().default(true).describe('Put the slicer between client and server: it re-writes the bytes in random-sized pieces, so reads split and merge even on loopback'),
    count: z.number().int().min(0).max(200).default(8).describe('Automatic messages the client sends (seed 004: ">>>i<<< "), before you type your own'),
    intervalMs: z.number().int().min(0).max(5000).default(10).describe('Pause between the automatic messages in ms (seed 004: 10)'),
    maxFrameSize: z.number().int().min(1).max(65536).default(SEED_MAX_REQUEST_LENGTH).describe('Largest message the server accepts, in bytes (seed 003: 128, "to prevent flood attack")'),
    onError: z.enum(ON_ERROR).default('drop').describe('On a frame over the maximum or a malformed one: drop the connection (telling the peer why), or skip the frame and go on'),
    oversized: z.boolean().default(false).describe('Make one automatic message 200+ bytes, over the maximum, to see the named error and the reaction'),
    frameSize: z.number().int().min(1).max(65536).default(32).describe('Fixed length only: bytes per message (short ones are padded with 0x00)'),
    sliceAvg: z.number().int().min(1).max(65536).default(5).describe('Slicer: average piece size in bytes'),
    sliceVar: z.number().int().min(0).max(65536).default(4).describe('Slicer: piece size varies by up to this many bytes either way'),
    sliceDelayUs: z.number().int().min(0).max(1_000_000).default(1000).describe('Slicer: pause between pieces in µs (Node timers wait whole ms: 1-999 act as 1 ms; 0 = next event-loop turn)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port; the lab\'s --port sets it, so your own client can send frames)'),
  }).refine((p) => p.framing !== 'fixed-length' || p.frameSize <= p.maxFrameSize, { message: 'frameSize must not exceed maxFrameSize', path: ['frameSize'] }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'decodes each connection twice: naively (one read = one message) and with the chosen framing' },
    { name: 'slicer', program: '../stream-boundaries/slicer.js', after: 'server', enabled: (p) => p.slicer === true, summary: 'a relay that re-writes the bytes in random-sized pieces (on only when "slicer" is set)' },
    { name: 'client', program: 'client.js', after: 'slicer', summary: 'frames each message and shows the exact bytes it writes' },
  ],
  narrative,
  observations,
  defaultDurationMs: 4000,
});
