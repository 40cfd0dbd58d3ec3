/**
 * The buffer-sizes sweep as rows: one per size, joining what the writer and the reader reported
 * (`size-result` custom events) and the socket options as the kernel kept them. Pure, so the
 * experiment's observations, the UI panel and the tests compute it one way.
 */
import type { TraceEvent } from '../trace/schema.js';

export interface WriterResult {
  firstBackpressure: number;
  stopped: number;
  /** Node's writableLength at the stop (counts a partly written request whole). */
  nodeQueue: number;
  kernelSendQ: number | null;
  sndbufEffective: number | null;
  sndbufAtConnect: number | null;
  sndbufAtStop: number | null;
  drains: number;
  ms: number;
  /** auto only: net.ipv4.tcp_wmem [min, default, max] as the writer read it, or null. */
  tcpWmem: number[] | null;
}

export interface ReaderResult {
  kernelRecvQ: number | null;
  nodeBuffer: number;
  rcvbufEffective: number | null;
}

export interface SweepRow {
  index: number;
  size: number | 'auto';
  /** SO_RCVBUF asked for this connection and what the kernel kept (sockopt on the listener). */
  rcvbufAsked: number | null;
  rcvbufKept: number | null;
  writer?: WriterResult;
  reader?: ReaderResult;
  /**
   * Bytes really still inside the writer's Node at the stop: handed to write() minus everything
   * the kernels and the reader's Node hold. Null until both sides reported with kernel figures.
   */
  inWriterNode: number | null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

function sizeOf(v: unknown): number | 'auto' | null {
  return v === 'auto' ? 'auto' : num(v);
}

/** Rows for the events up to `upTo` (exclusive index), ordered by index. */
export function sweepRows(events: readonly TraceEvent[], upTo = events.length): SweepRow[] {
  const rows = new Map<number, SweepRow>();
  // SO_RCVBUF is set on the listener for connection k+1 when connection k is accepted (and for
  // connection 0 at listen): the i-th numeric set belongs to the i-th numeric size.
  const rcvSets: { asked: number | null; kept: number | null }[] = [];
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'sockopt' && e.actor === 'reader' && e.option === 'SO_RCVBUF') rcvSets.push({ asked: num(e.requested), kept: num(e.effective) });
    if (e.kind !== 'custom' || e.name !== 'size-result') continue;
    const d = e.data;
    const index = num(d.index);
    const size = sizeOf(d.size);
    if (index === null || size === null || index < 0 || index > 64) continue;
    const row = rows.get(index) ?? { index, size, rcvbufAsked: null, rcvbufKept: null, inWriterNode: null };
    if (d.role === 'writer') {
      const stopped = num(d.stopped);
      const first = num(d.firstBackpressure);
      if (stopped === null || first === null) continue;
      row.writer = {
        firstBackpressure: first, stopped, nodeQueue: num(d.nodeQueue) ?? 0, kernelSendQ: num(d.kernelSendQ),
        sndbufEffective: num(d.sndbufEffective), sndbufAtConnect: num(d.sndbufAtConnect), sndbufAtStop: num(d.sndbufAtStop),
        drains: num(d.drains) ?? 0, ms: num(d.ms) ?? 0,
        tcpWmem: Array.isArray(d.tcpWmem) && d.tcpWmem.length === 3 && d.tcpWmem.every((x) => num(x) !== null) ? (d.tcpWmem as number[]) : null,
      };
    } else if (d.role === 'reader') {
      row.reader = { kernelRecvQ: num(d.kernelRecvQ), nodeBuffer: num(d.nodeBuffer) ?? 0, rcvbufEffective: num(d.rcvbufEffective) };
    }
    rows.set(index, row);
  }
  const out = [...rows.values()].sort((a, b) => a.index - b.index);
  let k = 0;
  for (const r of out) {
    if (r.size !== 'auto') {
      const set = rcvSets[k++];
      if (set && set.asked === r.size) { r.rcvbufAsked = set.asked; r.rcvbufKept = set.kept; }
    }
    const w = r.writer;
    const rd = r.reader;
    if (w && rd && w.kernelSendQ !== null && rd.kernelRecvQ !== null) r.inWriterNode = w.stopped - w.kernelSendQ - rd.kernelRecvQ - rd.nodeBuffer;
  }
  return out;
}
