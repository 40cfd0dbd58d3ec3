/**
 * Helpers for honest observation checks (held, failed or not reached: shared/trace/verdict.ts),
 * used by the Basics, Servers, Errors & timeouts and Tools experiments. Pure functions of the
 * trace: a check says only what these found in it.
 */
import type { Connection, TraceQuery } from '../../shared/trace/query.js';
import type { CheckResult } from '../../shared/trace/verdict.js';
import type { Address } from '../../shared/trace/common.js';

export const held = (detail: string): CheckResult => ({ held: true, detail });
export const failed = (detail: string): CheckResult => ({ held: false, detail });
/** The trace does not have the moment the check needs (yet): nothing was proved either way. */
export const notReached = (detail: string): CheckResult => ({ held: false, reached: false, detail });

/**
 * How long, on loopback, bytes and FINs certainly take to arrive and be reported: a program that
 * lived this long after the moment had its chance to show it. Generous: loopback takes
 * microseconds, the runtime reports within a few milliseconds.
 */
export const SETTLE_MS = 250;

/** Not reached when the trace has no kernel samples at all (the kernel view is off). */
export function kernelOff(q: TraceQuery): CheckResult | undefined {
  return q.of('sample').length === 0 ? notReached('no kernel samples in the trace (is the kernel view on? see the trace header capabilities)') : undefined;
}

/** The time of the trace's last event (the lab's own observation lines left out): "now" for a live trace. */
export function traceEnd(q: TraceQuery): number {
  let end = 0;
  for (const e of q.events) if (e.kind !== 'observation' && e.t > end) end = e.t;
  return end;
}

/** Until when an actor was there to act: its exit, or the end of the trace while it runs. */
export function lifeEnd(q: TraceQuery, actor: string): number {
  return q.first('exit', actor)?.t ?? traceEnd(q);
}

/** An address as text, IPv4-mapped IPv6 folded into IPv4 (a dual-stack socket sees 127.0.0.1 as ::ffff:127.0.0.1). */
export function addrText(a: Address): string {
  return `${a.address.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, '$1')}|${a.port}`;
}

/** The other end of a connection among the run's connections: its local is our remote and back. */
export function peerOf(conns: readonly Connection[], c: Connection): Connection | undefined {
  return conns.find((o) => o.actor !== c.actor && addrText(o.local) === addrText(c.remote) && addrText(o.remote) === addrText(c.local));
}

/** One actor's connections (its connects, or its accepts), each with the peer's end when that is in the trace. */
export function connectionsOf(q: TraceQuery, actor: string, via?: 'accept' | 'connect'): Array<Connection & { peer: Connection | undefined }> {
  const all = q.connections();
  return all.filter((c) => c.actor === actor && (via === undefined || c.via === via)).map((c) => ({ ...c, peer: peerOf(all, c) }));
}

/** The events of one socket, e.g. `onSock(q.of('data', 'client'), 'c1')`. */
export function onSock<E extends { sock?: string | undefined }>(events: readonly E[], sock: string): E[] {
  return events.filter((e) => e.sock === sock);
}

/** A byte stream as the trace knows it: its length, and the bytes it captured (the `head` of each piece). */
export interface Stream { bytes: number; pieces: number; known: Array<{ at: number; b: Uint8Array }> }

export function streamOf(events: ReadonlyArray<{ bytes: number; head?: string | undefined }>): Stream {
  const known: Stream['known'] = [];
  let at = 0;
  for (const e of events) {
    if (e.head) {
      const b = Buffer.from(e.head, 'base64');
      if (b.length > 0) known.push({ at, b: b.subarray(0, Math.min(b.length, e.bytes)) });
    }
    at += e.bytes;
  }
  return { bytes: at, pieces: events.length, known };
}

/** Bytes of the stream the trace captured. */
export function knownBytes(s: Stream): number {
  return s.known.reduce((n, k) => n + k.b.length, 0);
}

/**
 * Compares two streams where both captured the same positions: how many bytes were compared,
 * and the offset of the first that differs.
 */
export function compareStreams(a: Stream, b: Stream): { compared: number; mismatchAt?: number } {
  let compared = 0;
  let j = 0;
  for (const x of a.known) {
    while (j < b.known.length && b.known[j]!.at + b.known[j]!.b.length <= x.at) j++;
    for (let k = j; k < b.known.length && b.known[k]!.at < x.at + x.b.length; k++) {
      const y = b.known[k]!;
      const from = Math.max(x.at, y.at);
      const to = Math.min(x.at + x.b.length, y.at + y.b.length);
      for (let i = from; i < to; i++) {
        if (x.b[i - x.at] !== y.b[i - y.at]) return { compared, mismatchAt: i };
        compared++;
      }
    }
  }
  return { compared };
}

/** "all 63 B compared" / "42 of 900 B compared (the trace keeps the first bytes of each read and write)". */
export function comparedText(compared: number, total: number): string {
  return compared === total ? `all ${total} B compared` : `${compared} of ${total} B compared (the trace keeps only the first bytes of each read and write)`;
}

/**
 * "What `w` wrote on one connection arrived at `r`, the same bytes": held when every byte arrived
 * and the captured ones match; failed when more arrived than was written, a captured byte
 * differs, or the reader lived SETTLE_MS past the last write without the rest; not reached when
 * nothing was written yet, or the run ended before the rest could arrive. `say` words the counts.
 */
export function sameBytes(
  q: TraceQuery, w: { actor: string; sock: string }, r: { actor: string; sock: string },
  say: (sent: number, got: number) => string = (s, g) => `${w.actor} wrote ${s} B, ${r.actor} read ${g} B`,
): CheckResult & { sent: number; got: number } {
  const writes = onSock(q.of('write', w.actor), w.sock);
  const sent = streamOf(writes);
  const got = streamOf(onSock(q.of('data', r.actor), r.sock));
  const base = say(sent.bytes, got.bytes);
  const out = (c: CheckResult) => ({ ...c, sent: sent.bytes, got: got.bytes });
  if (sent.bytes === 0) return out(notReached(`${base}: nothing written yet`));
  const cmp = compareStreams(sent, got);
  if (cmp.mismatchAt !== undefined) return out(failed(`${base}, but byte ${cmp.mismatchAt} differs`));
  if (got.bytes > sent.bytes) return out(failed(`${base}: more than was written`));
  if (got.bytes < sent.bytes) {
    const last = writes.reduce((t, e) => Math.max(t, e.t), 0);
    const lived = lifeEnd(q, r.actor) - last;
    if (lived < SETTLE_MS) return out(notReached(`${base} so far; the last write was ${lived.toFixed(0)} ms before the end`));
    return out(failed(`${base}: ${sent.bytes - got.bytes} B never arrived (${lived.toFixed(0)} ms after the last write)`));
  }
  return out(held(`${base}, the same bytes (${comparedText(cmp.compared, sent.bytes)})`));
}

/** Joins the parts of a detail that are not empty. */
export function join(...parts: Array<string | false | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string' && p.length > 0).join('; ');
}
