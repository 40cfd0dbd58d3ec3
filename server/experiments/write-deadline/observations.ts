/**
 * What write-deadline expects, from the trace: the writer's write/drain/destroy events and its
 * 'write-deadline' report (with the kernel's own count), the reader's reads and how its wait
 * ended, and the kernel observer's samples of the writer's socket.
 *
 * Held, failed (the moment is in the trace and the claim does not hold there), or not reached
 * (no deadline yet, the reader still waiting, no kernel view).
 */
import { z } from 'zod';
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { blockedOn, failed, fmtBytes, held, liveOnly, ms, noKernelView, notReached, ownConnsOf, samplesOf, traceEnd } from '../flow-shared/observe.js';

/** The writer's 'write-deadline' report, as the writer program writes it. */
const DeadlineReport = z.object({
  waitedMs: z.number(),
  handed: z.number(),
  nodeQueue: z.number(),
  kernelTook: z.number().nullable(),
  kernelQueue: z.number().nullable(),
  action: z.string(),
  reason: z.string().optional(),
});
type Deadline = z.infer<typeof DeadlineReport> & { t: number };

/** A timer fires no earlier than asked; later than this after it, it is not "writeDeadlineMs after" any more. */
const LATE_MS = 500;

function deadlineOf(q: TraceQuery): Deadline | undefined {
  const e = q.custom('write-deadline', 'writer')[0];
  if (!e) return undefined;
  const d = DeadlineReport.safeParse(e.data);
  return d.success ? { t: e.t, ...d.data } : undefined;
}

const writerConn = (q: TraceQuery) => ownConnsOf(q, 'writer')[0];
const readerConn = (q: TraceQuery) => ownConnsOf(q, 'reader')[0];

/** Bytes of one socket's data (reads) or write events, up to `t`. */
function bytesOf(q: TraceQuery, kind: 'write' | 'data', actor: string, sock: string | undefined, t = Infinity): number {
  let n = 0;
  for (const e of q.of(kind, actor)) if (e.sock === sock && e.t <= t) n += e.bytes;
  return n;
}

/** The write() that returned false which the deadline belongs to: the last one before it. */
const stuckWrite = (q: TraceQuery, sock: string, d: Deadline) => q.lastBefore('write', d.t, 'writer', (w) => w.sock === sock && !w.ok);

const gotOf = (e: { data: Record<string, unknown> } | undefined) => (typeof e?.data.got === 'number' ? e.data.got : null);

