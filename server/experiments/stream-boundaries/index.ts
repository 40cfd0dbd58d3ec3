import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';

/** The writer sends at most this much in one run: enough to show anything, bounded for the trace. */
const MAX_TOTAL = 1 << 20;

export default defineExperiment({
  id: 'stream-boundaries',
  title: 'Stream boundaries: writes split and merge',
  group: 'Framing',
  order: 20,
  summary: 'Ten 1 KB sensor readings, one write() each: see how the reader\'s read() calls cut them — TCP keeps bytes, not messages.',
  seeds: ['004'],
  params: z.object({
    count: z.number().int().min(1).max(1000).default(10).describe('Messages the writer sends, one write() each (seed 004: ten sensor readings)'),
    size: z.number().int().min(1).max(MAX_TOTAL).default(1024).describe('Bytes per message (seed 004: 1 KB)'),
    gapMs: z.number().int().min(0).max(2000).default(0).describe('Writer pacing: pause between writes in ms (0 = burst, every write at once)'),
    noDelay: z.boolean().default(false).describe('TCP_NODELAY on the writer\'s socket (off = Nagle\'s algorithm on, the default)'),
    readEveryMs: z.number().int().min(0).max(5000).default(0).describe('Reader pace: wait this long after each read before the next (0 = read as soon as data arrives); a slow reader merges more'),
    slicer: z.boolean().default(false).describe('Put the slicer between writer and reader: it re-writes the bytes in random-sized pieces (like toxiproxy\'s slicer)'),
    sliceAvg: z.number().int().min(1).max(65536).default(300).describe('Slicer: average piece size in bytes'),
    sliceVar: z.number().int().min(0).max(65536).default(200).describe('Slicer: piece size varies by up to this many bytes either way'),
    sliceDelayUs: z.number().int().min(0).max(1_000_000).default(1000).describe('Slicer: pause between pieces in µs (Node timers wait whole ms: 1-999 act as 1 ms; 0 = next event-loop turn)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Reader\'s port (0 = any free port; the lab\'s --port sets it)'),
  }).refine((p) => p.count * p.size <= MAX_TOTAL, { message: `count × size must be at most ${MAX_TOTAL} bytes`, path: ['size'] }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'the reader: prints every read() and which message bytes it carried' },
    { name: 'slicer', program: 'slicer.js', after: 'server', enabled: (p) => p.slicer === true, summary: 'a relay that re-writes the bytes in random-sized pieces (on only when "slicer" is set)' },
    { name: 'client', program: 'client.js', after: 'slicer', summary: 'the writer: one write() per sensor reading, then closes its side' },
  ],
  narrative,
  observations,
  defaultDurationMs: 5000,
  endWhenAllExit: true,
});
