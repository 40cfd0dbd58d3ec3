/**
 * framing observations on hand-made traces: the client's `sent` reports against the server's
 * `frame` / `frame-error` reports, the lab's own connection only.
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/framing/index.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { addr, connectPair, ev, judge } from '../../helpers/hand-trace.js';

const bytes = (s: string) => new Uint8Array(Buffer.from(s, 'latin1'));
const text = (i: number) => `>>>${i}<<< `; // 8 B; framed with "\n": 9 B
const at = (i: number) => (i - 1) * 9;

const open = (): TraceEvent[] => [
  ev({ t: 1, actor: 'server', kind: 'listen', sock: 'L1', local: addr(9000) }),
  ...connectPair(2, { actor: 'client', sock: 'c1', port: 40000 }, { actor: 'server', sock: 's1', port: 9000 }),
];
const sent = (t: number, i: number, payload = text(i)) => ev({
  t, actor: 'client', kind: 'custom', name: 'sent',
  data: { index: i - 1, text: payload, start: at(i), end: at(i) + payload.length + 1, payloadStart: at(i), payloadEnd: at(i) + payload.length, sum: payloadSum(bytes(payload)), payloadLength: payload.length },
});
/** The server read [from, to) of the stream: a data event and the naive reader's report of it. */
const read = (t: number, from: number, to: number, index: number, conn = 's1') => [
  ev({ t, actor: 'server', kind: 'data', sock: conn, bytes: to - from }),
  ev({ t: t + 0.01, actor: 'server', kind: 'custom', name: 'frame', data: { decoder: 'naive', conn, index, length: to - from, text: '', start: from, end: to, payloadStart: from, payloadEnd: to, sum: '0' } }),
];
const framed = (t: number, i: number, index: number, payload = text(i), conn = 's1') => ev({
  t, actor: 'server', kind: 'custom', name: 'frame',
  data: { decoder: 'delimiter', conn, index, length: payload.length, text: payload, start: at(i), end: at(i) + payload.length + 1, payloadStart: at(i), payloadEnd: at(i) + payload.length, sum: payloadSum(bytes(payload)) },
});
const later = (t: number) => ev({ t, actor: 'server', kind: 'stdout', text: 'later\n' });

/** Three messages: the first two in one read (merged), the third split in two reads. */
function goodRun(): TraceEvent[] {
  return [
    ...open(), sent(3, 1), sent(3.1, 2), sent(3.2, 3),
    ...read(4, 0, 18, 0), framed(4.02, 1, 0), framed(4.03, 2, 1),
    ...read(5, 18, 22, 1), ...read(6, 22, 27, 2), framed(6.02, 3, 2), later(7),
  ];
}

describe('framing: framed-right', () => {
  it('holds when every message came back once, in order, with its bytes', () => {
    const r = judge(exp, 'framed-right', goodRun());
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/3 messages sent within the maximum, 3 returned right, 0 wrong, 0 not returned: every one once, in order/);
  });
  it('fails when a message the server read is never returned (lost by the decoder)', () => {
    const evs = goodRun().filter((e) => !(e.kind === 'custom' && e.name === 'frame' && e.data.decoder === 'delimiter' && e.data.index === 2));
    const r = judge(exp, 'framed-right', evs);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/message #2 \(bytes 18–27\) was read by the server but never returned/);
  });
  it('fails when a message came back with other bytes, or twice', () => {
    const evs = goodRun().map((e) => (e.kind === 'custom' && e.name === 'frame' && e.data.decoder === 'delimiter' && e.data.index === 1 ? framed(4.03, 2, 1, '>>>X<<< ') : e));
    const r = judge(exp, 'framed-right', evs);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/1 wrong.*the first wrong one: 8 B at byte 9/);
    const twice = judge(exp, 'framed-right', [...goodRun(), framed(8, 3, 3)]);
    expect(twice.result).toBe('failed');
    expect(twice.detail).toMatch(/#2 came back after #2/);
  });
  it('is not reached while a message is still on its way, or before anything was sent', () => {
    const r = judge(exp, 'framed-right', [...open(), sent(3, 1), sent(3.1, 2), ...read(4, 0, 9, 0), framed(4.02, 1, 0), later(4.5)]);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/1 message still on the way/);
    expect(judge(exp, 'framed-right', open()).result).toBe('not-reached');
    expect(judge(exp, 'framed-right', []).detail).toMatch(/no connection from the lab's client/);
  });
  it('judges the lab client\'s connection, not an outside one that came first', () => {
    const outside = [
      ev({ t: 1.5, actor: 'server', kind: 'accept', sock: 's0', local: addr(9000), remote: addr(51000) }),
      ev({ t: 1.6, actor: 'server', kind: 'custom', name: 'frame', data: { decoder: 'delimiter', conn: 's0', index: 0, length: 3, text: 'hi!', start: 0, end: 4, payloadStart: 0, payloadEnd: 3, sum: payloadSum(bytes('hi!')) } }),
    ];
    const evs = goodRun();
    const r = judge(exp, 'framed-right', [evs[0]!, ...outside, ...evs.slice(1)]);
    expect(r.result).toBe('held');
  });
});

