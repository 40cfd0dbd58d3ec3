/**
 * linger's observations on small hand-made traces of its four settings (default, SO_LINGER 0,
 * SO_LINGER n, end()): where each holds, where it must not (a stall that is not "at once", a
 * clean EOF where an RST was due, lost bytes, TIME_WAIT after an RST) and where its moment is not
 * in the trace yet. In particular a ✓ for "ECONNRESET after an RST" must say how it was seen.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/linger/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const wsample = (t: number, state: string, more: Record<string, unknown> = {}) => ev({ t, actor: 'kernel', kind: 'sample', key: '127.0.0.1:40000>127.0.0.1:9000', local: at(40000), remote: at(9000), state, ...more });
const rsample = (t: number, state: string, more: Record<string, unknown> = {}) => ev({ t, actor: 'kernel', kind: 'sample', key: '127.0.0.1:9000>127.0.0.1:40000', local: at(9000), remote: at(40000), state, ...more });
const pkt = (t: number, from: number, to: number, flags: string[]) => ev({ t, actor: 'wire', kind: 'packet', src: at(from), dst: at(to), flags, seq: 1, fromSyn: true, win: 512, len: 0 });
const report = (t: number, actor: string, name: string, data: Record<string, unknown>) => ev({ t, actor, kind: 'custom', name, data });
const e = (t: number, actor: string, kind: string, more: Record<string, unknown> = {}) => ev({ t, actor, kind, ...more });

const MiB = 1_048_576;
const start = [
  e(1, 'reader', 'listen', { sock: 'L1', local: at(9000) }),
  e(10, 'writer', 'connect', { sock: 'c1', local: at(40000), remote: at(9000) }),
  e(10.1, 'reader', 'accept', { sock: 's2', local: at(9000), remote: at(40000) }),
  e(11, 'writer', 'write', { sock: 'c1', bytes: 131_072, ok: true, queued: 0 }),
  e(12, 'writer', 'write', { sock: 'c1', bytes: MiB - 131_072, ok: false, queued: 851_968 }),
  wsample(300, 'ESTABLISHED', { inode: 7, sendQ: 127_488, sndWnd: 0 }),
  rsample(300, 'ESTABLISHED', { inode: 8, recvQ: 128_512 }),
  report(500, 'writer', 'before-close', { nodeQueued: 851_968, kernelSendQ: 127_488, kernelNotSent: 127_488, kernelTook: 256_000 }),
];
const destroy = (returnedAfterMs: number) => [
  e(500.2, 'writer', 'destroy', { sock: 'c1', queued: 851_968 }),
  report(500.2 + returnedAfterMs + 0.1, 'writer', 'close-call', { call: 'destroy()', returnedAfterMs }),
  e(500.2 + returnedAfterMs + 0.2, 'writer', 'close', { sock: 'c1', hadError: false, blockedMs: returnedAfterMs }),
];
/** The reader resumes at 3.5 s, reads what it gets, sees the end, closes. */
const readerEnd = (bytes: number, soError: string) => [
  e(3500, 'reader', 'data', { sock: 's2', bytes }),
  e(3510, 'reader', 'eof', { sock: 's2' }),
  report(3520, 'reader', 'so-error', { code: soError }),
  e(3530, 'reader', 'close', { sock: 's2', hadError: false }),
  e(4400, 'reader', 'exit', { pid: 1, code: 0, signal: null }),
];
/** No SO_LINGER, destroy(): the orphan sends the rest, FIN, FIN_WAIT2, TIME_WAIT. */
const afterlife = [
  wsample(520, 'FIN_WAIT1', { inode: 0, sendQ: 127_489 }),
  pkt(3495, 40000, 9000, ['FIN', 'ACK']),
  wsample(3512, 'FIN_WAIT2', { inode: 0, sendQ: 0 }),
  pkt(3529, 9000, 40000, ['FIN', 'ACK']),
  wsample(3550, 'TIME_WAIT', { inode: 0, timer: { name: 'timewait', expiresMs: 59_980, retrans: 0 } }),
  rsample(3550, 'GONE'),
];
const byDefault = [...start, ...destroy(0.4), ...afterlife, ...readerEnd(256_000, 'none')];
/** SO_LINGER 0, destroy(): an RST at once, the socket gone, the reader gets what it had, Node says EOF. */
const zero = [...start, ...destroy(9.6), pkt(500.5, 40000, 9000, ['RST', 'ACK']), wsample(520, 'GONE'), rsample(520, 'GONE'), ...readerEnd(128_512, 'ECONNRESET')];
/** SO_LINGER 2 s, destroy() with the reader paused: close blocks 2 s; then as without linger. */
const seconds = [...start, e(500.2, 'writer', 'destroy', { sock: 'c1', queued: 851_968 }), wsample(520, 'FIN_WAIT1', { inode: 7, sendQ: 127_489 }), report(2517.5, 'writer', 'close-call', { call: 'destroy()', returnedAfterMs: 2017.3 }), e(2518, 'writer', 'close', { sock: 'c1', hadError: false, blockedMs: 2017.1 }), ...afterlife, ...readerEnd(256_000, 'none')];
/** end(): Node flushes its queue, FIN after it, the reader gets everything. */
const ended = [
  ...start, e(500.2, 'writer', 'end', { sock: 'c1' }), report(500.6, 'writer', 'close-call', { call: 'end()', returnedAfterMs: 0.3 }),
  wsample(520, 'ESTABLISHED', { inode: 7, sendQ: 127_488, sndWnd: 0, bytesAcked: 128_513 }),
  pkt(3495, 40000, 9000, ['FIN', 'ACK']), wsample(3512, 'FIN_WAIT2', { inode: 7, sendQ: 0 }), pkt(3529, 9000, 40000, ['FIN', 'ACK']),
  wsample(3550, 'TIME_WAIT', { inode: 0 }), e(3540, 'writer', 'close', { sock: 'c1', hadError: false, blockedMs: 0.4 }),
  ...readerEnd(MiB, 'none'),
];
const P = { zero: { linger: 'zero' }, seconds: { linger: 'seconds' }, end: { close: 'end' } };

