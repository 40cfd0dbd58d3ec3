/**
 * The pure pieces behind the framing views: the byte ruler and split/merge counts
 * (shared/stream/boundaries.ts), bytes rebuilt from trace events and cut into frames
 * (byte-streams.ts), the run's codec from its parameters (framing-setup.ts), and the
 * right/wrong verdicts (framing-view.ts).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Encode, getCodec } from '../../shared/codecs/index.js';
import { boundaryStats, layout, piecesIn, readsAgainst, ruler } from '../../shared/stream/boundaries.js';
import { byteRoles, byteStreams, frameStream } from '../../shared/stream/byte-streams.js';
import { framingSetup, messageFor, naiveSetup } from '../../shared/stream/framing-setup.js';
import { framingView, payloadSum, scoreFraming } from '../../shared/stream/framing-view.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

describe('boundaries', () => {
  it('prints the ruler of the seed example: one read carrying the end of #3, all of #4, the start of #5', () => {
    const m = layout(Array(10).fill(1024));
    expect(ruler(piecesIn(m, 3 * 1024 + 512, 5 * 1024 + 512))).toBe('[#3 512..1023][#4 0..1023][#5 0..511]');
  });

  it('counts splits and merges', () => {
    // 3 writes of 10 B; reads 5, 5, 20: #0 split in two, the last read merges #1 and #2.
    expect(boundaryStats([10, 10, 10], [5, 5, 20])).toMatchObject({ splitMessages: 1, mergedReads: 1, exactReads: 0, maxMessagesPerRead: 2, completeMessages: 3 });
    expect(boundaryStats([10, 10], [10, 10])).toMatchObject({ splitMessages: 0, mergedReads: 0, exactReads: 2 });
    expect(boundaryStats([10, 10], [10, 5])).toMatchObject({ completeMessages: 1 });
  });

  it('for any writes and any reads of the same bytes, the pieces cover every byte once, in order', () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }), fc.array(fc.nat(), { maxLength: 30 }), (writes, cutsRaw) => {
      const total = writes.reduce((a, b) => a + b, 0);
      const cuts = [...new Set(cutsRaw.map((c) => c % total).filter((c) => c > 0))].sort((a, b) => a - b);
      const reads = [...cuts, total].map((c, i, all) => c - (i === 0 ? 0 : all[i - 1]!));
      const seen: number[] = [];
      for (const r of readsAgainst(writes, reads)) for (const p of r.pieces) for (let b = p.from; b < p.to; b++) seen.push(layout(writes)[p.index]!.start + b);
      expect(seen).toEqual(Array.from({ length: total }, (_, i) => i));
      const s = boundaryStats(writes, reads);
      // A split message sits across a cut; a merged read contains a message boundary.
      const starts = new Set(layout(writes).map((w) => w.start));
      expect(s.splitMessages).toBe(new Set(cuts.filter((c) => !starts.has(c)).map((c) => layout(writes).findIndex((w) => w.start < c && c < w.end))).size);
    }));
  });
});

function ev(actor: string, kind: 'write' | 'data', sock: string, bytes: Uint8Array, t: number, captured = bytes.length): TraceEvent {
  return { type: 'event', t, actor, kind, sock, bytes: bytes.length, ok: true, queued: 0, head: base64Encode(bytes.subarray(0, captured)) } as TraceEvent;
}

describe('byte streams from the trace', () => {
  const setup = framingSetup({ framing: 'length-prefix', maxFrameSize: 128, onError: 'drop' });
  if ('error' in setup) throw new Error(setup.error);
  const enc = setup.codec.createEncoder(setup.params);
  const a = enc.encode(messageFor(setup, 'hello'));
  const b = enc.encode(messageFor(setup, 'world!'));
  const stream = new Uint8Array([...a, ...b]);

  it('rebuilds a stream from reads cut anywhere and finds the frames and read starts', () => {
    const events = [ev('server', 'data', 's2', stream.subarray(0, 3), 1), ev('server', 'data', 's2', stream.subarray(3, 11), 2), ev('server', 'data', 's2', stream.subarray(11), 3)];
    const [s] = byteStreams(events, 'server');
    expect(s).toMatchObject({ sock: 's2', direction: 'in', total: stream.length, firstGap: null });
    expect(s!.chunks.map((c) => c.start)).toEqual([0, 3, 11]);
    const f = frameStream(s!, setup);
    expect(f.frames.map((x) => [x.start, x.payloadStart, x.end])).toEqual([[0, 4, 9], [9, 13, 19]]);
    const { role } = byteRoles(f, 0, stream.length);
    expect(role.join(',')).toBe(['framing', 'framing', 'framing', 'framing', ...Array(5).fill('payload'), 'framing', 'framing', 'framing', 'framing', ...Array(6).fill('payload')].join(','));
  });

  it('stops cutting frames at the first byte the trace did not keep', () => {
    const events = [ev('client', 'write', 'c1', a, 1, 6), ev('client', 'write', 'c1', b, 2)];
    const [s] = byteStreams(events, 'client');
    expect(s!.firstGap).toBe(6);
    const f = frameStream(s!, setup);
    expect(f).toMatchObject({ frames: [], stopReason: 'gap', stoppedAt: 6 });
  });

  it('marks an error and what was skipped after it', () => {
    const skip = framingSetup({ framing: 'length-prefix', maxFrameSize: 4, onError: 'skip' });
    if ('error' in skip) throw new Error(skip.error);
    const [s] = byteStreams([ev('server', 'data', 's2', stream, 1)], 'server');
    const f = frameStream(s!, skip);
    expect(f.errors).toEqual([{ code: 'FRAME_TOO_LARGE', start: 0, end: 9 }, { code: 'FRAME_TOO_LARGE', start: 9, end: 19 }]);
    expect(new Set(byteRoles(f, 0, stream.length).role)).toEqual(new Set(['error']));
  });
});

describe('framing setup', () => {
  it('builds each framing from run parameters, and explains parameters it refuses', () => {
    for (const name of ['delimiter', 'fixed-length', 'length-prefix', 'tlv']) {
      const s = framingSetup({ framing: name, maxFrameSize: 128, frameSize: 32, onError: 'skip' });
      expect('error' in s ? s.error : s.name).toBe(name);
    }
    expect(framingSetup({ framing: 'fixed-length', frameSize: 200, maxFrameSize: 128 })).toEqual({ error: expect.stringMatching(/frameSize 200 is larger than maxFrameSize 128/) });
    expect(framingSetup({ framing: 'morse' })).toEqual({ error: 'unknown framing "morse"' });
    expect(naiveSetup().params.maxFrameSize).toBe(65536);
  });

  it('sends bytes as the TLV binary type', () => {
    const s = framingSetup({ framing: 'tlv', maxFrameSize: 128 });
    if ('error' in s) throw new Error(s.error);
    expect([...s.codec.createEncoder(s.params).encode(messageFor(s, new Uint8Array([0xde, 0xad])))]).toEqual([2, 0, 0, 0, 2, 0xde, 0xad]);
  });
});

describe('framing verdicts', () => {
  const custom = (actor: string, name: string, data: Record<string, unknown>, t: number): TraceEvent => ({ type: 'event', t, actor, kind: 'custom', name, data }) as TraceEvent;
  const text = (s: string) => new TextEncoder().encode(s);
  const sent = (index: number, s: string, start: number) =>
    custom('client', 'sent', { index, text: s, start, end: start + s.length + 1, payloadStart: start, payloadEnd: start + s.length, sum: payloadSum(text(s)), payloadLength: s.length }, index);
  const frame = (decoder: string, index: number, s: string, start: number, end: number, payloadEnd = end) =>
    custom('server', 'frame', { decoder, conn: 's2', index, length: payloadEnd - start, text: s, start, end, payloadStart: start, payloadEnd, sum: payloadSum(text(s)) }, 10 + index);
  const accept = { type: 'event', t: 0.5, actor: 'server', kind: 'accept', sock: 's2', local: { address: '127.0.0.1', port: 1 }, remote: { address: '127.0.0.1', port: 2 } } as TraceEvent;

  it('marks naive reads as exact, a piece, or merged, and framed messages right only with the same bytes in the same place', () => {
    // Sent "ab\n" (0..3) and "cd\n" (3..6). Naive reads: "ab\n" exact, "c" a piece, "d\n" a piece.
    const events = [accept, sent(0, 'ab', 0), sent(1, 'cd', 3),
      frame('naive', 0, 'ab\n', 0, 3), frame('naive', 1, 'c', 3, 4), frame('naive', 2, 'd\n', 4, 6),
      frame('delimiter', 0, 'ab', 0, 3, 2), frame('delimiter', 1, 'cX', 3, 6, 5)];
    const v = framingView(events);
    const c = v.conns[0]!;
    expect(c.naive.map((n) => n.verdict)).toEqual(['exact', 'part', 'part']);
    expect(c.framed.map((f) => f.verdict)).toEqual(['right', 'wrong']);
    const merged = framingView([accept, sent(0, 'ab', 0), sent(1, 'cd', 3), frame('naive', 0, 'ab\ncd\n', 0, 6)]);
    expect(merged.conns[0]!.naive[0]).toMatchObject({ verdict: 'merged', covers: [0, 1] });
    expect(scoreFraming(v, 128)).toMatchObject({ framedRight: 1, framedWrong: 1, naiveExact: 1, naiveWrong: 2 });
  });

  it('cannot judge an outside client: nothing sent is known for it', () => {
    const other = { ...accept, sock: 's3', t: 2 } as TraceEvent;
    const v = framingView([accept, other, custom('server', 'frame', { decoder: 'naive', conn: 's3', index: 0, length: 1, text: 'x', start: 0, end: 1, payloadStart: 0, payloadEnd: 1, sum: '0' }, 3)]);
    expect(v.conns.find((c) => c.conn === 's3')).toMatchObject({ fromLabClient: false, naive: [{ verdict: 'unknown' }] });
  });

  it('registry codecs used here exist', () => {
    for (const n of ['delimiter', 'fixed-length', 'length-prefix', 'tlv', 'naive']) expect(getCodec(n)).toBeDefined();
  });
});
