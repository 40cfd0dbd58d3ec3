import type { TraceEvent } from './schema.js';
import { describeEvent } from './derive.js';
import { packetFlagsText } from './capture-events.js';

/**
 * The ladder diagram as data: one row per socket event (in time order), and arrows between
 * rows for what crossed between two sockets — connect→accept, the write whose last byte a read
 * delivered, end→EOF. When the run captured packets, each TCP segment is a row of its own drawn
 * as an arrow from the sender's lane to the receiver's (`toLane`), labelled with its flags and
 * what it means (window 0, window probe, ...); the wire then shows the handshake and FINs itself,
 * so the inferred arrows for those are left out. Pure, so it is tested without a browser.
 */
export interface LadderRow {
  lane: number;
  t: number;
  kind: string;
  label: string;
  /** Packets only: the receiving lane (the row is an arrow from `lane` to `toLane`). */
  toLane?: number;
  /** Packets only: what to colour it by. */
  tone?: 'syn' | 'fin' | 'rst' | 'data' | 'ack' | 'zero' | 'probe' | 'update';
  /** After the cursor: drawn dimmed (only with `ghosts`). */
  future?: boolean;
}
export interface LadderArrow { from: number; to: number; label: string; kind: 'handshake' | 'bytes' | 'fin' }
export interface LadderModel { lanes: string[]; rows: LadderRow[]; arrows: LadderArrow[] }

export interface LadderOptions {
  /** Also include the rows after the cursor (`n`), marked `future`, so a pinned cursor has context. */
  ghosts?: boolean;
  /** Leave out captured segments (program calls only). */
  hidePackets?: boolean;
}

export const KINDS: ReadonlySet<string> = new Set(['listen', 'accept', 'connect', 'write', 'data', 'end', 'eof', 'destroy', 'close', 'error', 'drain', 'packet']);

interface SockInfo { actor: string; sock: string; local?: number; remote?: number; written: number; read: number }

type Packet = Extract<TraceEvent, { kind: 'packet' }>;

/** "SYN", "FIN ACK", "ACK 65483 B", "ACK ×12 segments 98304 B", "ACK · window 0" — what a ladder arrow says. */
export function packetLabel(p: Packet): string {
  const flags = p.flags.filter((f) => f !== 'PSH').length ? packetFlagsText({ flags: p.flags.filter((f) => f !== 'PSH') }) : packetFlagsText(p);
  const parts = [flags];
  // A summary of a fast run (server/capture/coalesce.ts): say so before the byte total.
  if (p.count !== undefined) parts.push(`×${p.count} segments`);
  if (p.len > 0) parts.push(`${p.len} B`);
  if (p.labels.length) parts.push(`· ${p.labels.join(', ')}`);
  return parts.join(' ');
}

export function toneOf(p: Packet): LadderRow['tone'] {
  if (p.flags.includes('RST')) return 'rst';
  if (p.flags.includes('SYN')) return 'syn';
  if (p.flags.includes('FIN')) return 'fin';
  if (p.labels.includes('window probe') || p.labels.includes('keepalive')) return 'probe';
  if (p.labels.includes('window 0')) return 'zero';
  if (p.labels.includes('window update')) return 'update';
  return p.len > 0 ? 'data' : 'ack';
}

