/**
 * The framing experiment on real sockets: through the slicer, reads no longer line up with
 * messages, so the naive reader is wrong while every framed reader returns exactly what the client
 * sent. Frames over the maximum get FRAME_TOO_LARGE and the chosen reaction. Everything is
 * asserted from the trace: the client's `sent` reports against the server's `frame` reports.
 */
import { describe, expect, it } from 'vitest';
import type { EventOf, TraceLine } from '../../shared/trace/schema.js';
import { FrameData, FrameErrorData, SentData, type GotFrame } from '../../shared/stream/framing-view.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import type { Run } from '../../server/run/run.js';

function customs(lines: readonly TraceLine[], actor: string, name: string): EventOf<'custom'>[] {
  return lines.flatMap((l) => (l.type === 'event' && l.kind === 'custom' && l.actor === actor && l.name === name ? [l] : []));
}
const sentOf = (lines: readonly TraceLine[]) => customs(lines, 'client', 'sent').map((e) => SentData.parse(e.data));
const framesOf = (lines: readonly TraceLine[], decoder?: string): GotFrame[] =>
  customs(lines, 'server', 'frame').map((e) => FrameData.parse(e.data)).filter((f) => decoder === undefined || f.decoder === decoder);
const errorsOf = (lines: readonly TraceLine[]) => customs(lines, 'server', 'frame-error').map((e) => FrameErrorData.parse(e.data));

/**
 * Stops the run once the client has reported `sent` messages and the server has decoded `n`
 * (or after a while). Each actor's reports come over its own channel, so wait for both.
 */
function stopAfterFrames(n: number, decoder: string, sent = n) {
  return async (run: Run) => {
    const lines = run.lines as TraceLine[];
    await eventually(() => framesOf(lines, decoder).length >= n && customs(lines, 'client', 'sent').length >= sent, 20_000);
    await eventually(() => false, 300); // a moment for the last reads to be reported
    await run.stop('stopped', 'test saw every message');
  };
}

async function noLeftovers(lines: readonly TraceLine[]): Promise<void> {
  const pids = spawnedPids(lines);
  expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  expect(heldSockets(tracePorts(lines))).toEqual([]);
}

describe('framing over a slicer (real processes, real sockets)', () => {
  for (const framing of ['delimiter', 'fixed-length', 'length-prefix', 'tlv'] as const) {
    it(`${framing}: the naive reader is wrong, the framed reader returns exactly what was sent`, async () => {
      const count = 6;
      const { lines } = await runExperiment('framing', { framing, count, intervalMs: 5, slicer: true }, 30_000, stopAfterFrames(count, framing));
      const sent = sentOf(lines);
      expect(sent).toHaveLength(count);
      // The slicer really is in the path: the server's peer is the slicer, not the client.
      expect(lines.some((l) => l.type === 'event' && l.actor === 'slicer' && l.kind === 'accept')).toBe(true);

      // Framed: same number of messages, same place in the stream, same payload bytes.
      const framed = framesOf(lines, framing);
      expect(framed.map((f) => [f.payloadStart, f.payloadEnd, f.sum])).toEqual(sent.map((s) => [s.payloadStart, s.payloadEnd, s.sum]));
      // …and the text reads back as sent (binary TLV values are compared by their hex).
      for (const [i, s] of sent.entries()) {
        const f = framed[i]!;
        if (s.binary) expect(`0x${f.hex}`).toBe(s.text);
        else expect(f.text.replace(/\0+$/, '')).toBe(s.text);
      }

      // Naive: one read = one message. Count reads that are not exactly one whole frame.
      const naive = framesOf(lines, 'naive');
      const whole = new Set(sent.map((s) => `${s.start}-${s.end}`));
      const wrong = naive.filter((n) => !whole.has(`${n.start}-${n.end}`));
      expect(naive.length).toBeGreaterThan(0);
      expect(wrong.length).toBeGreaterThan(0);
      // The naive reader saw every byte, just cut in the wrong places.
      expect(naive.reduce((a, n) => a + (n.end - n.start), 0)).toBe(sent.at(-1)!.end);

      expect(errorsOf(lines)).toEqual([]);
      const obs = finalObservations(lines);
      expect(obs.get('framed-right')).toMatchObject({ held: true });
      expect(obs.get('naive-wrong')).toMatchObject({ held: true });
      expect(obs.get('errors-named')).toMatchObject({ held: true });
      await noLeftovers(lines);
    });
  }
});

