/**
 * write-deadline's observations on small hand-made traces: where each holds (destroy and
 * keep-waiting), where it must not (a deadline at the wrong time, a 'drain' before it, lost
 * bytes, a destroy where keep-waiting was chosen) and where its moment is not in the trace yet.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/write-deadline/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const ws = (t: number, more: Record<string, unknown>) => ev({ t, actor: 'kernel', kind: 'sample', key: '127.0.0.1:40000>127.0.0.1:9000', local: at(40000), remote: at(9000), state: 'ESTABLISHED', ...more });
const write = (t: number, bytes: number, ok: boolean, queued = 0) => ev({ t, actor: 'writer', kind: 'write', sock: 'c1', bytes, ok, queued });
const read = (t: number, bytes: number) => ev({ t, actor: 'reader', kind: 'data', sock: 's1', bytes });
const report = (t: number, actor: string, name: string, data: Record<string, unknown>) => ev({ t, actor, kind: 'custom', name, data });
const deadline = (t: number, action: string, more: Record<string, unknown> = {}) => report(t, 'writer', 'write-deadline', { waitedMs: t - 920, handed: 48_128, nodeQueue: 16_384, kernelTook: 31_744, kernelQueue: 8192, action, ...more });

const stuck = [
  ev({ t: 1, actor: 'reader', kind: 'listen', sock: 'L1', local: at(9000) }),
  ev({ t: 10, actor: 'writer', kind: 'connect', sock: 'c1', local: at(40000), remote: at(9000) }),
  ev({ t: 10.1, actor: 'reader', kind: 'accept', sock: 's1', local: at(9000), remote: at(40000) }),
  ws(12, { sndWnd: 65536, sendQ: 0, bytesAcked: 1 }),
  write(11, 47_104, true),
  write(920, 1024, false, 16_384),
  ws(930, { sndWnd: 0, sendQ: 8192, bytesAcked: 23_553, timer: { name: 'persist', expiresMs: 200, retrans: 0 } }),
];
/** onWriteTimeout destroy (the default): deadline, destroy, the reader gets what the kernel took, EOF. */
const destroyed = [...stuck, deadline(2921, 'destroy'), ev({ t: 2921.5, actor: 'writer', kind: 'destroy', sock: 'c1', queued: 16_384 }), read(4000, 31_744), report(4710, 'reader', 'reader-eof', { got: 31_744 })];
/** keep-waiting: deadline, then 'drain' once the reader reads, the rest written, the reader's read deadline. */
const kept = [
  ...stuck, deadline(2921, 'keep-waiting'),
  read(4000, 40_000), ev({ t: 4005, actor: 'writer', kind: 'drain', sock: 'c1', waitedMs: 3085 }), write(4010, 82_944, true),
  report(4020, 'writer', 'writer-done', { handed: 131_072 }), read(4050, 91_072), report(5551, 'reader', 'read-deadline', { got: 131_072, idleMs: 1501 }),
];
const keepParams = { onWriteTimeout: 'keep-waiting' };

function check(id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse(params));
  return { result: resultOf(r), detail: r.detail };
}

