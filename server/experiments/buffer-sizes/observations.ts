/**
 * What the sweep expects, computed from the trace: the sockopt events (asked vs kept) and the
 * `size-result` reports joined by shared/flow/buffer-sweep.ts.
 */
import type { ObservationSpec } from '../experiment.js';
import { sweepRows } from '../../../shared/flow/buffer-sweep.js';
import { fmtBytes } from '../flow-shared/buffers.js';
import { parseSizes } from './sizes.js';

const sizesOf = (params: Record<string, unknown>) => parseSizes(String(params.sizes ?? ''));

export const observations: ObservationSpec[] = [
  {
    id: 'kept-not-asked',
    label: 'The kernel decides what it keeps: it doubles what was asked, raises tiny sizes and caps big ones',
    check: (q) => {
      const sets = q.of('sockopt').filter((e) => (e.option === 'SO_SNDBUF' || e.option === 'SO_RCVBUF') && typeof e.requested === 'number');
      if (sets.length === 0) return { held: false, detail: 'no SO_SNDBUF / SO_RCVBUF set in the trace (only auto?)' };
      const failed = sets.filter((e) => typeof e.effective !== 'number');
      if (failed.length) return { held: false, detail: `the kernel did not report a size back: ${failed[0]!.error ?? 'unknown'}` };
      const differ = sets.filter((e) => e.effective !== e.requested);
      const pairs = [...new Map(sets.map((e) => [`${e.option} ${e.requested}`, `${e.option} ${fmtBytes(e.requested as number)} → ${fmtBytes(e.effective as number)}`])).values()];
      // Asking exactly twice the cap (e.g. 8 MiB under a 4 MiB net.core.*mem_max) keeps what was asked by coincidence.
      return { held: differ.length > 0, detail: pairs.join('; ') };
    },
  },
  {
    id: 'all-measured',
    label: 'Every size was measured on both sides',
    check: (q, params) => {
      const want = sizesOf(params).length;
      const rows = sweepRows(q.events);
      const both = rows.filter((r) => r.writer && r.reader);
      return { held: both.length === want, detail: `${both.length} of ${want} sizes measured on both sides` };
    },
  },
  {
    id: 'bigger-holds-more',
    label: 'Bigger buffers let the writer hand over more before it truly stops',
    check: (q) => {
      const rows = sweepRows(q.events).filter((r) => r.writer && r.size !== 'auto');
      if (rows.length < 2) return { held: false, detail: 'needs at least two fixed sizes measured' };
      const stops = rows.map((r) => r.writer!.stopped);
      const rising = stops.every((s, i) => i === 0 || s >= stops[i - 1]!);
      const grew = stops.at(-1)! > stops[0]!;
      return { held: rising && grew, detail: rows.map((r) => `${fmtBytes(r.size as number)}: ${fmtBytes(r.writer!.stopped)}`).join(', ') };
    },
  },
  {
    id: 'overhead',
    label: 'The reader’s kernel never holds a whole SO_RCVBUF of data: part of the buffer pays for packet overhead',
    check: (q) => {
      const rows = sweepRows(q.events).filter((r) => r.reader && r.reader.kernelRecvQ !== null && r.reader.rcvbufEffective !== null && r.size !== 'auto');
      if (rows.length === 0) return { held: false, detail: 'no fixed size measured on the reader’s side yet' };
      const over = rows.filter((r) => r.reader!.kernelRecvQ! >= r.reader!.rcvbufEffective!);
      const detail = rows.map((r) => `${fmtBytes(r.reader!.kernelRecvQ!)} of ${fmtBytes(r.reader!.rcvbufEffective!)} (${Math.round((100 * r.reader!.kernelRecvQ!) / r.reader!.rcvbufEffective!)}%)`).join(', ');
      return { held: over.length === 0 && rows.some((r) => r.reader!.kernelRecvQ! > 0), detail };
    },
  },
  {
    id: 'auto-sized',
    label: 'With auto, the kernel sizes the send buffer itself, far beyond the default it starts from (tcp_wmem)',
    check: (q, params) => {
      if (!sizesOf(params).includes('auto')) return { held: false, detail: 'auto is not among the sizes' };
      const row = sweepRows(q.events).find((r) => r.size === 'auto' && r.writer);
      if (!row) return { held: false, detail: 'auto not measured yet' };
      const { sndbufAtConnect: a, sndbufAtStop: b, tcpWmem } = row.writer!;
      if (a === null || b === null) return { held: false, detail: 'SO_SNDBUF could not be read back (no kernel view)' };
      if (!tcpWmem) return { held: false, detail: 'net.ipv4.tcp_wmem could not be read (not Linux?)' };
      const [, start, max] = tcpWmem as [number, number, number];
      return {
        held: b > start,
        detail: `tcp_wmem starts a socket at ${fmtBytes(start)} (max ${fmtBytes(max)}); SO_SNDBUF was ${fmtBytes(a)} right after connect and ${fmtBytes(b)} when the writer stopped`,
      };
    },
  },
];
