/**
 * What slow-reader expects the kernel and the programs to show, checked against the trace: the
 * writer's and the reader's kernel samples (the observer), the writer's write/drain events and
 * the reader's reports. No expected figure is written down here; every number is measured.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { connsOf, fmtBytes, ms, noKernelView, probeSteps, samplesOf, zeroWindows, type Sample } from '../flow-shared/observe.js';

const writerSamples = (q: TraceQuery) => samplesOf(q, connsOf(q, 'writer')[0]);
const readerSamples = (q: TraceQuery) => samplesOf(q, connsOf(q, 'reader')[0]);

/** When the reader first read everything ("Read everything now", or readAllAfterMs). */
const readAllAt = (q: TraceQuery) => q.custom('read-all', 'reader')[0]?.t;

function isReceiveFull(s: Sample): boolean {
  // A zero advertised window while bytes wait unread: the kernel will take no more.
  return (s.recvQ ?? 0) > 0 && s.rcvWnd === 0;
}

export const observations: ObservationSpec[] = [
  {
    id: 'recv-queue-full',
    label: 'The reader’s kernel receive queue fills: bytes wait unread and it advertises a zero window',
    check: (q) => {
      const rs = readerSamples(q);
      if (rs.length === 0) return { held: false, detail: noKernelView(q) };
      const full = rs.filter(isReceiveFull);
      if (full.length === 0) {
        const max = Math.max(...rs.map((s) => s.recvQ ?? 0));
        const wnd = rs.some((s) => s.rcvWnd !== undefined) ? '' : ' (this kernel does not report rcv_wnd: needs Linux ≥ 6.2)';
        return { held: false, detail: `largest Recv-Q ${fmtBytes(max)}, never with a zero window${wnd}` };
      }
      const first = full[0]!;
      const mem = first.skmem ? `, memory ${fmtBytes(first.skmem.rmemAlloc)} of rcvbuf ${fmtBytes(first.skmem.rcvbuf)}` : '';
      // The other half of the picture: what Node itself had already pulled into the paused socket.
      const sock = connsOf(q, 'reader')[0]?.sock;
      const ns = [...q.of('nodestate', 'reader')].reverse().find((n) => n.sock === sock && n.t <= first.t + 100);
      const node = ns && ns.bytesRead > 0 ? `; Node had pulled ${fmtBytes(ns.readableLength)} more into its own buffer (paused, highWaterMark ${fmtBytes(ns.readableHighWaterMark)})` : '';
      return { held: true, detail: `at ${ms(first.t)}: Recv-Q ${fmtBytes(first.recvQ ?? 0)}${mem}, advertised window 0${node}` };
    },
  },
  {
    id: 'send-queue-full',
    label: 'The writer’s kernel send queue fills to its limit (SO_SNDBUF) and takes no more',
    check: (q) => {
      const ws = writerSamples(q);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      // sk_wmem_queued at (or within one segment's overhead of) sk_sndbuf: write(2) would get EAGAIN.
      const full = ws.find((s) => s.skmem && (s.sendQ ?? 0) > 0 && s.skmem.wmemQueued >= s.skmem.sndbuf * 0.75);
      if (!full) {
        const max = ws.reduce((m, s) => (s.skmem && s.skmem.wmemQueued > (m?.skmem?.wmemQueued ?? -1) ? s : m), undefined as Sample | undefined);
        return { held: false, detail: max?.skmem ? `send memory peaked at ${fmtBytes(max.skmem.wmemQueued)} of ${fmtBytes(max.skmem.sndbuf)}` : 'no send-memory figures (skmem) in the samples' };
      }
      return { held: true, detail: `at ${ms(full.t)}: Send-Q ${fmtBytes(full.sendQ ?? 0)} (${fmtBytes(full.notsent ?? 0)} not sent yet), memory ${fmtBytes(full.skmem!.wmemQueued)} of sndbuf ${fmtBytes(full.skmem!.sndbuf)}` };
    },
  },
  {
    id: 'zero-window',
    label: 'The writer sees a zero window: the reader has no room (snd_wnd 0)',
    check: (q) => {
      const ws = writerSamples(q);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      if (!ws.some((s) => s.sndWnd !== undefined)) return { held: false, detail: 'this kernel does not report snd_wnd (needs Linux ≥ 5.4)' };
      const z = zeroWindows(ws)[0];
      if (!z) return { held: false, detail: `snd_wnd never 0 (smallest ${fmtBytes(Math.min(...ws.map((s) => s.sndWnd ?? Infinity)))})` };
      return { held: true, detail: `from ${ms(z.from.t)}${z.to ? ` to ${ms(z.to.t)}` : ' on'}: snd_wnd 0 with ${fmtBytes(z.from.notsent ?? z.from.sendQ ?? 0)} waiting to be sent` };
    },
  },
  {
    id: 'probes',
    label: 'Zero-window probes are sent and back off (persist timer; its backoff grows)',
    check: (q) => {
      const ws = writerSamples(q);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      const z = zeroWindows(ws)[0];
      if (!z) return { held: false, detail: 'no zero window yet' };
      const during = ws.filter((s) => s.t >= z.from.t && (!z.to || s.t <= z.to.t));
      const p = probeSteps(during);
      if (!p.persist || p.steps.length < 2) {
        return { held: false, detail: `persist timer ${p.persist ? 'seen' : 'not seen'}, backoff rose ${p.steps.length} time(s) (max ${p.maxBackoff})` };
      }
      const gaps = p.steps.slice(1).map((s, i) => ((s.t - p.steps[i]!.t) / 1000).toFixed(2));
      return { held: true, detail: `backoff reached ${p.maxBackoff}; probes seen at ${p.steps.map((s) => ms(s.t)).join(', ')}: gaps ${gaps.join(', ')} s (most unanswered at once: ${p.maxProbes})` };
    },
  },
  {
    id: 'backpressure',
    label: 'write() returns false (backpressure) and the writer waits for ’drain’',
    check: (q, params) => {
      const falses = q.of('write', 'writer').filter((w) => !w.ok);
      if (falses.length === 0) return { held: false, detail: 'write() never returned false' };
      const drains = q.of('drain', 'writer');
      if (params.writerMode === 'ignore-backpressure') {
        const maxQueued = Math.max(...q.of('write', 'writer').map((w) => w.queued));
        return { held: false, detail: `this writer ignores it: write() returned false (first at ${ms(falses[0]!.t)}) and it kept writing; Node’s queue reached ${fmtBytes(maxQueued)}` };
      }
      const longest = drains.reduce((m, d) => Math.max(m, d.waitedMs), 0);
      const pending = drains.length === 0 || drains.at(-1)!.t < falses.at(-1)!.t;
      if (drains.length === 0) return { held: true, detail: `write() returned false at ${ms(falses[0]!.t)} with ${fmtBytes(falses[0]!.queued)} in Node’s queue; still waiting for ’drain’` };
      return { held: true, detail: `write() returned false ${falses.length}×, first at ${ms(falses[0]!.t)} with ${fmtBytes(falses[0]!.queued)} queued in Node; ’drain’ ${drains.length}×, longest wait ${(longest / 1000).toFixed(2)} s${pending ? '; waiting again at the end' : ''}` };
    },
  },
  {
    id: 'slow-reads-keep-window-shut',
    label: 'Reading a few bytes at a time does not reopen the window',
    check: (q, params) => {
      const ws = writerSamples(q);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      const z = zeroWindows(ws)[0];
      if (!z) return { held: false, detail: 'no zero window yet' };
      const until = Math.min(readAllAt(q) ?? Infinity, z.to?.t ?? Infinity, q.events.at(-1)?.t ?? 0);
      const reads = q.of('data', 'reader').filter((d) => d.t > z.from.t && d.t < until);
      const got = reads.reduce((n, d) => n + d.bytes, 0);
      if (reads.length < 3) return { held: false, detail: `only ${reads.length} read(s) while the window was shut so far` };
      if (z.to && z.to.t <= until) {
        // Who emptied the kernel's queue: Node refilling its buffer, or the program's own reads.
        const why = params.readFrom === 'kernel'
          ? 'only once the reads had emptied the kernel’s queue'
          : 'when Node’s buffer fell below its highWaterMark and Node pulled the kernel’s whole queue';
        return { held: false, detail: `the window reopened at ${ms(z.to.t)} (to ${fmtBytes(z.to.sndWnd ?? 0)}) after ${reads.length} reads (${fmtBytes(got)}), ${why}` };
      }
      const rs = readerSamples(q).filter((s) => s.t > z.from.t && s.t < until);
      const recv = rs.length ? `; the reader’s kernel queue went ${fmtBytes(rs[0]!.recvQ ?? 0)} → ${fmtBytes(rs.at(-1)!.recvQ ?? 0)}` : '';
      return { held: true, detail: `${reads.length} reads took ${fmtBytes(got)} over ${((until - z.from.t) / 1000).toFixed(1)} s; the writer’s window stayed 0${recv}` };
    },
  },
  {
    id: 'reopen',
    label: 'After “Read everything now” the window reopens and the writer resumes',
    check: (q, params) => {
      const t0 = readAllAt(q);
      if (t0 === undefined) return { held: false, detail: 'press “Read everything now” (or set readAllAfterMs)' };
      const ws = writerSamples(q);
      if (ws.length === 0) return { held: false, detail: noKernelView(q) };
      const before = [...ws].reverse().find((s) => s.t <= t0);
      const open = ws.find((s) => s.t > t0 && (s.sndWnd ?? 0) > 0);
      if (!open) return { held: false, detail: `read everything at ${ms(t0)}; the writer’s window has not reopened yet` };
      const shut = before?.sndWnd === 0 ? 'window 0 → ' : 'window ';
      if (params.writerMode === 'ignore-backpressure') {
        const acked = ws.filter((s) => s.t > t0).map((s) => s.bytesAcked ?? 0);
        const moved = acked.length ? Math.max(...acked) - (before?.bytesAcked ?? 0) : 0;
        return { held: moved > 0, detail: `read everything at ${ms(t0)}; ${shut}${fmtBytes(open.sndWnd ?? 0)} at ${ms(open.t)}; the kernel delivered ${fmtBytes(moved)} more of Node’s queue` };
      }
      const drain = q.first('drain', 'writer', (d) => d.t > t0);
      if (!drain) return { held: false, detail: `${shut}${fmtBytes(open.sndWnd ?? 0)} at ${ms(open.t)}, but no ’drain’ for the writer yet` };
      const wrote = q.of('write', 'writer').filter((w) => w.t > drain.t).reduce((n, w) => n + w.bytes, 0);
      return { held: wrote > 0, detail: `read everything at ${ms(t0)}; ${shut}${fmtBytes(open.sndWnd ?? 0)} at ${ms(open.t)}; ’drain’ at ${ms(drain.t)} after ${(drain.waitedMs / 1000).toFixed(2)} s blocked; then ${fmtBytes(wrote)} more written` };
    },
  },
];
