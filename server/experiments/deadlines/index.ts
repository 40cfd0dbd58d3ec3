import { z } from 'zod';
import { defineExperiment } from '../experiment.js';
import { reports, samples } from '../../net/checks.js';
import { connectionsOf, failed, held, kernelOff, lifeEnd, notReached, onSock, SETTLE_MS, traceEnd } from '../../net/verdicts.js';
import { inOrder } from '../../../shared/trace/query.js';
import { narrative } from './narrative.js';

interface TimedOut { mode: string; afterMs: number; port?: number }

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
      label: 'deadline: closed no sooner than readDeadlineMs after accept, while the client was still talking if it talks longer than that; idle: closed no sooner than readDeadlineMs after the client’s last line',
      check: (q, p) => {
        const c = connectionsOf(q, 'client', 'connect')[0];
        if (!c?.peer) return notReached('the client is not connected yet');
        const acc = c.peer;
        const d = Number(p.readDeadlineMs);
        const fired = reports<TimedOut>(q, 'timed-out', 'server').find((r) => r.port === undefined || r.port === c.local.port);
        const lines = onSock(q.of('data', 'server'), acc.sock);
        if (!fired) {
          const due = (p.mode === 'deadline' ? acc.t : Math.max(acc.t, ...lines.map((e) => e.t))) + d;
          const late = Math.min(lifeEnd(q, 'server'), traceEnd(q)) - due;
          return late >= 1000 ? failed(`not closed ${late.toFixed(0)} ms after it was due (d = ${d} ms)`) : notReached('the server has not timed out yet');
        }
        const closed = onSock(q.of('destroy', 'server'), acc.sock).find((e) => e.t >= fired.t);
        if (!closed) return failed(`the server reported its timeout at ${fired.t.toFixed(0)} ms but did not close the connection`);
        // Node's timers run on the event loop's cached clock (1 ms steps): allow 2 ms.
        const slack = 2;
        const sinceAccept = fired.t - acc.t;
        if (p.mode === 'deadline') {
          const quiet = reports(q, 'quiet', 'client')[0];
          const stillTalking = !quiet || quiet.t > fired.t;
          const detail = `closed ${sinceAccept.toFixed(0)} ms after accept (d = ${d} ms); the client was ${stillTalking ? 'still talking' : 'already quiet'}`;
          return sinceAccept >= d - slack && stillTalking === Number(p.talkForMs) > d ? held(detail) : failed(detail);
        }
        const lastData = lines.filter((e) => e.t < fired.t).at(-1);
        const silence = lastData ? fired.t - lastData.t : sinceAccept;
        const detail = `closed after ${silence.toFixed(0)} ms of silence (d = ${d} ms), ${sinceAccept.toFixed(0)} ms after accept`;
        return silence >= d - slack ? held(detail) : failed(detail);
      },
    },
    {
      id: 'dial-timeout',
      label: 'The dial to a full accept queue hung until the program’s DialTimeout, which ended it (ETIMEDOUT)',
      check: (q, p) => {
        const limit = Number(p.dialTimeoutMs);
        const r = reports<{ afterMs: number }>(q, 'dial-timeout', 'dialer')[0];
        const err = q.first('error', 'dialer');
        if (q.of('connect', 'dialer').length > 0) return failed('connected: the queue had room');
        if (!r) return err ? failed(`the dial ended with ${err.code} (${err.message}) before the DialTimeout`) : notReached('still dialing');
        const detail = `gave up after ${r.afterMs.toFixed(0)} ms (DialTimeout ${limit} ms), never connected`;
        if (r.afterMs < limit - 1) return failed(`${detail}: before its DialTimeout`);
        if (!err) return lifeEnd(q, 'dialer') - r.t >= SETTLE_MS ? failed(`${detail}; no ETIMEDOUT followed`) : notReached(`${detail}; no error yet`);
        if (err.code !== 'ETIMEDOUT' || !inOrder(r, err)) return failed(`${detail}; the dial ended with ${err.code} at ${err.t.toFixed(0)} ms, the timeout at ${r.t.toFixed(0)} ms`);
        return held(`${detail}, then ETIMEDOUT`);
      },
    },
    {
      id: 'syn-dropped',
      label: 'Meanwhile the kernel kept the dialer’s socket in SYN_SENT, its SYN dropped, and retransmitted the SYN if the dial lasted over a second',
      check: (q) => {
        const off = kernelOff(q);
        if (off) return off;
        const full = q.first('listen', 'dialer');
        if (!full) return notReached('the dialer has not made its full listener yet');
        const r = reports<{ afterMs: number }>(q, 'dial-timeout', 'dialer')[0];
        const syn = samples(q, (s) => s.state === 'SYN_SENT' && s.remote.port === full.local.port && s.t >= full.t && (!r || s.t <= r.t));
        const retrans = Math.max(0, ...syn.map((s) => s.retransmits ?? 0));
        const sys = reports<{ tcp_abort_on_overflow: number | null; tcp_syn_retries: number | null }>(q, 'sysctl', 'dialer')[0];
        // A retransmission happens 1 s after the first SYN: a dial that lasts longer shows one.
        const dialMs = r ? r.afterMs : traceEnd(q) - full.t;
        const wantRetrans = dialMs > 1100 ? 1 : 0;
        const detail = `${syn.length ? 'SYN_SENT seen' : 'no SYN_SENT seen'}, ${retrans} SYN retransmission(s) in a ${dialMs.toFixed(0)} ms dial; tcp_abort_on_overflow ${sys?.tcp_abort_on_overflow ?? '?'}, tcp_syn_retries ${sys?.tcp_syn_retries ?? '?'}`;
        if (syn.length > 0 && retrans >= wantRetrans) return held(detail);
        return r ? failed(detail) : notReached(`${detail} so far`);
      },
    },
  ],
  defaultDurationMs: 5000,
});
