/**
 * What write-deadline expects, from the trace: the writer's write/drain events and its
 * 'write-deadline' report (with the kernel's own count), the reader's reads and how its wait
 * ended, and the kernel observer's samples of the writer's socket.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { connsOf, fmtBytes, ms, noKernelView, samplesOf } from '../flow-shared/observe.js';

interface Deadline { waitedMs: number; handed: number; nodeQueue: number; kernelTook: number | null; kernelQueue: number | null; action: string; reason?: string }

const deadlineOf = (q: TraceQuery) => {
  const e = q.custom('write-deadline', 'writer')[0];
  return e ? { t: e.t, ...(e.data as unknown as Deadline) } : undefined;
};
const peerGot = (q: TraceQuery) => q.bytes('data', 'reader');

export const observations: ObservationSpec[] = [
  {
    id: 'blocked',
    label: 'The writer is stuck: write() returned false and no ’drain’ came before its deadline',
    check: (q) => {
      const f = q.first('write', 'writer', (w) => !w.ok);
      if (!f) return { held: false, detail: 'write() has not returned false yet' };
      const d = deadlineOf(q);
      if (!d) return { held: false, detail: `write() returned false at ${ms(f.t)}; waiting` };
      const lastFalse = q.of('write', 'writer').filter((w) => !w.ok && w.t <= d.t).at(-1)!;
      const drain = q.first('drain', 'writer', (e) => e.t > lastFalse.t && e.t < d.t);
      return { held: !drain, detail: drain ? `'drain' came at ${ms(drain.t)}, before the deadline` : `write() returned false at ${ms(lastFalse.t)} with ${fmtBytes(lastFalse.queued)} queued in Node; no 'drain' until the deadline at ${ms(d.t)}` };
    },
  },
  {
    id: 'deadline-fired',
    label: 'The write deadline fired (writeDeadlineMs after write() returned false) and the program decided',
    check: (q, params) => {
      const d = deadlineOf(q);
      if (!d) return { held: false, detail: 'no write deadline yet' };
      const lastFalse = q.of('write', 'writer').filter((w) => !w.ok && w.t <= d.t).at(-1);
      const after = lastFalse ? d.t - lastFalse.t : NaN;
      const want = Number(params.writeDeadlineMs);
      const acted = d.action === 'destroy' ? q.first('destroy', 'writer', (e) => e.t >= d.t) : q.first('drain', 'writer', (e) => e.t > d.t) ?? { t: d.t };
      return {
        held: after >= want - 1 && Boolean(acted),
        detail: `fired ${after.toFixed(0)} ms after write() returned false (deadline ${want} ms); the program chose ${d.action}${d.action === 'destroy' && acted ? ` and destroyed the socket at ${ms(acted.t)}` : ''}`,
      };
    },
  },
  {
    id: 'accounting',
    label: 'Bytes accounted for: the program wrote ≥ the kernel took ≥ the peer got',
    check: (q, params) => {
      const d = deadlineOf(q);
      if (!d) return { held: false, detail: 'no write deadline yet' };
      if (d.kernelTook === null) return { held: false, detail: `the kernel’s count is unknown: ${d.reason ?? 'no TCP_INFO'}` };
      const got = peerGot(q);
      const ended = q.custom('read-deadline', 'reader')[0] ?? q.custom('reader-eof', 'reader')[0];
      if (!ended) return { held: false, detail: `at the deadline: wrote ${fmtBytes(d.handed)}, the kernel had taken ${fmtBytes(d.kernelTook)}; the peer has ${fmtBytes(got)} so far` };
      // Cross-check the writer's own kernel figure with the observer's sample just before.
      const ws = samplesOf(q, connsOf(q, 'writer')[0]).filter((s) => s.t <= d.t && s.bytesAcked !== undefined && s.sendQ !== undefined);
      const last = ws.at(-1);
      const observed = last ? ` (observer: ${fmtBytes(last.bytesAcked! - 1 + last.sendQ!)})` : '';
      if (d.action === 'destroy') {
        const lost = d.handed - got;
        return {
          held: d.handed > d.kernelTook && got === d.kernelTook,
          detail: `wrote ${fmtBytes(d.handed)}; the kernel had taken ${fmtBytes(d.kernelTook)}${observed}; the peer got ${fmtBytes(got)}: all the kernel took, and ${fmtBytes(lost)} thrown away in Node’s queue`,
        };
      }
      const done = q.custom('writer-done', 'writer')[0];
      const total = Number(done?.data.handed ?? NaN);
      return {
        held: d.handed >= d.kernelTook && got === total,
        detail: `at the deadline: wrote ${fmtBytes(d.handed)}, the kernel had taken ${fmtBytes(d.kernelTook)}${observed}; the writer waited on and the peer got all ${fmtBytes(got)} of ${fmtBytes(total)}`,
      };
    },
  },
  {
    id: 'reader-ends',
    label: 'The reader’s wait ends: EOF after what the kernel had taken (destroy), or its read deadline once the writer falls silent (keep-waiting)',
    check: (q, params) => {
      const d = deadlineOf(q);
      if (params.onWriteTimeout === 'destroy') {
        const eof = q.custom('reader-eof', 'reader')[0];
        if (!eof) return { held: false, detail: 'no EOF at the reader yet' };
        return { held: Boolean(d && d.kernelTook === eof.data.got), detail: `EOF at ${ms(eof.t)} after ${fmtBytes(Number(eof.data.got))} (the kernel had taken ${fmtBytes(d?.kernelTook ?? NaN)})` };
      }
      const rd = q.custom('read-deadline', 'reader')[0];
      if (!rd) return { held: false, detail: 'the reader’s read deadline has not fired yet' };
      const lastData = q.of('data', 'reader').filter((e) => e.t < rd.t).at(-1);
      const silence = lastData ? rd.t - lastData.t : NaN;
      const want = Number(params.readDeadlineMs);
      return { held: silence >= want - 1, detail: `fired at ${ms(rd.t)}, ${silence.toFixed(0)} ms after the last byte (read deadline ${want} ms)` };
    },
  },
  {
    id: 'kernel-held',
    label: 'While the writer was stuck, the kernel held its bytes against a zero window',
    check: (q) => {
      const d = deadlineOf(q);
      const ws = samplesOf(q, connsOf(q, 'writer')[0]);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      const shut = ws.filter((s) => (!d || s.t <= d.t) && s.sndWnd === 0 && (s.sendQ ?? 0) > 0);
      if (shut.length === 0) return { held: false, detail: 'no sample with a zero window and a send queue' };
      const s = shut.at(-1)!;
      return { held: true, detail: `at ${ms(s.t)}: Send-Q ${fmtBytes(s.sendQ ?? 0)}, snd_wnd 0, ${s.timer?.name === 'persist' ? 'probing (persist timer)' : `timer ${s.timer?.name ?? 'none'}`}` };
    },
  },
];
