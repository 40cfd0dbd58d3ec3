/**
 * What linger expects, checked against the trace through lingerOutcome (shared/trace/linger-outcome.ts,
 * which the comparison table uses too) and the kernel observer's samples of the writer's socket.
 * Held, failed (the moment is in the trace and the claim does not hold there), or not reached
 * (the writer has not closed yet, the reader has not seen the end, no kernel view).
 */
import type { ObservationSpec, ObservationResult } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { expectedEnd, lingerOutcome, sawReset } from '../../../shared/trace/linger-outcome.js';

const held = (detail: string): ObservationResult => ({ held: true, detail });
const failed = (detail: string): ObservationResult => ({ held: false, detail });
const notReached = (detail: string): ObservationResult => ({ held: false, reached: false, detail });

/** A close call that returns within this did not wait for anything. */
const AT_ONCE_MS = 100;
/** How far a linger timeout may run over n s (timer slack, a busy machine) and still be "after n s". */
const LINGER_SLACK_MS = 1000;
/** After the RST the socket must be gone within this of the close returning (a few of the observer's looks). */
const GONE_WITHIN_MS = 250;

/**
 * The programs, the kernel observer (a look's time is the middle of its query) and the capture
 * (tcpdump's clock mapped onto the run's) agree to a few ms only: comparisons across them allow this.
 */
const CLOCKS_MS = 50;

const resets = (p: Record<string, unknown>) => expectedEnd(String(p.linger), String(p.close)) === 'ECONNRESET';

/** The writer's connection and the kernel's samples of it (both directions by ports), in order. */
function writerSamples(q: TraceQuery): EventOf<'sample'>[] {
  const c = q.connections().find((x) => x.actor === 'writer' && x.own);
  if (!c) return [];
  return q.of('sample').filter((s) => s.local.port === c.local.port && s.remote.port === c.remote.port && s.local.address === c.local.address);
}

const traceEnd = (q: TraceQuery) => q.events.reduce((m, e) => Math.max(m, e.t), 0);