describe('frames over the maximum (seed 003: 128 bytes)', () => {
  it('drop: FRAME_TOO_LARGE at the oversized frame, the peer is told why and the connection closes; nothing after is decoded', async () => {
    const count = 6;
    const { lines } = await runExperiment('framing', { framing: 'length-prefix', count, intervalMs: 20, oversized: true, onError: 'drop', slicer: false }, 30_000,
      async (run) => {
        // The client's stdout (a pipe) and its trace events (IPC) arrive separately: wait for both.
        const has = (kind: string) => run.lines.some((l) => l.type === 'event' && l.actor === 'client' && l.kind === kind);
        const said = () => run.lines.filter((l) => l.type === 'event' && l.actor === 'client' && l.kind === 'stdout').map((l) => (l as { text: string }).text).join('');
        await eventually(() => has('eof') && has('close') && /server closed the connection/.test(said()), 20_000);
        await run.stop('stopped', 'test saw the drop');
      });
    const sent = sentOf(lines);
    const big = sent.find((s) => s.payloadLength > 128)!;
    expect(big).toBeDefined();
    const errors = errorsOf(lines);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ decoder: 'length-prefix', code: 'FRAME_TOO_LARGE', offset: big.start, action: 'stop', reaction: 'drop' });
    // Only the messages before it were decoded.
    expect(framesOf(lines, 'length-prefix').map((f) => f.payloadStart)).toEqual(sent.filter((s) => s.start < big.start).map((s) => s.payloadStart));
    const client = lines.flatMap((l) => (l.type === 'event' && l.actor === 'client' && l.kind === 'stdout' ? [l.text] : [])).join('');
    expect(client).toMatch(/server says: error: FRAME_TOO_LARGE: frame declares \d+ payload bytes, more than maxFrameSize 128; closing/);
    // The server ended the connection itself (its end() came before the client's).
    const firstOf = (actor: string, kind: string) => lines.find((l): l is EventOf<'end'> | EventOf<'eof'> => l.type === 'event' && l.actor === actor && l.kind === kind);
    const serverEnd = firstOf('server', 'end');
    const clientEof = firstOf('client', 'eof');
    expect(serverEnd && clientEof).toBeTruthy();
    expect(serverEnd!.t).toBeLessThanOrEqual(clientEof!.t);
    expect(finalObservations(lines).get('errors-named')).toMatchObject({ held: true });
    await noLeftovers(lines);
  });

  it('skip: FRAME_TOO_LARGE for the oversized line, and the delimiter reader goes on with the next ones', async () => {
    const count = 6;
    const { lines } = await runExperiment('framing', { framing: 'delimiter', count, intervalMs: 5, oversized: true, onError: 'skip', slicer: true }, 30_000,
      stopAfterFrames(count - 1, 'delimiter', count));
    const sent = sentOf(lines);
    const big = sent.find((s) => s.payloadLength > 128)!;
    const errors = errorsOf(lines);
    expect(errors.map((e) => [e.code, e.offset, e.action, e.reaction])).toEqual([['FRAME_TOO_LARGE', big.start, 'skip', 'skip']]);
    const decoded = framesOf(lines, 'delimiter');
    expect(decoded.map((f) => f.text)).toEqual(sent.filter((s) => s !== big).map((s) => s.text));
    // Bounded memory: up to the error the decoder never held more than the maximum plus the delimiter.
    const report = customs(lines, 'server', 'frame-error')[0]!;
    expect(report.data.peakBuffered).toBeTypeOf('number');
    expect(report.data.peakBuffered as number).toBeLessThanOrEqual(129);
    expect(finalObservations(lines).get('framed-right')).toMatchObject({ held: true });
    await noLeftovers(lines);
  });
});
