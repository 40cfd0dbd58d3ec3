import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { timeWaitOutcome } from '../../../shared/trace/closing.js';
import { narrative } from './narrative.js';

export default defineExperiment({
  id: 'time-wait',
  title: 'TIME_WAIT and restarting on the same port',
  group: 'Closing',
  order: 70,
  summary: 'The side that closes first keeps TIME_WAIT for 60 s; rebinding the port with and without SO_REUSEADDR.',
  seeds: ['000', '001'],
  params: z.object({
    closer: z.enum(['server', 'client']).default('server').describe('Who closes first (the active closer gets TIME_WAIT)'),
    restartAfterMs: z.number().int().min(0).max(10_000).default(300).describe('After the connection closed, the server restarts its listener after this long (ms)'),
    watchMs: z.number().int().min(500).max(60_000).default(5000).describe('How long the run keeps watching TIME_WAIT after the restart (ms)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'answers once, then rebinds its port with and without SO_REUSEADDR' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'says hello, reads the reply' },
  ],
  narrative,
  observations: [
    {
      id: 'active-closer-time-wait',
      label: 'The side that closed first went to TIME_WAIT; the other side did not',
      check: (q, p) => {
        const o = timeWaitOutcome(q);
        if (!o.kernel) return { held: false, detail: 'no kernel samples (kernel view off)' };
        const closerTw = p.closer === 'server' ? o.serverTimeWait : o.clientTimeWait;
        const otherTw = p.closer === 'server' ? o.clientTimeWait : o.serverTimeWait;
        return { held: Boolean(closerTw) && !otherTw, detail: `server side: ${o.serverStates.join(' → ') || '—'}; client side: ${o.clientStates.join(' → ') || '—'}` };
      },
    },
    {
      id: 'time-wait-length',
      label: 'TIME_WAIT outlived the run; its timer started near 60 s',
      check: (q) => {
        const o = timeWaitOutcome(q);
        const tw = o.serverTimeWait ?? o.clientTimeWait;
        if (!tw) return { held: false, detail: 'no TIME_WAIT seen' };
        const seenFor = ((tw.to - tw.from) / 1000).toFixed(1);
        const timer = tw.timer?.name === 'timewait' ? `${(tw.timer.expiresMs / 1000).toFixed(1)} s` : 'not reported';
        return { held: !tw.gone && tw.timer?.name === 'timewait', detail: `TIME_WAIT from ${(tw.from / 1000).toFixed(1)} s, still there ${seenFor} s later at the end of the run${tw.gone ? ' — NO: it disappeared' : ''}; the kernel's timer when it began: ${timer}; tcp_fin_timeout = ${o.finTimeout ?? '?'} s (that one times FIN_WAIT2, not TIME_WAIT)` };
      },
    },
    {
      id: 'rebind',
      label: 'Rebinding the port: without SO_REUSEADDR it fails only while the port’s own TIME_WAIT exists; Node’s listen (SO_REUSEADDR) succeeds',
      check: (q, p) => {
        const o = timeWaitOutcome(q);
        const raw = o.rebinds.find((r) => r.how.includes('without'));
        const node = o.rebinds.find((r) => r.how.startsWith('Node'));
        if (!raw || !node) return { held: false, detail: 'the server has not restarted yet' };
        const blocked = p.closer === 'server';
        const rawOk = blocked ? raw.result === 'EADDRINUSE' : raw.result === 'ok';
        return { held: rawOk && node.result === 'ok', detail: `without SO_REUSEADDR: ${raw.result}${raw.portTimeWait ? ' (a TIME_WAIT socket had the port)' : ' (no TIME_WAIT on the port)'}; Node listen: ${node.result}; Node's first listener had SO_REUSEADDR = ${o.listenerReuse ?? '?'}` };
      },
    },
  ],
  defaultDurationMs: 20_000,
  endWhenAllExit: true,
});
