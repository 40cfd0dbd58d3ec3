/**
 * What slow-reader expects the kernel and the programs to show, checked against the trace: the
 * writer's and the reader's kernel samples (the observer), the writer's write/drain events and
 * the reader's reports. No expected figure is written down here; every number is measured.
 *
 * Each check says held, failed (the moment is in the trace and the claim does not hold there) or
 * not reached (the trace does not have the moment yet: no zero window so far, the reader never
 * read everything, no kernel view). Details describe the whole trace so far.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import {
  blockedAt, blockedSpans, failed, fmtBytes, held, liveOnly, ms, noKernelView, notReached, ownConnsOf, probeSteps, samplesOf, traceEnd, zeroWindows,
  type ProgramConn, type Sample,
} from '../flow-shared/observe.js';

const writerConn = (q: TraceQuery) => ownConnsOf(q, 'writer')[0];
const readerConn = (q: TraceQuery) => ownConnsOf(q, 'reader')[0];
const liveSamples = (q: TraceQuery, c: ProgramConn | undefined) => liveOnly(samplesOf(q, c));

/**
 * Times from the programs and from the kernel observer agree to a few ms only (a look's time is
 * the middle of its query; a program reports what Node read every 25 ms): comparisons across the
 * two allow this much.
 */
const REPORT_MS = 100;
const LOOK_MS = 50;

/** A zero advertised window while bytes wait unread: the kernel will take no more. */
const isReceiveFull = (s: Sample) => (s.recvQ ?? 0) > 0 && s.rcvWnd === 0;

/** Every zero-window episode needs this long before its probes must have backed off twice. */
function probeTime(s: Sample): number {
  // The persist timer starts at one RTO (at least 200 ms) and doubles: two probes take about 3 RTO.
  return Math.max(3000, 8 * Math.max(200, (s.rtoUs ?? 0) / 1000));
}

/** The largest read the slow pace allows: readBytes, or what a 'rate' control set. */
function slowReadMax(q: TraceQuery, params: Record<string, unknown>): number {
  let max = Number(params.readBytes);
  for (const c of q.of('control', 'reader')) if (c.command === 'rate' && typeof c.args.bytes === 'number') max = Math.max(max, c.args.bytes);
  return max;
}

/**
 * Bytes the queues between the two programs can hold at most: the writer's Node queue limit
 * (highWaterMark), its kernel send buffer, the reader's kernel receive buffer and its Node buffer
 * limit, as the trace reports them (nodestate, kernel samples, or the sockopt read-backs).
 * Undefined while the writer's limits are not in the trace.
 */
function roomOnTheWay(q: TraceQuery, w: ProgramConn, r: ProgramConn | undefined): number | undefined {
  const wns = q.first('nodestate', 'writer', (n) => n.sock === w.sock);
  const rns = r ? q.first('nodestate', 'reader', (n) => n.sock === r.sock) : undefined;
  const most = (ss: readonly Sample[], f: (s: Sample) => number | undefined) => Math.max(0, ...ss.map((s) => f(s) ?? 0));
  const sndbuf = most(liveSamples(q, w), (s) => s.skmem?.sndbuf) || numberOf(q.first('sockopt', 'writer', (e) => e.option === 'SO_SNDBUF')?.effective);
  const rcvbuf = most(liveSamples(q, r), (s) => s.skmem?.rcvbuf) || numberOf(q.first('sockopt', 'reader', (e) => e.option === 'SO_RCVBUF')?.effective);
  if (!wns || !sndbuf) return undefined;
  return wns.writableHighWaterMark + sndbuf + rcvbuf + (rns?.readableHighWaterMark ?? 0);
}

const numberOf = (v: unknown) => (typeof v === 'number' ? v : 0);

/** The writer's write() at which it had handed over more than `n` bytes in all. */
function writtenPast(q: TraceQuery, n: number): EventOf<'write'> | undefined {
  let sum = 0;
  for (const w of q.of('write', 'writer')) {
    sum += w.bytes;
    if (sum > n) return w;
  }
  return undefined;
}

