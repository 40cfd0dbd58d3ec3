/**
 * Where message boundaries fall against read boundaries in one TCP byte stream.
 *
 * TCP keeps no boundaries: the writer's messages are consecutive byte ranges of one stream, and
 * each read() returns some other consecutive range. Given both lists of sizes, this computes which
 * message bytes each read carried (the "ruler" the stream-boundaries reader prints) and how often
 * a message was split across reads or a read merged several messages. Pure: the reader actor,
 * the experiment's observations, the UI and the tests all compute it the same way.
 */

/** One message's place in the stream: bytes [start, end). */
export interface Span {
  readonly index: number;
  readonly start: number;
  readonly end: number;
}

/** Part of one message carried by one read: message bytes [from, to) (offsets inside the message). */
export interface Piece {
  readonly index: number;
  readonly from: number;
  readonly to: number;
  /** Size of the whole message, so a view can tell a whole message from a part. */
  readonly size: number;
}

/** Consecutive messages of the given sizes, from stream offset 0. */
export function layout(sizes: readonly number[]): Span[] {
  const out: Span[] = [];
  let at = 0;
  sizes.forEach((n, index) => {
    out.push({ index, start: at, end: at + n });
    at += n;
  });
  return out;
}

/**
 * The message pieces inside stream bytes [start, end). `messages` must be sorted and contiguous
 * (as `layout` makes them); bytes past the last message are not reported. `hint` is a message
 * index to start searching from (the caller's last answer) so a whole stream costs O(reads + messages).
 */
export function piecesIn(messages: readonly Span[], start: number, end: number, hint = 0): Piece[] {
  const out: Piece[] = [];
  let i = Math.max(0, Math.min(hint, messages.length));
  while (i > 0 && messages[i - 1]!.end > start) i--;
  while (i < messages.length && messages[i]!.end <= start) i++;
  for (; i < messages.length && messages[i]!.start < end; i++) {
    const m = messages[i]!;
    const from = Math.max(start, m.start) - m.start;
    const to = Math.min(end, m.end) - m.start;
    if (to > from) out.push({ index: m.index, from, to, size: m.end - m.start });
  }
  return out;
}

/** "[#3 512..1023][#4 0..1023]": message number and the first..last byte of it this read carried. */
export function ruler(pieces: readonly Piece[], numberFrom = 0): string {
  return pieces.map((p) => `[#${p.index + numberFrom} ${p.from}..${p.to - 1}]`).join('');
}

export interface ReadPieces {
  /** Stream offset of the read's first byte. */
  readonly start: number;
  readonly bytes: number;
  readonly pieces: Piece[];
}

/** Each read (in order) with the message pieces it carried. */
export function readsAgainst(messageSizes: readonly number[], readSizes: readonly number[]): ReadPieces[] {
  const spans = layout(messageSizes);
  const out: ReadPieces[] = [];
  let at = 0;
  let hint = 0;
  for (const n of readSizes) {
    const pieces = piecesIn(spans, at, at + n, hint);
    if (pieces.length) hint = pieces[pieces.length - 1]!.index;
    out.push({ start: at, bytes: n, pieces });
    at += n;
  }
  return out;
}

export interface BoundaryStats {
  messages: number;
  reads: number;
  /** Messages whose bytes arrived in more than one read (one write seen as several reads). */
  splitMessages: number;
  /** Reads that carried bytes of more than one message (several writes seen as one read). */
  mergedReads: number;
  /** Reads that carried exactly one whole message and nothing else: where "one read = one message" happens to hold. */
  exactReads: number;
  /** The most messages (whole or part) any single read touched. */
  maxMessagesPerRead: number;
  /** The most reads any single message was spread over. */
  maxReadsPerMessage: number;
  /** Messages whose bytes were all read (the stream may have stopped early). */
  completeMessages: number;
}

/** How the reads cut the messages: splits, merges, and exact matches. */
export function boundaryStats(messageSizes: readonly number[], readSizes: readonly number[]): BoundaryStats {
  const reads = readsAgainst(messageSizes, readSizes);
  const readsPerMessage = new Map<number, number>();
  const got = new Map<number, number>();
  let mergedReads = 0;
  let exactReads = 0;
  let maxMessagesPerRead = 0;
  for (const r of reads) {
    if (r.pieces.length > 1) mergedReads++;
    const only = r.pieces[0];
    if (r.pieces.length === 1 && only && only.from === 0 && only.to === only.size && r.bytes === only.size) exactReads++;
    maxMessagesPerRead = Math.max(maxMessagesPerRead, r.pieces.length);
    for (const p of r.pieces) {
      readsPerMessage.set(p.index, (readsPerMessage.get(p.index) ?? 0) + 1);
      got.set(p.index, (got.get(p.index) ?? 0) + (p.to - p.from));
    }
  }
  let splitMessages = 0;
  let maxReadsPerMessage = 0;
  for (const n of readsPerMessage.values()) {
    if (n > 1) splitMessages++;
    maxReadsPerMessage = Math.max(maxReadsPerMessage, n);
  }
  let completeMessages = 0;
  messageSizes.forEach((size, i) => { if ((got.get(i) ?? 0) === size) completeMessages++; });
  return {
    messages: messageSizes.length, reads: readSizes.length, splitMessages, mergedReads, exactReads,
    maxMessagesPerRead, maxReadsPerMessage, completeMessages,
  };
}
