/**
 * The kernel view derived from a trace: for any moment, where every byte of every connection is —
 * in the writer's Node queue, its kernel send queue, on the wire, in the reader's kernel receive
 * queue, in the reader's Node buffer, or read by the program — and each socket's TCP state.
 *
 * Pure (no Node or DOM APIs) so the UI and tests share it. `KernelIndex` is built incrementally
 * from a TraceStore's arrival log: a frame at cursor t costs a binary search per socket, not a
 * scan of the trace, however long the run.
 */
import type { Address } from './common.js';
import type { NodeStateEvent, SampleEvent, KernelSocketState } from './kernel-events.js';
import type { TraceEvent } from './schema.js';
import { countUpTo, insertByTime, type TraceStore } from './store.js';
import { unixKey } from './unix-key.js';

/** "1.2.3.4:80" or "[::1]:80", as the kernel observer writes socket keys. */
export function endpoint(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The observer's key of a socket: local>remote (server/kernel/observer.ts socketKey). */
export function socketKey(local: { address: string; port: number }, remote: { address: string; port: number }): string {
  return `${endpoint(local)}>${endpoint(remote)}`;
}

/** A socket as the program knows it: from listen / connect / accept events. */
export interface ProgramSocket {
  actor: string;
  sock: string;
  /** When the program learned its addresses (listen, connect, accept). */
  t: number;
  listening: boolean;
  local: Address;
  remote?: Address;
  /** True for the side that called connect(). */
  initiator: boolean;
  /** Unix sockets: the inode, which is how the kernel view names them (unixKey). */
  inode?: number;
}

/** A time-ordered series with a running total (bytes written / read by the program). */
interface Cum { t: number; total: number }
/** When a writer started waiting for 'drain' (ok false) and when it stopped (drain). */
interface Wait { t: number; waiting: boolean }

const refOf = (actor: string, sock: string) => `${actor}/${sock}`;

/** States in which a connection still carries data, so a zero window means the writer is stuck. */
const DATA_STATES: ReadonlySet<KernelSocketState> = new Set(['ESTABLISHED', 'CLOSE_WAIT', 'FIN_WAIT1', 'CLOSING', 'LAST_ACK']);

export class KernelIndex {
  /** Samples per kernel socket key, in time order. */
  readonly samples = new Map<string, SampleEvent[]>();
  /** Keys in the order the observer first saw them. */
  readonly keys: string[] = [];
  readonly nodestates = new Map<string, NodeStateEvent[]>();
  readonly programSockets: ProgramSocket[] = [];
  private readonly writes = new Map<string, Cum[]>();
  private readonly reads = new Map<string, Cum[]>();
  private readonly waits = new Map<string, Wait[]>();
  /** Kernel key → the program socket it belongs to, and back (by actor/sock). */
  private readonly ownerByKey = new Map<string, ProgramSocket>();
  private readonly keyByRef = new Map<string, string>();
  private readonly listenerByLocal = new Map<string, ProgramSocket>();
  /** How many events of the store's arrival log have been indexed. */
  private processed = 0;
  sampleCount = 0;

  constructor(private readonly store?: TraceStore) {}

  /** Index what arrived since the last call; cheap when nothing did. */
  update(): this {
    const log = this.store?.arrived;
    if (!log) return this;
    for (; this.processed < log.length; this.processed++) this.add(log[this.processed]!);
    return this;
  }

  /** Index one event (any order: every list is kept sorted by time). */
  add(e: TraceEvent): void {
    switch (e.kind) {
      case 'sample': {
        let list = this.samples.get(e.key);
        if (!list) {
          list = []; this.samples.set(e.key, list); this.keys.push(e.key);
          // A listener's remote is the wildcard address (0.0.0.0:0 or [::]:0), whatever Node said.
          // (UDP and Unix sockets have port 0 too; they are matched otherwise.)
          const l = e.remote.port === 0 && e.proto === undefined ? this.listenerByLocal.get(endpoint(e.local)) : undefined;
          if (l) this.own(e.key, l);
        }
        insertByTime(list, e);
        this.sampleCount++;
        break;
      }
      case 'nodestate': push(this.nodestates, refOf(e.actor, e.sock), e); break;
      case 'listen': {
        const p: ProgramSocket = { actor: e.actor, sock: e.sock, t: e.t, listening: true, local: e.local, initiator: false };
        insertByTime(this.programSockets, p);
        // A Unix listener is named by its inode (its path is shared with what it accepted).
        if (e.inode !== undefined) { p.inode = e.inode; this.own(unixKey(e.inode), p); break; }
        this.listenerByLocal.set(endpoint(e.local), p);
        const prefix = `${endpoint(e.local)}>`;
        for (const k of this.keys) if (k.startsWith(prefix) && this.samples.get(k)![0]!.remote.port === 0) this.own(k, p);
        break;
      }
      case 'connect':
      case 'accept': {
        const p: ProgramSocket = { actor: e.actor, sock: e.sock, t: e.t, listening: false, local: e.local, remote: e.remote, initiator: e.kind === 'connect' };
        if (e.inode !== undefined) p.inode = e.inode;
        insertByTime(this.programSockets, p);
        this.own(e.inode !== undefined ? unixKey(e.inode) : socketKey(e.local, e.remote), p);
        break;
      }
      case 'write': addCum(this.writes, refOf(e.actor, e.sock), e.t, e.bytes); if (!e.ok) push(this.waits, refOf(e.actor, e.sock), { t: e.t, waiting: true }); break;
      case 'drain': push(this.waits, refOf(e.actor, e.sock), { t: e.t, waiting: false }); break;
      case 'data': addCum(this.reads, refOf(e.actor, e.sock), e.t, e.bytes); break;
      default: break;
    }
  }

  /** The socket's latest sample at or before t (a GONE sample included), if any. */
  sampleAt(key: string, t: number): SampleEvent | undefined {
    return latest(this.samples.get(key), t);
  }

  nodeAt(actor: string, sock: string, t: number): NodeStateEvent | undefined {
    return latest(this.nodestates.get(refOf(actor, sock)), t);
  }

  /** Bytes the program passed to write() up to t. */
  writtenAt(actor: string, sock: string, t: number): number { return latest(this.writes.get(refOf(actor, sock)), t)?.total ?? 0; }
  /** Bytes the program received ('data') up to t. */
  readAt(actor: string, sock: string, t: number): number { return latest(this.reads.get(refOf(actor, sock)), t)?.total ?? 0; }
  /** When the writer started its current wait for 'drain', or undefined if it is not waiting at t. */
  waitingSince(actor: string, sock: string, t: number): number | undefined {
    const list = this.waits.get(refOf(actor, sock));
    if (!list) return undefined;
    const n = countUpTo(list, t);
    if (n === 0 || !list[n - 1]!.waiting) return undefined;
    let i = n - 1;
    while (i > 0 && list[i - 1]!.waiting) i--;
    return list[i]!.t;
  }

  private own(key: string, p: ProgramSocket): void {
    this.ownerByKey.set(key, p);
    this.keyByRef.set(refOf(p.actor, p.sock), key);
  }

  /** The kernel key of a program socket: local>remote, or its listener's LISTEN socket once seen. */
  keyOf(p: ProgramSocket): string | undefined {
    if (p.inode !== undefined) return unixKey(p.inode);
    return p.remote ? socketKey(p.local, p.remote) : this.keyByRef.get(refOf(p.actor, p.sock));
  }

  /** The key of the socket at the other end of a Unix socket, once the observer has reported its peer. */
  unixPeerKey(key: string): string | undefined {
    const peer = this.samples.get(key)?.find((s) => s.peerInode)?.peerInode;
    return peer ? unixKey(peer) : undefined;
  }

  /** The program socket a kernel key belongs to, if a watched one does. */
  ownerOf(key: string): ProgramSocket | undefined {
    return this.ownerByKey.get(key);
  }
}

function push<V extends { t: number }>(m: Map<string, V[]>, k: string, v: V): void {
  let list = m.get(k);
  if (!list) { list = []; m.set(k, list); }
  insertByTime(list, v);
}

function addCum(m: Map<string, Cum[]>, k: string, t: number, bytes: number): void {
  let list = m.get(k);
  if (!list) { list = []; m.set(k, list); }
  const last = list[list.length - 1];
  if (!last || last.t <= t) { list.push({ t, total: (last?.total ?? 0) + bytes }); return; }
  // Arrived late: insert it and fix the running totals after it (rare, and short).
  const i = countUpTo(list, t);
  const before = i > 0 ? list[i - 1]!.total : 0;
  list.splice(i, 0, { t, total: before + bytes });
  for (let j = i + 1; j < list.length; j++) list[j]!.total += bytes;
}

function latest<E extends { t: number }>(list: readonly E[] | undefined, t: number): E | undefined {
  if (!list) return undefined;
  const n = countUpTo(list, t);
  return n > 0 ? list[n - 1] : undefined;
}

const indexes = new WeakMap<TraceStore, KernelIndex>();
/** The store's index, brought up to date (one per store, shared by every view). */
export function kernelIndex(store: TraceStore): KernelIndex {
  let ix = indexes.get(store);
  if (!ix) { ix = new KernelIndex(store); indexes.set(store, ix); }
  return ix.update();
}

// -------------------------------------------------------------------------------------------------
// What the kernel view can see in this trace

export type KernelAvailability = { on: true } | { on: false; reason: string };

/** From the header's capabilities: 'on…' or the reason the kernel view is off. */
export function kernelAvailability(capabilities: Readonly<Record<string, string>> | undefined): KernelAvailability {
  const c = capabilities?.kernel;
  if (c === undefined) return { on: false, reason: 'this trace has no kernel view (no kernel plugin ran)' };
  if (c.startsWith('on')) return { on: true };
  return { on: false, reason: c.replace(/^off:\s*/, '') };
}

// -------------------------------------------------------------------------------------------------
// Sockets and their TCP state

export interface KernelSocketView {
  key: string;
  sample: SampleEvent;
  owner?: ProgramSocket;
  /** No open file holds it (its program closed it or exited) while the kernel still does. */
  orphaned: boolean;
}

/** Every kernel socket of the run the observer had seen by t, with its state then (GONE included). */
export function kernelSocketsAt(ix: KernelIndex, t: number): KernelSocketView[] {
  const out: KernelSocketView[] = [];
  for (const key of ix.keys) {
    const s = ix.sampleAt(key, t);
    if (!s) continue;
    const owner = ix.ownerOf(key);
    out.push({ key, sample: s, ...(owner ? { owner } : {}), orphaned: isOrphaned(s) });
  }
  return out;
}

/**
 * inode 0 means no file refers to the socket: after close() or the process's exit the kernel
 * finishes it alone. (A connection not yet accept()ed also has none; it is not an orphan.)
 */
export function isOrphaned(s: SampleEvent): boolean {
  return s.inode === 0 && s.state !== 'LISTEN' && s.state !== 'TIME_WAIT' && s.state !== 'GONE' && s.state !== 'SYN_RECV' && s.state !== 'NEW_SYN_RECV';
}

/** The socket a pane's badge describes: the actor's latest connection at t, else its listener. */
export function primaryProgramSocket(ix: KernelIndex, actor: string, t: number): ProgramSocket | undefined {
  let listener: ProgramSocket | undefined;
  const n = countUpTo(ix.programSockets, t);
  for (let i = n - 1; i >= 0; i--) {
    const p = ix.programSockets[i]!;
    if (p.actor !== actor) continue;
    if (!p.listening) return p;
    listener ??= p;
  }
  return listener;
}

// -------------------------------------------------------------------------------------------------
// Connections and their pipelines

export interface ConnectionEnd {
  key: string;
  program?: ProgramSocket;
}

export interface Connection {
  /** The side that connected (or the one seen first), then the other side. */
  a: ConnectionEnd;
  b: ConnectionEnd;
}

/**
 * The connections of the run known by t: each program connection socket paired with the socket
 * at the other end (another actor's, or — for an outside client such as nc — the kernel's alone).
 * A connection exists once either end's program reported it; the other end is named from the
 * whole trace (its program may report its `connect` a moment later), so the connecting side
 * is always on the left.
 */
export function connectionsAt(ix: KernelIndex, t: number): Connection[] {
  const out: Connection[] = [];
  const used = new Set<string>();
  const n = countUpTo(ix.programSockets, t);
  for (let i = 0; i < n; i++) {
    const p = ix.programSockets[i]!;
    if (!p.remote) continue;
    const key = p.inode !== undefined ? unixKey(p.inode) : socketKey(p.local, p.remote);
    if (used.has(key)) continue;
    // A Unix socket's peer is known only from the kernel (unix_diag); until then it has no pipe.
    const peerKey = p.inode !== undefined ? ix.unixPeerKey(key) : socketKey(p.remote, p.local);
    if (peerKey === undefined) continue;
    used.add(key).add(peerKey);
    const peer = ix.ownerOf(peerKey);
    const mine: ConnectionEnd = { key, program: ix.ownerOf(key) ?? p };
    const theirs: ConnectionEnd = { key: peerKey, ...(peer ? { program: peer } : {}) };
    out.push(peer?.initiator && !mine.program!.initiator ? { a: theirs, b: mine } : { a: mine, b: theirs });
  }
  return out;
}

export interface Gauge {
  bytes: number;
  /** What the fill is measured against (a high-water mark or a buffer limit), if known. */
  limit?: number;
  /** The memory charged against `limit` when that differs from `bytes` (kernel queues: skb overhead). */
  mem?: number;
}

export interface PipelineView {
  writer: ConnectionEnd;
  reader: ConnectionEnd;
  /** Bytes the writing program passed to write() so far (null: not a lab actor). */
  wrote: number | null;
  /** Writer's Node queue (writableLength of writableHighWaterMark); null: no report yet. */
  nodeQueue: Gauge | null;
  /** When the writer began waiting for 'drain', if it is waiting. */
  waitingSince?: number;
  writeFalse?: number;
  drainWaitMs?: number;
  /** Writer's kernel send queue (Send-Q; memory against sndbuf). */
  sendQ: Gauge | null;
  notsent?: number;
  writerState?: KernelSocketState;
  writerOrphaned?: boolean;
  /** The window the reader advertised, as the writer last saw it (snd_wnd), and as the reader says (rcv_wnd). */
  sndWnd?: number;
  rcvWnd?: number;
  zeroWindow: boolean;
  /** Zero-window probes the writer sent without an answer, and the persist timer. */
  probes?: number;
  backoff?: number;
  persistMs?: number;
  /** Reader's kernel receive queue (Recv-Q; memory against rcvbuf). */
  recvQ: Gauge | null;
  readerState?: KernelSocketState;
  readerOrphaned?: boolean;
  /** Reader's Node buffer (readableLength of readableHighWaterMark). */
  nodeBuffer: Gauge | null;
  flowing?: boolean | null;
  /** Bytes the reading program received so far (null: not a lab actor). */
  read: number | null;
}

/**
 * A running timer's time left at `now`: samples are written when something changes, not while a
 * timer merely counts down, so the last sample's expiry is counted down to the moment shown.
 */
export function timerLeftMs(s: SampleEvent, now: number): number | undefined {
  if (!s.timer) return undefined;
  return Number.isFinite(now) ? Math.max(0, s.timer.expiresMs - Math.max(0, now - s.t)) : s.timer.expiresMs;
}

/**
 * The pipeline of one direction of a connection at time t (`now` is t made finite for a live
 * view at Infinity: the time of the last thing known).
 */
export function pipelineAt(ix: KernelIndex, writer: ConnectionEnd, reader: ConnectionEnd, t: number, now = t): PipelineView {
  const w = writer.program;
  const r = reader.program;
  const ws = ix.sampleAt(writer.key, t);
  const rs = ix.sampleAt(reader.key, t);
  const wn = w ? ix.nodeAt(w.actor, w.sock, t) : undefined;
  const rn = r ? ix.nodeAt(r.actor, r.sock, t) : undefined;
  const live = (s: SampleEvent | undefined) => (s && s.state !== 'GONE' ? s : undefined);
  const wl = live(ws);
  const rl = live(rs);
  // A Unix stream socket has no send queue of its own: what it wrote waits in the reader's receive
  // queue, charged as memory (skb truesize, ss "t") against the WRITER's send buffer. The reader's
  // queue has no limit of its own (its rcvbuf is not used), so it gets no gauge limit.
  const unix = wl?.proto === 'unix' || rl?.proto === 'unix';
  const v: PipelineView = {
    writer, reader,
    wrote: w ? ix.writtenAt(w.actor, w.sock, t) : null,
    nodeQueue: wn ? { bytes: wn.writableLength, limit: wn.writableHighWaterMark } : null,
    sendQ: wl && wl.sendQ !== undefined ? gauge(wl.sendQ, unix ? wl.skmem?.wmemAlloc : wl.skmem?.wmemQueued, wl.skmem?.sndbuf) : null,
    recvQ: rl && rl.recvQ !== undefined ? (unix ? { bytes: rl.recvQ } : gauge(rl.recvQ, rl.skmem?.rmemAlloc, rl.skmem?.rcvbuf)) : null,
    nodeBuffer: rn ? { bytes: rn.readableLength, limit: rn.readableHighWaterMark } : null,
    read: r ? ix.readAt(r.actor, r.sock, t) : null,
    zeroWindow: false,
  };
  if (ws) { v.writerState = ws.state; v.writerOrphaned = isOrphaned(ws); }
  if (rs) { v.readerState = rs.state; v.readerOrphaned = isOrphaned(rs); }
  if (w) {
    const since = ix.waitingSince(w.actor, w.sock, t);
    if (since !== undefined) v.waitingSince = since;
  }
  if (wn) { v.writeFalse = wn.writeFalse; v.drainWaitMs = wn.drainWaitMs; }
  if (rn) v.flowing = rn.flowing;
  if (wl) {
    if (wl.notsent !== undefined) v.notsent = wl.notsent;
    if (wl.sndWnd !== undefined) v.sndWnd = wl.sndWnd;
    if (wl.probes !== undefined) v.probes = wl.probes;
    if (wl.backoff !== undefined) v.backoff = wl.backoff;
    if (wl.timer?.name === 'persist') v.persistMs = timerLeftMs(wl, now)!;
  }
  if (rl?.rcvWnd !== undefined) v.rcvWnd = rl.rcvWnd;
  v.zeroWindow = (wl !== undefined && DATA_STATES.has(wl.state) && wl.sndWnd === 0) ||
    (rl !== undefined && DATA_STATES.has(rl.state) && rl.rcvWnd === 0);
  return v;
}

function gauge(bytes: number, mem: number | undefined, limit: number | undefined): Gauge {
  const g: Gauge = { bytes };
  if (mem !== undefined) g.mem = mem;
  if (limit !== undefined) g.limit = limit;
  return g;
}

/**
 * The directions worth drawing for a connection at t: each one that has carried data or holds
 * some, and at least the initiator's direction (a connection with no data yet still has a pipe).
 */
export function directionsAt(ix: KernelIndex, c: Connection, t: number, now = t): PipelineView[] {
  const ab = pipelineAt(ix, c.a, c.b, t, now);
  const ba = pipelineAt(ix, c.b, c.a, t, now);
  const used = (p: PipelineView) => (p.wrote ?? 0) > 0 || (p.read ?? 0) > 0 || (p.sendQ?.bytes ?? 0) > 0 || (p.recvQ?.bytes ?? 0) > 0 || (p.nodeQueue?.bytes ?? 0) > 0;
  const out = [ab, ba].filter(used);
  return out.length ? out : [ab];
}

/** Fill of a gauge in [0, 1]: memory against the limit when known, else bytes. */
export function fillOf(g: Gauge | null): number {
  if (!g || !g.limit) return 0;
  return Math.max(0, Math.min(1, (g.mem ?? g.bytes) / g.limit));
}

// -------------------------------------------------------------------------------------------------
// The whole-run chart

export type ChartField = 'sendQ' | 'recvQ' | 'sndWnd' | 'writableLength' | 'readableLength';

export interface ChartSeries {
  label: string;
  /** A kernel socket key, or actor/sock for Node-side figures. */
  source: string;
  field: ChartField;
}

export interface ChartData {
  series: ChartSeries[];
  /** uPlot's aligned columns: x (seconds since start), then one column per series (null = no value). */
  columns: [number[], ...(number | null)[][]];
}

interface Raw { s: ChartSeries; points: { t: number; v: number | null }[] }

/**
 * The run's queues and windows over time, as step series aligned on the union of their times:
 * each connected socket's Send-Q and Recv-Q (when ever non-zero), the peer's advertised window
 * (snd_wnd) of each socket that sent data, and Node's own queues (writableLength, readableLength)
 * when ever non-zero. Listeners are left out (their queue is the accept queue, another story).
 * A GONE socket has no value from then on.
 */
export function chartData(ix: KernelIndex, name: (source: string, isKey: boolean) => string): ChartData {
  const raws: Raw[] = [];
  for (const key of ix.keys) {
    const list = ix.samples.get(key)!;
    // Listeners (a Unix one may be seen bound, in CLOSE, just before it listens), and UDP sockets
    // (no connection: the udp experiment has its own view).
    const first = list[0]!;
    if (first.proto === 'udp') continue;
    if (first.proto === 'unix' ? list.some((x) => x.state === 'LISTEN') : first.remote.port === 0) continue;
    const ever = (f: 'sendQ' | 'recvQ') => list.some((x) => (x[f] ?? 0) > 0);
    const sent = ever('sendQ') || list.some((x) => (x.bytesSent ?? 0) > 0);
    for (const field of ['sendQ', 'recvQ', 'sndWnd'] as const) {
      const use = field === 'sndWnd' ? sent && list.some((x) => x.sndWnd !== undefined) : ever(field);
      if (!use) continue;
      raws.push({
        s: { source: key, field, label: `${name(key, true)} ${FIELD_LABEL[field]}` },
        points: list.map((x) => ({ t: x.t, v: x.state === 'GONE' ? null : (x[field] ?? null) })),
      });
    }
  }
  for (const [ref, list] of ix.nodestates) {
    for (const field of ['writableLength', 'readableLength'] as const) {
      if (!list.some((x) => x[field] > 0)) continue;
      raws.push({ s: { source: ref, field, label: `${name(ref, false)} ${FIELD_LABEL[field]}` }, points: list.map((x) => ({ t: x.t, v: x[field] })) });
    }
  }
  const times = new Set<number>();
  for (const r of raws) for (const p of r.points) times.add(p.t);
  const xs = [...times].sort((a, b) => a - b);
  const cols = raws.map((r) => {
    const col = new Array<number | null>(xs.length).fill(null);
    let i = 0;
    let cur: number | null = null;
    for (let x = 0; x < xs.length; x++) {
      while (i < r.points.length && r.points[i]!.t <= xs[x]!) cur = r.points[i++]!.v;
      col[x] = cur;
    }
    return col;
  });
  return { series: raws.map((r) => r.s), columns: [xs.map((x) => x / 1000), ...cols] };
}

const FIELD_LABEL: Record<ChartField, string> = {
  sendQ: 'kernel Send-Q',
  recvQ: 'kernel Recv-Q',
  sndWnd: 'peer window',
  writableLength: 'Node queue',
  readableLength: 'Node buffer',
};
