/**
 * What the udp experiment expects to see, checked against the trace (shared/dgram/udp-view.ts):
 * nothing here is a number written down in advance; every figure is counted from the run.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import { udpView } from '../../../shared/dgram/udp-view.js';
import { boundaryStats } from '../../../shared/stream/boundaries.js';

/** The run as the trace shows it (observations see the whole trace). */
function view(q: TraceQuery) {
  return udpView(q.events);
}

const sizes = (xs: number[]) => {
  const distinct = [...new Set(xs)];
  return distinct.length === 1 ? `${xs.length} × ${distinct[0]} B` : xs.join(', ') + ' B';
};

export const observations: ObservationSpec[] = [
  {
    id: 'seed-exchange',
    label: 'The seed’s exchange: one datagram out, the time back in one datagram',
    check: (q) => {
      const s = view(q).seed;
      if (!s) return { held: false, detail: 'the client has not started the seed’s exchange' };
      if (!s.reply) return { held: false, detail: `sent ${s.sent} datagram(s), no reply seen` };
      return { held: s.sent >= 1, detail: `sent "anything" (8 B); the reply was one ${s.reply.bytes} B datagram: "${s.reply.text}"` };
    },
  },
  {
    id: 'boundaries-kept',
    label: 'K datagrams of M bytes arrive as exactly K reads of M bytes',
    check: (q) => {
      const b = view(q).boundaries;
      if (!b) return { held: false, detail: 'the boundaries phase has not run' };
      const same = b.sends.length > 0 && b.receives.length === b.sends.length && b.receives.every((n, i) => n === b.sends[i]);
      return { held: same, detail: `sent ${sizes(b.sends)}; the server's reads returned ${b.receives.length ? sizes(b.receives) : 'nothing'}` };
    },
  },
  {
    id: 'tcp-merged',
    label: 'The same K writes over TCP did not keep their boundaries',
    check: (q) => {
      const t = view(q).boundaries?.tcp;
      if (!t) return { held: false, detail: 'no TCP comparison in this run (compareTcp is off, or it has not run yet)' };
      const s = boundaryStats(t.writes, t.reads);
      if (s.messages === 0 || s.completeMessages < s.messages) return { held: false, detail: `${t.writes.length} writes, ${t.reads.length} reads so far` };
      return {
        held: s.splitMessages > 0 || s.mergedReads > 0,
        detail: `${s.messages} TCP writes of ${t.writes[0]} B arrived as ${s.reads} reads: ${s.mergedReads} read${s.mergedReads === 1 ? '' : 's'} carried several writes, ${s.splitMessages} write${s.splitMessages === 1 ? ' was' : 's were'} split`,
      };
    },
  },
  {
    id: 'drops-counted',
    label: 'A slow receiver with a small buffer: the kernel drops datagrams and counts them; every send succeeded',
    check: (q) => {
      const f = view(q).flood;
      if (!f) return { held: false, detail: 'the flood phase has not run' };
      if (!f.kernel) return { held: false, detail: `sent ${f.sent}, the receiver got ${f.received}; the kernel's drop count is unknown: ${f.kernelOff}` };
      const lost = f.sent - f.received;
      const elsewhere = lost - f.kernel.drops;
      return {
        held: f.kernel.drops > 0 && f.refused === 0 && f.received < f.sent,
        detail: `sent ${f.sent} datagrams of ${f.size} B (${f.refused} refused); the receiver's program got ${f.received}; ` +
          `its socket's drop counter says ${f.kernel.drops}` +
          (elsewhere > 0 ? `; ${elsewhere} more never reached the socket` : elsewhere < 0 ? `; ${-elsewhere} still queued or counted twice` : '; every datagram accounted for'),
      };
    },
  },
  {
    id: 'econnrefused',
    label: 'A connected UDP socket sending to a port nobody listens on gets ECONNREFUSED',
    check: (q) => {
      const e = view(q).errors;
      if (!e) return { held: false, detail: 'the errors phase has not run' };
      if (!e.refused) return { held: false, detail: 'no ECONNREFUSED reported' };
      return { held: true, detail: `port ${e.refused.port ?? '?'}: ${e.refused.code}${e.refused.syscall ? ` reported by ${e.refused.syscall}()` : ''}, after a send() that itself succeeded` };
    },
  },
  {
    id: 'emsgsize',
    label: 'A datagram too large for one IP datagram is refused with EMSGSIZE',
    check: (q) => {
      const e = view(q).errors;
      if (!e) return { held: false, detail: 'the errors phase has not run' };
      const refused = e.sizes.find((s) => s.error === 'EMSGSIZE');
      const largestOk = Math.max(0, ...e.sizes.filter((s) => !s.error).map((s) => s.bytes));
      if (!refused) return { held: false, detail: `no EMSGSIZE among ${e.sizes.map((s) => `${s.bytes} B${s.error ? ` (${s.error})` : ''}`).join(', ') || 'no big sends'}` };
      return { held: true, detail: `${refused.bytes} B: EMSGSIZE${largestOk ? `; ${largestOk} B went through` : ''}` };
    },
  },
];