export const observations: ObservationSpec[] = [
  {
    id: 'recv-queue-full',
    label: 'The reader’s kernel receive queue fills: bytes wait unread and it advertises a zero window',
    check: (q) => {
      const rc = readerConn(q);
      if (!rc) return notReached('the writer has not connected yet');
      const rs = liveSamples(q, rc);
      if (rs.length === 0) return notReached(noKernelView(q));
      const full = rs.filter(isReceiveFull);
      const first = full[0];
      if (!first) {
        const max = Math.max(...rs.map((s) => s.recvQ ?? 0));
        if (!rs.some((s) => s.rcvWnd !== undefined)) return notReached(`largest Recv-Q ${fmtBytes(max)}; this kernel does not report the advertised window (rcv_wnd needs Linux ≥ 6.2)`);
        // The moment: the writer has handed over more than the reader's kernel can hold, and the kernel looked after that.
        const rcvbuf = Math.max(0, ...rs.map((s) => s.skmem?.rcvbuf ?? 0));
        const past = rcvbuf > 0 ? writtenPast(q, rcvbuf) : undefined;
        if (past && rs.some((s) => s.t >= past.t)) {
          return failed(`the writer had handed over more than the reader’s ${fmtBytes(rcvbuf)} receive buffer by ${ms(past.t)}, yet its kernel never advertised a zero window with bytes waiting (largest Recv-Q ${fmtBytes(max)})`);
        }
        return notReached(`largest Recv-Q so far ${fmtBytes(max)}, never with a zero window`);
      }
      const mem = first.skmem ? `, memory ${fmtBytes(first.skmem.rmemAlloc)} of rcvbuf ${fmtBytes(first.skmem.rcvbuf)}` : '';
      // The other half of the picture: what Node itself had already pulled into the paused socket.
      const ns = q.lastBefore('nodestate', first.t + 100, 'reader', (n) => n.sock === rc.sock);
      const mode = ns?.flowing === true ? 'flowing' : ns?.flowing === false ? 'paused' : 'not read yet';
      const node = ns && ns.bytesRead > 0 ? `; Node held ${fmtBytes(ns.readableLength)} more in its own buffer (${mode}, highWaterMark ${fmtBytes(ns.readableHighWaterMark)})` : '';
      return held(`at ${ms(first.t)}: Recv-Q ${fmtBytes(first.recvQ ?? 0)}${mem}, advertised window 0${node}`);
    },
  },
  {
    id: 'send-queue-full',
    label: 'The writer’s kernel send queue fills to its limit (send memory at SO_SNDBUF) while Node still holds bytes the kernel did not take',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const ws = liveSamples(q, wc);
      if (ws.length === 0) return notReached(noKernelView(q));
      if (!ws.some((s) => s.skmem)) return notReached('no send-memory figures (skmem) in the samples');
      // sk_wmem_queued ≥ sk_sndbuf: write(2) gets EAGAIN, and a write() that returned false with no 'drain' since says Node holds the rest.
      const atLimit = (s: Sample) => Boolean(s.skmem && (s.sendQ ?? 0) > 0 && s.skmem.wmemQueued >= s.skmem.sndbuf);
      const spans = blockedSpans(q, 'writer', wc.sock);
      const full = ws.find((s) => atLimit(s) && blockedAt(spans, s.t));
      if (full && full.skmem) {
        const w = blockedAt(spans, full.t);
        return held(`at ${ms(full.t)}: Send-Q ${fmtBytes(full.sendQ ?? 0)} (${fmtBytes(full.notsent ?? 0)} not sent yet), memory ${fmtBytes(full.skmem.wmemQueued)} of sndbuf ${fmtBytes(full.skmem.sndbuf)}; Node has held ${fmtBytes(w?.queued ?? 0)} since write() returned false at ${ms(w?.t ?? full.t)}`);
      }
      const peak = ws.reduce<Sample | undefined>((m, s) => (s.skmem && s.skmem.wmemQueued > (m?.skmem?.wmemQueued ?? -1) ? s : m), undefined);
      const peakText = peak?.skmem ? `send memory peaked at ${fmtBytes(peak.skmem.wmemQueued)} of ${fmtBytes(peak.skmem.sndbuf)}` : 'no send memory';
      // The moment: the writer was pushed back and the kernel looked while it was.
      const blockedLooks = ws.filter((s) => blockedAt(spans, s.t));
      if (blockedLooks.length > 0) return failed(`the writer was blocked (write() false, no ’drain’) at ${blockedLooks.length} of the kernel’s looks, but its send memory never reached sndbuf: ${peakText}`);
      const now = blockedAt(spans, traceEnd(q));
      if (now) return notReached(`the writer is blocked since ${ms(now.t)}; the kernel has not looked at its socket since; ${peakText}`);
      return notReached(`the writer has not been pushed back yet; ${peakText}`);
    },
  },
  {
    id: 'zero-window',
    label: 'The writer sees a zero window: the reader advertised no room (snd_wnd 0)',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const ws = liveSamples(q, wc);
      if (ws.length === 0) return notReached(noKernelView(q));
      if (!ws.some((s) => s.sndWnd !== undefined)) return notReached('this kernel does not report snd_wnd (needs Linux ≥ 5.4)');
      const eps = zeroWindows(ws);
      const z = eps[0];
      if (!z) {
        const smallest = fmtBytes(Math.min(...ws.map((s) => s.sndWnd ?? Infinity)));
        const spans = blockedSpans(q, 'writer', wc.sock);
        const blocked = ws.filter((s) => blockedAt(spans, s.t));
        if (blocked.length > 0) return failed(`the writer was blocked (write() false, no ’drain’) at ${blocked.length} of the kernel’s looks, but snd_wnd was never 0 (smallest ${smallest})`);
        return notReached(`snd_wnd not 0 so far (smallest ${smallest})`);
      }
      const waiting = z.from.notsent !== undefined ? `${fmtBytes(z.from.notsent)} not sent yet` : `Send-Q ${fmtBytes(z.from.sendQ ?? 0)}`;
      const more = eps.length > 1 ? `; ${eps.length} zero-window episodes so far, the latest from ${ms(eps.at(-1)!.from.t)}${eps.at(-1)!.to ? ` to ${ms(eps.at(-1)!.to!.t)}` : ' on'}` : '';
      return held(`from ${ms(z.from.t)}${z.to ? ` to ${ms(z.to.t)}` : ' on'}: snd_wnd 0 with ${waiting}${more}`);
    },
  },
  {
    id: 'probes',
    label: 'While the window is zero the writer’s kernel probes and backs off: persist timer on, its backoff rises at least twice',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const ws = liveSamples(q, wc);
      if (ws.length === 0) return notReached(noKernelView(q));
      const eps = zeroWindows(ws);
      if (eps.length === 0) return notReached('no zero window yet');
      const end = traceEnd(q);
      const seen = eps.map((z) => {
        const to = z.to?.t ?? end;
        const during = ws.filter((s) => s.t >= z.from.t && s.t <= to);
        const wire = q.during('packet', z.from.t, to).filter((p) => p.src.port === wc.local.port && p.dst.port === wc.remote.port && p.labels.includes('window probe'));
        return { z, to, p: probeSteps(during), wire: wire.reduce((n, p) => n + (p.count ?? 1), 0), captured: q.of('packet').length > 0 };
      });
      const latest = seen.at(-1)!;
      const latestText = seen.length > 1 ? `; ${seen.length} zero windows so far, the latest from ${ms(latest.z.from.t)}: backoff ${latest.p.maxBackoff}` : '';
      const proof = seen.find((e) => e.p.persist && e.p.steps.length >= 2);
      if (proof) {
        const { p } = proof;
        const gaps = p.steps.slice(1).map((s, i) => ((s.t - p.steps[i]!.t) / 1000).toFixed(2));
        const wire = proof.captured ? `; ${proof.wire} window probe(s) captured` : '';
        return held(`in the zero window from ${ms(proof.z.from.t)}${proof.z.to ? ` to ${ms(proof.z.to.t)}` : ' on'}: persist timer, backoff rose to ${p.maxBackoff} at ${p.steps.map((s) => ms(s.t)).join(', ')} (gaps ${gaps.join(', ')} s; most unanswered at once: ${p.maxProbes})${wire}${latestText}`);
      }
      const longest = seen.reduce((m, e) => (e.to - e.z.from.t > m.to - m.z.from.t ? e : m));
      const lasted = longest.to - longest.z.from.t;
      const what = `persist timer ${longest.p.persist ? 'seen' : 'not seen'}, backoff rose ${longest.p.steps.length} time(s) (max ${longest.p.maxBackoff})`;
      if (lasted >= probeTime(longest.z.from)) return failed(`the zero window from ${ms(longest.z.from.t)} lasted ${(lasted / 1000).toFixed(1)} s: ${what}`);
      return notReached(`zero window for ${(lasted / 1000).toFixed(1)} s so far: ${what}`);
    },
  },
  {
    id: 'backpressure',
    label: 'write() returns false (backpressure) and the writer then waits for ’drain’ before writing again',
    check: (q) => {
      const wc = writerConn(q);
      if (!wc) return notReached('the writer has not connected yet');
      const mine = q.events.filter((e): e is EventOf<'write'> | EventOf<'drain'> => e.actor === 'writer' && (e.kind === 'write' || e.kind === 'drain') && e.sock === wc.sock);
      const writes = mine.filter((e): e is EventOf<'write'> => e.kind === 'write');
      if (writes.length === 0) return notReached('the writer has not written yet');
      const falses = writes.filter((w) => !w.ok);
      const first = falses[0];
      if (!first) {
        // The moment: more handed over than every buffer on the way could hold, beyond what the reader program took.
        const handed = writes.reduce((n, w) => n + w.bytes, 0);
        const taken = q.of('data', 'reader').filter((d) => d.sock === readerConn(q)?.sock).reduce((n, d) => n + d.bytes, 0);
        const room = roomOnTheWay(q, wc, readerConn(q));
        const text = `the writer handed over ${fmtBytes(handed)} (the reader took ${fmtBytes(taken)}) and write() never returned false`;
        if (room === undefined) return notReached(`${text}; how much the buffers on the way hold is not in the trace yet`);
        return handed - taken > room ? failed(`${text}, though the buffers on the way hold about ${fmtBytes(room)}`) : notReached(`${text} so far`);
      }
      // In the program's own order: after a false, the next write must come after a 'drain'.
      let waiting: EventOf<'write'> | undefined;
      let drains = 0;
      let longest = 0;
      for (let i = 0; i < mine.length; i++) {
        const e = mine[i]!;
        if (e.kind === 'drain') { waiting = undefined; drains++; longest = Math.max(longest, e.waitedMs); continue; }
        if (waiting) {
          let more = 0;
          for (const x of mine.slice(i)) {
            if (x.kind === 'drain') break;
            more += x.bytes;
          }
          const maxQueued = Math.max(...writes.map((w) => w.queued));
          return failed(`the writer ignores it: after write() returned false at ${ms(waiting.t)} it wrote ${fmtBytes(more)} more without waiting for ’drain’; Node’s queue reached ${fmtBytes(maxQueued)}`);
        }
        if (!e.ok) waiting = e;
      }
      const now = waiting ? `; waiting for ’drain’ since ${ms(waiting.t)}` : '';
      if (drains === 0) return held(`write() returned false at ${ms(first.t)} with ${fmtBytes(first.queued)} queued in Node; the writer has written nothing since${now}`);
      return held(`write() returned false ${falses.length}×, first at ${ms(first.t)} with ${fmtBytes(first.queued)} queued in Node; each time the writer stopped until ’drain’ (${drains}×, longest wait ${(longest / 1000).toFixed(2)} s)${now}`);
    },
  },
  {
    id: 'slow-reads-keep-window-shut',
    label: 'Reading a few bytes at a time (readBytes) does not reopen the writer’s zero window: it stays 0 until at least half of the reader’s kernel queue has been taken from it',
    check: (q, params) => {
      const wc = writerConn(q);
      const rc = readerConn(q);
      if (!wc || !rc) return notReached('the writer has not connected yet');
      const ws = liveSamples(q, wc);
      if (ws.length === 0) return notReached(noKernelView(q));
      const eps = zeroWindows(ws);
      if (eps.length === 0) return notReached('no zero window yet');
      const end = traceEnd(q);
      const max = slowReadMax(q, params);
      const rs = liveSamples(q, rc);
      const rKey = rs[0]?.key;
      const fromKernel = params.readFrom === 'kernel';
      const slowReads = (from: number, to: number) => {
        const reads: EventOf<'data'>[] = [];
        for (const d of q.of('data', 'reader')) {
          if (d.sock !== rc.sock || d.t <= from || d.t >= to) continue;
          if (d.bytes > max) break; // a fast read: the slow part ends here
          reads.push(d);
        }
        return reads;
      };
      /** Bytes taken out of the reader's kernel queue in a span: Node's reads from it (nodestate), or the program's own recv(2) reads. */
      const taken = (from: number, to: number) => {
        if (fromKernel) return q.of('data', 'reader').filter((d) => d.sock === rc.sock && d.t > from && d.t <= to).reduce((n, d) => n + d.bytes, 0);
        const before = q.lastBefore('nodestate', from, 'reader', (n) => n.sock === rc.sock)?.bytesRead ?? 0;
        const after = q.lastBefore('nodestate', to, 'reader', (n) => n.sock === rc.sock)?.bytesRead ?? before;
        return after - before;
      };
      let best: { reads: EventOf<'data'>[]; from: number; until: number } | undefined;
      const reopened: string[] = [];
      for (const z of eps) {
        const until = Math.min(z.to?.t ?? Infinity, end);
        const reads = slowReads(z.from.t, z.to?.t ?? Infinity);
        if (reads.length >= 3 && (!best || reads.length > best.reads.length)) best = { reads, from: z.from.t, until };
        if (!z.to) continue;
        // It reopened: by then at least half of what the reader's kernel held must have been taken from it.
        if (!rKey) return notReached(`the window reopened at ${ms(z.to.t)}; no kernel sample of the reader’s socket to say why`);
        const before = q.lastLiveSample(rKey, z.from.t);
        const peak = Math.max(before?.recvQ ?? 0, ...rs.filter((r) => r.t >= z.from.t && r.t < z.to!.t).map((r) => r.recvQ ?? 0));
        // Node reports what it read within a few tens of ms; a kernel sample's time is good to a few ms.
        const took = taken(z.from.t, z.to.t + REPORT_MS);
        const how = fromKernel ? 'the reader’s recv(2) reads' : 'Node (reading the kernel for its own buffer)';
        if (peak > 0 && took < peak / 2) {
          const got = reads.reduce((n, d) => n + d.bytes, 0);
          return failed(`the window reopened at ${ms(z.to.t)} (to ${fmtBytes(z.to.sndWnd ?? 0)}) after ${reads.length} slow read(s) of ${fmtBytes(got)}, when only ${fmtBytes(took)} of the ${fmtBytes(peak)} in the reader’s kernel queue had been taken from it`);
        }
        reopened.push(`it reopened at ${ms(z.to.t)} once ${how} had taken ${fmtBytes(took)} from the reader’s kernel queue (it held up to ${fmtBytes(peak)})`);
      }
      if (!best) return notReached(`fewer than 3 slow reads while the window was shut so far${reopened.length ? `; ${reopened.join('; ')}` : ''}`);
      const got = best.reads.reduce((n, d) => n + d.bytes, 0);
      const largest = Math.max(...best.reads.map((d) => d.bytes));
      const start = rKey ? q.lastLiveSample(rKey, best.from) ?? rs.find((r) => r.t >= best.from && r.t < best.until) : undefined;
      const last = rKey ? q.lastLiveSample(rKey, best.until - 0.001) : undefined;
      const recv = start && last ? `; the reader’s kernel queue went ${fmtBytes(start.recvQ ?? 0)} → ${fmtBytes(last.recvQ ?? 0)}` : '';
      const after = reopened.length ? `; ${reopened.join('; ')}` : '';
      return held(`${best.reads.length} reads of at most ${fmtBytes(largest)} took ${fmtBytes(got)} over ${((best.until - best.from) / 1000).toFixed(1)} s while the writer’s window stayed 0${recv}${after}`);
    },
  },
  {
    id: 'reopen',
    label: 'Once the reader reads everything (“Read everything now”, or readAllAfterMs) the writer’s window reopens and its bytes move again: ’drain’ fires and it writes more (ignoring backpressure: the kernel sends more of Node’s queue)',
    check: (q, params) => {
      const wc = writerConn(q);
      const all = q.custom('read-all', 'reader');
      if (all.length === 0) return notReached('the reader has not read everything yet: press “Read everything now” (or set readAllAfterMs)');
      if (!wc) return notReached('the writer has not connected');
      const ws = liveSamples(q, wc);
      if (ws.length === 0) return notReached(noKernelView(q));
      const key = ws[0]!.key;
      // The first time the reader read everything while the writer's window was shut.
      const at = all.find((r) => q.lastLiveSample(key, r.t - LOOK_MS)?.sndWnd === 0);
      if (!at) return notReached(`the writer’s window was not shut when the reader read everything (at ${all.map((r) => ms(r.t)).join(', ')})`);
      const t0 = at.t;
      const end = traceEnd(q);
      const gone = q.first('sample', 'kernel', (s) => s.key === key && s.state === 'GONE' && s.t > t0);
      const stillThere = (t: number) => end >= t && (!gone || gone.t > t);
      const open = ws.find((s) => s.t > t0 - LOOK_MS && (s.sndWnd ?? 0) > 0);
      if (!open) {
        // Samples are written on change: no new one means the window is still 0.
        if (stillThere(t0 + 1000)) return failed(`read everything at ${ms(t0)}; ${((end - t0) / 1000).toFixed(1)} s later the writer’s window is still 0`);
        return notReached(`read everything at ${ms(t0)}; the writer’s window has not reopened yet`);
      }
      const shut = `window 0 → ${fmtBytes(open.sndWnd ?? 0)} at ${ms(open.t)}`;
      if (params.writerMode === 'ignore-backpressure') {
        const before = q.lastLiveSample(key, t0 - LOOK_MS)?.bytesAcked ?? 0;
        const acked = ws.filter((s) => s.t > t0 - LOOK_MS).map((s) => s.bytesAcked ?? 0);
        const moved = Math.max(0, ...acked) - before;
        if (moved > 0) return held(`read everything at ${ms(t0)}; ${shut}; the kernel delivered ${fmtBytes(moved)} more of Node’s queue`);
        return stillThere(open.t + 1000) ? failed(`read everything at ${ms(t0)}; ${shut}, but the kernel delivered nothing more`) : notReached(`read everything at ${ms(t0)}; ${shut}; nothing more delivered yet`);
      }
      const drain = q.first('drain', 'writer', (d) => d.sock === wc.sock && d.t > t0);
      if (!drain) {
        return end >= open.t + 1000 ? failed(`read everything at ${ms(t0)}; ${shut}, but no ’drain’ for the writer ${((end - open.t) / 1000).toFixed(1)} s later`) : notReached(`read everything at ${ms(t0)}; ${shut}; no ’drain’ for the writer yet`);
      }
      const wrote = q.of('write', 'writer').filter((w) => w.sock === wc.sock && w.t > drain.t).reduce((n, w) => n + w.bytes, 0);
      const detail = `read everything at ${ms(t0)}; ${shut}; ’drain’ at ${ms(drain.t)} after ${(drain.waitedMs / 1000).toFixed(2)} s blocked; then ${fmtBytes(wrote)} more written`;
      if (wrote > 0) return held(detail);
      return end >= drain.t + 1000 ? failed(detail) : notReached(detail);
    },
  },
];
