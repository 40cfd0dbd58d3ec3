/**
 * What time-wait expects, from the trace: which side closed first (the wire's first FIN, or the
 * programs' end() / destroy()), the kernel observer's samples of both ends of the connection
 * (shared/trace/closing.ts), and the server's rebind reports. Held, failed, or not reached (no
 * connection or close yet, the closer still running, no kernel view).
 */
import type { ObservationSpec, ObservationResult } from '../experiment.js';
import type { Connection, TraceQuery } from '../../../shared/trace/query.js';
import { stateSpans, timeWaitOutcome, type StateSpan } from '../../../shared/trace/closing.js';

const held = (detail: string): ObservationResult => ({ held: true, detail });
const failed = (detail: string): ObservationResult => ({ held: false, detail });
const notReached = (detail: string): ObservationResult => ({ held: false, reached: false, detail });

/** Linux's TCP_TIMEWAIT_LEN is 60 s; the first look comes a few ms after it starts (and ss rounds). */
const TIMEWAIT_MIN_MS = 55_000;
const TIMEWAIT_MAX_MS = 60_500;

type Side = 'server' | 'client';

/** The client's connection and the server's accepted end of it (both the run's own). */
function pairOf(q: TraceQuery): { client: Connection; server: Connection } | undefined {
  const conns = q.connections();
  const client = conns.find((c) => c.actor === 'client' && c.via === 'connect' && c.own);
  const server = client && conns.find((c) => c.actor === 'server' && c.via === 'accept' && c.remote.port === client.local.port && c.remote.address === client.local.address);
  return client && server ? { client, server } : undefined;
}

/** Who closed first: the first FIN on the wire when captured, else the first end() / destroy(). */
function closerOf(q: TraceQuery, pair: { client: Connection; server: Connection }): { side: Side; how: string } | undefined {
  const sPort = pair.server.local.port;
  const cPort = pair.client.local.port;
  const fin = q.of('packet').find((p) => p.flags.includes('FIN') && ((p.src.port === sPort && p.dst.port === cPort) || (p.src.port === cPort && p.dst.port === sPort)));
  if (fin) return { side: fin.src.port === sPort ? 'server' : 'client', how: `its FIN first on the wire, at ${fin.t.toFixed(0)} ms` };
  const closeOf = (c: Connection) => q.first('end', c.actor, (e) => e.sock === c.sock) ?? q.first('destroy', c.actor, (e) => e.sock === c.sock);
  const s = closeOf(pair.server);
  const c = closeOf(pair.client);
  if (!s && !c) return undefined;
  const side: Side = s && (!c || s.t <= c.t) ? 'server' : 'client';
  const e = side === 'server' ? s! : c!;
  return { side, how: `its ${e.kind}() first, at ${e.t.toFixed(0)} ms` };
}

const statesText = (spans: readonly StateSpan[]) => spans.map((s) => s.state).join(' → ');

interface Sides { closer: Side; how: string; closerSpans: StateSpan[]; otherSpans: StateSpan[]; pair: { client: Connection; server: Connection } }

function sidesOf(q: TraceQuery): Sides | string {
  const pair = pairOf(q);
  if (!pair) return 'no connection between the client and the server yet';
  const c = closerOf(q, pair);
  if (!c) return 'neither side has closed yet';
  const sSpans = stateSpans(q, pair.server.local.port, pair.client.local.port);
  const cSpans = stateSpans(q, pair.client.local.port, pair.server.local.port);
  return { closer: c.side, how: c.how, pair, closerSpans: c.side === 'server' ? sSpans : cSpans, otherSpans: c.side === 'server' ? cSpans : sSpans };
}

const traceEnd = (q: TraceQuery) => q.events.reduce((m, e) => Math.max(m, e.t), 0);

