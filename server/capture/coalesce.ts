/**
 * Summarises runs of ordinary segments when they come fast, so a full-speed transfer does not
 * become ten thousand `packet` events a second (each one validated, stored, sent to every
 * browser and written to the trace file, on the same 2 cores as the programs being measured).
 *
 * What may be summarised: segments of one direction that are all plain data, or all plain ACKs,
 * with no SYN/FIN/RST/URG and no label (window 0, window update, probe, keepalive,
 * retransmission, dup ack), each following the previous one within GAP_US. Anything else is
 * written as its own event, after whatever was pending on its connection (both directions), so
 * the order around every segment a reader looks for stays as the wire had it. A run of one is
 * written exactly as before (no `count`); a run of N ≥ 2 becomes one event with `count` N,
 * `len` the payload total, `seq` the first segment's, `ack`/`win`/`window` the last one's,
 * `t` the first one's time and `spanUs` the time to the last (docs/trace-format.md).
 *
 * Labels are decided by the FlowTracker on every segment before this step, so summarising
 * never hides one. No allocation per segment beyond the event the tracker already made.
 */
import type { PacketFields } from './tcp-flows.js';

/** A segment joins a run only if it follows the run's last segment within this (µs). */
export const GAP_US = 1000;
/** A run is written once it spans this long, so a live ladder keeps moving (µs). */
export const MAX_SPAN_US = 50_000;

export type Emit = (fields: PacketFields, mono: number) => void;

interface Run {
  first: PacketFields;
  last: PacketFields;
  firstMono: number;
  lastMono: number;
  count: number;
  bytes: number;
  data: boolean;
}

/** Flags a summarised segment may carry: ACK, optionally PSH. */
const PLAIN = new Set(['ACK', 'PSH']);

function plain(f: PacketFields): boolean {
  if (f.labels.length !== 0 || f.mss !== undefined || f.wscale !== undefined) return false;
  let ack = false;
  for (const flag of f.flags) {
    if (!PLAIN.has(flag)) return false;
    if (flag === 'ACK') ack = true;
  }
  return ack;
}

/** Direction key without a string: the two ports (addresses are checked on the run itself). */
const dirKey = (f: PacketFields) => f.src.port * 65536 + f.dst.port;
const sameEnds = (a: PacketFields, b: PacketFields) => a.src.address === b.src.address && a.dst.address === b.dst.address;

export class Coalescer {
  private readonly runs = new Map<number, Run>();
  /** Segments written as part of a summary (count ≥ 2), and summary events written. */
  summarised = 0;
  summaries = 0;

  constructor(private readonly emit: Emit) {}

  push(f: PacketFields, mono: number): void {
    const key = dirKey(f);
    const r = this.runs.get(key);
    if (!plain(f)) {
      // Whatever was pending on this connection (both directions) comes first, oldest first.
      const backKey = f.dst.port * 65536 + f.src.port;
      const back = this.runs.get(backKey);
      if (r) this.runs.delete(key);
      if (back) this.runs.delete(backKey);
      if (r && back && back.firstMono < r.firstMono) { this.write(back); this.write(r); }
      else { if (r) this.write(r); if (back) this.write(back); }
      this.emit(f, mono);
      return;
    }
    const data = f.len > 0;
    if (r && r.data === data && mono - r.lastMono <= GAP_US && mono - r.firstMono < MAX_SPAN_US && sameEnds(r.first, f)) {
      r.last = f;
      r.lastMono = mono;
      r.count++;
      r.bytes += f.len;
      return;
    }
    if (r) this.write(r);
    this.runs.set(key, { first: f, last: f, firstMono: mono, lastMono: mono, count: 1, bytes: f.len, data });
  }

  /** Write runs whose last segment is more than GAP_US before `now` (no more can join them). */
  flushIdle(now: number): void {
    for (const [key, r] of this.runs) {
      if (now - r.lastMono > GAP_US) { this.write(r); this.runs.delete(key); }
    }
  }

  /** Write everything pending, oldest first. */
  flushAll(): void {
    const rest = [...this.runs.values()].sort((a, b) => a.firstMono - b.firstMono);
    this.runs.clear();
    for (const r of rest) this.write(r);
  }

  get pending(): number { return this.runs.size; }

  private write(r: Run): void {
    if (r.count === 1) { this.emit(r.first, r.firstMono); return; }
    const { ack, win, window } = r.last;
    const out: PacketFields = { ...r.first, win, len: r.bytes, count: r.count, spanUs: Math.round(r.lastMono - r.firstMono) };
    if (ack !== undefined) out.ack = ack; else delete out.ack;
    if (window !== undefined) out.window = window; else delete out.window;
    this.summarised += r.count;
    this.summaries++;
    this.emit(out, r.firstMono);
  }
}
