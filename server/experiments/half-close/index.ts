import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { stateSpans } from '../../../shared/trace/closing.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'half-close',
  title: 'Half-close: FIN in one direction',
  group: 'Closing',
  order: 50,
  summary: 'The client end()s (shutdown write) and still reads the reply; FIN_WAIT2 and CLOSE_WAIT as they happen.',
  seeds: ['000'],
  params: z.object({
    message: z.string().min(1).max(200).default('half-close me').describe('The request the client sends before its FIN'),
    replyDelayMs: z.number().int().min(0).max(10_000).default(1500).describe('How long the server waits after the client’s FIN before replying (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'reads to EOF, then replies on its still-open side and closes' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'sends, end()s (FIN), keeps reading' },
  ],
  narrative,
  observations: [
    {
      id: 'read-after-fin',
      label: 'The client read the whole reply after its own end() (FIN)',
      check: (q) => {
        const end = q.first('end', 'client');
        if (!end) return { held: false, detail: 'the client has not called end() yet' };
        const after = q.of('data', 'client').filter((d) => d.t > end.t).reduce((n, d) => n + d.bytes, 0);
        const replied = q.bytes('write', 'server');
        return { held: replied > 0 && after === replied, detail: `client end() at ${end.t.toFixed(1)} ms; afterwards it read ${after} of the ${replied} B the server wrote` };
      },
    },
    {
      id: 'half-closed-states',
      label: 'While the server replied, the kernel showed FIN_WAIT2 (client) and CLOSE_WAIT (server)',
      check: (q) => {
        const c = q.first('connect', 'client');
        const w = q.first('write', 'server');
        if (!c) return { held: false, detail: 'no connection yet' };
        const spans = stateSpans(q, c.local.port, c.remote.port);
        const back = stateSpans(q, c.remote.port, c.local.port);
        if (spans.length === 0 && back.length === 0) return { held: false, detail: 'no kernel samples (kernel view off)' };
        const at = (ss: ReturnType<typeof stateSpans>, state: string, t: number) => ss.some((s) => s.state === state && s.from <= t && t <= s.to);
        const fw2 = spans.find((s) => s.state === 'FIN_WAIT2');
        const cw = back.find((s) => s.state === 'CLOSE_WAIT');
        const during = w ? at(spans, 'FIN_WAIT2', w.t) && at(back, 'CLOSE_WAIT', w.t) : false;
        const fmt = (s: { from: number; to: number } | undefined) => (s ? `${s.from.toFixed(0)}–${s.to.toFixed(0)} ms` : 'not seen');
        return { held: Boolean(fw2 && cw && during), detail: `client FIN_WAIT2 ${fmt(fw2)}, server CLOSE_WAIT ${fmt(cw)}, server wrote at ${w ? `${w.t.toFixed(0)} ms` : '—'}` };
      },
    },
    {
      id: 'time-wait',
      label: 'The client, which sent the first FIN, ended in TIME_WAIT',
      check: (q) => {
        const c = q.first('connect', 'client');
        if (!c) return { held: false, detail: 'no connection yet' };
        const tw = stateSpans(q, c.local.port, c.remote.port).find((s) => s.state === 'TIME_WAIT');
        return { held: Boolean(tw), detail: tw ? `client socket in TIME_WAIT from ${tw.from.toFixed(0)} ms` : 'no TIME_WAIT sample for the client socket' };
      },
    },
  ],
  defaultDurationMs: 8000,
  endWhenAllExit: true,
});