export const observations: ObservationSpec[] = [
  {
    id: 'close-timing',
    label: 'close returned when Linux says: at once (under 100 ms), except destroy() with SO_LINGER n and bytes still queued: then after n s, or sooner once the reader had taken everything',
    check: (q, p) => {
      const o = lingerOutcome(q);
      if (o.closeBlockedMs === null || o.closeReturnedAt === null) return notReached('the writer has not closed yet');
      const blocked = `${o.closeCall ?? 'close'} stalled the writer ${o.closeBlockedMs.toFixed(1)} ms`;
      const waits = p.linger === 'seconds' && p.close === 'destroy';
      if (waits && o.kernelSendQAtClose === null) return notReached(`${blocked}; the kernel’s send queue at the close is unknown, so whether it had to wait is too`);
      if (!waits || o.kernelSendQAtClose === 0) {
        const why = o.kernelSendQAtClose === 0 ? 'nothing was left in the kernel’s send queue' : `${o.kernelSendQAtClose ?? '?'} B were still in the kernel’s send queue`;
        const reader = o.readerStartedAt === null || o.closeReturnedAt < o.readerStartedAt ? 'before the reader read a byte' : 'after the reader had started reading';
        const atOnce = o.closeBlockedMs < AT_ONCE_MS;
        return (atOnce ? held : failed)(`${blocked}: ${atOnce ? 'at once' : `NOT at once (${AT_ONCE_MS} ms or more)`}, ${reader}; ${why}`);
      }
      const n = Number(p.lingerSeconds);
      const timedOut = o.closeBlockedMs >= n * 1000 - 200 && o.closeBlockedMs <= n * 1000 + LINGER_SLACK_MS;
      const emptied = !timedOut && o.closeBlockedMs < n * 1000 && o.readerStartedAt !== null && o.readerStartedAt <= o.closeReturnedAt;
      if (timedOut) return held(`${blocked} with ${o.kernelSendQAtClose} B queued: SO_LINGER ${n} s ran out (the reader had ${o.readerStartedAt !== null && o.readerStartedAt <= o.closeReturnedAt ? 'started reading' : 'not read a byte yet'})`);
      if (emptied) return held(`${blocked} with ${o.kernelSendQAtClose} B queued: less than SO_LINGER ${n} s, returning once the reader (reading since ${o.readerStartedAt?.toFixed(0)} ms) had taken everything`);
      return failed(`${blocked} with ${o.kernelSendQAtClose} B queued and SO_LINGER ${n} s: neither the timer (${n * 1000} ms) nor the reader (${o.readerStartedAt === null ? 'not reading' : `reading from ${o.readerStartedAt.toFixed(0)} ms`}) explains it`);
    },
  },
  {
    id: 'peer-end',
    label: 'The reader saw the end the setting predicts: a clean EOF after the writer’s FIN; after its RST, ECONNRESET (an error, or left in SO_ERROR behind Node’s EOF)',
    check: (q, p) => {
      const o = lingerOutcome(q);
      const end = o.peerEnd;
      if (!end) return notReached('the reader has not seen the end yet');
      const so = q.custom('so-error', 'reader')[0]?.data;
      const soText = typeof so?.code === 'string' ? so.code : typeof so?.unavailable === 'string' ? `unreadable: ${so.unavailable}` : 'not read';
      const at = `at ${end.t.toFixed(0)} ms after ${o.peerRead} B`;
      const w = o.wire;
      if (resets(p)) {
        if (sawReset(end)) {
          if (w && (w.writerRst === null || w.writerRst > end.t + CLOCKS_MS)) return failed(`the reader saw a reset ${at}, but no RST from the writer was captured before it`);
          const how = end.how === 'ECONNRESET' ? `ECONNRESET ${at}` : `Node reported EOF ${at}, and SO_ERROR held ECONNRESET: it was the RST (libuv read the reset as EOF)`;
          return held(`${how}${w?.writerRst != null ? `; the writer’s RST was captured at ${w.writerRst.toFixed(0)} ms` : ''}`);
        }
        if (end.how === 'EOF' && typeof so?.code !== 'string') return notReached(`Node reported EOF ${at}; SO_ERROR ${soText}, so a reset cannot be told from a FIN`);
        return failed(`the reader saw ${end.how} ${at} (SO_ERROR ${soText}); SO_LINGER 0 with destroy() should reset it`);
      }
      if (end.how !== 'EOF') return failed(`the reader got ${end.how} ${at}; expected a clean EOF`);
      if (sawReset(end)) return failed(`Node reported EOF ${at}, but SO_ERROR held ${end.kernelError}: a reset, not a FIN`);
      if (w) {
        if (w.writerRst !== null && w.writerRst <= end.t + CLOCKS_MS) return failed(`EOF ${at}, but an RST from the writer was captured at ${w.writerRst.toFixed(0)} ms`);
        if (w.writerFin === null || w.writerFin > end.t + CLOCKS_MS) return failed(`EOF ${at}, but no FIN from the writer was captured before it`);
        return held(`a clean EOF ${at}, after the writer’s FIN (captured at ${w.writerFin.toFixed(0)} ms); SO_ERROR ${soText}`);
      }
      if (so?.code === 'none') return held(`a clean EOF ${at}; SO_ERROR none (no reset)`);
      return notReached(`EOF ${at}; no capture and SO_ERROR ${soText}: a FIN cannot be told from a reset`);
    },
  },
  {
    id: 'bytes',
    label: 'Bytes delivered: end(): every byte handed to write(); destroy(): every byte the kernel had taken; SO_LINGER 0 with destroy(): fewer than the kernel had taken (the RST drops its send queue)',
    check: (q, p) => {
      const o = lingerOutcome(q);
      if (!o.peerEnd) return notReached('the reader has not finished yet');
      const took = o.kernelTookAtClose;
      const detail = `handed to write() ${o.handedToWrite} B, the kernel had taken ${took ?? '?'} B at close, the reader read ${o.peerRead} B`;
      if (o.handedToWrite === 0) return notReached(`${detail}: nothing was written, so there is nothing to deliver`);
      if (p.close === 'end') return (o.peerRead === o.handedToWrite ? held : failed)(`${detail}${o.peerRead === o.handedToWrite ? '' : ` — ${o.handedToWrite - o.peerRead} B missing`}`);
      if (took === null) return notReached(`${detail} (the kernel’s count is unknown)`);
      if (took === 0) return notReached(`${detail}: the kernel had taken nothing, so there is nothing to account for`);
      if (resets(p)) {
        return o.peerRead < took
          ? held(`${detail} — ${took - o.peerRead} B the kernel had taken were dropped with the RST, and destroy() threw away the ${o.handedToWrite - took} B Node still held`)
          : failed(`${detail} — nothing the kernel had taken was lost`);
      }
      if (o.peerRead !== took) return failed(`${detail} — ${o.peerRead < took ? `${took - o.peerRead} B the kernel had taken never arrived` : 'more than the kernel had taken'}`);
      return held(`${detail}${o.handedToWrite > took ? ` — destroy() threw away the ${o.handedToWrite - took} B Node still held` : ''}`);
    },
  },
  {
    id: 'afterlife',
    label: 'After close the kernel kept the writer’s socket as predicted: its FIN (FIN_WAIT) before TIME_WAIT, orphaned and still sending after destroy() with bytes queued; after the RST it is gone at once, no TIME_WAIT',
    check: (q, p) => {
      const o = lingerOutcome(q);
      if (o.closeCalledAt === null || o.closeReturnedAt === null) return notReached('the writer has not closed yet');
      const samples = writerSamples(q);
      if (!o.kernel || samples.length === 0) return notReached('no kernel samples of the writer’s socket (kernel view off)');
      const after = samples.filter((s) => s.t >= o.closeCalledAt! - CLOCKS_MS && (s.t >= o.closeCalledAt! || s.state !== 'ESTABLISHED'));
      const seen = o.kernel.statesAfterClose.join(' → ') || 'nothing yet';
      const end = traceEnd(q);
      if (resets(p)) {
        const lingering = after.find((s) => s.state === 'TIME_WAIT' || s.state.startsWith('FIN_WAIT') || s.state === 'CLOSING' || s.state === 'LAST_ACK');
        if (lingering) return failed(`writer’s socket after close: ${seen} (${lingering.state} at ${lingering.t.toFixed(0)} ms)`);
        const gone = after.find((s) => s.state === 'GONE');
        const alive = after.find((s) => s.state !== 'GONE' && s.t > o.closeReturnedAt!);
        if (alive && (!gone || alive.t < gone.t)) return failed(`writer’s socket after close: ${seen}: still there (${alive.state}) at ${alive.t.toFixed(0)} ms`);
        if (!gone) return end > o.closeReturnedAt + GONE_WITHIN_MS ? failed(`writer’s socket after close: ${seen}: not gone ${GONE_WITHIN_MS} ms after the close`) : notReached('the close just returned; no look at the writer’s socket since');
        if (gone.t > o.closeReturnedAt + GONE_WITHIN_MS) return failed(`writer’s socket after close: ${seen}: gone only at ${gone.t.toFixed(0)} ms, ${(gone.t - o.closeReturnedAt).toFixed(0)} ms after the close`);
        return held(`writer’s socket after close: ${seen} at ${gone.t.toFixed(0)} ms, ${Math.max(0, gone.t - o.closeReturnedAt).toFixed(0)} ms after the close returned`);
      }
      const tw = after.find((s) => s.state === 'TIME_WAIT');
      const mustOrphan = p.close === 'destroy' && (o.kernelSendQAtClose ?? 0) > 0;
      const orphan = o.kernel.orphanSending ? `; orphaned with up to ${o.kernel.orphanMaxSendQ} B still to send` : '';
      if (!tw) {
        const gone = after.find((s) => s.state === 'GONE');
        if (gone) return failed(`writer’s socket after close: ${seen}: gone without TIME_WAIT`);
        // TIME_WAIT follows the reader's FIN: once the reader has closed, the next look must show it.
        const rc = q.connections().find((c) => c.actor === 'reader' && c.own);
        const readerClosed = rc ? q.first('close', 'reader', (e) => e.sock === rc.sock) : undefined;
        if (readerClosed && end > readerClosed.t + 500) return failed(`writer’s socket after close: ${seen}${orphan}; no TIME_WAIT ${((end - readerClosed.t) / 1000).toFixed(1)} s after the reader closed`);
        return notReached(`writer’s socket after close so far: ${seen}${orphan}`);
      }
      if (mustOrphan && !o.kernel.orphanSending) return failed(`writer’s socket after close: ${seen}: destroy() left ${o.kernelSendQAtClose} B queued, yet no orphan still sending was seen`);
      const fin = after.find((s) => s.state.startsWith('FIN_WAIT') && s.t <= tw.t);
      const wireFin = o.wire?.writerFin ?? null;
      if (!fin && o.wire && (wireFin === null || wireFin > tw.t)) return failed(`writer’s socket after close: ${seen}: TIME_WAIT without a FIN from the writer on the wire before it`);
      if (!fin && wireFin === null) return notReached(`writer’s socket after close: ${seen}: FIN_WAIT lasted less than a look of the observer and there is no capture to show the FIN`);
      const finText = fin ? `${fin.state} at ${fin.t.toFixed(0)} ms` : `its FIN captured at ${wireFin!.toFixed(0)} ms`;
      return held(`writer’s socket after close: ${seen}${orphan}; ${finText}, TIME_WAIT from ${tw.t.toFixed(0)} ms`);
    },
  },
];
