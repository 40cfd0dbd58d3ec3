/**
 * What the kernel observer saw of a connection's closing, from `sample` events: the TCP states a
 * socket went through and when, and how many sockets sat in one state at once. Shared by the
 * Closing experiments' observations, the UI and the tests.
 */
import { textOf } from '../json/values.js';
import type { EventOf } from './schema.js';
import type { TraceQuery } from './query.js';

type Sample = EventOf<'sample'>;

export interface StateSpan {
  state: string;
  /** First and last sample time in this state (ms). */
  from: number;
  to: number;
  /** No program held the socket (inode 0) at some sample of this span. */
  orphan: boolean;
  /** The TIME_WAIT / FIN_WAIT2 / persist timer as first seen in this span. */
  timer?: Sample['timer'];
}

/** The states of the socket local:localPort → remote:remotePort, in order (GONE closes the list). */
export function stateSpans(q: TraceQuery, localPort: number, remotePort: number): StateSpan[] {
  const spans: StateSpan[] = [];
  let lastT = 0;
  for (const s of q.of('sample')) {
    if (s.local.port !== localPort || s.remote.port !== remotePort) continue;
    lastT = s.t;
    const prev = spans[spans.length - 1];
    if (prev && prev.state === s.state) {
      prev.to = s.t;
      if (s.inode === 0) prev.orphan = true;
      continue;
    }
    if (prev) prev.to = s.t;
    spans.push({ state: s.state, from: s.t, to: s.t, orphan: s.inode === 0 && s.state !== 'TIME_WAIT', ...(s.timer ? { timer: s.timer } : {}) });
  }
  // The observer writes a sample only on change: a state lasts until the next sample or the end of the trace.
  const last = spans[spans.length - 1];
  if (last && last.state !== 'GONE') last.to = Math.max(lastT, q.events[q.events.length - 1]?.t ?? lastT);
  return spans;
}

/**
 * How many sockets with local port `localPort` were in `state` over time: one point per change
 * (time, count). The kernel observer's samples are per socket; this folds them per port.
 */
export function stateCount(q: TraceQuery, localPort: number, state: string): { t: number; count: number }[] {
  const current = new Map<string, string>();
  const out: { t: number; count: number }[] = [];
  let count = 0;
  for (const s of q.of('sample')) {
    if (s.local.port !== localPort) continue;
    const was = current.get(s.key);
    if (was === s.state) continue;
    current.set(s.key, s.state);
    const before = count;
    if (was === state) count--;
    if (s.state === state) count++;
    if (count !== before) out.push({ t: s.t, count });
  }
  return out;
}

export interface CloseWaitOutcome {
  serverPort: number | null;
  /** Whether the run has kernel samples of the server's port at all. */
  kernel: boolean;
  closeWaitSteps: { t: number; count: number }[];
  maxCloseWait: number;
  /** When the server first wrote (the late reply). */
  firstLateWrite: number | null;
  /** CLOSE_WAIT sockets of the server that disappeared after the late write. */
  goneAfterLateWrite: number;
  /** Error codes the server got after the late write. */
  writeErrors: string[];
  /** From the capture, when there is one. */
  wire: { dataAfterFin: number; rstAfterLateWrite: number; firstRst: number | null } | null;
}

/** The close-wait experiment's outcome from its trace (server role "server"). */
export function closeWaitOutcome(q: TraceQuery, server = 'server'): CloseWaitOutcome {
  const listen = q.first('listen', server);
  const port = listen?.local.port ?? null;
  const firstLateWrite = q.first('write', server)?.t ?? null;
  const out: CloseWaitOutcome = { serverPort: port, kernel: false, closeWaitSteps: [], maxCloseWait: 0, firstLateWrite, goneAfterLateWrite: 0, writeErrors: [], wire: null };
  if (port === null) return out;
  const samples = q.of('sample').filter((s) => s.local.port === port);
  out.kernel = samples.length > 0;
  out.closeWaitSteps = stateCount(q, port, 'CLOSE_WAIT');
  out.maxCloseWait = Math.max(0, ...out.closeWaitSteps.map((s) => s.count));
  if (firstLateWrite !== null) {
    const last = new Map<string, string>();
    for (const s of samples) {
      if (s.t > firstLateWrite && s.state === 'GONE' && last.get(s.key) === 'CLOSE_WAIT') out.goneAfterLateWrite++;
      last.set(s.key, s.state);
    }
    out.writeErrors = q.of('error', server).filter((e) => e.t >= firstLateWrite).map((e) => e.code);
  }
  const packets = q.of('packet').filter((p) => p.src.port === port || p.dst.port === port);
  if (packets.length > 0) {
    const finFrom = new Set<number>(); // client ports that sent FIN
    let dataAfterFin = 0;
    let rst = 0;
    let firstRst: number | null = null;
    for (const p of packets) {
      if (p.dst.port === port && p.flags.includes('FIN')) finFrom.add(p.src.port);
      if (p.src.port === port && p.len > 0 && finFrom.has(p.dst.port)) dataAfterFin += p.count ?? 1; // a summary counts its segments
      if (p.dst.port === port && p.flags.includes('RST') && firstLateWrite !== null && p.t >= firstLateWrite) { rst++; firstRst ??= p.t; }
    }
    out.wire = { dataAfterFin, rstAfterLateWrite: rst, firstRst };
  }
  return out;
}

export interface TimeWaitOutcome {
  kernel: boolean;
  serverStates: string[];
  clientStates: string[];
  serverTimeWait: (StateSpan & { gone: boolean }) | null;
  clientTimeWait: (StateSpan & { gone: boolean }) | null;
  rebinds: { t: number; how: string; result: string; portTimeWait: boolean }[];
  listenerReuse: string | null;
  finTimeout: string | null;
}

/** The time-wait experiment's outcome from its trace. */
export function timeWaitOutcome(q: TraceQuery, server = 'server', client = 'client'): TimeWaitOutcome {
  const c = q.first('connect', client);
  const out: TimeWaitOutcome = { kernel: false, serverStates: [], clientStates: [], serverTimeWait: null, clientTimeWait: null, rebinds: [], listenerReuse: null, finTimeout: null };
  const reuse = q.custom('listener-reuseaddr', server)[0]?.data.value;
  out.listenerReuse = typeof reuse === 'string' ? reuse : null;
  const fin = q.custom('sysctl', server)[0]?.data.tcp_fin_timeout;
  out.finTimeout = typeof fin === 'string' ? fin : null;
  if (!c) return out;
  const sPort = c.remote.port;
  const cPort = c.local.port;
  const sSpans = stateSpans(q, sPort, cPort);
  const cSpans = stateSpans(q, cPort, sPort);
  out.kernel = sSpans.length + cSpans.length > 0;
  out.serverStates = sSpans.map((s) => s.state);
  out.clientStates = cSpans.map((s) => s.state);
  const tw = (spans: StateSpan[]) => {
    const i = spans.findIndex((s) => s.state === 'TIME_WAIT');
    return i < 0 ? null : { ...spans[i]!, gone: spans.slice(i + 1).some((s) => s.state === 'GONE') };
  };
  out.serverTimeWait = tw(sSpans);
  out.clientTimeWait = tw(cSpans);
  for (const r of q.custom('rebind', server)) {
    const portTimeWait = Boolean(out.serverTimeWait && out.serverTimeWait.from <= r.t && (!out.serverTimeWait.gone || out.serverTimeWait.to >= r.t));
    out.rebinds.push({ t: r.t, how: textOf(r.data.how), result: textOf(r.data.result), portTimeWait });
  }
  return out;
}