function check(id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse(params));
  return { result: resultOf(r), detail: r.detail };
}
const noWire = (events: readonly TraceEvent[]) => events.filter((x) => x.kind !== 'packet');

describe('linger observations', () => {
  it('every observation holds on each setting’s story', () => {
    for (const [events, params] of [[byDefault, {}], [zero, P.zero], [seconds, P.seconds], [ended, P.end]] as const) {
      for (const o of exp.observations) expect({ id: o.id, params, ...check(o.id, events, params) }).toMatchObject({ result: 'held' });
    }
  });

  describe('close-timing', () => {
    it('holds without SO_LINGER n: at once', () => {
      expect(check('close-timing', byDefault)).toEqual({ result: 'held', detail: 'destroy() stalled the writer 0.4 ms: at once, before the reader read a byte; 127488 B were still in the kernel’s send queue' });
    });
    it('holds with SO_LINGER n and bytes queued: the timer ran out', () => {
      expect(check('close-timing', seconds, P.seconds)).toEqual({ result: 'held', detail: 'destroy() stalled the writer 2017.3 ms with 127488 B queued: SO_LINGER 2 s ran out (the reader had not read a byte yet)' });
    });
    it('fails when a close without SO_LINGER n stalled the writer (not at once)', () => {
      const r = check('close-timing', [...start, ...destroy(250)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^destroy\(\) stalled the writer 250\.0 ms: NOT at once/);
    });
    it('fails with SO_LINGER n when neither the timer nor the reader explains the stall', () => {
      const r = check('close-timing', [...start, ...destroy(700)], P.seconds);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/neither the timer \(2000 ms\) nor the reader \(not reading\) explains it$/);
    });
    it('is not reached before the writer closed', () => {
      expect(check('close-timing', start)).toEqual({ result: 'not-reached', detail: 'the writer has not closed yet' });
    });
  });

  describe('peer-end', () => {
    it('holds without linger: a clean EOF after the writer’s FIN on the wire', () => {
      expect(check('peer-end', byDefault)).toEqual({ result: 'held', detail: 'a clean EOF at 3510 ms after 256000 B, after the writer’s FIN (captured at 3495 ms); SO_ERROR none' });
    });
    it('holds after the RST only saying how the reset was seen: Node’s EOF with ECONNRESET in SO_ERROR', () => {
      const r = check('peer-end', zero, P.zero);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('Node reported EOF at 3510 ms after 128512 B, and SO_ERROR held ECONNRESET: it was the RST (libuv read the reset as EOF); the writer’s RST was captured at 501 ms');
      expect(r.detail).not.toMatch(/expected/);
    });
    it('fails when SO_LINGER 0 ended in a clean EOF (no reset anywhere)', () => {
      const clean = zero.map((x) => (x.kind === 'custom' && x.name === 'so-error' ? report(3520, 'reader', 'so-error', { code: 'none' }) : x));
      expect(check('peer-end', clean, P.zero)).toEqual({ result: 'failed', detail: 'the reader saw EOF at 3510 ms after 128512 B (SO_ERROR none); SO_LINGER 0 with destroy() should reset it' });
    });
    it('fails without linger when the kernel held a reset behind the EOF', () => {
      const reset = byDefault.map((x) => (x.kind === 'custom' && x.name === 'so-error' ? report(3520, 'reader', 'so-error', { code: 'ECONNRESET' }) : x));
      expect(check('peer-end', reset)).toEqual({ result: 'failed', detail: 'Node reported EOF at 3510 ms after 256000 B, but SO_ERROR held ECONNRESET: a reset, not a FIN' });
    });
    it('is not reached when an EOF cannot be told from a reset (no capture, SO_ERROR unreadable)', () => {
      const blind = noWire(byDefault).map((x) => (x.kind === 'custom' && x.name === 'so-error' ? report(3520, 'reader', 'so-error', { unavailable: 'no libc' }) : x));
      expect(check('peer-end', blind)).toEqual({ result: 'not-reached', detail: 'EOF at 3510 ms after 256000 B; no capture and SO_ERROR unreadable: no libc: a FIN cannot be told from a reset' });
    });
    it('is not reached before the reader saw the end', () => {
      expect(check('peer-end', [...start, ...destroy(0.4)])).toEqual({ result: 'not-reached', detail: 'the reader has not seen the end yet' });
    });
  });

  describe('bytes', () => {
    it('holds without linger: every byte the kernel had taken', () => {
      expect(check('bytes', byDefault)).toEqual({ result: 'held', detail: 'handed to write() 1048576 B, the kernel had taken 256000 B at close, the reader read 256000 B — destroy() threw away the 792576 B Node still held' });
    });
    it('holds after the RST: fewer than the kernel had taken', () => {
      expect(check('bytes', zero, P.zero).detail).toBe('handed to write() 1048576 B, the kernel had taken 256000 B at close, the reader read 128512 B — 127488 B the kernel had taken were dropped with the RST, and destroy() threw away the 792576 B Node still held');
    });
    it('fails after the RST when nothing the kernel had taken was lost (fewer than written is not enough)', () => {
      const all = zero.map((x) => (x.kind === 'data' ? e(3500, 'reader', 'data', { sock: 's2', bytes: 256_000 }) : x));
      expect(check('bytes', all, P.zero)).toEqual({ result: 'failed', detail: 'handed to write() 1048576 B, the kernel had taken 256000 B at close, the reader read 256000 B — nothing the kernel had taken was lost' });
    });
    it('fails when bytes the kernel had taken never arrived', () => {
      const lost = byDefault.map((x) => (x.kind === 'data' ? e(3500, 'reader', 'data', { sock: 's2', bytes: 200_000 }) : x));
      expect(check('bytes', lost).detail).toMatch(/— 56000 B the kernel had taken never arrived$/);
      expect(check('bytes', lost).result).toBe('failed');
    });
    it('fails with end() when the reader did not get every byte handed to write()', () => {
      const short = ended.map((x) => (x.kind === 'data' ? e(3500, 'reader', 'data', { sock: 's2', bytes: MiB - 1 }) : x));
      expect(check('bytes', short, P.end).result).toBe('failed');
    });
    it('is not reached when nothing was written: zero bytes is not “every byte”', () => {
      const nothing = [...start.filter((x) => x.kind !== 'write'), ...destroy(0.4), ...readerEnd(0, 'none')].map((x) => (x.kind === 'custom' && x.name === 'before-close' ? report(500, 'writer', 'before-close', { nodeQueued: 0, kernelSendQ: 0, kernelNotSent: 0, kernelTook: 0 }) : x));
      expect(check('bytes', nothing, P.end)).toEqual({ result: 'not-reached', detail: 'handed to write() 0 B, the kernel had taken 0 B at close, the reader read 0 B: nothing was written, so there is nothing to deliver' });
    });
    it('is not reached when the kernel’s count is unknown', () => {
      const unknown = byDefault.map((x) => (x.kind === 'custom' && x.name === 'before-close' ? report(500, 'writer', 'before-close', { nodeQueued: 0, kernelSendQ: null, kernelNotSent: null, kernelTook: null }) : x));
      expect(check('bytes', unknown)).toEqual({ result: 'not-reached', detail: 'handed to write() 1048576 B, the kernel had taken ? B at close, the reader read 256000 B (the kernel’s count is unknown)' });
    });
  });

  describe('afterlife', () => {
    it('holds without linger: orphaned and sending in FIN_WAIT, then TIME_WAIT', () => {
      expect(check('afterlife', byDefault)).toEqual({ result: 'held', detail: 'writer’s socket after close: FIN_WAIT1 (orphan) → FIN_WAIT2 (orphan) → TIME_WAIT; orphaned with up to 127489 B still to send; FIN_WAIT1 at 520 ms, TIME_WAIT from 3550 ms' });
    });
    it('holds after the RST: gone at once', () => {
      expect(check('afterlife', zero, P.zero)).toEqual({ result: 'held', detail: 'writer’s socket after close: GONE at 520 ms, 10 ms after the close returned' });
    });
    it('holds with end() when FIN_WAIT fell between two looks but the FIN was captured', () => {
      const quick = ended.filter((x) => !(x.kind === 'sample' && x.state === 'FIN_WAIT2'));
      expect(check('afterlife', quick, P.end).detail).toMatch(/its FIN captured at 3495 ms, TIME_WAIT from 3550 ms$/);
    });
    it('allows a few ms between the observer’s clock and the writer’s (a look stamped just before the close)', () => {
      const early = zero.map((x) => (x.kind === 'sample' && x.state === 'GONE' && x.local.port === 40000 ? wsample(495, 'GONE') : x));
      expect(check('afterlife', early, P.zero).result).toBe('held');
    });
    it('fails after the RST when the socket lingered in TIME_WAIT', () => {
      const r = check('afterlife', [...zero.filter((x) => x.kind !== 'sample'), wsample(520, 'TIME_WAIT', { inode: 0 })], P.zero);
      expect(r).toEqual({ result: 'failed', detail: 'writer’s socket after close: TIME_WAIT (TIME_WAIT at 520 ms)' });
    });
    it('fails when destroy() left bytes queued and no orphan was seen sending them', () => {
      const r = check('afterlife', byDefault.map((x) => (x.kind === 'sample' && x.state === 'FIN_WAIT1' ? wsample(520, 'FIN_WAIT1', { inode: 0, sendQ: 0 }) : x)));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/destroy\(\) left 127488 B queued, yet no orphan still sending was seen$/);
    });
    it('fails when the socket went away without TIME_WAIT', () => {
      const r = check('afterlife', [...byDefault.filter((x) => !(x.kind === 'sample' && x.state === 'TIME_WAIT')), wsample(3550, 'GONE')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/gone without TIME_WAIT$/);
    });
    it('is not reached while the orphan still waits for the reader', () => {
      const r = check('afterlife', [...start, ...destroy(0.4), wsample(520, 'FIN_WAIT1', { inode: 0, sendQ: 127_489 })]);
      expect(r).toEqual({ result: 'not-reached', detail: 'writer’s socket after close so far: FIN_WAIT1 (orphan); orphaned with up to 127489 B still to send' });
    });
    it('is not reached without kernel samples', () => {
      expect(check('afterlife', byDefault.filter((x) => x.kind !== 'sample'))).toEqual({ result: 'not-reached', detail: 'no kernel samples of the writer’s socket (kernel view off)' });
    });
  });
});
