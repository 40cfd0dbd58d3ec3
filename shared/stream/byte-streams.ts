/**
 * The raw bytes one actor sent and received, rebuilt from the trace's `write` / `data` events
 * (their `head`: the first bytes of each call, base64), and cut into frames with a codec, so a
 * hex view can colour frame boundaries and mark where each read() or write() began.
 *
 * Only captured bytes are known: a call longer than the actor's `captureBytes` leaves a gap, and
 * frames cannot be told after a gap (the decoder would be guessing), so decoding stops there.
 */
import { base64Decode } from '../codecs/index.js';
import type { EventOf, TraceEvent } from '../trace/schema.js';
import type { FramingSetup } from './framing-setup.js';

export type Direction = 'in' | 'out';

export interface Chunk {
  /** Time of the call (ms since the run started). */
  t: number;
  /** Stream offset of its first byte. */
  start: number;
  /** Bytes the call carried. */
  bytes: number;
  /** Of which the trace has the first `captured`. */
  captured: Uint8Array;
}

export interface ByteStream {
  sock: string;
  direction: Direction;
  chunks: Chunk[];
  /** Bytes that crossed in this direction (captured or not). */
  total: number;
  /** Stream offset of the first byte the trace does not have, or null if it has them all. */
  firstGap: number | null;
}

/** The actor's streams (per socket, per direction) among the first `upTo` events, in order of appearance. */
export function byteStreams(events: readonly TraceEvent[], actor: string, upTo = events.length): ByteStream[] {
  const streams = new Map<string, ByteStream>();
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.actor !== actor || (e.kind !== 'data' && e.kind !== 'write')) continue;
    const direction: Direction = e.kind === 'data' ? 'in' : 'out';
    const key = `${e.sock}/${direction}`;
    let s = streams.get(key);
    if (!s) {
      s = { sock: e.sock, direction, chunks: [], total: 0, firstGap: null };
      streams.set(key, s);
    }
    const captured = headBytes(e);
    if (captured.length < e.bytes && s.firstGap === null) s.firstGap = s.total + captured.length;
    s.chunks.push({ t: e.t, start: s.total, bytes: e.bytes, captured });
    s.total += e.bytes;
  }
  return [...streams.values()];
}

function headBytes(e: EventOf<'data'> | EventOf<'write'>): Uint8Array {
  if (!e.head) return new Uint8Array(0);
  const b = base64Decode(e.head); // null for text that is not base64: show nothing rather than guess
  if (!b) return new Uint8Array(0);
  return b.length > e.bytes ? b.subarray(0, e.bytes) : b;
}

/** What a byte is, for colouring. */
export type ByteRole = 'payload' | 'framing' | 'error' | 'pending' | 'plain';

export interface FrameSpan {
  index: number;
  start: number;
  end: number;
  payloadStart: number;
  payloadEnd: number;
}

export interface ErrorSpan {
  code: string;
  start: number;
  /** Where decoding resumed, or null when it stopped for good. */
  end: number | null;
}

export interface Framed {
  frames: FrameSpan[];
  errors: ErrorSpan[];
  /** Decoding stopped at this offset (a gap in the captured bytes, or a 'stop' error), or null. */
  stoppedAt: number | null;
  stopReason: 'gap' | 'error' | null;
}

/** Cuts the stream's captured bytes into frames with the given codec, up to the first gap. */
export function frameStream(s: ByteStream, setup: FramingSetup): Framed {
  const decoder = setup.codec.createDecoder(setup.params);
  const frames: FrameSpan[] = [];
  const errors: ErrorSpan[] = [];
  let stoppedAt: number | null = null;
  let stopReason: Framed['stopReason'] = null;
  for (const c of s.chunks) {
    if (c.captured.length > 0) {
      for (const r of decoder.push(c.captured)) {
        if (r.kind === 'message') {
          frames.push({ index: frames.length, start: r.start, end: r.end, payloadStart: r.payloadStart, payloadEnd: r.payloadEnd });
        } else {
          errors.push({ code: r.error.code, start: r.offset, end: r.action === 'skip' ? r.resumeAt : null });
          if (r.action === 'stop') { stoppedAt = r.offset; stopReason = 'error'; }
        }
      }
    }
    if (stoppedAt !== null) break;
    if (c.captured.length < c.bytes) { stoppedAt = c.start + c.captured.length; stopReason = 'gap'; break; }
  }
  return { frames, errors, stoppedAt, stopReason };
}

/**
 * Role of each stream byte in [from, to): inside a frame's payload, its framing (header or
 * delimiter), an error's range, or not (yet) in any frame. `frameOf` gives the frame index (or -1).
 */
export function byteRoles(f: Framed | null, from: number, to: number): { role: ByteRole[]; frameOf: number[] } {
  const n = Math.max(0, to - from);
  const role: ByteRole[] = new Array<ByteRole>(n).fill(f ? 'pending' : 'plain');
  const frameOf: number[] = new Array<number>(n).fill(-1);
  if (!f) return { role, frameOf };
  for (const fr of f.frames) {
    if (fr.end <= from || fr.start >= to) continue;
    for (let o = Math.max(fr.start, from); o < Math.min(fr.end, to); o++) {
      role[o - from] = o >= fr.payloadStart && o < fr.payloadEnd ? 'payload' : 'framing';
      frameOf[o - from] = fr.index;
    }
  }
  for (const er of f.errors) {
    // A skip whose resume point was not known yet ends where the next frame starts; a stop never ends.
    const end = er.end ?? f.frames.find((fr) => fr.start > er.start)?.start ?? Infinity;
    for (let o = Math.max(er.start, from); o < Math.min(end, to); o++) role[o - from] = 'error';
  }
  return { role, frameOf };
}
