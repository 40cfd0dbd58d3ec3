/**
 * What the proxy experiment's run showed, from its trace: the toxics switched on and off (and when),
 * what each leg carried, the server's receive rate second by second, the client's round trips, and
 * the backpressure story (server paused → proxy's writes stall → client's writes stall). Pure: the
 * observations, the panel and the tests compute it the same way.
 */
import type { EventOf, TraceEvent } from '../trace/schema.js';
import { numberOf, textOf } from '../json/values.js';

export interface ToxicChange { t: number; name: string; on: boolean; dir?: number; params?: Record<string, number>; source: string }
export interface ToxicSpan { name: string; from: number; to: number; dir: number; params: Record<string, number> }
export interface ReaderSpan { from: number; to: number }

export interface ProxyView {
  changes: ToxicChange[];
  /** Intervals each toxic was on (until the next change of that toxic, or `end`). */
  spans: ToxicSpan[];
  /** When the server was paused (not reading). */
  pauses: ReaderSpan[];
  /** Bytes: client wrote, proxy read from the client, proxy wrote upstream, server read. */
  bytes: { clientWrote: number; proxyFromClient: number; proxyToServer: number; serverRead: number };
  /** Server bytes per whole second since its first read: [second start (ms), bytes]. */
  serverRate: [number, number][];
  rtts: { t: number; seq: number; ms: number }[];
  /** The client's and the proxy's (upstream) waits for 'drain': from write()=false to 'drain' (or still waiting). */
  clientWaits: { from: number; to: number | null }[];
  proxyWaits: { from: number; to: number | null }[];
  end: number;
}

/**
 * A toxic's parameters as the proxy reported them (name → number); anything else in the object is
 * left out, so a view can print and scale them.
 */
function numericParams(v: unknown): Record<string, number> | undefined {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, number> = {};
  for (const [k, x] of Object.entries(v)) if (typeof x === 'number') out[k] = x;
  return out;
}

/** The longest gap-filled per-second series kept: a day (a run lasts minutes); past it, only the seconds with data. */
const MAX_RATE_SECONDS = 86_400;

function waits(evs: readonly TraceEvent[], actor: string, socks: ReadonlySet<string>): { from: number; to: number | null }[] {
  const out: { from: number; to: number | null }[] = [];
  let open: { from: number; to: number | null } | null = null;
  for (const e of evs) {
    if (e.actor !== actor) continue;
    if (e.kind === 'write' && socks.has(e.sock) && !e.ok && !open) { open = { from: e.t, to: null }; out.push(open); }
    else if (e.kind === 'drain' && socks.has(e.sock) && open) { open.to = e.t; open = null; }
  }
  return out;
}

