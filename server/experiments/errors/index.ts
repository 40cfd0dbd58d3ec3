import { z } from 'zod';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { defineExperiment } from '../experiment.js';
import { keysOf, reports, samples } from '../../net/checks.js';
import { failed, held, kernelOff, lifeEnd, notReached, onSock, SETTLE_MS } from '../../net/verdicts.js';
import { synGiveUpSeconds } from '../../net/dial.js';
import { narrative } from './narrative.js';

interface Scenario { title: string; code: string; ms: number }
interface Decision { code: string; verdict: string; attempt: number; waitMs?: number }

const EXPECTED = [
  { code: 'ECONNREFUSED', syscall: 'connect' },
  { code: 'EADDRINUSE', syscall: 'listen' },
  { code: 'ECONNRESET', syscall: 'read' },
  { code: 'EPIPE', syscall: 'write' },
  { code: 'ETIMEDOUT', syscall: 'connect' },
] as const;

/**
 * The retrier's next dial after `t`: the first of its sockets (other than `not`) to connect or
 * fail after `t` — a socket's first event, so a later error of an older connection is not one.
 */
function nextDial(q: TraceQuery, t: number, not?: string) {
  const dials = q.events.filter((e): e is EventOf<'connect'> | EventOf<'error'> => e.actor === 'retrier' && (e.kind === 'connect' || e.kind === 'error') && e.sock !== undefined);
  const before = new Set(dials.filter((e) => e.t <= t).map((e) => e.sock));
  return dials.filter((e) => e.t > t && e.sock !== not && !before.has(e.sock)).sort((a, b) => a.t - b.t)[0];
}

