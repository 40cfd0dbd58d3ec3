/**
 * What the udp experiment's run showed, computed from its trace: the seed's exchange, datagram
 * boundaries (next to the same writes over TCP), the flood into a slow receiver with the kernel's
 * drop count, and the two errors. Pure (no Node or DOM APIs): the experiment's observations, its
 * panel in the UI and the tests all compute it the same way.
 *
 * The client marks each phase with a `custom` "phase" event; a phase's sockets are the ones the
 * client bound after its marker.
 */
import type { EventOf, TraceEvent } from '../trace/schema.js';
import type { SampleEvent } from '../trace/kernel-events.js';
import { streamSides } from '../stream/from-trace.js';
import { textOf } from '../json/values.js';

export interface SeedExchange {
  sent: number;
  /** The reply's first bytes as text, and its size; absent when none came. */
  reply?: { bytes: number; text: string };
}

export interface Boundaries {
  /** Datagram sizes the client sent, in order, and the sizes the server received from it. */
  sends: number[];
  receives: number[];
  /** The same K writes of M bytes over TCP (tcp-writer → tcp-reader), when those roles ran. */
  tcp?: { writes: number[]; reads: number[] };
}

export interface Flood {
  size: number;
  /** Datagrams the client's send() calls said the kernel took, and refused. */
  sent: number;
  refused: number;
  /** Datagrams the slow receiver's program got. */
  received: number;
  /** The receiver's socket as the kernel saw it last (drops, queue memory, buffer). */
  kernel?: { drops: number; recvQ: number; rcvbuf: number; t: number };
  /** Why there is no kernel figure, when there is none. */
  kernelOff?: string;
  /** SO_RCVBUF as the receiver asked for it and as the kernel kept it. */
  rcvbuf?: { requested: unknown; effective: unknown };
  /** Change of the system-wide /proc/net/snmp counters over the run (RcvbufErrors, …), when read at both ends. */
  system?: Record<string, number>;
}

export interface Errors {
  /** The error the connected socket reported after sending to a closed port. */
  refused?: { code: string; syscall?: string; port?: number };
  /** Each big send: its size and the error, if refused. */
  sizes: { bytes: number; error?: string }[];
}

export interface UdpView {
  phases: { name: string; t: number }[];
  seed?: SeedExchange;
  boundaries?: Boundaries;
  flood?: Flood;
  errors?: Errors;
}

type Ev = TraceEvent;
const count = (e: { calls?: number | undefined }) => e.calls ?? 1;
/** Datagram sizes listed per side at most (the experiment sends at most 200): `calls` can claim any number. */
const MAX_BOUNDARY_DATAGRAMS = 10_000;

function b64text(head: string | undefined, max = 80): string {
  if (!head) return '';
  let bin = '';
  try { bin = typeof atob === 'function' ? atob(head) : ''; } catch { /* not base64 (atob throws): show nothing rather than guess */ }
  return bin.slice(0, max).replace(/[^\x20-\x7e]/g, '.');
}

