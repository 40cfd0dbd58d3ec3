/**
 * What the framing experiment expects, from the trace: the client's `sent` reports against the
 * server's `frame` / `frame-error` reports on the connection from the lab's own client (directly
 * or through the slicer) — a client from outside (the server listens on --port) is never judged —
 * scored by shared/stream/framing-view.ts.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { framingView, scoreFraming, type ConnView, type FramingScore, type FramingView } from '../../../shared/stream/framing-view.js';

interface LabConnection {
  view: FramingView;
  conn: ConnView;
  score: FramingScore;
  /**
   * Bytes of the connection the server has read and finished with: its reports for them are in
   * the trace (a later event of the server follows the read), or the connection has ended.
   */
  settled: number;
  /** The server saw the end of the connection (FIN, or it closed it). */
  ended: boolean;
}

/**
 * The connection the lab's client made, judged. framingView judges the first connection the
 * server accepted; the server's connections from outside the run are left out first, so that is
 * the lab's one even when an outside client came first.
 */
function labConnection(q: TraceQuery, params: Record<string, unknown>): LabConnection | undefined {
  const foreign = new Set(q.connections().filter((c) => c.actor === 'server' && c.via === 'accept' && !c.own).map((c) => c.sock));
  const mine = (e: TraceEvent) => {
    if (e.actor !== 'server') return true;
    if (e.kind === 'accept') return !foreign.has(e.sock);
    if (e.kind === 'custom') return !(typeof e.data.conn === 'string' && foreign.has(e.data.conn));
    return true;
  };
  const view = framingView(foreign.size ? q.events.filter(mine) : q.events);
  const conn = view.conns.find((c) => c.fromLabClient);
  const score = scoreFraming(view, Number(params.maxFrameSize));
  if (!conn || !score) return undefined;
  let settled = 0;
  let pending = 0;
  let ended = false;
  for (const e of q.events) {
    if (e.actor !== 'server') continue;
    // Each read's reports are written by the same handler, right after the read: once any later
    // event of the server is in the trace, they are too.
    settled += pending;
    pending = 0;
    if (e.kind === 'data' && e.sock === conn.conn) pending = e.bytes;
    if ((e.kind === 'eof' || e.kind === 'end' || e.kind === 'close') && e.sock === conn.conn) ended = true;
  }
  if (ended) settled += pending;
  return { view, conn, score, settled, ended };
}

const none = (what: string) => ({ held: false, reached: false, detail: what });
const NO_CONNECTION = 'no connection from the lab\'s client to the server in the trace yet';
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

