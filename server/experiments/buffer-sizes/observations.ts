/**
 * What the sweep expects, computed from the trace: the sockopt events (asked vs kept), the
 * `size-result` reports joined by shared/flow/buffer-sweep.ts, and the kernel observer's samples
 * of each connection. Held, failed, or not reached (a size not measured yet, no kernel view).
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { sweepRows, type SweepRow } from '../../../shared/flow/buffer-sweep.js';
import { failed, fmtBytes, held, liveOnly, noKernelView, notReached, ownConnsOf, samplesOf } from '../flow-shared/observe.js';
import { parseSizes } from './sizes.js';

const sizesOf = (params: Record<string, unknown>) => parseSizes(String(params.sizes ?? ''));

/** One SO_SNDBUF / SO_RCVBUF set with both numbers: what was asked and what the kernel kept. */
interface Kept { option: string; asked: number; kept: number }
type How = 'doubled' | 'raised' | 'capped';
const howOf = (k: Kept): How => (k.kept === 2 * k.asked ? 'doubled' : k.kept > 2 * k.asked ? 'raised' : 'capped');

/**
 * Linux keeps max(min(asked, net.core.*mem_max) × 2, SOCK_MIN_*BUF): twice the request, raised to
 * one minimum, capped at one maximum. Returns why the sets of one option break that rule, or null.
 */
function breaksRule(sets: readonly Kept[]): string | null {
  const raised = sets.filter((k) => howOf(k) === 'raised');
  const capped = sets.filter((k) => howOf(k) === 'capped');
  const doubled = sets.filter((k) => howOf(k) === 'doubled');
  const min = new Set(raised.map((k) => k.kept));
  const max = new Set(capped.map((k) => k.kept));
  if (min.size > 1) return `tiny sizes were raised to different values (${[...min].map(fmtBytes).join(', ')})`;
  if (max.size > 1) return `big sizes were capped at different values (${[...max].map(fmtBytes).join(', ')})`;
  const lo = [...min][0];
  const hi = [...max][0];
  for (const k of doubled) {
    if (lo !== undefined && k.kept < lo) return `${fmtBytes(k.asked)} was kept at ${fmtBytes(k.kept)}, below the minimum ${fmtBytes(lo)} others were raised to`;
    if (hi !== undefined && k.kept > hi) return `${fmtBytes(k.asked)} was kept at ${fmtBytes(k.kept)}, above the cap ${fmtBytes(hi)} others got`;
  }
  if (lo !== undefined && hi !== undefined && hi < lo) return `the cap ${fmtBytes(hi)} is below the minimum ${fmtBytes(lo)}`;
  for (const r of raised) for (const c of doubled) if (r.asked > c.asked) return `${fmtBytes(r.asked)} was raised while the smaller ${fmtBytes(c.asked)} was only doubled`;
  for (const c of capped) for (const k of doubled) if (c.asked < k.asked) return `${fmtBytes(c.asked)} was capped while the bigger ${fmtBytes(k.asked)} was doubled`;
  return null;
}

const HOW_TEXT: Record<How, string> = { doubled: 'doubled', raised: 'raised to the minimum', capped: 'capped' };

/** The reader's data connections, in order: those from the writer's watched sockets (the control line is not one). */
const readerData = (q: TraceQuery) => ownConnsOf(q, 'reader');
const writerData = (q: TraceQuery) => ownConnsOf(q, 'writer');

const readerReportAt = (q: TraceQuery, index: number): EventOf<'custom'> | undefined =>
  q.custom('size-result', 'reader').find((e) => e.data.index === index);

const keptOf = (r: SweepRow) => ({ snd: r.writer?.sndbufEffective ?? null, rcv: r.rcvbufKept ?? r.reader?.rcvbufEffective ?? null });