export const observations: ObservationSpec[] = [
  {
    id: 'blocked',
    label: 'The writer is stuck: write() returned false and no ’drain’ came before its deadline',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const f = q.first('write', 'writer', (w) => w.sock === wc.sock && !w.ok);
      const done = q.custom('writer-done', 'writer')[0];
      const d = deadlineOf(q);
      if (!f) return done ? failed(`the writer handed over all ${fmtBytes(bytesOf(q, 'write', 'writer', wc.sock))} and write() never returned false`) : notReached('write() has not returned false yet');
      if (!d) {
        const drains = q.of('drain', 'writer').filter((e) => e.sock === wc.sock);
        if (done) return failed(`the writer was never stuck until a deadline: write() returned false and ’drain’ came every time (${drains.length}×, longest wait ${Math.max(0, ...drains.map((e) => e.waitedMs)).toFixed(0)} ms), then it had written everything`);
        return notReached(`write() returned false at ${ms(f.t)}; no deadline yet`);
      }
      const lastFalse = stuckWrite(q, wc.sock, d);
      if (!lastFalse) return failed(`the deadline fired at ${ms(d.t)} with no write() that returned false before it`);
      const drain = q.first('drain', 'writer', (e) => e.sock === wc.sock && e.t > lastFalse.t && e.t < d.t);
      if (drain) return failed(`’drain’ came at ${ms(drain.t)}, before the deadline at ${ms(d.t)}`);
      return held(`write() returned false at ${ms(lastFalse.t)} with ${fmtBytes(lastFalse.queued)} queued in Node; no ’drain’ until the deadline at ${ms(d.t)}`);
    },
  },
  {
    id: 'deadline-fired',
    label: 'The write deadline fired writeDeadlineMs after the write() that returned false, and the program did what onWriteTimeout says: destroyed the socket, or kept it and waited on until ’drain’',
    check: (q, params) => {
      const wc = writerConn(q);
      const d = deadlineOf(q);
      if (!wc || !d) return notReached('no write deadline yet');
      const lastFalse = stuckWrite(q, wc.sock, d);
      if (!lastFalse) return failed(`the deadline fired at ${ms(d.t)} with no write() that returned false before it`);
      const after = d.t - lastFalse.t;
      const want = Number(params.writeDeadlineMs);
      const when = `fired ${after.toFixed(0)} ms after write() returned false (deadline ${want} ms)`;
      if (after < want - 1 || after > want + LATE_MS) return failed(`${when}: not the deadline as set`);
      const chose = String(params.onWriteTimeout);
      if (d.action !== chose) return failed(`${when}; the program chose ${d.action}, not ${chose}`);
      const destroy = q.firstAfter('destroy', d.t, 'writer', (e) => e.sock === wc.sock);
      if (chose === 'destroy') {
        if (destroy) return held(`${when}; the program chose destroy and destroyed the socket at ${ms(destroy.t)}`);
        const later = q.firstAfter('close', d.t, 'writer', (e) => e.sock === wc.sock) ?? q.firstAfter('exit', d.t, 'writer');
        return later ? failed(`${when}; the program chose destroy, but the socket ended at ${ms(later.t)} without destroy()`) : notReached(`${when}; the program chose destroy and has not destroyed the socket yet`);
      }
      const drain = q.firstAfter('drain', d.t, 'writer', (e) => e.sock === wc.sock);
      if (destroy && (!drain || destroy.t < drain.t)) return failed(`${when}; the program chose keep-waiting but destroyed the socket at ${ms(destroy.t)}`);
      if (!drain) return notReached(`${when}; the program chose keep-waiting and is still waiting for ’drain’`);
      return held(`${when}; the program chose keep-waiting: no destroy, and ’drain’ came at ${ms(drain.t)}, ${(drain.waitedMs / 1000).toFixed(2)} s after write() returned false`);
    },
  },
  {
    id: 'accounting',
    label: 'Bytes accounted for when the reader’s wait ends: after destroy the peer got exactly what the kernel had taken by the deadline (less than was written: Node’s queue was lost); with keep-waiting, every byte written',
    check: (q, params) => {
      const wc = writerConn(q);
      const rc = readerConn(q);
      const d = deadlineOf(q);
      if (!wc || !d) return notReached('no write deadline yet');
      if (d.kernelTook === null) return notReached(`the kernel’s count is unknown: ${d.reason ?? 'no TCP_INFO'}`);
      if (d.kernelTook === 0) return notReached('the kernel had taken nothing by the deadline: nothing to account for');
      const handed = bytesOf(q, 'write', 'writer', wc.sock, d.t);
      if (handed !== d.handed) return failed(`the writer says it wrote ${fmtBytes(d.handed)} by the deadline, its write events say ${fmtBytes(handed)}`);
      const ended = q.custom('read-deadline', 'reader')[0] ?? q.custom('reader-eof', 'reader')[0];
      if (!ended) return notReached(`at the deadline: wrote ${fmtBytes(handed)}, the kernel had taken ${fmtBytes(d.kernelTook)}; the peer has ${fmtBytes(bytesOf(q, 'data', 'reader', rc?.sock))} so far`);
      const got = bytesOf(q, 'data', 'reader', rc?.sock, ended.t);
      // Cross-check the writer's own kernel figure with the observer's last look before the deadline.
      const last = liveOnly(samplesOf(q, wc)).filter((s) => s.t <= d.t && s.bytesAcked !== undefined && s.sendQ !== undefined).at(-1);
      const observed = last ? ` (observer: ${fmtBytes((last.bytesAcked ?? 0) - 1 + (last.sendQ ?? 0))})` : '';
      if (params.onWriteTimeout === 'destroy') {
        const detail = `wrote ${fmtBytes(handed)}; the kernel had taken ${fmtBytes(d.kernelTook)}${observed}; the peer got ${fmtBytes(got)}`;
        if (got !== d.kernelTook) return failed(`${detail}: not what the kernel had taken`);
        if (!(handed > d.kernelTook)) return failed(`${detail}: nothing was left in Node’s queue to lose`);
        return held(`${detail}: all the kernel took, and ${fmtBytes(handed - got)} thrown away in Node’s queue`);
      }
      const written = bytesOf(q, 'write', 'writer', wc.sock);
      const detail = `at the deadline: wrote ${fmtBytes(handed)}, the kernel had taken ${fmtBytes(d.kernelTook)}${observed}; the writer waited on and wrote ${fmtBytes(written)} in all; the peer got ${fmtBytes(got)}`;
      return got === written && handed >= d.kernelTook ? held(detail) : failed(detail);
    },
  },
  {
    id: 'reader-ends',
    label: 'The reader’s wait ends as the setting predicts: destroy: EOF after exactly the bytes the kernel had taken; keep-waiting: its read deadline, readDeadlineMs after the last byte, once the writer has written everything and gone silent',
    check: (q, params) => {
      const rc = readerConn(q);
      const d = deadlineOf(q);
      const eof = q.custom('reader-eof', 'reader')[0];
      const rd = q.custom('read-deadline', 'reader')[0];
      if (params.onWriteTimeout === 'destroy') {
        if (rd && (!eof || rd.t < eof.t)) return failed(`the reader’s read deadline fired at ${ms(rd.t)} after ${fmtBytes(bytesOf(q, 'data', 'reader', rc?.sock, rd.t))}; expected an EOF`);
        if (!eof) return notReached('no EOF at the reader yet');
        const got = bytesOf(q, 'data', 'reader', rc?.sock, eof.t);
        if (!d) return notReached(`EOF at ${ms(eof.t)} after ${fmtBytes(got)}, but the writer’s deadline is not in the trace: nothing to compare with`);
        if (d.kernelTook === null) return notReached(`EOF at ${ms(eof.t)} after ${fmtBytes(got)}; the kernel’s count is unknown: ${d.reason ?? 'no TCP_INFO'}`);
        const detail = `EOF at ${ms(eof.t)} after ${fmtBytes(got)} (the kernel had taken ${fmtBytes(d.kernelTook)} at the deadline, ${ms(d.t)})`;
        if (gotOf(eof) !== got) return failed(`${detail}; but the reader says it got ${fmtBytes(gotOf(eof) ?? NaN)}`);
        return got === d.kernelTook && eof.t > d.t ? held(detail) : failed(detail);
      }
      if (eof && (!rd || eof.t < rd.t)) return failed(`the reader saw EOF at ${ms(eof.t)}: the writer closed; expected it to stay open and fall silent`);
      if (!rd) return notReached('the reader’s read deadline has not fired yet');
      const lastData = q.lastBefore('data', rd.t, 'reader', (e) => e.sock === rc?.sock);
      if (!lastData) return failed(`the read deadline fired at ${ms(rd.t)} before any byte arrived`);
      const silence = rd.t - lastData.t;
      const want = Number(params.readDeadlineMs);
      const done = q.custom('writer-done', 'writer')[0];
      const detail = `fired at ${ms(rd.t)}, ${silence.toFixed(0)} ms after the last byte (read deadline ${want} ms)`;
      if (silence < want - 1 || silence > want + LATE_MS) return failed(`${detail}: not the read deadline as set`);
      if (!done || done.t > rd.t) return failed(`${detail}, but the writer had not written everything yet`);
      return held(`${detail}; the writer had written everything at ${ms(done.t)} and was silent`);
    },
  },
  {
    id: 'kernel-held',
    label: 'While the writer was stuck (from the write() that returned false to its deadline), the kernel held its bytes against a zero window',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const d = deadlineOf(q);
      const from = d ? stuckWrite(q, wc.sock, d) : blockedOn(q, 'writer', wc.sock, traceEnd(q));
      if (!from) return notReached('the writer is not stuck now (write() has not returned false, or ’drain’ came)');
      const to = d?.t ?? traceEnd(q);
      const ws = liveOnly(samplesOf(q, wc));
      if (ws.length === 0) return notReached(noKernelView(q));
      // The kernel's view through the span: its last look before it (unchanged since, or it would have written another) and every look during it.
      const before = q.lastLiveSample(ws[0]!.key, from.t);
      const span = [...(before ? [before] : []), ...ws.filter((s) => s.t > from.t && s.t <= to)];
      if (span.length === 0) return notReached(`no kernel sample of the writer’s socket between ${ms(from.t)} and ${ms(to)}`);
      const shut = span.filter((s) => s.sndWnd === 0 && (s.sendQ ?? 0) > 0);
      const s = shut.at(-1);
      if (!s) {
        const seen = `snd_wnd ${[...new Set(span.map((x) => x.sndWnd ?? '?'))].join(', ')}; Send-Q up to ${fmtBytes(Math.max(...span.map((x) => x.sendQ ?? 0)))}`;
        return d ? failed(`while the writer was stuck (${ms(from.t)}–${ms(to)}) the kernel showed ${seen}`) : notReached(`stuck since ${ms(from.t)}; the kernel shows ${seen} so far`);
      }
      return held(`at ${ms(s.t)} (stuck ${ms(from.t)}–${d ? ms(to) : 'on'}): Send-Q ${fmtBytes(s.sendQ ?? 0)}, snd_wnd 0, ${s.timer?.name === 'persist' ? 'probing (persist timer)' : `timer ${s.timer?.name ?? 'none'}`}`);
    },
  },
];