describe('write-deadline observations', () => {
  it('every observation holds on both stories', () => {
    for (const o of exp.observations) {
      expect({ id: o.id, ...check(o.id, destroyed) }).toMatchObject({ result: 'held' });
      expect({ id: o.id, ...check(o.id, kept, keepParams) }).toMatchObject({ result: 'held' });
    }
  });

  describe('blocked', () => {
    it('holds: write() false, no ’drain’ until the deadline', () => {
      expect(check('blocked', destroyed)).toEqual({ result: 'held', detail: 'write() returned false at 0.92 s with 16,384 B queued in Node; no ’drain’ until the deadline at 2.92 s' });
    });
    it('fails when a ’drain’ came before the deadline', () => {
      const r = check('blocked', [...stuck, ev({ t: 1500, actor: 'writer', kind: 'drain', sock: 'c1', waitedMs: 580 }), deadline(2921, 'destroy')]);
      expect(r).toEqual({ result: 'failed', detail: '’drain’ came at 1.50 s, before the deadline at 2.92 s' });
    });
    it('fails when the writer wrote everything and was never stuck until a deadline', () => {
      const r = check('blocked', [...stuck, ev({ t: 1000, actor: 'writer', kind: 'drain', sock: 'c1', waitedMs: 80 }), report(1100, 'writer', 'writer-done', { handed: 48_128 })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^the writer was never stuck until a deadline: .*1×, longest wait 80 ms/);
    });
    it('is not reached while the writer waits and its deadline has not come', () => {
      expect(check('blocked', stuck)).toEqual({ result: 'not-reached', detail: 'write() returned false at 0.92 s; no deadline yet' });
    });
  });

  describe('deadline-fired', () => {
    it('holds (destroy): writeDeadlineMs after the false write, then destroy()', () => {
      expect(check('deadline-fired', destroyed)).toEqual({ result: 'held', detail: 'fired 2001 ms after write() returned false (deadline 2000 ms); the program chose destroy and destroyed the socket at 2.92 s' });
    });
    it('holds (keep-waiting) only with the evidence: no destroy, and a ’drain’ after the deadline', () => {
      expect(check('deadline-fired', kept, keepParams)).toEqual({ result: 'held', detail: 'fired 2001 ms after write() returned false (deadline 2000 ms); the program chose keep-waiting: no destroy, and ’drain’ came at 4.00 s, 3.08 s after write() returned false' });
    });
    it('fails when it fired at another time than the deadline as set', () => {
      const r = check('deadline-fired', [...stuck, deadline(2120, 'destroy')]);
      expect(r).toEqual({ result: 'failed', detail: 'fired 1200 ms after write() returned false (deadline 2000 ms): not the deadline as set' });
    });
    it('fails when keep-waiting was chosen but the socket was destroyed (it cannot pass without the evidence)', () => {
      const r = check('deadline-fired', [...stuck, deadline(2921, 'keep-waiting'), ev({ t: 3000, actor: 'writer', kind: 'destroy', sock: 'c1' })], keepParams);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/chose keep-waiting but destroyed the socket at 3\.00 s$/);
    });
    it('is not reached while keep-waiting still waits for ’drain’', () => {
      const r = check('deadline-fired', [...stuck, deadline(2921, 'keep-waiting')], keepParams);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/the program chose keep-waiting and is still waiting for ’drain’$/);
    });
    it('is not reached before any deadline', () => {
      expect(check('deadline-fired', stuck)).toEqual({ result: 'not-reached', detail: 'no write deadline yet' });
    });
  });

  describe('accounting', () => {
    it('holds (destroy): the peer got exactly what the kernel had taken; Node’s queue was lost', () => {
      expect(check('accounting', destroyed)).toEqual({ result: 'held', detail: 'wrote 48,128 B; the kernel had taken 31,744 B (observer: 31,744 B); the peer got 31,744 B: all the kernel took, and 16,384 B thrown away in Node’s queue' });
    });
    it('holds (keep-waiting): the peer got every byte written', () => {
      const r = check('accounting', kept, keepParams);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/wrote 128.0 KiB in all; the peer got 128.0 KiB$/);
    });
    it('fails when bytes the kernel had taken were lost', () => {
      const lost = destroyed.map((e) => (e.kind === 'data' ? read(4000, 30_000) : e));
      expect(check('accounting', lost)).toEqual({ result: 'failed', detail: 'wrote 48,128 B; the kernel had taken 31,744 B (observer: 31,744 B); the peer got 30,000 B: not what the kernel had taken' });
    });
    it('fails when the program’s count and its write events disagree', () => {
      const r = check('accounting', [...stuck, deadline(2921, 'destroy', { handed: 50_000 }), report(4710, 'reader', 'reader-eof', { got: 0 })]);
      expect(r).toEqual({ result: 'failed', detail: 'the writer says it wrote 50,000 B by the deadline, its write events say 48,128 B' });
    });
    it('is not reached while the reader still waits', () => {
      expect(check('accounting', [...stuck, deadline(2921, 'destroy')])).toEqual({ result: 'not-reached', detail: 'at the deadline: wrote 48,128 B, the kernel had taken 31,744 B; the peer has 0 B so far' });
    });
    it('is not reached when the kernel’s count is unknown', () => {
      const r = check('accounting', [...stuck, deadline(2921, 'destroy', { kernelTook: null, reason: 'no TCP_INFO here' })]);
      expect(r).toEqual({ result: 'not-reached', detail: 'the kernel’s count is unknown: no TCP_INFO here' });
    });
  });

  describe('reader-ends', () => {
    it('holds (destroy): EOF after exactly what the kernel had taken', () => {
      expect(check('reader-ends', destroyed)).toEqual({ result: 'held', detail: 'EOF at 4.71 s after 31,744 B (the kernel had taken 31,744 B at the deadline, 2.92 s)' });
    });
    it('holds (keep-waiting): the read deadline, readDeadlineMs after the last byte, once the writer was done', () => {
      expect(check('reader-ends', kept, keepParams)).toEqual({ result: 'held', detail: 'fired at 5.55 s, 1501 ms after the last byte (read deadline 1500 ms); the writer had written everything at 4.02 s and was silent' });
    });
    it('fails (destroy) when the EOF came after fewer bytes than the kernel had taken', () => {
      const r = check('reader-ends', [...stuck, deadline(2921, 'destroy'), read(4000, 1000), report(4710, 'reader', 'reader-eof', { got: 1000 })]);
      expect(r).toEqual({ result: 'failed', detail: 'EOF at 4.71 s after 1,000 B (the kernel had taken 31,744 B at the deadline, 2.92 s)' });
    });
    it('fails (keep-waiting) when the read deadline fired while the writer was not done yet', () => {
      const early = kept.filter((e) => !(e.kind === 'custom' && e.name === 'writer-done'));
      expect(check('reader-ends', early, keepParams).detail).toMatch(/but the writer had not written everything yet$/);
      expect(check('reader-ends', early, keepParams).result).toBe('failed');
    });
    it('is not reached before the EOF', () => {
      expect(check('reader-ends', [...stuck, deadline(2921, 'destroy')])).toEqual({ result: 'not-reached', detail: 'no EOF at the reader yet' });
    });
  });

  describe('kernel-held', () => {
    it('holds: a zero window with bytes queued while stuck', () => {
      expect(check('kernel-held', destroyed)).toEqual({ result: 'held', detail: 'at 0.93 s (stuck 0.92 s–2.92 s): Send-Q 8,192 B, snd_wnd 0, probing (persist timer)' });
    });
    it('fails when the kernel’s looks during the stuck span show an open window', () => {
      const open = [...stuck.filter((e) => e.kind !== 'sample'), ws(930, { sndWnd: 4096, sendQ: 8192 }), deadline(2921, 'destroy')];
      expect(check('kernel-held', open)).toEqual({ result: 'failed', detail: 'while the writer was stuck (0.92 s–2.92 s) the kernel showed snd_wnd 4096; Send-Q up to 8,192 B' });
    });
    it('does not count a zero window from before the writer got stuck', () => {
      const before = [...stuck.filter((e) => e.kind !== 'sample'), ws(100, { sndWnd: 0, sendQ: 8192 }), ws(500, { sndWnd: 4096, sendQ: 100 }), deadline(2921, 'destroy')];
      expect(check('kernel-held', before).result).toBe('failed');
    });
    it('is not reached without kernel samples', () => {
      expect(check('kernel-held', destroyed.filter((e) => e.kind !== 'sample'))).toEqual({ result: 'not-reached', detail: 'no kernel samples in the trace (kernel view off or not started)' });
    });
  });
});