/** The run as of the first `upTo` events. `kernelCapability` is the header's capabilities['kernel-udp']. */
export function udpView(events: readonly Ev[], upTo = events.length, kernelCapability?: string): UdpView {
  const evs = events.slice(0, Math.min(upTo, events.length));
  const phases = evs.filter((e): e is EventOf<'custom'> => e.kind === 'custom' && e.actor === 'client' && e.name === 'phase')
    .map((e) => ({ name: textOf(e.data.name), t: e.t }));
  const window = (name: string): [number, number] | undefined => {
    const i = phases.findIndex((ph) => ph.name === name);
    if (i < 0) return undefined;
    return [phases[i]!.t, phases[i + 1]?.t ?? Infinity];
  };
  /** The client's sockets bound (explicitly or by their first send/connect) within a phase. */
  const clientBinds = (w: [number, number]) =>
    evs.filter((e): e is EventOf<'bind'> => e.kind === 'bind' && e.actor === 'client' && e.t >= w[0] && e.t < w[1]);
  const view: UdpView = { phases };

  const ws = window('seed');
  if (ws) {
    const socks = new Set(clientBinds(ws).map((b) => b.sock));
    const sends = evs.filter((e): e is EventOf<'send'> => e.kind === 'send' && e.actor === 'client' && socks.has(e.sock) && !e.error);
    const reply = evs.find((e): e is EventOf<'message'> => e.kind === 'message' && e.actor === 'client' && socks.has(e.sock));
    view.seed = { sent: sends.reduce((a, e) => a + count(e), 0), ...(reply ? { reply: { bytes: reply.bytes, text: b64text(reply.head) } } : {}) };
  }

  const wb = window('boundaries');
  if (wb) {
    const binds = clientBinds(wb);
    const socks = new Set(binds.map((b) => b.sock));
    const ports = new Set(binds.map((b) => b.local.port));
    const sends: number[] = [];
    for (const e of evs) if (e.kind === 'send' && e.actor === 'client' && socks.has(e.sock) && !e.error) for (let i = 0; i < count(e) && sends.length < MAX_BOUNDARY_DATAGRAMS; i++) sends.push(e.size ?? e.bytes);
    const receives: number[] = [];
    for (const e of evs) if (e.kind === 'message' && e.actor === 'server' && ports.has(e.from.port)) for (let i = 0; i < count(e) && receives.length < MAX_BOUNDARY_DATAGRAMS; i++) receives.push(e.size ?? e.bytes);
    view.boundaries = { sends, receives };
    if (evs.some((e) => e.actor === 'tcp-writer' && e.kind === 'spawn')) {
      const s = streamSides(evs, 'tcp-writer', 'tcp-reader');
      view.boundaries.tcp = { writes: s.writes, reads: s.reads };
    }
  }

  const wf = window('flood');
  if (wf) {
    const socks = new Set(clientBinds(wf).map((b) => b.sock));
    let sent = 0;
    let refused = 0;
    let size = 0;
    for (const e of evs) {
      if (e.kind !== 'send' || e.actor !== 'client' || !socks.has(e.sock)) continue;
      if (e.error) refused += count(e); else sent += count(e);
      size = e.size ?? e.bytes;
    }
    let received = 0;
    for (const e of evs) if (e.kind === 'message' && e.actor === 'sink') received += count(e);
    const sinkBind = evs.find((e): e is EventOf<'bind'> => e.kind === 'bind' && e.actor === 'sink');
    const flood: Flood = { size, sent, refused, received };
    if (sinkBind) {
      let last: SampleEvent | undefined;
      for (const e of evs) if (e.kind === 'sample' && e.proto === 'udp' && e.local.port === sinkBind.local.port && e.state !== 'GONE') last = e;
      if (last?.skmem) flood.kernel = { drops: last.skmem.drops, recvQ: last.recvQ ?? 0, rcvbuf: last.skmem.rcvbuf, t: last.t };
      const opt = evs.find((e): e is EventOf<'sockopt'> => e.kind === 'sockopt' && e.actor === 'sink' && e.option === 'SO_RCVBUF');
      if (opt) flood.rcvbuf = { requested: opt.requested, effective: opt.effective };
    }
    if (!flood.kernel) {
      flood.kernelOff = kernelCapability === undefined ? 'no kernel sample of the receiver\'s socket in the trace (the header\'s kernel-udp capability says whether the UDP observer ran)'
        : !kernelCapability.startsWith('on') ? kernelCapability.replace(/^off:\s*/, '')
          : 'the observer has not seen the receiver\'s socket yet';
    }
    const counters = evs.filter((e): e is EventOf<'custom'> => e.kind === 'custom' && e.actor === 'kernel' && e.name === 'udp-counters');
    const a = counters.find((c) => c.data.at === 'start');
    const b = counters.find((c) => c.data.at === 'end');
    if (a && b && !('unavailable' in a.data) && !('unavailable' in b.data)) {
      const d: Record<string, number> = {};
      for (const k of ['InDatagrams', 'NoPorts', 'InErrors', 'RcvbufErrors', 'OutDatagrams']) {
        const x = a.data[k];
        const y = b.data[k];
        if (typeof x === 'number' && typeof y === 'number') d[k] = y - x;
      }
      flood.system = d;
    }
    view.flood = flood;
  }

  const we = window('errors');
  if (we) {
    const binds = clientBinds(we);
    const socks = new Set(binds.map((b) => b.sock));
    const errors: Errors = { sizes: [] };
    const refusedEv = evs.find((e): e is EventOf<'error'> => e.kind === 'error' && e.actor === 'client' && e.sock !== undefined && socks.has(e.sock) && e.code === 'ECONNREFUSED');
    if (refusedEv) {
      const conn = evs.find((e): e is EventOf<'dgram-connect'> => e.kind === 'dgram-connect' && e.actor === 'client' && e.sock === refusedEv.sock);
      errors.refused = { code: refusedEv.code, ...(refusedEv.syscall ? { syscall: refusedEv.syscall } : {}), ...(conn ? { port: conn.remote.port } : {}) };
    }
    for (const e of evs) {
      if (e.kind === 'send' && e.actor === 'client' && e.t >= we[0] && e.t < we[1] && e.bytes > 1500) errors.sizes.push({ bytes: e.bytes, ...(e.error ? { error: e.error } : {}) });
    }
    view.errors = errors;
  }
  return view;
}
