/**
 * slow-reader's observations on small hand-made traces: each one where it holds, where it must
 * not (the reversed order, a window that reopened, the missing samples), and where its moment is
 * not in the trace yet (a headless run that ended before "read everything").
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/slow-reader/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const skmem = (o: Record<string, number>) => ({ rmemAlloc: 0, rcvbuf: 8192, wmemAlloc: 0, sndbuf: 8192, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0, ...o });
/** The writer's socket 40000 > 9000 and the reader's 9000 > 40000, as the kernel observer sees them. */
const ws = (t: number, more: Record<string, unknown>) => ev({ t, actor: 'kernel', kind: 'sample', key: '127.0.0.1:40000>127.0.0.1:9000', local: at(40000), remote: at(9000), state: 'ESTABLISHED', ...more });
const rs = (t: number, more: Record<string, unknown>) => ev({ t, actor: 'kernel', kind: 'sample', key: '127.0.0.1:9000>127.0.0.1:40000', local: at(9000), remote: at(40000), state: 'ESTABLISHED', ...more });
const write = (t: number, bytes: number, ok: boolean, queued: number) => ev({ t, actor: 'writer', kind: 'write', sock: 'c1', bytes, ok, queued });
const drain = (t: number, waitedMs: number) => ev({ t, actor: 'writer', kind: 'drain', sock: 'c1', waitedMs });
const read = (t: number, bytes: number) => ev({ t, actor: 'reader', kind: 'data', sock: 's1', bytes });
const report = (t: number, name: string, data: Record<string, unknown> = {}) => ev({ t, actor: 'reader', kind: 'custom', name, data });
/** What Node holds for the reader and has read from its kernel in all. */
const readerNode = (t: number, readableLength: number, bytesRead: number) => ev({ t, actor: 'reader', kind: 'nodestate', sock: 's1', writableLength: 0, writableHighWaterMark: 16_384, toKernel: 0, readableLength, readableHighWaterMark: 1024, bytesRead, delivered: bytesRead - readableLength, flowing: false, writeFalse: 0, drainWaitMs: 0, waiting: false });
const shut = { sndWnd: 0, sendQ: 8192, notsent: 8192, timer: { name: 'persist', expiresMs: 200, retrans: 0 }, skmem: skmem({ wmemQueued: 9024 }) };

const connect = [
  ev({ t: 1, actor: 'reader', kind: 'listen', sock: 'L1', local: at(9000) }),
  ev({ t: 10, actor: 'writer', kind: 'connect', sock: 'c1', local: at(40000), remote: at(9000) }),
  ev({ t: 10.1, actor: 'reader', kind: 'accept', sock: 's1', local: at(9000), remote: at(40000) }),
  ws(12, { sndWnd: 65536, sendQ: 0, skmem: skmem({}), backoff: 0 }),
];
/** Until the window shuts: the writer is pushed back, the reader's queue fills, probes back off; slow reads. */
const shutStory = [
  ...connect,
  write(11, 24_000, true, 0),
  write(20, 12, false, 16_390),
  ev({ t: 22, actor: 'writer', kind: 'nodestate', sock: 'c1', writableLength: 16_390, writableHighWaterMark: 16_384, toKernel: 8000, readableLength: 0, readableHighWaterMark: 16_384, bytesRead: 0, delivered: 0, flowing: null, writeFalse: 1, drainWaitMs: 0, waiting: true }),
  readerNode(22, 1746, 1746),
  rs(25, { recvQ: 4105, rcvWnd: 0, skmem: skmem({ rmemAlloc: 5769 }) }),
  ws(25, { ...shut, backoff: 0 }),
  ws(250, { ...shut, backoff: 1 }),
  ws(650, { ...shut, backoff: 2 }),
  read(1000, 7), read(2000, 7), ws(2050, { ...shut, backoff: 3 }), read(3000, 7), read(4000, 7),
];
/** Then the reader reads everything: the window reopens, 'drain', more writes. */
const story = [
  ...shutStory,
  report(5000, 'read-all', { forMs: 1000 }),
  read(5001, 30_000),
  drain(5005, 4985),
  ws(5010, { sndWnd: 4096, sendQ: 0, notsent: 0, skmem: skmem({}), backoff: 0 }),
  rs(5010, { recvQ: 0, rcvWnd: 4096, skmem: skmem({}) }),
  readerNode(5030, 0, 31_746),
  write(5006, 50_000, true, 0),
  report(6000, 'read-all-done', { bytes: 30_000, reads: 3 }),
  // The end of the run: the sockets go; these GONE samples say nothing about their queues.
  ws(7000, { state: 'GONE' }), rs(7000, { state: 'GONE' }),
];

