/**
 * half-close's observations on a small hand-made trace: where each holds, where it must not
 * (bytes of the reply lost, the reply before the FIN, the wrong states at the reply, the server
 * closing first) and where its moment is not in the trace yet.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/half-close/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const e = (t: number, actor: string, kind: string, more: Record<string, unknown> = {}) => ev({ t, actor, kind, ...more });
const client = (t: number, state: string) => e(t, 'kernel', 'sample', { key: '127.0.0.1:40000>127.0.0.1:9000', local: at(40000), remote: at(9000), state });
const server = (t: number, state: string) => e(t, 'kernel', 'sample', { key: '127.0.0.1:9000>127.0.0.1:40000', local: at(9000), remote: at(40000), state });
const pkt = (t: number, from: number, to: number, flags: string[], len = 0) => e(t, 'wire', 'packet', { src: at(from), dst: at(to), flags, seq: 1, fromSyn: true, win: 512, len });

const beforeReply = [
  e(1, 'server', 'listen', { sock: 'L1', local: at(9000) }),
  e(10, 'client', 'connect', { sock: 'c1', local: at(40000), remote: at(9000) }),
  e(10.1, 'server', 'accept', { sock: 's2', local: at(9000), remote: at(40000) }),
  client(11, 'ESTABLISHED'), server(11, 'ESTABLISHED'),
  e(20, 'client', 'write', { sock: 'c1', bytes: 13, ok: true, queued: 13 }),
  e(20.1, 'client', 'end', { sock: 'c1' }),
  pkt(20.5, 40000, 9000, ['ACK', 'PSH'], 13), pkt(21, 40000, 9000, ['FIN', 'ACK']),
  e(21, 'server', 'data', { sock: 's2', bytes: 13 }), e(22, 'server', 'eof', { sock: 's2' }),
  server(30, 'CLOSE_WAIT'), client(30, 'FIN_WAIT1'), client(60, 'FIN_WAIT2'),
];
const reply = [
  e(1520, 'server', 'write', { sock: 's2', bytes: 39, ok: true, queued: 39 }), e(1520.1, 'server', 'end', { sock: 's2' }),
  pkt(1520.3, 9000, 40000, ['ACK', 'PSH'], 39), pkt(1521, 9000, 40000, ['FIN', 'ACK']),
  e(1521, 'client', 'data', { sock: 'c1', bytes: 39 }), e(1522, 'client', 'eof', { sock: 'c1' }),
  e(1523, 'client', 'close', { sock: 'c1' }), e(1523, 'server', 'close', { sock: 's2' }),
  client(1540, 'TIME_WAIT'), server(1540, 'GONE'),
  e(1560, 'server', 'exit', { pid: 1, code: 0, signal: null }), e(1561, 'client', 'exit', { pid: 2, code: 0, signal: null }),
];
const story = [...beforeReply, ...reply];

function check(id: string, events: readonly TraceEvent[]) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse({}));
  return { result: resultOf(r), detail: r.detail };
}
const noSamples = (events: readonly TraceEvent[]) => events.filter((x) => x.kind !== 'sample');

describe('half-close observations', () => {
  it('every observation holds on the whole story', () => {
    for (const o of exp.observations) expect({ id: o.id, ...check(o.id, story) }).toMatchObject({ result: 'held' });
  });

  describe('read-after-fin', () => {
    it('holds: every byte of the reply arrived after the client’s end(), the FIN before the reply on the wire', () => {
      expect(check('read-after-fin', story)).toEqual({ result: 'held', detail: 'client end() at 20.1 ms; afterwards it read 39 of the 39 B the server wrote; on the wire the client’s FIN at 21.0 ms, the reply at 1520.3 ms' });
    });
    it('fails when part of the reply never arrived before the server’s end', () => {
      const short = story.map((x) => (x.kind === 'data' && x.actor === 'client' ? e(1521, 'client', 'data', { sock: 'c1', bytes: 20 }) : x));
      expect(check('read-after-fin', short)).toEqual({ result: 'failed', detail: 'client end() at 20.1 ms; afterwards it read 20 of the 39 B the server wrote: 19 B never arrived' });
    });
    it('fails when on the wire the reply came before the client’s FIN (the reversed order)', () => {
      const reversed = story.map((x) => (x.kind === 'packet' && x.flags.includes('FIN') && x.src.port === 40000 ? pkt(1600, 40000, 9000, ['FIN', 'ACK']) : x));
      expect(check('read-after-fin', reversed).result).toBe('failed');
      expect(check('read-after-fin', reversed).detail).toMatch(/but on the wire the reply \(1520\.3 ms\) came before the client’s FIN \(1600\.0 ms\)$/);
    });
    it('is not reached before the server replied', () => {
      expect(check('read-after-fin', beforeReply)).toEqual({ result: 'not-reached', detail: 'client end() at 20.1 ms; the server has not replied yet' });
    });
  });

  describe('half-closed-states', () => {
    it('holds: at the reply the client was in FIN_WAIT2 and the server in CLOSE_WAIT', () => {
      expect(check('half-closed-states', story)).toEqual({ result: 'held', detail: 'client FIN_WAIT2 60–1540 ms, server CLOSE_WAIT 30–1540 ms, server wrote at 1520 ms' });
    });
    it('fails when the client was not in FIN_WAIT2 when the server replied', () => {
      const r = check('half-closed-states', story.filter((x) => !(x.kind === 'sample' && x.state.startsWith('FIN_WAIT'))));
      expect(r).toEqual({ result: 'failed', detail: 'client FIN_WAIT2 not seen, server CLOSE_WAIT 30–1540 ms, server wrote at 1520 ms' });
    });
    it('is not reached before the server replied', () => {
      expect(check('half-closed-states', beforeReply)).toEqual({ result: 'not-reached', detail: 'client FIN_WAIT2 60–60 ms, server CLOSE_WAIT 30–60 ms; the server has not replied yet' });
    });
    it('is not reached without kernel samples', () => {
      expect(check('half-closed-states', noSamples(story))).toEqual({ result: 'not-reached', detail: 'no kernel samples of the connection (kernel view off)' });
    });
  });

  describe('time-wait', () => {
    it('holds: the client sent the first FIN and ended in TIME_WAIT', () => {
      expect(check('time-wait', story)).toEqual({ result: 'held', detail: 'the client sent the first FIN (its FIN on the wire at 21 ms); its socket: ESTABLISHED → FIN_WAIT1 → FIN_WAIT2 → TIME_WAIT, in TIME_WAIT from 1540 ms on' });
    });
    it('fails when the server’s FIN came first', () => {
      const first = story.map((x) => (x.kind === 'packet' && x.flags.includes('FIN') && x.src.port === 9000 ? pkt(15, 9000, 40000, ['FIN', 'ACK']) : x));
      expect(check('time-wait', first)).toEqual({ result: 'failed', detail: 'the server sent the first FIN, not the client' });
    });
    it('fails when the client’s socket left TIME_WAIT before the end', () => {
      const r = check('time-wait', [...story, client(3000, 'GONE')]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/in TIME_WAIT from 1540 ms, then GONE at 3000 ms$/);
    });
    it('fails when the server closed long ago and the client never reached TIME_WAIT', () => {
      const r = check('time-wait', [...story.filter((x) => !(x.kind === 'sample' && x.state === 'TIME_WAIT')), e(2500, 'lab', 'note', { level: 'info', text: 'end' })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/no TIME_WAIT after the server closed at 1520 ms$/);
    });
    it('is not reached while the server has not closed', () => {
      expect(check('time-wait', beforeReply).result).toBe('not-reached');
      expect(check('time-wait', beforeReply).detail).toMatch(/the server has not closed yet$/);
    });
  });
});
