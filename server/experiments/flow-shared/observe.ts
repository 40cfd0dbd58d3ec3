/**
 * Trace queries the flow-control experiments' observations share: which kernel samples belong to
 * which program's socket, and how to describe them. Everything is computed from the trace.
 */
import type { Address } from '../../../shared/trace/common.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import type { CheckResult } from '../../../shared/trace/verdict.js';
import { fmtBytes } from './buffers.js';

/** The three results a check can give (shared/trace/verdict.ts): shown, disproved, or the moment it needs is not in the trace (yet). */
export const held = (detail: string): CheckResult => ({ held: true, detail });
export const failed = (detail: string): CheckResult => ({ held: false, detail });
export const notReached = (detail: string): CheckResult => ({ held: false, reached: false, detail });

/** The latest time in the trace so far (lines arrive from several processes, so not always the last line's). */
export function traceEnd(q: TraceQuery): number {
  let t = 0;
  for (const e of q.events) if (e.t > t) t = e.t;
  return t;
}

/**
 * The spans in which a program was blocked on one socket: from a write() that returned false to
 * the next 'drain' (`to` Infinity while it still waits), in the program's own order.
 */
export function blockedSpans(q: TraceQuery, actor: string, sock: string): { from: EventOf<'write'>; to: number }[] {
  const out: { from: EventOf<'write'>; to: number }[] = [];
  let open: { from: EventOf<'write'>; to: number } | undefined;
  for (const e of q.events) {
    if (e.actor !== actor) continue;
    if (e.kind === 'write' && e.sock === sock && !e.ok && !open) { open = { from: e, to: Infinity }; out.push(open); }
    else if (e.kind === 'drain' && e.sock === sock && open) { open.to = e.t; open = undefined; }
  }
  return out;
}

/** The write() that returned false which the program is still blocked on at time `t` (no 'drain' since), if any. */
export function blockedAt(spans: ReadonlyArray<{ from: EventOf<'write'>; to: number }>, t: number): EventOf<'write'> | undefined {
  for (const s of spans) if (s.from.t <= t && t < s.to) return s.from;
  return undefined;
}

/** blockedAt for one lookup (builds the spans; for many lookups build them once). */
export const blockedOn = (q: TraceQuery, actor: string, sock: string, t: number) => blockedAt(blockedSpans(q, actor, sock), t);

export type Sample = EventOf<'sample'>;

/** One connected socket of a program, as its connect / accept event describes it. */
export interface ProgramConn { actor: string; sock: string; t: number; local: Address; remote: Address }

/** Every connection a role made (connect) or accepted (accept), in trace order. */
export function connsOf(q: TraceQuery, actor: string): ProgramConn[] {
  const out: ProgramConn[] = [];
  for (const e of q.events) {
    if (e.actor !== actor) continue;
    if (e.kind === 'connect' || e.kind === 'accept') out.push({ actor, sock: e.sock, t: e.t, local: e.local, remote: e.remote });
  }
  return out;
}

/**
 * The connections a role made or accepted whose peer is another of the run's programs, in trace
 * order: a client from outside the run (nc, a browser) is not "the writer's connection".
 */
export function ownConnsOf(q: TraceQuery, actor: string): ProgramConn[] {
  return q.connections().filter((c) => c.actor === actor && c.own).map(({ actor: a, sock, t, local, remote }) => ({ actor: a, sock, t, local, remote }));
}

/** The kernel's looks at a socket while it existed: every sample but the GONE one (which says it was freed, not that its queues were empty). */
export const liveOnly = (samples: readonly Sample[]): Sample[] => samples.filter((s) => s.state !== 'GONE');

/** The kernel observer's samples of one program socket (matched by both addresses). */
export function samplesOf(q: TraceQuery, c: ProgramConn | undefined): Sample[] {
  if (!c) return [];
  return q.of('sample').filter((s) => s.local.port === c.local.port && s.remote.port === c.remote.port && s.local.address === c.local.address);
}

/** Whether the run had a kernel view at all, and if not why (from the trace header is not available here: from notes). */
export function noKernelView(q: TraceQuery): string {
  return q.of('sample').length === 0 ? 'no kernel samples in the trace (kernel view off or not started)' : 'no sample of this socket';
}

/** The sockopt event a role recorded for an option (the last one). */
export function sockoptOf(q: TraceQuery, actor: string, option: string): EventOf<'sockopt'> | undefined {
  const all = q.of('sockopt', actor).filter((e) => e.option === option);
  return all.at(-1);
}

export const ms = (t: number) => `${(t / 1000).toFixed(2)} s`;
export { fmtBytes };

/**
 * The writer's zero-window episodes: runs of consecutive samples with sndWnd 0 (state
 * ESTABLISHED), each with its start and (if it ended) the first sample that showed a window again.
 */
export function zeroWindows(samples: readonly Sample[]): { from: Sample; to?: Sample }[] {
  const out: { from: Sample; to?: Sample }[] = [];
  let open: { from: Sample; to?: Sample } | null = null;
  for (const s of samples) {
    if (s.sndWnd === undefined) continue;
    if (s.sndWnd === 0 && s.state === 'ESTABLISHED') {
      if (!open) { open = { from: s }; out.push(open); }
    } else if (open && s.sndWnd > 0) {
      open.to = s;
      open = null;
    }
  }
  return out;
}

/**
 * Zero-window probes as the samples show them. On loopback the reader answers every probe at
 * once, so tcpi_probes (unanswered probes) is usually back at 0 by the next sample; what grows is
 * the persist timer's backoff (one step per probe sent while the window stays shut). Returns
 * the times at which the backoff rose, and the largest probes / backoff seen.
 */
export function probeSteps(samples: readonly Sample[]): { steps: { t: number; backoff: number }[]; maxProbes: number; maxBackoff: number; persist: boolean } {
  const steps: { t: number; backoff: number }[] = [];
  let last = 0;
  let maxProbes = 0;
  let maxBackoff = 0;
  let persist = false;
  for (const s of samples) {
    if (s.timer?.name === 'persist') persist = true;
    maxProbes = Math.max(maxProbes, s.probes ?? 0);
    const b = s.backoff ?? 0;
    maxBackoff = Math.max(maxBackoff, b);
    if (b > last) steps.push({ t: s.t, backoff: b });
    last = b;
  }
  return { steps, maxProbes, maxBackoff, persist };
}