export const observations: ObservationSpec[] = [
  {
    id: 'active-closer-time-wait',
    label: 'The side that closed first (its FIN first) went to TIME_WAIT; the other side did not',
    check: (q) => {
      const s = sidesOf(q);
      if (typeof s === 'string') return notReached(s);
      if (q.of('sample').length === 0) return notReached('no kernel samples (kernel view off)');
      const other: Side = s.closer === 'server' ? 'client' : 'server';
      const sideText = (spans: readonly StateSpan[]) => statesText(spans) || 'never sampled (so never in TIME_WAIT, which the observer keeps seeing for 60 s)';
      const detail = `the ${s.closer} closed first (${s.how}); ${s.closer} side: ${sideText(s.closerSpans)}; ${other} side: ${sideText(s.otherSpans)}`;
      if (s.otherSpans.some((x) => x.state === 'TIME_WAIT')) return failed(detail);
      if (!s.closerSpans.some((x) => x.state === 'TIME_WAIT')) {
        return s.closerSpans.some((x) => x.state === 'GONE') ? failed(`${detail}: gone without TIME_WAIT`) : notReached(`${detail}; no TIME_WAIT yet`);
      }
      const otherConn = other === 'server' ? s.pair.server : s.pair.client;
      const otherClosed = q.first('close', otherConn.actor, (e) => e.sock === otherConn.sock);
      if (!otherClosed) return notReached(`${detail}; the ${other} has not closed its socket yet`);
      return held(detail);
    },
  },
  {
    id: 'time-wait-length',
    label: 'The closer’s TIME_WAIT outlived its program and lasted to the end of the run; its timer started near 60 s (55–60 s at the first look)',
    check: (q) => {
      const s = sidesOf(q);
      if (typeof s === 'string') return notReached(s);
      const o = timeWaitOutcome(q);
      const fin = `tcp_fin_timeout = ${o.finTimeout ?? '?'} s (that one times FIN_WAIT2, not TIME_WAIT)`;
      const i = s.closerSpans.findIndex((x) => x.state === 'TIME_WAIT');
      const tw = s.closerSpans[i];
      if (!tw) {
        if (q.of('sample').length === 0) return notReached('no kernel samples (kernel view off)');
        return s.closerSpans.some((x) => x.state === 'GONE') ? failed(`the ${s.closer}’s socket went away without TIME_WAIT: ${statesText(s.closerSpans)}`) : notReached(`no TIME_WAIT seen yet on the ${s.closer}’s side`);
      }
      const gone = s.closerSpans.slice(i + 1).find((x) => x.state === 'GONE');
      const timer = tw.timer?.name === 'timewait' ? tw.timer.expiresMs : null;
      const timerText = timer === null ? `not reported${tw.timer ? ` (a ${tw.timer.name} timer)` : ''}` : `${(timer / 1000).toFixed(1)} s`;
      const begin = `TIME_WAIT on the ${s.closer}’s side from ${(tw.from / 1000).toFixed(1)} s; the kernel’s timer at its first look: ${timerText}`;
      if (gone) return failed(`${begin}; it disappeared at ${(gone.from / 1000).toFixed(1)} s; ${fin}`);
      if (timer === null) return notReached(`${begin}; ${fin}`);
      if (timer < TIMEWAIT_MIN_MS || timer > TIMEWAIT_MAX_MS) return failed(`${begin}: not near 60 s; ${fin}`);
      const closerConn = s.closer === 'server' ? s.pair.server : s.pair.client;
      // Still there (no GONE) after the program exited, whether it exited before the first look at the TIME_WAIT or after.
      const exit = q.first('exit', closerConn.actor);
      if (!exit) return notReached(`${begin}; still there, and the ${s.closer} is still running; ${fin}`);
      const end = traceEnd(q);
      return held(`${begin}; still there at ${(end / 1000).toFixed(1)} s, the trace’s last moment, ${((end - exit.t) / 1000).toFixed(1)} s after the ${s.closer} exited; ${fin}`);
    },
  },
  {
    id: 'rebind',
    label: 'Rebinding the port: without SO_REUSEADDR it fails (EADDRINUSE) while the port’s own TIME_WAIT exists and succeeds when none does; Node’s listen, with SO_REUSEADDR on, succeeds',
    check: (q) => {
      const o = timeWaitOutcome(q);
      const raw = o.rebinds.find((r) => r.how.includes('without'));
      const node = o.rebinds.find((r) => r.how.startsWith('Node'));
      if (!raw || !node) return notReached('the server has not restarted yet');
      const reuse = o.listenerReuse;
      const reuseOn = reuse === 'true' || reuse === '1';
      const detail = `without SO_REUSEADDR: ${raw.result}${raw.portTimeWait ? ' (a TIME_WAIT socket had the port)' : ' (no TIME_WAIT on the port)'}; Node listen: ${node.result}; Node’s first listener had SO_REUSEADDR = ${reuse ?? '?'}`;
      if (!o.kernel) return notReached(`${detail}; no kernel samples, so whether a TIME_WAIT had the port is unknown`);
      const rawOk = raw.portTimeWait ? raw.result === 'EADDRINUSE' : raw.result === 'ok';
      if (reuse === null || reuse.startsWith('unknown')) return notReached(`${detail}: SO_REUSEADDR on Node’s listener could not be read`);
      return rawOk && node.result === 'ok' && reuseOn ? held(detail) : failed(detail);
    },
  },
];