export const observations: ObservationSpec[] = [
  {
    id: 'framed-right',
    label: 'The framed reader returned exactly the messages the client sent: each once, in order, the same bytes at the same place in the stream',
    check: (q, params) => {
      const lc = labConnection(q, params);
      if (!lc) return none(NO_CONNECTION);
      const { score: s, conn } = lc;
      if (lc.view.sent.length === 0) return none('the client has sent no message yet');
      if (s.expected.length === 0) return none(`none of the ${plural(lc.view.sent.length, 'message')} sent is one the framed reader should return (over the maximum, or after a drop)`);
      const counts = `${plural(s.expected.length, 'message')} sent within the maximum, ${s.framedRight} returned right, ${s.framedWrong} wrong, ${s.missing.length} not returned`;
      const wrong = conn.framed.find((f) => f.verdict !== 'right');
      if (wrong) return { held: false, detail: `${counts}; the first wrong one: ${wrong.frame.payloadEnd - wrong.frame.payloadStart} B at byte ${wrong.frame.payloadStart}, which the client did not send there` };
      const expectedIndex = new Set(s.expected.map((m) => m.index));
      const extra = conn.framed.find((f) => f.sentIndex !== null && !expectedIndex.has(f.sentIndex));
      if (extra) return { held: false, detail: `${counts}; it also returned message #${extra.sentIndex}, which it should not have (over the maximum, or after the connection was dropped)` };
      const order = conn.framed.map((f) => f.sentIndex ?? -1);
      const outOfOrder = order.findIndex((x, i) => i > 0 && x <= order[i - 1]!);
      if (outOfOrder > 0) return { held: false, detail: `${counts}; message #${order[outOfOrder]} came back after #${order[outOfOrder - 1]} (twice, or out of order)` };
      // A missing message whose bytes the server has read (and reported on) was lost by the decoder.
      const lost = s.missing.find((m) => m.end <= lc.settled || lc.ended);
      if (lost) return { held: false, detail: `${counts}; message #${lost.index} (bytes ${lost.start}–${lost.end}) was read by the server but never returned` };
      if (s.missing.length > 0) return none(`${counts} so far; ${plural(s.missing.length, 'message')} still on the way to the server`);
      return { held: true, detail: `${counts}: every one once, in order, the same bytes (checksum) at the same place in the stream` };
    },
  },
  {
    id: 'naive-wrong',
    label: 'The naive reader (one read = one message) got messages wrong: a read held a part of one, or several',
    check: (q, params) => {
      const lc = labConnection(q, params);
      if (!lc) return none(NO_CONNECTION);
      const n = lc.conn.naive;
      const part = n.filter((x) => x.verdict === 'part').length;
      const merged = n.filter((x) => x.verdict === 'merged').length;
      const exact = n.filter((x) => x.verdict === 'exact').length;
      const other = n.length - part - merged - exact;
      const detail = `${plural(n.length, 'read')}: ${exact} exactly one message, ${part} a part of one, ${merged} several merged` + (other ? `, ${other} of bytes sent unframed` : '');
      if (part + merged > 0) return { held: true, detail };
      // No wrong read yet: wrong only if every message sent has been read (and reported on).
      const sentEnd = lc.view.sent.reduce((m, s) => Math.max(m, s.end), 0);
      if (n.length > 0 && sentEnd > 0 && (lc.settled >= sentEnd || lc.ended)) return { held: false, detail: `${detail}: one read was one message every time` };
      return none(n.length ? `${detail} so far` : 'the server has not read anything from the lab\'s client yet');
    },
  },
  {
    id: 'errors-named',
    label: 'The framed reader reported no frame error, except FRAME_TOO_LARGE where a message was over the maximum',
    check: (q, params) => {
      const lc = labConnection(q, params);
      if (!lc) return none(NO_CONNECTION);
      const { score: s } = lc;
      const max = Number(params.maxFrameSize);
      const refused = q.custom('encode-error', 'client').length;
      const refusedText = refused ? `; the client refused to encode ${plural(refused, 'message')} (not sent)` : '';
      if (s.unexpectedErrors.length > 0) {
        const e = s.unexpectedErrors[0]!;
        return { held: false, detail: `${plural(s.unexpectedErrors.length, 'error')} not explained by a message over the maximum; the first: ${e.code} at byte ${e.offset ?? '?'} (${e.message})${refusedText}` };
      }
      // A message over the maximum that the server has read past without naming it.
      const silent = s.unreported.find((m) => m.end <= lc.settled || lc.ended);
      if (silent) return { held: false, detail: `message #${silent.index} (${silent.payloadLength} B, over the maximum ${max} B) at byte ${silent.start} got no FRAME_TOO_LARGE${refusedText}` };
      const sentEnd = lc.view.sent.reduce((m, x) => Math.max(m, x.end), 0);
      if (sentEnd === 0 || lc.settled === 0) return none(`the server has not read a message from the lab's client yet${refusedText}`);
      if (s.unreported.length > 0) return none(`${plural(s.unreported.length, 'message')} over the maximum still on the way to the server${refusedText}`);
      const named = s.oversized.length - s.unreported.length;
      return {
        held: true,
        detail: (s.oversized.length === 0
          ? `no message over the maximum (${max} B) was sent${params.oversized === false ? ' (oversized is off)' : ''}, and the framed reader reported no error`
          : `${plural(s.oversized.length, 'message')} over the maximum (${max} B), ${named} named FRAME_TOO_LARGE at its first byte; no other error`) +
          ` in the ${lc.settled} B it read${refusedText}`,
      };
    },
  },
];