export function ladderModel(events: readonly TraceEvent[], n: number, lanes: readonly string[], maxRows = 300, opts: LadderOptions = {}): LadderModel {
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
  // Which lane owns a port: from every listen / accept / connect of the run. The identity of a
  // port is not news, so the whole trace is used (a SYN comes before its connect event).
  const portLane = new Map<number, number>();
  const wirePairs = new Set<string>();
  for (const e of events) {
    if ((e.kind === 'listen' || e.kind === 'accept' || e.kind === 'connect') && laneOf.has(e.actor) && !portLane.has(e.local.port)) portLane.set(e.local.port, laneOf.get(e.actor)!);
    if (e.kind === 'packet') { wirePairs.add(`${e.src.port}>${e.dst.port}`); wirePairs.add(`${e.dst.port}>${e.src.port}`); }
  }
  const onWire = (a?: number, b?: number) => !opts.hidePackets && a !== undefined && b !== undefined && wirePairs.has(`${a}>${b}`);

  const socks = new Map<string, SockInfo>();
  const info = (actor: string, sock: string) => {
    const key = `${actor}/${sock}`;
    let s = socks.get(key);
    if (!s) { s = { actor, sock, written: 0, read: 0 }; socks.set(key, s); }
    return s;
  };
  const rows: LadderRow[] = [];
  const arrows: LadderArrow[] = [];
  // Per socket: writes still waiting for the peer read that delivers their last byte.
  const waitingWrites = new Map<SockInfo, { row: number; upTo: number }[]>();
  const connectRow = new Map<string, number>(); // "localPort>remotePort" of the connecting side
  const acceptRow = new Map<string, number>(); // "localPort>remotePort" of the accepting side
  const endRow = new Map<SockInfo, number>();

  // Sockets by "local>remote" port: a read finds the socket at the other end at once, however
  // many sockets a long run had (a scan per read made long traces quadratic).
  const byPorts = new Map<string, SockInfo>();
  const peerOf = (s: SockInfo): SockInfo | undefined => {
    if (s.local === undefined || s.remote === undefined) return undefined;
    const o = byPorts.get(`${s.remote}>${s.local}`);
    return o !== s ? o : undefined;
  };
  // Labels are made only for the rows that are kept (describing every event of a long run is slow).
  const rowEvents: (TraceEvent | null)[] = [];

  const end = opts.ghosts ? events.length : Math.min(n, events.length);
  let cursorRow = 0;
  for (let i = 0; i < end; i++) {
    const e = events[i]!;
    if (!KINDS.has(e.kind)) continue;
    const future = i >= n;
    if (!future) cursorRow = rows.length;
    if (e.kind === 'packet') {
      if (opts.hidePackets) continue;
      const from = portLane.get(e.src.port);
      const to = portLane.get(e.dst.port);
      if (from === undefined || to === undefined || from === to) continue;
      rows.push({ lane: from, toLane: to, t: e.t, kind: 'packet', label: packetLabel(e), tone: toneOf(e), ...(future ? { future } : {}) });
      continue;
    }
    if (!laneOf.has(e.actor) || !('sock' in e) || !e.sock) continue;
    const s = info(e.actor, e.sock);
    const row = rows.length;
    rows.push({ lane: laneOf.get(e.actor)!, t: e.t, kind: e.kind, label: '', ...(future ? { future } : {}) });
    rowEvents[row] = e;
    switch (e.kind) {
      // connect and accept are both notifications after the kernel finished the handshake, so
      // either can come first; the arrow always goes from the connecting side to the acceptor.
      case 'connect': {
        s.local = e.local.port; s.remote = e.remote.port;
        byPorts.set(`${s.local}>${s.remote}`, s);
        if (onWire(s.local, s.remote)) break;
        const a = acceptRow.get(`${e.remote.port}>${e.local.port}`);
        if (a !== undefined) arrows.push({ from: row, to: a, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' });
        else connectRow.set(`${e.local.port}>${e.remote.port}`, row);
        break;
      }
      case 'accept': {
        s.local = e.local.port; s.remote = e.remote.port;
        byPorts.set(`${s.local}>${s.remote}`, s);
        if (onWire(s.local, s.remote)) break;
        const c = connectRow.get(`${e.remote.port}>${e.local.port}`);
        if (c !== undefined) arrows.push({ from: c, to: row, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' });
        else acceptRow.set(`${e.local.port}>${e.remote.port}`, row);
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
        const p = peerOf(s);
        const list = p ? waitingWrites.get(p) : undefined;
        while (list && list.length > 0 && list[0]!.upTo <= s.read) {
          arrows.push({ from: list.shift()!.row, to: row, label: '', kind: 'bytes' });
        }
        break;
      }
      case 'end': endRow.set(s, row); break;
      case 'eof': {
        const p = peerOf(s);
        const from = p ? endRow.get(p) : undefined;
        if (from !== undefined && !onWire(s.local, s.remote)) arrows.push({ from, to: row, label: 'FIN', kind: 'fin' });
        break;
      }
    }
  }
  // Too many rows: keep the newest (following live), or a window around the cursor (ghosts).
  let drop = Math.max(0, rows.length - maxRows);
  if (opts.ghosts && drop > 0) drop = Math.min(drop, Math.max(0, cursorRow - Math.floor(maxRows / 2)));
  const keep = rows.slice(drop, drop + maxRows);
  keep.forEach((r, i) => { const e = rowEvents[drop + i]; if (e) r.label = describeEvent(e); });
  return {
    lanes: [...lanes],
    rows: keep,
    arrows: arrows.filter((a) => a.from >= drop && a.to >= drop && a.from < drop + keep.length && a.to < drop + keep.length).map((a) => ({ ...a, from: a.from - drop, to: a.to - drop })),
  };
}
