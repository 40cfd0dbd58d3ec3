/**
 * One connection of the run seen from both ends, for checks: the writer's writes and the reader's
 * reads on the same connection (both ends the run's own programs, so a connection from outside —
 * the reader listens on --port — is never counted), and the bytes themselves where the lab kept
 * them (each event's `head`, `captureBytes` long), to compare what was read with what was written.
 */
import { base64Decode } from '../../../shared/codecs/bytes.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';

export interface OwnStream {
  /** The writer's connected socket and the reader's accepted one (absent until they are in the trace). */
  writeSock?: string;
  readSock?: string;
  writes: EventOf<'write'>[];
  reads: EventOf<'data'>[];
  wrote: number;
  read: number;
  /** The writer called end(): no more writes will come. */
  writerEnded: boolean;
  /** The reader saw the writer's FIN: every byte that will ever arrive has been read. */
  readerEof: boolean;
}

/**
 * The writer's first connection whose other end is the reader (directly or through a relay such
 * as the slicer: then the reader's connection is the relay's), and the reader's own accepted one.
 */
export function ownStream(q: TraceQuery, writer: string, reader: string): OwnStream {
  const own = q.connections().filter((c) => c.own);
  const w = own.find((c) => c.actor === writer && c.via === 'connect');
  const r = own.find((c) => c.actor === reader && c.via === 'accept');
  const writes = w ? q.of('write', writer).filter((e) => e.sock === w.sock) : [];
  const reads = r ? q.of('data', reader).filter((e) => e.sock === r.sock) : [];
  return {
    ...(w ? { writeSock: w.sock } : {}),
    ...(r ? { readSock: r.sock } : {}),
    writes, reads,
    wrote: writes.reduce((a, e) => a + e.bytes, 0),
    read: reads.reduce((a, e) => a + e.bytes, 0),
    writerEnded: w !== undefined && q.first('end', writer, (e) => e.sock === w.sock) !== undefined,
    readerEof: r !== undefined && q.first('eof', reader, (e) => e.sock === r.sock) !== undefined,
  };
}

export interface ContentCompare {
  /** Bytes read whose written counterpart the lab also kept, and so could be compared. */
  compared: number;
  /** The first stream offset where the read byte differs from the written one. */
  firstDiff?: { offset: number; wrote: number; read: number };
}

/**
 * Compares the bytes read with the bytes written, offset by offset, wherever the trace kept both
 * (a write or read longer than captureBytes keeps only its first bytes; the rest is not compared).
 */
export function compareContent(writes: readonly EventOf<'write'>[], reads: readonly EventOf<'data'>[]): ContentCompare {
  // The written stream as known pieces: [offset, bytes].
  const known: { at: number; bytes: Uint8Array }[] = [];
  let at = 0;
  for (const w of writes) {
    const b = w.head ? base64Decode(w.head) : null;
    // A coalesced record keeps only its first call's bytes: they are still where the record starts.
    if (b) known.push({ at, bytes: b.subarray(0, Math.min(b.length, w.bytes)) });
    at += w.bytes;
  }
  const out: ContentCompare = { compared: 0 };
  let k = 0;
  at = 0;
  for (const r of reads) {
    const b = r.head ? base64Decode(r.head) : null;
    if (b) {
      const n = Math.min(b.length, r.bytes);
      while (k > 0 && known[k - 1]!.at + known[k - 1]!.bytes.length > at) k--;
      for (let j = k; j < known.length && known[j]!.at < at + n; j++) {
        const piece = known[j]!;
        const from = Math.max(at, piece.at);
        const to = Math.min(at + n, piece.at + piece.bytes.length);
        for (let o = from; o < to; o++) {
          const wrote = piece.bytes[o - piece.at]!;
          const read = b[o - at]!;
          if (wrote !== read) return { ...out, firstDiff: { offset: o, wrote, read } };
          out.compared++;
        }
        if (piece.at + piece.bytes.length <= at + n) k = j + 1;
      }
    }
    at += r.bytes;
  }
  return out;
}

/** A byte as text for a detail: 'a' or 0x00. */
export function byteText(b: number): string {
  return b >= 0x20 && b < 0x7f ? `'${String.fromCharCode(b)}'` : `0x${b.toString(16).padStart(2, '0')}`;
}