export function proxyView(events: readonly TraceEvent[], upTo = events.length): ProxyView {
  const evs = events.slice(0, Math.min(upTo, events.length));
  const end = evs.reduce((m, e) => Math.max(m, e.t), 0);
  const changes: ToxicChange[] = [];
  for (const e of evs) {
    if (e.kind !== 'custom' || e.actor !== 'proxy' || e.name !== 'toxic') continue;
    const d = e.data;
    const params = numericParams(d.params);
    changes.push({
      t: e.t, name: textOf(d.name), on: d.on === true, source: textOf(d.source ?? ''),
      ...(typeof d.dir === 'number' ? { dir: d.dir } : {}),
      ...(params ? { params } : {}),
    });
  }
  changes.sort((a, b) => a.t - b.t);
  const spans: ToxicSpan[] = [];
  const openSpans = new Map<string, ToxicSpan>();
  for (const c of changes) {
    const o = openSpans.get(c.name);
    if (o) { o.to = c.t; openSpans.delete(c.name); }
    if (c.on) { const s: ToxicSpan = { name: c.name, from: c.t, to: end, dir: c.dir ?? 0, params: c.params ?? {} }; spans.push(s); openSpans.set(c.name, s); }
  }
  const pauses: ReaderSpan[] = [];
  let pausedAt: number | null = null;
  for (const e of evs) {
    if (e.kind !== 'custom' || e.actor !== 'server' || e.name !== 'reader') continue;
    if (e.data.state === 'paused' && pausedAt === null) pausedAt = e.t;
    else if (e.data.state === 'reading' && pausedAt !== null) { pauses.push({ from: pausedAt, to: e.t }); pausedAt = null; }
  }
  if (pausedAt !== null) pauses.push({ from: pausedAt, to: end });

  // The proxy's sockets: accepted ones face the client, connected ones face the server.
  const proxyClientSocks = new Set(evs.flatMap((e) => (e.kind === 'accept' && e.actor === 'proxy' ? [e.sock] : [])));
  const proxyServerSocks = new Set(evs.flatMap((e) => (e.kind === 'connect' && e.actor === 'proxy' ? [e.sock] : [])));
  const clientSocks = new Set(evs.flatMap((e) => (e.kind === 'connect' && e.actor === 'client' ? [e.sock] : [])));
  const bytes = { clientWrote: 0, proxyFromClient: 0, proxyToServer: 0, serverRead: 0 };
  let firstRead: number | null = null;
  const perSecond = new Map<number, number>();
  for (const e of evs) {
    if (e.kind === 'write' && e.actor === 'client' && clientSocks.has(e.sock)) bytes.clientWrote += e.bytes;
    else if (e.kind === 'data' && e.actor === 'proxy' && proxyClientSocks.has(e.sock)) bytes.proxyFromClient += e.bytes;
    else if (e.kind === 'write' && e.actor === 'proxy' && proxyServerSocks.has(e.sock)) bytes.proxyToServer += e.bytes;
    else if (e.kind === 'data' && e.actor === 'server') {
      bytes.serverRead += e.bytes;
      firstRead ??= e.t;
      const s = Math.floor((e.t - firstRead) / 1000);
      perSecond.set(s, (perSecond.get(s) ?? 0) + e.bytes);
    }
  }
  const serverRate: [number, number][] = [];
  if (firstRead !== null) {
    let last = 0;
    for (const s of perSecond.keys()) if (s > last) last = s;
    if (last <= MAX_RATE_SECONDS) for (let s = 0; s <= last; s++) serverRate.push([firstRead + s * 1000, perSecond.get(s) ?? 0]);
    else for (const s of [...perSecond.keys()].sort((a, b) => a - b)) serverRate.push([firstRead + s * 1000, perSecond.get(s)!]);
  }
  const rtts = evs.flatMap((e) => (e.kind === 'custom' && e.actor === 'client' && e.name === 'rtt' ? [{ t: e.t, seq: numberOf(e.data.seq) ?? NaN, ms: numberOf(e.data.ms) ?? NaN }] : []));
  return {
    changes, spans, pauses, bytes, serverRate, rtts, end,
    clientWaits: waits(evs, 'client', clientSocks),
    proxyWaits: waits(evs, 'proxy', proxyServerSocks),
  };
}

/**
 * The server's measured rate while a bandwidth toxic was on upstream and the server was reading:
 * bytes it read in [from + settleMs, to] over that time. Undefined when no such window lasts at
 * least minMs.
 */
export function measuredBandwidth(events: readonly TraceEvent[], v: ProxyView, settleMs = 500, minMs = 2000): { rate: number; limit: number; from: number; to: number; bytes: number } | undefined {
  // Data flows only once the client is connected, which may be well after a toxic set at start.
  const firstRead = events.find((e) => e.kind === 'data' && e.actor === 'server')?.t;
  if (firstRead === undefined) return undefined;
  for (const s of v.spans) {
    if (s.name !== 'bandwidth' || s.dir === 2) continue;
    let from = Math.max(s.from, firstRead) + settleMs;
    let to = s.to;
    // Stop at the first pause inside the window; start after a pause that covers its start.
    for (const pz of v.pauses) {
      if (pz.from <= from && pz.to > from) from = pz.to + settleMs;
      else if (pz.from > from && pz.from < to) to = pz.from;
    }
    if (to - from < minMs) continue;
    let bytes = 0;
    for (const e of events) if (e.kind === 'data' && e.actor === 'server' && e.t > from && e.t <= to) bytes += (e as EventOf<'data'>).bytes;
    return { rate: (bytes * 1000) / (to - from), limit: s.params.rate ?? 0, from, to, bytes };
  }
  return undefined;
}
