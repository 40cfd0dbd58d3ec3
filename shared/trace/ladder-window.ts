/**
 * The ladder of a long trace without walking the whole trace on every seek. `ladderModel` builds
 * a row for every socket event of the run and then keeps a window of `maxRows`; in a 100 MB trace
 * that is hundreds of thousands of rows per frame. Here an index, built once per trace version,
 * says which events make rows, where each socket's byte counters stand at any event, which
 * connect pairs with which accept and which socket is whose peer; the window is then computed
 * from its first row only. The result is the same model, row for row and arrow for arrow (a
 * property test compares the two on real traces).
 */
import { describeEvent } from './derive.js';
import { KINDS, ladderModel, packetLabel, toneOf, type LadderArrow, type LadderModel, type LadderOptions, type LadderRow } from './ladder.js';
import type { TraceEvent } from './schema.js';

/** Below this many events the plain model is cheap enough (and needs no index). */
export const WINDOW_FROM_EVENTS = 5_000;

interface Series { idx: number[]; val: number[] }
interface LadderIndex {
  length: number;
  key: string;
  hidePackets: boolean;
  /** The last event indexed: if it is still at length - 1, the trace only grew since (see extend). */
  lastEvent: TraceEvent | undefined;
  laneOf: Map<string, number>;
  portLane: Map<number, number>;
  /** rowsBefore[i]: rows made by events[0..i) (capacity grows by doubling; valid up to length). */
  rowsBefore: Int32Array;
  /** kindsBefore[i]: index of the last ladder-kind event before i, or -1. */
  kindsBefore: Int32Array;
  /** rowEvent[r]: the event that made row r. */
  rowEvent: number[];
  /** For the second event of a handshake pair: the index of the first (connect ↔ accept). */
  partner: Map<number, number>;
  /** Per socket ("actor/sock"): cumulative bytes written / read after each write / data. */
  written: Map<string, Series>;
  read: Map<string, Series>;
  /** Per socket: its ports, from its connect / accept events. */
  ports: Map<string, { idx: number[]; local: number[]; remote: number[] }>;
  /** "local>remote" → the sockets that had those ports, in order (for peer lookups). */
  byPorts: Map<string, { idx: number[]; key: string[] }>;
  wirePairs: Set<string>;
  /** Scan state, to carry on from `length` when the trace grows. */
  rows: number;
  lastKinds: number;
  connectAt: Map<string, number>;
  acceptAt: Map<string, number>;
}

const cache = new WeakMap<readonly TraceEvent[], LadderIndex>();

/** Same arguments and result as `ladderModel`; fast on long traces. */
export function ladderView(events: readonly TraceEvent[], n: number, lanes: readonly string[], maxRows = 300, opts: LadderOptions = {}): LadderModel {
  if (events.length < WINDOW_FROM_EVENTS) return ladderModel(events, n, lanes, maxRows, opts);
  return windowed(indexFor(events, lanes, Boolean(opts.hidePackets)), events, n, lanes, maxRows, opts);
}

/** The indexed path whatever the size (for tests comparing it with ladderModel). */
export function ladderViewIndexed(events: readonly TraceEvent[], n: number, lanes: readonly string[], maxRows = 300, opts: LadderOptions = {}): LadderModel {
  return windowed(indexFor(events, lanes, Boolean(opts.hidePackets)), events, n, lanes, maxRows, opts);
}

function indexFor(events: readonly TraceEvent[], lanes: readonly string[], hidePackets: boolean): LadderIndex {
  const key = `${lanes.join('\u0000')}|${hidePackets}`;
  const hit = cache.get(events);
  if (hit && hit.key === key) {
    if (hit.length === events.length && events[hit.length - 1] === hit.lastEvent) return hit;
    // Following a live run: index only what arrived since, not the whole trace again.
    if (extend(hit, events)) return hit;
  }
  const ix = buildIndex(events, lanes, hidePackets, key);
  cache.set(events, ix);
  return ix;
}

function push(m: Map<string, Series>, k: string, idx: number, val: number): number {
  let s = m.get(k);
  if (!s) { s = { idx: [], val: [] }; m.set(k, s); }
  const total = (s.val[s.val.length - 1] ?? 0) + val;
  s.idx.push(idx);
  s.val.push(total);
  return total;
}

/** The last entry of a series with index < i (0 when none). */
function before(s: Series | undefined, i: number): number {
  if (!s) return 0;
  const j = lastBelow(s.idx, i);
  return j < 0 ? 0 : s.val[j]!;
}

/** Position of the last element < i in an ascending array, or -1. */
function lastBelow(a: readonly number[], i: number): number {
  let lo = 0;
  let hi = a.length;
  while (lo < hi) { const mid = (lo + hi) >>> 1; if (a[mid]! < i) lo = mid + 1; else hi = mid; }
  return lo - 1;
}

