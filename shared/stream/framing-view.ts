/**
 * The framing experiment as seen in its trace: what the client sent (its `sent` reports), and per
 * server connection what the naive reader and the framed reader made of it (`frame` and
 * `frame-error` reports), each message judged against what was sent. Used by the experiment's
 * observations, by its side-by-side panel in the browser and by the tests, so "right" and "wrong"
 * are decided in one place.
 */
import { z } from 'zod';
import type { TraceEvent } from '../trace/schema.js';

export const SentData = z.object({
  index: z.number().int(),
  text: z.string(),
  binary: z.boolean().optional(),
  start: z.number().int(),
  end: z.number().int(),
  payloadStart: z.number().int(),
  payloadEnd: z.number().int(),
  /** FNV-1a of the payload bytes (`payloadSum`): compared with the decoder's, byte for byte in effect. */
  sum: z.string(),
  payloadLength: z.number().int(),
});
export type SentFrame = z.infer<typeof SentData>;

export const FrameData = z.object({
  decoder: z.string(),
  conn: z.string(),
  index: z.number().int(),
  length: z.number().int(),
  text: z.string(),
  start: z.number().int(),
  end: z.number().int(),
  payloadStart: z.number().int(),
  payloadEnd: z.number().int(),
  sum: z.string(),
  /** Set for binary messages (TLV type 2): the first payload bytes in hex, for display. */
  hex: z.string().optional(),
});
export type GotFrame = z.infer<typeof FrameData>;

export const FrameErrorData = z.object({
  decoder: z.string(),
  conn: z.string(),
  code: z.string(),
  message: z.string(),
  offset: z.number().int().nullable(),
  action: z.string(),
  reaction: z.string(),
});
export type FrameErrorInfo = z.infer<typeof FrameErrorData>;

/**
 * How one naive "message" (one read) compares with the frames sent:
 * exact — it is exactly one whole frame; part — a piece of one frame; merged — bytes of several
 * frames; unknown — nothing was sent there that we know of (an outside client, raw bytes).
 */
export type NaiveVerdict = 'exact' | 'part' | 'merged' | 'unknown';
/** A framed message: right (same place, same bytes as a sent message), wrong, or unknown. */
export type FramedVerdict = 'right' | 'wrong' | 'unknown';

export interface JudgedNaive { frame: GotFrame; verdict: NaiveVerdict; covers: number[]; t: number }
export interface JudgedFramed { frame: GotFrame; verdict: FramedVerdict; sentIndex: number | null; t: number }

export interface ConnView {
  conn: string;
  /** The connection the lab's own client made (the first one accepted); its messages can be judged. */
  fromLabClient: boolean;
  remote: string;
  decoder: string | null;
  naive: JudgedNaive[];
  framed: JudgedFramed[];
  errors: (FrameErrorInfo & { t: number })[];
}

export interface FramingView {
  sent: (SentFrame & { t: number })[];
  conns: ConnView[];
}

/** FNV-1a (32-bit) of some bytes, as 8 hex digits: a short stand-in for the payload in the trace. */
export function payloadSum(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) {
    h ^= bytes[i]!;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h.toString(16).padStart(8, '0');
}

/** Reads the framing reports among the first `upTo` events. */
export function framingView(events: readonly TraceEvent[], upTo = events.length, client = 'client', server = 'server'): FramingView {
  const sent: (SentFrame & { t: number })[] = [];
  const conns = new Map<string, ConnView>();
  let first: string | undefined;
  const connOf = (id: string): ConnView => {
    let c = conns.get(id);
    if (!c) {
      c = { conn: id, fromLabClient: false, remote: '', decoder: null, naive: [], framed: [], errors: [] };
      conns.set(id, c);
    }
    return c;
  };
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'accept' && e.actor === server) {
      const c = connOf(e.sock);
      c.remote = `${e.remote.address}:${e.remote.port}`;
      if (first === undefined) { first = e.sock; c.fromLabClient = true; }
    } else if (e.kind === 'custom') {
      if (e.actor === client && e.name === 'sent') {
        const d = SentData.safeParse(e.data);
        if (d.success) sent.push({ ...d.data, t: e.t });
      } else if (e.actor === server && e.name === 'frame') {
        const d = FrameData.safeParse(e.data);
        if (!d.success) continue;
        const c = connOf(d.data.conn);
        if (d.data.decoder === 'naive') c.naive.push({ frame: d.data, verdict: 'unknown', covers: [], t: e.t });
        else { c.decoder = d.data.decoder; c.framed.push({ frame: d.data, verdict: 'unknown', sentIndex: null, t: e.t }); }
      } else if (e.actor === server && e.name === 'frame-error') {
        const d = FrameErrorData.safeParse(e.data);
        if (d.success) connOf(d.data.conn).errors.push({ ...d.data, t: e.t });
      }
    }
  }
  const lab = first === undefined ? undefined : conns.get(first);
  if (lab) judge(lab, sent);
  return { sent, conns: [...conns.values()] };
}