export default defineExperiment({
  id: 'errors',
  title: 'Errors and retries',
  group: 'Errors & timeouts',
  order: 110,
  summary: 'ECONNREFUSED, EADDRINUSE, ECONNRESET, EPIPE, ETIMEDOUT produced for real; a retrier that knows which to retry.',
  seeds: ['000', '001'],
  params: z.object({
    synRetries: z.number().int().min(1).max(6).default(1).describe('TCP_SYNCNT for the ETIMEDOUT dial: SYN retransmissions before the kernel gives up (1 → 3 s, 6 = Linux default → 127 s)'),
    restartAfterBeats: z.number().int().min(0).max(1000).default(4).describe('The server restarts (resets its connections, stops listening) when the retrier’s beat number N arrives; 0 = never'),
    downMs: z.number().int().min(0).max(30_000).default(1500).describe('How long the restarting server does not listen (ms)'),
    baseMs: z.number().int().min(10).max(10_000).default(100).describe('Retrier: first backoff (ms), doubled each attempt'),
    port: z.number().int().min(0).max(65535).default(0).describe('Server port (0 = any free port)'),
  }),
  roles: [
    { name: 'server', program: 'server.js', listens: true, summary: 'a line server: "reset" → RST, "close" → close; restarts once' },
    { name: 'client', program: 'client.js', after: 'server', summary: 'provokes the five errors one after the other' },
    { name: 'retrier', program: 'retrier.js', after: 'server', summary: 'sends a beat every 250 ms; retries by the policy when something fails' },
  ],
  narrative,
  observations: [
    ...EXPECTED.map(({ code, syscall }) => ({
      id: `error-${code.toLowerCase()}`,
      label: code === 'ETIMEDOUT' ? `${code} from ${syscall}(), no sooner than the kernel’s SYN schedule for synRetries` : `${code} from ${syscall}()`,
      check: (q: TraceQuery, p: Record<string, unknown>) => {
        const all = reports<Scenario>(q, 'scenario', 'client');
        const i = all.findIndex((s) => s.title.startsWith(`${code}:`));
        if (i < 0) return notReached(`the ${code} scenario has not ended yet`);
        const sc = all[i]!;
        const from = i > 0 ? all[i - 1]!.t : 0;
        const e = q.of('error', 'client').find((x) => x.code === code && x.t >= from && x.t <= sc.t);
        const took = ` after ${sc.ms.toFixed(sc.ms < 10 ? 2 : 0)} ms`;
        if (sc.code !== code || !e) return failed(`the ${code} scenario ended with ${sc.code}${took}`);
        if (e.syscall !== syscall) return failed(`${e.message}${took}: from ${e.syscall ?? 'no syscall'}(), not ${syscall}()`);
        if (code === 'ETIMEDOUT') {
          const min = synGiveUpSeconds(Number(p.synRetries)) * 1000;
          const detail = `${e.message}${took} (the kernel's schedule: ${min} ms for ${p.synRetries} SYN retries)`;
          return sc.ms >= min - 100 ? held(detail) : failed(detail);
        }
        return held(`${e.message}${took}`);
      },
    })),
    {
      id: 'syn-sent',
      label: 'While the dial hung, the kernel held it in SYN_SENT and retransmitted the SYN',
      check: (q) => {
        const off = kernelOff(q);
        if (off) return off;
        const full = q.first('listen', 'client', (l) => l.sock === 'L-full');
        if (!full) return notReached('the hanging dial has not started yet');
        const ended = reports<Scenario>(q, 'scenario', 'client').find((s) => s.title.startsWith('ETIMEDOUT:'));
        const syn = samples(q, (s) => s.state === 'SYN_SENT' && s.remote.port === full.local.port && s.t >= full.t && (!ended || s.t <= ended.t));
        const retrans = Math.max(0, ...syn.map((s) => s.retransmits ?? s.timer?.retrans ?? 0));
        const detail = `${keysOf(syn).size} socket(s) in SYN_SENT, up to ${retrans} SYN retransmission(s)`;
        if (syn.length > 0 && retrans >= 1) return held(detail);
        return ended ? failed(`${detail} while the dial hung (${ended.ms.toFixed(0)} ms)`) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'retry-backoff',
      label: 'The retrier dialed again after ECONNREFUSED, each time after a wait no shorter than the last, and got back in',
      check: (q, p) => {
        const d = reports<Decision>(q, 'decision', 'retrier');
        const retries = d.filter((x) => x.verdict === 'retry' && x.code === 'ECONNREFUSED');
        if (retries.length === 0) return notReached(Number(p.restartAfterBeats) === 0 ? 'the server never restarts (restartAfterBeats 0): no dial is refused' : 'no refused dial yet');
        const waits = retries.map((x) => x.waitMs ?? 0);
        const shrank = waits.findIndex((w, i) => i > 0 && w < waits[i - 1]!);
        // The next dial is the retrier's next socket to connect or fail; it must come after the wait.
        const early = retries.flatMap((r) => {
          const next = nextDial(q, r.t);
          return next && next.t < r.t + (r.waitMs ?? 0) - 2 ? [`dialed ${(next.t - r.t).toFixed(0)} ms after a ${r.waitMs} ms wait`] : [];
        });
        const lastRetry = retries.at(-1)!;
        const back = reports<{ attempt: number }>(q, 'connected', 'retrier').some((c) => c.t > lastRetry.t);
        const detail = `${retries.length} refused dial(s), waits ${waits.join(', ')} ms; ${back ? 'connected again' : 'not connected again yet'}`;
        if (shrank > 0) return failed(`${detail}: wait ${shrank + 1} is shorter than the one before`);
        if (early.length) return failed(`${detail}; ${early.join('; ')}`);
        if (back) return held(detail);
        const gaveUp = d.find((x) => x.verdict === 'give-up' && x.t > lastRetry.t);
        return gaveUp ? failed(`${detail}; gave up (${gaveUp.code}, attempt ${gaveUp.attempt})`) : notReached(`${detail} so far`);
      },
    },
    {
      id: 'reset-ends-connection',
      label: 'A reset or broken pipe ended the retrier’s connection; it opened a new one instead of writing on it again',
      check: (q) => {
        const connected = new Set(q.of('connect', 'retrier').map((c) => c.sock));
        const err = q.of('error', 'retrier').find((e) => (e.code === 'ECONNRESET' || e.code === 'EPIPE') && e.sock !== undefined && connected.has(e.sock));
        if (!err?.sock) return notReached('no reset or broken pipe on the retrier’s connection yet');
        const old = err.sock;
        const decision = reports<Decision>(q, 'decision', 'retrier').find((x) => x.t >= err.t);
        if (!decision) return notReached(`${err.code} on ${old}; no decision yet`);
        if (decision.verdict !== 'new-connection') return failed(`${err.code} on ${old} → ${decision.verdict}, not a new connection`);
        const rewrote = onSock(q.of('write', 'retrier'), old).filter((w) => w.t > err.t).length;
        if (rewrote) return failed(`${err.code} on ${old}, yet ${rewrote} more write(s) on it`);
        const next = nextDial(q, decision.t, old);
        if (!next) return lifeEnd(q, 'retrier') - decision.t >= SETTLE_MS ? failed(`${err.code} on ${old} → no new dial followed`) : notReached(`${err.code} on ${old} → new connection decided; no new dial yet`);
        return held(`${err.code} on ${old} → a new connection ${next.sock} ${(next.t - decision.t).toFixed(0)} ms later (${next.kind === 'connect' ? 'connected' : next.code}); nothing more written on ${old}`);
      },
    },
  ],
  defaultDurationMs: 6000,
});