function check(id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse(params));
  return { result: resultOf(r), detail: r.detail };
}
const drop = (events: readonly TraceEvent[], f: (e: TraceEvent) => boolean) => events.filter((e) => !f(e));
const isSample = (key: string) => (e: TraceEvent) => e.kind === 'sample' && e.key === key;
const W_KEY = '127.0.0.1:40000>127.0.0.1:9000';
const R_KEY = '127.0.0.1:9000>127.0.0.1:40000';

describe('slow-reader observations', () => {
  it('every observation holds on the whole story', () => {
    for (const o of exp.observations) expect({ id: o.id, ...check(o.id, story) }).toMatchObject({ result: 'held' });
  });

  it('a run that ended before the reader read everything (a headless 6 s run): reopen is not reached, the rest held', () => {
    const early = [...shutStory, ws(5900, { state: 'GONE' }), rs(5900, { state: 'GONE' })];
    expect(check('reopen', early)).toEqual({ result: 'not-reached', detail: 'the reader has not read everything yet: press “Read everything now” (or set readAllAfterMs)' });
    for (const o of exp.observations.filter((x) => x.id !== 'reopen')) expect({ id: o.id, ...check(o.id, early) }).toMatchObject({ result: 'held' });
  });

  describe('recv-queue-full', () => {
    it('holds with bytes waiting and a zero window; says what Node held besides', () => {
      const r = check('recv-queue-full', story);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('at 0.03 s: Recv-Q 4,105 B, memory 5,769 B of rcvbuf 8,192 B, advertised window 0; Node held 1,746 B more in its own buffer (paused, highWaterMark 1,024 B)');
    });
    it('fails when the writer handed over more than the reader’s buffer and its window never closed', () => {
      const r = check('recv-queue-full', [...drop(story, isSample(R_KEY)), rs(25, { recvQ: 100, rcvWnd: 60_000, skmem: skmem({ rmemAlloc: 900 }) })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/handed over more than the reader’s 8,192 B receive buffer by 0\.01 s, yet its kernel never advertised a zero window .*largest Recv-Q 100 B/);
    });
    it('is not reached without kernel samples (kernel view off)', () => {
      expect(check('recv-queue-full', drop(story, (e) => e.kind === 'sample'))).toEqual({ result: 'not-reached', detail: 'no kernel samples in the trace (kernel view off or not started)' });
    });
    it('is not reached while the writer has handed over less than the buffer holds', () => {
      const r = check('recv-queue-full', [...connect, write(11, 100, true, 0), rs(25, { recvQ: 100, rcvWnd: 60_000, skmem: skmem({}) })]);
      expect(r).toEqual({ result: 'not-reached', detail: 'largest Recv-Q so far 100 B, never with a zero window' });
    });
  });

  describe('send-queue-full', () => {
    it('holds with send memory at sndbuf while Node holds bytes (write() false, no drain)', () => {
      const r = check('send-queue-full', story);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('at 0.03 s: Send-Q 8,192 B (8,192 B not sent yet), memory 9,024 B of sndbuf 8,192 B; Node has held 16,390 B since write() returned false at 0.02 s');
    });
    it('fails when the kernel looked while the writer was blocked and its send memory was below sndbuf', () => {
      const low = { ...shut, skmem: skmem({ wmemQueued: 2000 }) };
      const r = check('send-queue-full', [...drop(shutStory, isSample(W_KEY)), ws(25, low), ws(250, low)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/blocked .* at 2 of the kernel’s looks, but its send memory never reached sndbuf: send memory peaked at 2,000 B of 8,192 B/);
    });
    it('does not take a full kernel queue while Node holds nothing for it (no write() false) as "takes no more"', () => {
      const r = check('send-queue-full', [...connect, write(11, 9000, true, 0), ws(25, shut)]);
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/^the writer has not been pushed back yet/);
    });
  });

  describe('zero-window', () => {
    it('holds from the first zero window and counts the episodes so far', () => {
      const again = [...story, ws(6500, { ...shut, backoff: 0 })].filter((e) => !(e.kind === 'sample' && e.state === 'GONE'));
      const r = check('zero-window', again);
      expect(r.result).toBe('held');
      expect(r.detail).toBe('from 0.03 s to 5.01 s: snd_wnd 0 with 8,192 B not sent yet; 2 zero-window episodes so far, the latest from 6.50 s on');
    });
    it('fails when the writer was blocked at the kernel’s looks and snd_wnd never was 0', () => {
      const open = { ...shut, sndWnd: 1024 };
      const r = check('zero-window', [...drop(shutStory, isSample(W_KEY)), ws(25, open)]);
      expect(r).toEqual({ result: 'failed', detail: 'the writer was blocked (write() false, no ’drain’) at 1 of the kernel’s looks, but snd_wnd was never 0 (smallest 1,024 B)' });
    });
    it('is not reached when the kernel does not report snd_wnd', () => {
      const r = check('zero-window', [...connect.filter((e) => e.kind !== 'sample'), ws(25, { sendQ: 10 })]);
      expect(r).toEqual({ result: 'not-reached', detail: 'this kernel does not report snd_wnd (needs Linux ≥ 5.4)' });
    });
  });

  describe('probes', () => {
    it('holds when the persist timer’s backoff rose at least twice in a zero window', () => {
      const r = check('probes', story);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^in the zero window from 0\.03 s to 5\.01 s: persist timer, backoff rose to 3 at 0\.25 s, 0\.65 s, 2\.05 s \(gaps 0\.40, 1\.40 s/);
    });
    it('fails when a zero window lasted long enough and the backoff never rose', () => {
      const flat = [...drop(shutStory, isSample(W_KEY)), ws(25, { ...shut, backoff: 0 }), ws(4500, { ...shut, backoff: 0, sendQ: 8191 })];
      const r = check('probes', flat);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('the zero window from 0.03 s lasted 4.5 s: persist timer seen, backoff rose 0 time(s) (max 0)');
    });
    it('is not reached while the zero window is young', () => {
      const young = [...connect, write(20, 12, false, 16_390), ws(25, { ...shut, backoff: 0 }), ws(250, { ...shut, backoff: 1 })];
      expect(check('probes', young)).toEqual({ result: 'not-reached', detail: 'zero window for 0.2 s so far: persist timer seen, backoff rose 1 time(s) (max 1)' });
    });
    it('is not reached without a zero window', () => {
      expect(check('probes', connect)).toEqual({ result: 'not-reached', detail: 'no zero window yet' });
    });
  });

  describe('backpressure', () => {
    it('holds when each write() false is followed by a wait for ’drain’', () => {
      const r = check('backpressure', story);
      expect(r).toEqual({ result: 'held', detail: 'write() returned false 1×, first at 0.02 s with 16,390 B queued in Node; each time the writer stopped until ’drain’ (1×, longest wait 4.99 s)' });
    });
    it('fails when the writer kept writing before ’drain’ (ignoring backpressure)', () => {
      const r = check('backpressure', [...connect, write(11, 24_000, true, 0), write(20, 12, false, 16_390), ev({ t: 30, actor: 'writer', kind: 'write', sock: 'c1', bytes: 1200, ok: false, queued: 17_590, calls: 100 })], { writerMode: 'ignore-backpressure' });
      expect(r).toEqual({ result: 'failed', detail: 'the writer ignores it: after write() returned false at 0.02 s it wrote 1,200 B more without waiting for ’drain’; Node’s queue reached 17,590 B' });
    });
    it('fails when more than every buffer on the way holds was handed over and write() never returned false', () => {
      const nodestate = ev({ t: 12, actor: 'writer', kind: 'nodestate', sock: 'c1', writableLength: 0, writableHighWaterMark: 16_384, toKernel: 0, readableLength: 0, readableHighWaterMark: 16_384, bytesRead: 0, delivered: 0, flowing: null, writeFalse: 0, drainWaitMs: 0, waiting: false });
      const r = check('backpressure', [...connect, nodestate, rs(12, { recvQ: 0, rcvWnd: 65536, skmem: skmem({}) }), write(11, 1_000_000, true, 0)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('the writer handed over 976.6 KiB (the reader took 0 B) and write() never returned false, though the buffers on the way hold about 32,768 B');
    });
    it('is not reached before the writer wrote', () => {
      expect(check('backpressure', connect)).toEqual({ result: 'not-reached', detail: 'the writer has not written yet' });
    });
  });

  describe('slow-reads-keep-window-shut', () => {
    it('holds over slow reads while shut, reading the reader’s queue from live samples, not the GONE one', () => {
      // The run ends without "read everything": the last look at the reader's socket is GONE.
      const r = check('slow-reads-keep-window-shut', [...shutStory, ws(5900, { state: 'GONE' }), rs(5900, { state: 'GONE' })]);
      expect(r).toEqual({ result: 'held', detail: '4 reads of at most 7 B took 28 B over 5.9 s while the writer’s window stayed 0; the reader’s kernel queue went 4,105 B → 4,105 B' });
    });
    it('holds when the window reopened only once the reader’s kernel queue was taken at once (read everything)', () => {
      const r = check('slow-reads-keep-window-shut', story);
      expect(r).toEqual({ result: 'held', detail: '4 reads of at most 7 B took 28 B over 5.0 s while the writer’s window stayed 0; the reader’s kernel queue went 4,105 B → 4,105 B; it reopened at 5.01 s once Node (reading the kernel for its own buffer) had taken 30,000 B from the reader’s kernel queue (it held up to 4,105 B)' });
    });
    it('holds when Node pulled the kernel’s whole queue after a slow read (its buffer fell below highWaterMark)', () => {
      const pulled = [...shutStory, rs(1001, { recvQ: 0, rcvWnd: 4096 }), ws(1001, { sndWnd: 4096, sendQ: 0 }), readerNode(1020, 5844, 5851), rs(1020, { recvQ: 4105, rcvWnd: 0 }), ws(1020, { ...shut, backoff: 0 })].sort((a, b) => a.t - b.t); // the observer writes in time order
      const r = check('slow-reads-keep-window-shut', pulled);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^3 reads of at most 7 B took 21 B over 3\.0 s while the writer’s window stayed 0; .*it reopened at 1\.00 s once Node \(reading the kernel for its own buffer\) had taken 4,105 B from the reader’s kernel queue \(it held up to 4,105 B\)$/);
    });
    it('fails when the window reopened while less than half the reader’s kernel queue had been taken from it', () => {
      const r = check('slow-reads-keep-window-shut', [...shutStory, ws(4100, { sndWnd: 4096, sendQ: 0, skmem: skmem({}) })]);
      expect(r).toEqual({ result: 'failed', detail: 'the window reopened at 4.10 s (to 4,096 B) after 4 slow read(s) of 28 B, when only 0 B of the 4,105 B in the reader’s kernel queue had been taken from it' });
    });
    it('reading straight from the kernel (readFrom kernel), counts the program’s own reads as taken from the queue', () => {
      const many = Array.from({ length: 300 }, (_, i) => read(30 + i * 10, 7));
      const direct = [...connect, write(11, 24_000, true, 0), write(20, 12, false, 16_390), rs(25, { recvQ: 4096, rcvWnd: 0 }), ws(25, { ...shut, backoff: 0 }), ...many, rs(3040, { recvQ: 2000, rcvWnd: 2048 }), ws(3040, { sndWnd: 2048, sendQ: 0 })];
      const r = check('slow-reads-keep-window-shut', direct, { readFrom: 'kernel', readIntervalMs: 10 });
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/^300 reads of at most 7 B took 2,100 B .*it reopened at 3\.04 s once the reader’s recv\(2\) reads had taken 2,100 B from the reader’s kernel queue \(it held up to 4,096 B\)$/);
      expect(check('slow-reads-keep-window-shut', direct.filter((e) => !(e.kind === 'data' && e.t > 1000)), { readFrom: 'kernel', readIntervalMs: 10 }).result).toBe('failed');
    });
    it('is not reached with fewer than 3 slow reads while shut', () => {
      const r = check('slow-reads-keep-window-shut', shutStory.filter((e) => !(e.kind === 'data' && e.t > 2500)));
      expect(r).toEqual({ result: 'not-reached', detail: 'fewer than 3 slow reads while the window was shut so far' });
    });
    it('is not reached without kernel samples', () => {
      expect(check('slow-reads-keep-window-shut', story.filter((e) => e.kind !== 'sample')).result).toBe('not-reached');
    });
  });

  describe('reopen', () => {
    it('holds: read everything while shut, window reopens, ’drain’, more written', () => {
      const r = check('reopen', story);
      expect(r).toEqual({ result: 'held', detail: 'read everything at 5.00 s; window 0 → 4,096 B at 5.01 s; ’drain’ at 5.00 s after 4.99 s blocked; then 50,000 B more written' });
    });
    it('allows a few ms between the kernel’s look and the reader’s report (the look that shows it open may be stamped just before)', () => {
      const r = check('reopen', [...shutStory, ws(4999, { sndWnd: 4096, sendQ: 0 }), report(5000, 'read-all', { forMs: 1000 }), drain(5001, 4981), write(5002, 100, true, 0), ev({ t: 5600, actor: 'reader', kind: 'stdout', text: 'x\n' })]);
      expect(r).toEqual({ result: 'held', detail: 'read everything at 5.00 s; window 0 → 4,096 B at 5.00 s; ’drain’ at 5.00 s after 4.98 s blocked; then 100 B more written' });
    });
    it('fails when the window is still 0 long after the reader read everything', () => {
      const r = check('reopen', [...shutStory, report(5000, 'read-all', { forMs: 1000 }), read(5001, 30_000), report(6000, 'read-all-done'), ev({ t: 6500, actor: 'reader', kind: 'stdout', text: 'x\n' })]);
      expect(r).toEqual({ result: 'failed', detail: 'read everything at 5.00 s; 1.5 s later the writer’s window is still 0' });
    });
    it('fails when the only ’drain’ came before the read (reversed order) and the writer never resumed', () => {
      const r = check('reopen', [...shutStory, drain(4500, 4480), report(5000, 'read-all', { forMs: 1000 }), ws(5010, { sndWnd: 4096, sendQ: 0 }), ev({ t: 6500, actor: 'reader', kind: 'stdout', text: 'x\n' })]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/window 0 → 4,096 B at 5\.01 s, but no ’drain’ for the writer 1\.5 s later/);
    });
    it('is not reached when the window was not shut when the reader read everything', () => {
      const r = check('reopen', [...connect, report(100, 'read-all', { forMs: 1000 })]);
      expect(r).toEqual({ result: 'not-reached', detail: 'the writer’s window was not shut when the reader read everything (at 0.10 s)' });
    });
  });
});