function judge(c: ConnView, sent: readonly SentFrame[]): void {
  const byStart = new Map(sent.map((s) => [s.start, s]));
  const byPayload = new Map(sent.map((s) => [s.payloadStart, s]));
  for (const n of c.naive) {
    const covers = sent.filter((s) => s.start < n.frame.end && n.frame.start < s.end).map((s) => s.index);
    const exact = byStart.get(n.frame.start);
    n.covers = covers;
    if (exact && exact.end === n.frame.end) n.verdict = 'exact';
    else if (covers.length > 1) n.verdict = 'merged';
    else if (covers.length === 1) n.verdict = 'part';
    else n.verdict = 'unknown';
  }
  for (const f of c.framed) {
    const s = byPayload.get(f.frame.payloadStart);
    const same = s !== undefined && s.payloadEnd === f.frame.payloadEnd && s.sum === f.frame.sum;
    f.verdict = same ? 'right' : 'wrong';
    f.sentIndex = s ? s.index : null;
  }
}

export interface FramingScore {
  /** Sent messages the framed reader should have returned (within the maximum, before any drop). */
  expected: SentFrame[];
  /** Sent messages over the maximum: each should be a FRAME_TOO_LARGE. */
  oversized: SentFrame[];
  framedRight: number;
  framedWrong: number;
  /** Expected messages the framed reader never returned. */
  missing: SentFrame[];
  naiveExact: number;
  naiveWrong: number;
  /** Errors not explained by an oversized message. */
  unexpectedErrors: FrameErrorInfo[];
  /** Oversized messages with no FRAME_TOO_LARGE at their offset. */
  unreported: SentFrame[];
}

/** How the lab client's connection went, against what was sent. `maxFrameSize` is the run's. */
export function scoreFraming(v: FramingView, maxFrameSize: number): FramingScore | null {
  const c = v.conns.find((x) => x.fromLabClient);
  if (!c) return null;
  const framedErrors = c.errors.filter((e) => e.decoder !== 'naive' && e.code !== 'INCOMPLETE');
  const stop = framedErrors.find((e) => e.action === 'stop');
  const stopAt = stop?.offset ?? Infinity;
  const before = v.sent.filter((s) => s.start < stopAt || (stop && s.start === stopAt));
  const oversized = before.filter((s) => s.payloadLength > maxFrameSize);
  const expected = before.filter((s) => s.payloadLength <= maxFrameSize && s.start < stopAt);
  const got = new Set(c.framed.filter((f) => f.verdict === 'right').map((f) => f.sentIndex));
  const errorAt = new Set(framedErrors.filter((e) => e.code === 'FRAME_TOO_LARGE').map((e) => e.offset));
  const oversizedStarts = new Set(oversized.map((s) => s.start));
  return {
    expected, oversized,
    framedRight: c.framed.filter((f) => f.verdict === 'right').length,
    framedWrong: c.framed.filter((f) => f.verdict !== 'right').length,
    missing: expected.filter((s) => !got.has(s.index)),
    naiveExact: c.naive.filter((n) => n.verdict === 'exact').length,
    naiveWrong: c.naive.filter((n) => n.verdict !== 'exact').length,
    unexpectedErrors: framedErrors.filter((e) => !(e.code === 'FRAME_TOO_LARGE' && e.offset !== null && oversizedStarts.has(e.offset))),
    unreported: oversized.filter((s) => !errorAt.has(s.start)),
  };
}