describe('framing: naive-wrong', () => {
  it('holds when a read merged messages or held a part of one', () => {
    const r = judge(exp, 'naive-wrong', goodRun());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('3 reads: 0 exactly one message, 2 a part of one, 1 several merged');
  });
  it('fails when every read was exactly one message and every message has been read', () => {
    const evs = [...open(), sent(3, 1), sent(3.1, 2), ...read(4, 0, 9, 0), framed(4.02, 1, 0), ...read(5, 9, 18, 1), framed(5.02, 2, 1), later(6)];
    const r = judge(exp, 'naive-wrong', evs);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/2 reads: 2 exactly one message, 0 a part of one, 0 several merged: one read was one message every time/);
  });
  it('is not reached while the reads so far were exact and messages are still to be read', () => {
    const r = judge(exp, 'naive-wrong', [...open(), sent(3, 1), sent(3.1, 2), ...read(4, 0, 9, 0), later(4.5)]);
    expect(r.result).toBe('not-reached');
    expect(r.detail).toMatch(/1 read: 1 exactly one message.* so far/);
  });
});

describe('framing: errors-named', () => {
  const big = '>>>2<<< ' + 'flood '.repeat(34); // 212 B, over 128
  const bigSent = ev({ t: 3.1, actor: 'client', kind: 'custom', name: 'sent', data: { index: 1, text: big, start: 9, end: 9 + big.length + 1, payloadStart: 9, payloadEnd: 9 + big.length, sum: payloadSum(bytes(big)), payloadLength: big.length } });
  const tooLarge = (offset: number, code = 'FRAME_TOO_LARGE') => ev({ t: 4.5, actor: 'server', kind: 'custom', name: 'frame-error', data: { decoder: 'delimiter', conn: 's1', code, message: 'too large', offset, action: 'stop', reaction: 'drop' } });
  const withBig = (err: TraceEvent[]) => [...open(), sent(3, 1), bigSent, ...read(4, 0, 9 + big.length + 1, 0), framed(4.02, 1, 0), ...err, ev({ t: 5, actor: 'server', kind: 'end', sock: 's1' })];

  it('holds with no message over the maximum and no error, and says there were none (not "every")', () => {
    const r = judge(exp, 'errors-named', goodRun());
    expect(r.result).toBe('held');
    expect(r.detail).toBe('no message over the maximum (128 B) was sent (oversized is off), and the framed reader reported no error in the 27 B it read');
  });
  it('holds when the message over the maximum got FRAME_TOO_LARGE at its first byte', () => {
    const r = judge(exp, 'errors-named', withBig([tooLarge(9)]), { oversized: true });
    expect(r.result).toBe('held');
    expect(r.detail).toMatch(/^1 message over the maximum \(128 B\), 1 named FRAME_TOO_LARGE at its first byte; no other error/);
  });
  it('fails when the oversized message went by without FRAME_TOO_LARGE', () => {
    const r = judge(exp, 'errors-named', withBig([]), { oversized: true });
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/message #1 \(212 B, over the maximum 128 B\) at byte 9 got no FRAME_TOO_LARGE/);
  });
  it('fails on any other error', () => {
    const r = judge(exp, 'errors-named', [...goodRun(), tooLarge(0, 'MALFORMED')]);
    expect(r.result).toBe('failed');
    expect(r.detail).toMatch(/1 error not explained by a message over the maximum; the first: MALFORMED at byte 0/);
  });
  it('is not reached before the server has read anything', () => {
    const r = judge(exp, 'errors-named', [...open(), sent(3, 1)]);
    expect(r.result).toBe('not-reached');
  });
});
