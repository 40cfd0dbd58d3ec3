import { z } from 'zod';
import { defineExperiment, type ControlSpec } from '../experiment.js';
import { bufferParam } from '../flow-shared/params.js';
import { narrative } from './narrative.js';
import { observations } from './observations.js';
import { parseToxicList, toxics } from './toxics/index.js';

/** One live control per registered toxic: on=1 switches it on (or changes it), on=0 off. */
const toxicControls: ControlSpec[] = toxics.map((t) => ({
  id: `toxic-${t.name}`,
  label: t.name,
  role: 'proxy',
  command: `toxic-${t.name}`,
  args: { on: 1, dir: t.defaultDirection, ...Object.fromEntries(Object.entries(t.params).map(([k, spec]) => [k, spec.default])) },
}));

export default defineExperiment({
  id: 'proxy',
  title: 'A proxy: io.Copy both ways, a tee, and network toxics',
  group: 'Beyond TCP',
  order: 250,
  summary: 'A proxy copies client ⇄ server and shows every chunk; pause the server and the stall travels back through both connections; switch toxics (latency, bandwidth, slicer, …) on and off live.',
  seeds: ['000'],
  params: z.object({
    workload: z.enum(['stream', 'echo']).default('stream').describe('stream: the client writes as fast as it can, the server counts; echo: a line every intervalMs, echoed, round trips timed'),
    toxics: z.string().max(500).default('bandwidth:rate=65536').describe('Toxics on from the start: "name:key=value,…; name2" (empty = none). Names: ' + toxics.map((t) => t.name).join(', '))
      .superRefine((s, ctx) => {
        const r = parseToxicList(s);
        if (typeof r === 'string') ctx.addIssue({ code: 'custom', message: r });
      }),
    pauseAtMs: z.number().int().min(0).max(600_000).default(4000).describe('The server stops reading this long after the first connection (0 = only with the control)'),
    resumeAtMs: z.number().int().min(0).max(600_000).default(8000).describe('…and reads again at this time (0 = only with the control)'),
    buffers: bufferParam(16384, 'SO_SNDBUF and SO_RCVBUF of every socket (client, both proxy legs, server), or auto: small buffers make the stall travel back in seconds, not minutes'),
    chunkBytes: z.number().int().min(1).max(1 << 20).default(1024).describe('stream: bytes per client write()'),
    intervalMs: z.number().int().min(10).max(60_000).default(500).describe('echo: time between lines'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'the real server: echoes lines, or reads and counts; can stop reading' },
    { name: 'proxy', program: 'proxy.js', after: 'server', summary: 'copies both directions (io.Copy), tees every chunk to this pane, applies toxics' },
    { name: 'client', program: 'client.js', after: 'proxy', summary: 'writes through the proxy: as fast as it can, or a line every intervalMs' },
  ],
  narrative,
  observations,
  controls: [
    { id: 'server-pause', label: 'Pause server', role: 'server', command: 'pause' },
    { id: 'server-resume', label: 'Resume server', role: 'server', command: 'resume' },
    ...toxicControls,
    { id: 'toxics-off', label: 'All toxics off', role: 'proxy', command: 'toxics-off' },
  ],
  defaultDurationMs: 12_000,
});
