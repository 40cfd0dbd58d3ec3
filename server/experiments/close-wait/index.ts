import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { closeWaitOutcome } from '../../../shared/trace/closing.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'close-wait',
  title: 'CLOSE_WAIT: a server that forgets to close',
  group: 'Closing',
  order: 60,
  summary: 'Clients hang up, the server never closes: CLOSE_WAIT piles up; a late write draws RST and the next one fails.',
  seeds: ['000'],
  params: z.object({
    clients: z.number().int().min(1).max(20).default(3).describe('How many clients come and go'),
    intervalMs: z.number().int().min(50).max(10_000).default(600).describe('Time between clients (ms)'),
    writeAfterMs: z.number().int().min(0).max(30_000).default(2500).describe('After the last client hung up, the server writes to its forgotten sockets (ms; 0 = only on the live control)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'never closes after a client’s FIN; writes late' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'clients that connect, send a line and close' },
  ],
  narrative,
  observations: [
    {
      id: 'close-wait-grows',
      label: 'The server’s sockets sat in CLOSE_WAIT, one more per client that hung up',
      check: (q, p) => {
        const o = closeWaitOutcome(q);
        if (!o.kernel) return { held: false, detail: 'no kernel samples (kernel view off)' };
        const want = Number(p.clients);
        return { held: o.maxCloseWait === want && o.closeWaitSteps.length >= want, detail: `CLOSE_WAIT count over time: ${o.closeWaitSteps.map((s) => s.count).join(' → ') || 'none'} (${want} clients)` };
      },
    },
    {
      id: 'late-write-rst',
      label: 'A late write into CLOSE_WAIT drew an RST from the client’s side',
      check: (q) => {
        const o = closeWaitOutcome(q);
        if (o.firstLateWrite === null) return { held: false, detail: 'the server has not written late yet' };
        if (o.wire) return { held: o.wire.rstAfterLateWrite > 0, detail: `captured: ${o.wire.dataAfterFin} data segment(s) from the server after the clients' FINs, ${o.wire.rstAfterLateWrite} RST(s) back from the client port(s)` };
        return { held: o.goneAfterLateWrite > 0, detail: `no capture; kernel view: ${o.goneAfterLateWrite} CLOSE_WAIT socket(s) vanished right after the late write (a reset)` };
      },
    },
    {
      id: 'next-write-fails',
      label: 'The next write failed (EPIPE or ECONNRESET)',
      check: (q) => {
        const o = closeWaitOutcome(q);
        return { held: o.writeErrors.some((c) => c === 'EPIPE' || c === 'ECONNRESET'), detail: o.writeErrors.length ? `server errors after the late write: ${o.writeErrors.join(', ')}` : 'no error yet' };
      },
    },
  ],
  controls: [
    { id: 'write', label: 'Write to CLOSE_WAIT sockets now', role: 'server', command: 'write' },
    { id: 'close', label: 'Close them (the fix)', role: 'server', command: 'close' },
  ],
  defaultDurationMs: 15_000,
  endWhenAllExit: true,
});
