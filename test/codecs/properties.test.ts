/**
 * Property tests shared by every framing codec (issue 5 checks, and issue 9 for WebSocket frames):
 * - any message list, encoded and split at any points, decodes to the same list, with the right
 *   stream offsets, and a message is copied exactly when (and only when) it spans chunks;
 * - any truncated stream decodes to a prefix of the list and `end()` reports the rest incomplete;
 * - oversized frames give FRAME_TOO_LARGE at the frame's offset ('skip' resumes after them,
 *   'error-and-stop' stops), and `bufferedBytes` never exceeds maxFrameSize + header/delimiter;
 * - a flood that never completes a frame is refused with bounded memory.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { allCases, expectedTexts, wsClient, wsFrameLists, wsServer, type CodecCase } from './cases.js';
import { concat, feed, splitAt, splitPoints, withinOneChunk } from './helpers.js';

const RUNS = Number(process.env.CODEC_PROPERTY_RUNS ?? 150);

function encodeAll<In>(c: CodecCase<In, unknown>, messages: readonly In[]): { stream: Uint8Array; bounds: number[] } {
  const enc = c.encoder();
  const frames = messages.map((m) => enc.encode(m));
  const bounds = [0];
  for (const f of frames) bounds.push(bounds[bounds.length - 1]! + f.length);
  return { stream: concat(frames), bounds };
}

describe.each(allCases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
  it('round-trips any message list split at any points, with offsets, copying only spanning messages', () => {
    fc.assert(
      fc.property(c.messages, splitPoints, (messages, points) => {
        const { stream, bounds } = encodeAll(c, messages);
        const chunks = splitAt(stream, points);
        const fed = feed(c.decoder(), chunks);
        expect(fed.errors).toEqual([]);
        expect(fed.messages.length).toBe(messages.length);
        fed.messages.forEach((r, i) => {
          c.check(messages[i], r.message);
          expect(r.start).toBe(bounds[i]);
          expect(r.end).toBe(bounds[i + 1]);
          const payload = c.payload(r.message);
          expect(r.payloadEnd - r.payloadStart).toBe(payload.length);
          expect(r.payloadStart).toBeGreaterThanOrEqual(r.start);
          expect(r.payloadEnd).toBeLessThanOrEqual(r.end);
          if (payload.length === 0) return;
          const contiguous = withinOneChunk(chunks, r.payloadStart, r.payloadEnd);
          if (contiguous && !c.alwaysCopies) {
            // A view of the pushed chunk: same buffer, same bytes, no copy.
            expect(r.copied).toBe(false);
            expect(payload.buffer).toBe(stream.buffer);
            expect(payload.byteOffset).toBe(r.payloadStart);
          } else {
            expect(r.copied).toBe(true);
            expect(payload.buffer).not.toBe(stream.buffer);
          }
        });
        const copied = fed.messages.filter((r) => r.copied).length;
        expect(fed.end).toEqual({ incomplete: false, pendingBytes: 0, pendingStart: null, stopped: false, totalBytes: stream.length });
        expect(copied).toBeLessThanOrEqual(messages.length);
      }),
      { numRuns: RUNS },
    );
  });

  it('fed Node Buffers (what sockets give), decodes the same and never modifies them', () => {
    fc.assert(
      fc.property(c.messages, splitPoints, (messages, points) => {
        const { stream } = encodeAll(c, messages);
        const buf = Buffer.from(stream);
        const before = Buffer.from(buf);
        const fed = feed(c.decoder(), splitAt(buf, points));
        expect(fed.errors).toEqual([]);
        fed.messages.forEach((r, i) => c.check(messages[i], r.message));
        expect(buf.equals(before)).toBe(true);
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('a truncated stream yields only a correct prefix and reports the rest incomplete', () => {
    fc.assert(
      fc.property(c.messages, fc.nat(), splitPoints, (messages, cutSeed, points) => {
        const { stream, bounds } = encodeAll(c, messages);
        fc.pre(stream.length > 0);
        const cut = cutSeed % stream.length; // strictly inside the stream
        const chunks = splitAt(stream.subarray(0, cut), points);
        const fed = feed(c.decoder(), chunks);
        expect(fed.errors).toEqual([]);
        const complete = bounds.filter((b) => b <= cut).length - 1;
        expect(fed.messages.length).toBe(complete);
        fed.messages.forEach((r, i) => c.check(messages[i], r.message));
        const lastBoundary = bounds[complete]!;
        expect(fed.end.incomplete).toBe(cut > lastBoundary);
        expect(fed.end.pendingBytes).toBe(cut - lastBoundary);
        expect(fed.end.pendingStart).toBe(cut > lastBoundary ? lastBoundary : null);
      }),
      { numRuns: RUNS },
    );
  });

  if (c.sized !== undefined) {
    const sized = c.sized.bind(c);
    const items = fc.integer({ min: 1, max: 40 }).chain((max) =>
      fc.tuple(
        fc.constant(max),
        fc.array(
          fc.boolean().chain((over) =>
            (over ? fc.integer({ min: max + 1, max: 3 * max + 5 }) : fc.integer({ min: 0, max }))
              .chain((len) => sized(len))
              .map((m) => ({ over, m })),
          ),
          { maxLength: 12 },
        ),
        splitPoints,
      ),
    );

    it("'skip': every oversized frame is FRAME_TOO_LARGE at its offset, the others decode, memory stays bounded", () => {
      fc.assert(
        fc.property(items, ([max, list, points]) => {
          const { stream, bounds } = encodeAll(c, list.map((x) => x.m));
          const fed = feed(c.decoder({ maxFrameSize: max, onOversize: 'skip' }), splitAt(stream, points), max + c.overhead);
          expect(fed.results.length).toBe(list.length);
          fed.results.forEach((r, i) => {
            if (list[i]!.over) {
              expect(r.kind).toBe('error');
              if (r.kind !== 'error') return;
              expect(r.error.code).toBe('FRAME_TOO_LARGE');
              expect(r.error.name).toBe('FramingError');
              expect(r.offset).toBe(bounds[i]);
              expect(r.action).toBe('skip');
              if (r.resumeAt !== null) expect(r.resumeAt).toBe(bounds[i + 1]);
            } else {
              expect(r.kind).toBe('message');
              if (r.kind !== 'message') return;
              c.check(list[i]!.m, r.message);
              expect(r.start).toBe(bounds[i]);
            }
          });
          expect(fed.end.incomplete).toBe(false);
          expect(fed.end.stopped).toBe(false);
        }),
        { numRuns: RUNS },
      );
    });

    it("'error-and-stop': decodes up to the first oversized frame, reports it, then nothing more", () => {
      fc.assert(
        fc.property(items, ([max, list, points]) => {
          const { stream, bounds } = encodeAll(c, list.map((x) => x.m));
          const dec = c.decoder({ maxFrameSize: max, onOversize: 'error-and-stop' });
          const fed = feed(dec, splitAt(stream, points), max + c.overhead);
          const firstOver = list.findIndex((x) => x.over);
          if (firstOver < 0) {
            expect(fed.errors).toEqual([]);
            expect(fed.messages.length).toBe(list.length);
            return;
          }
          expect(fed.messages.length).toBe(firstOver);
          expect(fed.errors.length).toBe(1);
          const err = fed.results[firstOver]!;
          expect(err.kind).toBe('error');
          if (err.kind !== 'error') return;
          expect(err.error.code).toBe('FRAME_TOO_LARGE');
          expect(err.offset).toBe(bounds[firstOver]);
          expect(err.action).toBe('stop');
          expect(fed.results.length).toBe(firstOver + 1);
          expect(fed.end.stopped).toBe(true);
          expect(fed.end.incomplete).toBe(false);
          expect(dec.bufferedBytes).toBe(0);
        }),
        { numRuns: RUNS },
      );
    });
  }

  if (c.flood !== undefined) {
    const flood = c.flood.bind(c);
    it('a flood that never completes a frame is refused with bounded memory', () => {
      fc.assert(
        fc.property(
          fc.integer({ min: 0, max: 64 }).chain((max) => fc.tuple(fc.constant(max), flood(max), splitPoints, fc.boolean())),
          ([max, bytes, points, skip]) => {
            const dec = c.decoder({ maxFrameSize: max, onOversize: skip ? 'skip' : 'error-and-stop' });
            const fed = feed(dec, splitAt(bytes, points), max + c.overhead);
            expect(fed.messages).toEqual([]);
            expect(fed.errors.length).toBe(1);
            expect(fed.errors[0]!.error.code).toBe('FRAME_TOO_LARGE');
            expect(fed.errors[0]!.offset).toBe(0);
            expect(dec.stats.peakBufferedBytes).toBeLessThanOrEqual(max + c.overhead);
            if (!skip) expect(fed.end.stopped).toBe(true);
            else expect(fed.end.incomplete).toBe(true);
          },
        ),
        { numRuns: RUNS },
      );
    });
  }
});

describe('websocket text across fragments', () => {
  it.each([
    ['server', wsServer],
    ['client', wsClient],
  ] as const)('%s: text messages are rebuilt from their fragments whatever the chunking', (_n, c) => {
    fc.assert(
      fc.property(wsFrameLists, splitPoints, (frames, points) => {
        const { stream } = encodeAll(c, frames);
        const fed = feed(c.decoder(), splitAt(stream, points));
        expect(fed.errors).toEqual([]);
        const texts: string[] = [];
        let current: string | null = null;
        for (const r of fed.messages) {
          const f = r.message;
          if (f.opcodeName === 'text') current = '';
          if (f.opcodeName === 'binary') current = null;
          if ((f.opcodeName === 'text' || f.opcodeName === 'continuation') && current !== null) {
            expect(f.text).not.toBeNull();
            current += f.text ?? '';
            if (f.fin) {
              texts.push(current);
              current = null;
            }
          }
        }
        expect(texts).toEqual(expectedTexts(frames));
      }),
      { numRuns: RUNS },
    );
  });
});