function buildIndex(events: readonly TraceEvent[], lanes: readonly string[], hidePackets: boolean, key: string): LadderIndex {
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
  const portLane = new Map<number, number>();
  const wirePairs = new Set<string>();
  for (const e of events) {
    if ((e.kind === 'listen' || e.kind === 'accept' || e.kind === 'connect') && laneOf.has(e.actor) && !portLane.has(e.local.port)) portLane.set(e.local.port, laneOf.get(e.actor)!);
    if (e.kind === 'packet') { wirePairs.add(`${e.src.port}>${e.dst.port}`); wirePairs.add(`${e.dst.port}>${e.src.port}`); }
  }
  const cap = events.length + 1;
  const ix: LadderIndex = {
    length: 0, key, hidePackets, lastEvent: undefined, laneOf, portLane,
    rowsBefore: new Int32Array(cap), kindsBefore: new Int32Array(cap), rowEvent: [],
    partner: new Map(), written: new Map(), read: new Map(), ports: new Map(), byPorts: new Map(), wirePairs,
    rows: 0, lastKinds: -1, connectAt: new Map(), acceptAt: new Map(),
  };
  ix.kindsBefore[0] = -1;
  scan(ix, events);
  return ix;
}

/**
 * Carry the index on over events[length..] when the trace only grew at its end. Whether a port
 * belongs to a lane and which port pairs were seen on the wire come from the whole trace (a SYN
 * precedes its connect event), so new ones change earlier rows: then this declines (false) and
 * the index is built again — once per new connection, not once per frame.
 */
function extend(ix: LadderIndex, events: readonly TraceEvent[]): boolean {
  const len = events.length;
  if (len < ix.length || (ix.length > 0 && events[ix.length - 1] !== ix.lastEvent)) return false; // a late event went in before the end
  for (let i = ix.length; i < len; i++) {
    const e = events[i]!;
    if ((e.kind === 'listen' || e.kind === 'accept' || e.kind === 'connect') && ix.laneOf.has(e.actor) && !ix.portLane.has(e.local.port)) return false;
    if (e.kind === 'packet' && (!ix.wirePairs.has(`${e.src.port}>${e.dst.port}`) || !ix.wirePairs.has(`${e.dst.port}>${e.src.port}`))) return false;
  }
  if (ix.rowsBefore.length < len + 1) {
    const cap = Math.max(len + 1, ix.rowsBefore.length * 2);
    const rb = new Int32Array(cap); rb.set(ix.rowsBefore.subarray(0, ix.length + 1)); ix.rowsBefore = rb;
    const kb = new Int32Array(cap); kb.set(ix.kindsBefore.subarray(0, ix.length + 1)); ix.kindsBefore = kb;
  }
  scan(ix, events);
  return true;
}

/** Index events[ix.length..events.length), carrying on from the state the index holds. */
function scan(ix: LadderIndex, events: readonly TraceEvent[]): void {
  const { laneOf, portLane, hidePackets, rowsBefore, kindsBefore, rowEvent, partner, written, read, ports, byPorts, connectAt, acceptAt } = ix;
  const onWire = (a: number, b: number) => !hidePackets && ix.wirePairs.has(`${a}>${b}`);
  const len = events.length;
  let rows = ix.rows;
  let lastKinds = ix.lastKinds;
  for (let i = ix.length; i < len; i++) {
    rowsBefore[i] = rows;
    kindsBefore[i] = lastKinds;
    const e = events[i]!;
    if (!KINDS.has(e.kind)) continue;
    lastKinds = i;
    if (e.kind === 'packet') {
      if (hidePackets) continue;
      const from = portLane.get(e.src.port);
      const to = portLane.get(e.dst.port);
      if (from === undefined || to === undefined || from === to) continue;
      rowEvent.push(i);
      rows++;
      continue;
    }
    if (!laneOf.has(e.actor) || !('sock' in e) || !e.sock) continue;
    rowEvent.push(i);
    rows++;
    const sk = `${e.actor}/${e.sock}`;
    switch (e.kind) {
      case 'connect':
      case 'accept': {
        const local = e.local.port;
        const remote = e.remote.port;
        let p = ports.get(sk);
        if (!p) { p = { idx: [], local: [], remote: [] }; ports.set(sk, p); }
        p.idx.push(i); p.local.push(local); p.remote.push(remote);
        let b = byPorts.get(`${local}>${remote}`);
        if (!b) { b = { idx: [], key: [] }; byPorts.set(`${local}>${remote}`, b); }
        b.idx.push(i); b.key.push(sk);
        if (onWire(local, remote)) break;
        // The same pairing as ladderModel: the second of the two finds the first.
        const mine = e.kind === 'connect' ? connectAt : acceptAt;
        const other = e.kind === 'connect' ? acceptAt : connectAt;
        const found = other.get(`${remote}>${local}`);
        if (found !== undefined) partner.set(i, found);
        else mine.set(`${local}>${remote}`, i);
        break;
      }
      case 'write': push(written, sk, i, e.bytes); break;
      case 'data': push(read, sk, i, e.bytes); break;
      default: break;
    }
  }
  rowsBefore[len] = rows;
  kindsBefore[len] = lastKinds;
  ix.rows = rows;
  ix.lastKinds = lastKinds;
  ix.length = len;
  ix.lastEvent = events[len - 1];
}

