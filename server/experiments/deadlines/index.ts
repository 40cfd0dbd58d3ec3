import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { noSamples, reports, samples } from '../../net/checks.js';
import { narrative } from './narrative.js';

interface TimedOut { mode: string; afterMs: number }

export default defineExperiment({
  id: 'deadlines',
  title: 'Deadlines and timeouts',
  group: 'Errors & timeouts',
  order: 120,
  summary: 'A read deadline (a point in time) against an idle timeout (silence), and DialTimeout against a listener that drops SYNs.',
  seeds: ['003', '000'],
  params: z.object({
    mode: z.enum(['deadline', 'idle']).default('deadline').describe('deadline = Go’s SetReadDeadline(now + d) set once at accept; idle = Node’s socket.setTimeout(d), restarted by every byte'),
    readDeadlineMs: z.number().int().min(100).max(600_000).default(1500).describe('d: the read deadline / idle timeout (the seed uses 2 minutes = 120000)'),
    talkForMs: z.number().int().min(0).max(600_000).default(2500).describe('How long the client sends a line every 400 ms before going quiet'),
    dialTimeoutMs: z.number().int().min(50).max(600_000).default(1500).describe('DialTimeout: how long the dialer waits for its connect() (Linux alone would wait ~127 s)'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'closes a connection at its read deadline, or after idle time' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'talks for talkForMs, then goes quiet' },
    { name: 'dialer', program: 'dialer.js', summary: 'dials a full accept queue with a DialTimeout' },
  ],
  narrative,
  observations: [
    {
      id: 'read-timeout',
      label: 'deadline: closed readDeadlineMs after accept even while the client talked; idle: closed readDeadlineMs after the client’s last line',
      check: (q, p) => {
        const acc = q.first('accept', 'server');
        const fired = reports<TimedOut>(q, 'timed-out', 'server')[0];
        if (!acc || !fired) return { held: false, detail: 'the server has not timed out yet' };
        const d = Number(p.readDeadlineMs);
        // Node's timers run on the event loop's cached clock (1 ms steps): allow 2 ms.
        const slack = 2;
        const lastData = q.of('data', 'server').filter((e) => e.t < fired.t).at(-1);
        const sinceAccept = fired.t - acc.t;
        if (p.mode === 'deadline') {
          const quiet = reports(q, 'quiet', 'client')[0];
          const stillTalking = !quiet || quiet.t > fired.t;
          return { held: sinceAccept >= d - slack && stillTalking === Number(p.talkForMs) > d, detail: `closed ${sinceAccept.toFixed(0)} ms after accept (d = ${d} ms); the client was ${stillTalking ? 'still talking' : 'already quiet'}` };
        }
        const silence = lastData ? fired.t - lastData.t : sinceAccept;
        return { held: silence >= d - slack, detail: `closed after ${silence.toFixed(0)} ms of silence (d = ${d} ms), ${sinceAccept.toFixed(0)} ms after accept` };
      },
    },
    {
      id: 'dial-timeout',
      label: 'The dial to a full accept queue hung until the program’s DialTimeout, which ended it (ETIMEDOUT)',
      check: (q, p) => {
        const r = reports<{ afterMs: number }>(q, 'dial-timeout', 'dialer')[0];
        const err = q.first('error', 'dialer', (e) => e.code === 'ETIMEDOUT');
        const connected = q.of('connect', 'dialer').length;
        return { held: Boolean(r && err) && connected === 0 && r!.afterMs >= Number(p.dialTimeoutMs) - 1, detail: r ? `gave up after ${r.afterMs.toFixed(0)} ms (DialTimeout ${p.dialTimeoutMs} ms), never connected` : 'still dialing' };
      },
    },
    {
      id: 'syn-dropped',
      label: 'Meanwhile the kernel kept the dialer’s socket in SYN_SENT, retransmitting the dropped SYN',
      check: (q, p) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const full = q.first('listen', 'dialer')?.local.port;
        const syn = samples(q, (s) => s.state === 'SYN_SENT' && s.remote.port === full);
        const retrans = Math.max(0, ...syn.map((s) => s.retransmits ?? 0));
        const sys = reports<{ tcp_abort_on_overflow: number | null; tcp_syn_retries: number | null }>(q, 'sysctl', 'dialer')[0];
        // A retransmission happens 1 s after the first SYN; with a shorter DialTimeout there is none.
        const wantRetrans = Number(p.dialTimeoutMs) > 1100 ? 1 : 0;
        return { held: syn.length > 0 && retrans >= wantRetrans, detail: `SYN_SENT seen, ${retrans} SYN retransmission(s); tcp_abort_on_overflow ${sys?.tcp_abort_on_overflow ?? '?'}, tcp_syn_retries ${sys?.tcp_syn_retries ?? '?'}` };
      },
    },
  ],
  defaultDurationMs: 5000,
});
