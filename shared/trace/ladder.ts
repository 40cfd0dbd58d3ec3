import type { TraceEvent } from './schema.js';
import { describeEvent } from './derive.js';

/**
 * The ladder diagram as data: one row per socket event (in time order), and arrows between
 * rows for what crossed between two sockets — connect→accept, the write whose last byte a read
 * delivered, end→EOF. Pure, so it is tested without a browser.
 */
export interface LadderRow { lane: number; t: number; kind: string; label: string }
export interface LadderArrow { from: number; to: number; label: string; kind: 'handshake' | 'bytes' | 'fin' }
export interface LadderModel { lanes: string[]; rows: LadderRow[]; arrows: LadderArrow[] }

const KINDS = new Set(['listen', 'accept', 'connect', 'write', 'data', 'end', 'eof', 'destroy', 'close', 'error', 'drain']);

interface SockInfo { actor: string; sock: string; local?: number; remote?: number; written: number; read: number }

export function ladderModel(events: readonly TraceEvent[], n: number, lanes: readonly string[], maxRows = 300): LadderModel {
  const laneOf = new Map(lanes.map((l, i) => [l, i]));
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

  const peerOf = (s: SockInfo): SockInfo | undefined => {
    if (s.local === undefined || s.remote === undefined) return undefined;
    for (const o of socks.values()) if (o !== s && o.local === s.remote && o.remote === s.local) return o;
    return undefined;
  };

  const end = Math.min(n, events.length);
  for (let i = 0; i < end; i++) {
    const e = events[i]!;
    if (!KINDS.has(e.kind) || !laneOf.has(e.actor) || !('sock' in e) || !e.sock) continue;
    const s = info(e.actor, e.sock);
    const row = rows.length;
    rows.push({ lane: laneOf.get(e.actor)!, t: e.t, kind: e.kind, label: describeEvent(e) });
    switch (e.kind) {
      // connect and accept are both notifications after the kernel finished the handshake, so
      // either can come first; the arrow always goes from the connecting side to the acceptor.
      case 'connect': {
        s.local = e.local.port; s.remote = e.remote.port;
        const a = acceptRow.get(`${e.remote.port}>${e.local.port}`);
        if (a !== undefined) arrows.push({ from: row, to: a, label: 'SYN · SYN-ACK · ACK', kind: 'handshake' });
        else connectRow.set(`${e.local.port}>${e.remote.port}`, row);
        break;
      }
      case 'accept': {
        s.local = e.local.port; s.remote = e.remote.port;
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
        if (from !== undefined) arrows.push({ from, to: row, label: 'FIN', kind: 'fin' });
        break;
      }
    }
  }
  // Keep the newest rows; arrows into dropped rows are dropped too.
  const drop = Math.max(0, rows.length - maxRows);
  return {
    lanes: [...lanes],
    rows: rows.slice(drop),
    arrows: arrows.filter((a) => a.from >= drop && a.to >= drop).map((a) => ({ ...a, from: a.from - drop, to: a.to - drop })),
  };
}