interface Sock { key: string; local?: number; remote?: number; written: number; read: number }

function windowed(ix: LadderIndex, events: readonly TraceEvent[], n: number, lanes: readonly string[], maxRows: number, opts: LadderOptions): LadderModel {
  const end = opts.ghosts ? events.length : Math.min(n, events.length);
  const total = ix.rowsBefore[end]!;
  const lastK = n > 0 ? ix.kindsBefore[Math.min(n, events.length)]! : -1;
  // ladderModel's cursorRow: the rows before the last ladder-kind event before the cursor.
  const cursorRow = lastK >= 0 ? ix.rowsBefore[lastK]! : 0;
  let drop = Math.max(0, total - maxRows);
  if (opts.ghosts && drop > 0) drop = Math.min(drop, Math.max(0, cursorRow - Math.floor(maxRows / 2)));
  const keepCount = Math.min(maxRows, total - drop);
  if (keepCount <= 0) return { lanes: [...lanes], rows: [], arrows: [] };
  const first = ix.rowEvent[drop]!;
  const last = ix.rowEvent[drop + keepCount - 1]!;
  const onWire = (a?: number, b?: number) => !opts.hidePackets && a !== undefined && b !== undefined && ix.wirePairs.has(`${a}>${b}`);

  const socks = new Map<string, Sock>();
  // A socket as it stood just before event i: its counters and, if its connect/accept came
  // earlier, its ports.
  const sockAt = (key: string, i: number): Sock => {
    let s = socks.get(key);
    if (!s) {
      s = { key, written: before(ix.written.get(key), first), read: before(ix.read.get(key), first) };
      const p = ix.ports.get(key);
      const j = p ? lastBelow(p.idx, i) : -1;
      if (p && j >= 0) { s.local = p.local[j]; s.remote = p.remote[j]; }
      socks.set(key, s);
    }
    return s;
  };
  const peerOf = (s: Sock, i: number): Sock | undefined => {
    if (s.local === undefined || s.remote === undefined) return undefined;
    const b = ix.byPorts.get(`${s.remote}>${s.local}`);
    const j = b ? lastBelow(b.idx, i) : -1;
    if (!b || j < 0 || b.key[j] === s.key) return undefined;
    return sockAt(b.key[j]!, i);
  };

  const rows: LadderRow[] = [];
  const arrows: LadderArrow[] = [];
  const waitingWrites = new Map<Sock, { row: number; upTo: number }[]>();
  const endRow = new Map<Sock, number>();
  for (let i = first; i <= last; i++) {
    const e = events[i]!;
    if (!KINDS.has(e.kind)) continue;
    const future = i >= n;
    if (e.kind === 'packet') {
      if (opts.hidePackets) continue;
      const from = ix.portLane.get(e.src.port);
      const to = ix.portLane.get(e.dst.port);
      if (from === undefined || to === undefined || from === to) continue;
      rows.push({ lane: from, toLane: to, t: e.t, kind: 'packet', label: packetLabel(e), tone: toneOf(e), ...(future ? { future } : {}) });
      continue;
    }
    if (!ix.laneOf.has(e.actor) || !('sock' in e) || !e.sock) continue;
    const s = sockAt(`${e.actor}/${e.sock}`, i);
    const row = rows.length;
    rows.push({ lane: ix.laneOf.get(e.actor)!, t: e.t, kind: e.kind, label: describeEvent(e), ...(future ? { future } : {}) });
    switch (e.kind) {
      case 'connect':
      case 'accept': {
        s.local = e.local.port; s.remote = e.remote.port;
        const p = ix.partner.get(i);
        if (p === undefined || p < first) break; // unpaired, or paired with a row outside the window
        const other = ix.rowsBefore[p]! - drop;
        arrows.push(e.kind === 'connect'
          ? { from: row, to: other, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' }
          : { from: other, to: row, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' });
        break;
      }
      case 'write': {
        s.written += e.bytes;
        const list = waitingWrites.get(s) ?? [];
        list.push({ row, upTo: s.written });
        waitingWrites.set(s, list);
        break;
      }
      case 'data': {
        s.read += e.bytes;
        const p = peerOf(s, i);
        const list = p ? waitingWrites.get(p) : undefined;
        while (list && list.length > 0 && list[0]!.upTo <= s.read) arrows.push({ from: list.shift()!.row, to: row, label: '', kind: 'bytes' });
        break;
      }
      case 'end': endRow.set(s, row); break;
      case 'eof': {
        const p = peerOf(s, i);
        const from = p ? endRow.get(p) : undefined;
        if (from !== undefined && !onWire(s.local, s.remote)) arrows.push({ from, to: row, label: 'FIN', kind: 'fin' });
        break;
      }
    }
  }
  return { lanes: [...lanes], rows, arrows };
}
