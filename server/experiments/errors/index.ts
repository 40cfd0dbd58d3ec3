import { z } from 'zod';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { defineExperiment } from '../experiment.js';
import { noSamples, reports, samples } from '../../net/checks.js';
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
      label: `${code} from ${syscall}()`,
      check: (q: TraceQuery, p: Record<string, unknown>) => {
        const e = q.first('error', 'client', (x) => x.code === code);
        if (!e) return { held: false, detail: `no ${code} yet` };
        const sc = reports<Scenario>(q, 'scenario', 'client').find((s) => s.code === code);
        const took = sc ? ` after ${sc.ms.toFixed(sc.ms < 10 ? 2 : 0)} ms` : '';
        if (code === 'ETIMEDOUT') {
          const min = synGiveUpSeconds(Number(p.synRetries)) * 1000;
          return { held: e.syscall === syscall && Boolean(sc) && sc!.ms >= min - 100, detail: `${e.message}${took} (the kernel's schedule: ${min} ms for ${p.synRetries} SYN retries)` };
        }
        return { held: e.syscall === syscall, detail: `${e.message}${took}` };
      },
    })),
    {
      id: 'syn-sent',
      label: 'While the dial hung, the kernel held it in SYN_SENT and retransmitted the SYN',
      check: (q) => {
        const none = noSamples(q);
        if (none) return { held: false, detail: none };
        const syn = samples(q, (s) => s.state === 'SYN_SENT');
        const retrans = Math.max(0, ...syn.map((s) => s.retransmits ?? s.timer?.retrans ?? 0));
        return { held: syn.length > 0 && retrans >= 1, detail: `${new Set(syn.map((s) => s.key)).size} socket(s) in SYN_SENT, up to ${retrans} SYN retransmission(s)` };
      },
    },
    {
      id: 'retry-backoff',
      label: 'The retrier dialed again after ECONNREFUSED with growing waits, and got back in',
      check: (q) => {
        const d = reports<Decision>(q, 'decision', 'retrier');
        const retries = d.filter((x) => x.verdict === 'retry' && x.code === 'ECONNREFUSED');
        const waits = retries.map((x) => x.waitMs ?? 0);
        const growing = waits.every((w, i) => i === 0 || w >= waits[i - 1]!);
        const lastRetry = retries.at(-1);
        const back = lastRetry ? reports<{ attempt: number }>(q, 'connected', 'retrier').some((c) => c.t > lastRetry.t) : false;
        return { held: retries.length > 0 && growing && back, detail: `${retries.length} refused dial(s), waits ${waits.join(', ')} ms; ${back ? 'connected again' : 'not connected again yet'}` };
      },
    },
    {
      id: 'reset-ends-connection',
      label: 'A reset or broken pipe ended the retrier’s connection; it opened a new one instead of retrying on it',
      check: (q) => {
        const d = reports<Decision>(q, 'decision', 'retrier').filter((x) => x.verdict === 'new-connection');
        return { held: d.length > 0, detail: d.length ? `${d.map((x) => x.code).join(', ')} → new connection` : 'no connection error yet' };
      },
    },
  ],
  defaultDurationMs: 6000,
});