export const observations: ObservationSpec[] = [
  {
    id: 'kept-not-asked',
    label: 'The kernel keeps its own size, not the one asked: twice the request, raised to one minimum for tiny sizes and capped at one maximum for big ones (per option)',
    check: (q) => {
      const sets = q.of('sockopt').filter((e) => (e.option === 'SO_SNDBUF' || e.option === 'SO_RCVBUF') && typeof e.requested === 'number');
      if (sets.length === 0) return notReached('no SO_SNDBUF / SO_RCVBUF set in the trace yet (auto is never set)');
      const unread = sets.find((e) => typeof e.effective !== 'number');
      if (unread) return notReached(`the kernel did not report a size back: ${unread.error ?? 'unknown'}`);
      const kept: Kept[] = [];
      for (const e of sets) {
        if (typeof e.requested === 'number' && typeof e.effective === 'number' && !kept.some((k) => k.option === e.option && k.asked === e.requested)) {
          kept.push({ option: e.option, asked: e.requested, kept: e.effective });
        }
      }
      const parts: string[] = [];
      for (const option of ['SO_SNDBUF', 'SO_RCVBUF']) {
        const mine = kept.filter((k) => k.option === option).sort((a, b) => a.asked - b.asked);
        if (mine.length === 0) continue;
        const why = breaksRule(mine);
        const list = mine.map((k) => `${fmtBytes(k.asked)} → ${fmtBytes(k.kept)} (${HOW_TEXT[howOf(k)]}${k.kept === k.asked ? ', as asked by coincidence' : ''})`).join(', ');
        if (why) return failed(`${option}: ${list}: ${why}`);
        parts.push(`${option}: ${list}`);
      }
      if (kept.every((k) => k.kept === k.asked)) return failed(`the kernel kept every size as asked: ${parts.join('; ')}`);
      return held(parts.join('; '));
    },
  },
  {
    id: 'all-measured',
    label: 'Every size was measured on both sides',
    check: (q, params) => {
      const want = sizesOf(params);
      const rows = sweepRows(q.events);
      const both = rows.filter((r) => r.writer && r.reader);
      const missing = want.filter((s) => !both.some((r) => r.size === s));
      if (missing.length === 0) return held(`${both.length} of ${want.length} sizes measured on both sides`);
      const detail = `${both.length} of ${want.length} sizes measured on both sides; not yet: ${missing.join(', ')}`;
      // The moment: both programs are done (the writer measures one size after another, then both exit).
      const over = q.first('exit', 'writer') && q.first('exit', 'reader');
      return over ? failed(detail.replace('not yet', 'never')) : notReached(detail);
    },
  },
  {
    id: 'bigger-holds-more',
    label: 'A bigger buffer (as the kernel kept it) lets the writer hand over more before it truly stops',
    check: (q) => {
      const rows = sweepRows(q.events).filter((r) => r.writer && r.size !== 'auto');
      if (rows.length < 2) return notReached(`${rows.length} fixed size(s) measured so far; needs two`);
      const text = rows.map((r) => `${fmtBytes(Number(r.size))}: ${fmtBytes(r.writer?.stopped ?? 0)}`).join(', ');
      let compared = 0;
      for (let i = 1; i < rows.length; i++) {
        const a = rows[i - 1]!;
        const b = rows[i]!;
        const ka = keptOf(a);
        const kb = keptOf(b);
        const sa = ka.snd ?? Number(a.size);
        const sb = kb.snd ?? Number(b.size);
        const ra = ka.rcv ?? Number(a.size);
        const rb = kb.rcv ?? Number(b.size);
        if (sa === sb && ra === rb) continue; // the kernel kept the same: nothing to compare
        if (sb < sa || rb < ra) continue; // not bigger on both sides
        compared++;
        if ((b.writer?.stopped ?? 0) <= (a.writer?.stopped ?? 0)) return failed(`${text}: ${fmtBytes(Number(b.size))} (kept ${fmtBytes(sb)} / ${fmtBytes(rb)}) stopped no later than ${fmtBytes(Number(a.size))} (kept ${fmtBytes(sa)} / ${fmtBytes(ra)})`);
      }
      if (compared === 0) return notReached(`${text}: the kernel kept no buffer bigger than another so far`);
      return held(text);
    },
  },
  {
    id: 'overhead',
    label: 'The reader’s kernel never holds a whole SO_RCVBUF of data: its memory is charged for more than the data (packet overhead)',
    check: (q) => {
      const rows = sweepRows(q.events).filter((r) => r.size !== 'auto' && r.reader && r.reader.kernelRecvQ !== null && r.reader.rcvbufEffective !== null);
      if (rows.length === 0) return notReached('no fixed size measured on the reader’s side yet');
      const conns = readerData(q);
      const parts: string[] = [];
      let shown = 0;
      for (const r of rows) {
        const data = r.reader?.kernelRecvQ ?? 0;
        const buf = r.reader?.rcvbufEffective ?? 0;
        const text = `${fmtBytes(data)} of ${fmtBytes(buf)} (${Math.round((100 * data) / buf)}%)`;
        if (data >= buf) return failed(`${fmtBytes(Number(r.size))}: the reader’s kernel held ${text}: the whole buffer`);
        // The kernel's own look at that connection just before the reader measured it: memory charged vs data.
        const report = readerReportAt(q, r.index);
        const look = report ? liveOnly(samplesOf(q, conns[r.index])).filter((s) => s.t <= report.t && s.skmem).at(-1) : undefined;
        if (look?.skmem && (look.recvQ ?? 0) > 0) {
          if (look.skmem.rmemAlloc <= (look.recvQ ?? 0)) return failed(`${fmtBytes(Number(r.size))}: ${text}, but the kernel charged only ${fmtBytes(look.skmem.rmemAlloc)} for ${fmtBytes(look.recvQ ?? 0)} of data`);
          shown++;
          parts.push(`${text}, memory ${fmtBytes(look.skmem.rmemAlloc)} for ${fmtBytes(look.recvQ ?? 0)} of data`);
        } else parts.push(text);
      }
      if (shown === 0) return notReached(`${parts.join(', ')}; the memory charged needs a kernel sample with data queued (${q.of('sample').length === 0 ? noKernelView(q) : 'none of these connections'})`);
      return held(parts.join(', '));
    },
  },
  {
    id: 'auto-sized',
    label: 'With auto (SO_SNDBUF never set) the kernel sizes the send buffer itself: above where tcp_wmem starts a socket',
    check: (q, params) => {
      if (!sizesOf(params).includes('auto')) return notReached('auto is not among the sizes');
      const row = sweepRows(q.events).find((r) => r.size === 'auto' && r.writer);
      if (!row?.writer) return notReached('auto not measured yet');
      const conn = writerData(q)[row.index];
      const set = conn ? q.first('sockopt', 'writer', (e) => e.sock === conn.sock && e.option === 'SO_SNDBUF') : undefined;
      if (set) return failed(`SO_SNDBUF was set on the auto connection (${String(set.requested)})`);
      const { sndbufAtConnect: a, sndbufAtStop: b, tcpWmem } = row.writer;
      if (a === null || b === null) return notReached('SO_SNDBUF could not be read back (no kernel view)');
      const start = tcpWmem?.[1];
      const max = tcpWmem?.[2];
      if (start === undefined || max === undefined) return notReached('net.ipv4.tcp_wmem could not be read (not Linux?)');
      const detail = `tcp_wmem starts a socket at ${fmtBytes(start)} (max ${fmtBytes(max)}); SO_SNDBUF was ${fmtBytes(a)} right after connect and ${fmtBytes(b)} when the writer stopped`;
      return b > start ? held(detail) : failed(detail);
    },
  },
];
