/**
 * The kernel view's derivations (shared/trace/kernel-view.ts) over small hand-written traces:
 * what the pipeline, the sockets table, the badges and the chart show at a cursor. Every line is
 * validated by the trace schema first, so the fixtures are traces the lab could have written.
 */
import { describe, expect, it, vi } from 'vitest';
import { TraceEvent, TraceHeader, type TraceLine } from '../../shared/trace/schema.js';
import { TraceStore } from '../../shared/trace/store.js';
import {
  chartData, connectionsAt, directionsAt, fillOf, isOrphaned, kernelAvailability, KernelIndex, kernelIndex,
  kernelSocketsAt, pipelineAt, primaryProgramSocket, socketKey, timerLeftMs,
} from '../../shared/trace/kernel-view.js';

const L = { address: '127.0.0.1', port: 7000, family: 'IPv4' as const };
const C = { address: '127.0.0.1', port: 41000, family: 'IPv4' as const };
const ANY = { address: '0.0.0.0', port: 0, family: 'IPv4' as const };
const CK = socketKey(C, L); // the client's socket
const SK = socketKey(L, C); // the accepted socket
const LK = socketKey(L, ANY);

const ev = (t: number, actor: string, rest: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', t, actor, ...rest });
const sample = (t: number, local: typeof L, remote: typeof L, state: string, rest: Record<string, unknown> = {}) =>
  ev(t, 'kernel', { kind: 'sample', key: socketKey(local, remote), local, remote, state, ...rest });
const node = (t: number, actor: string, sock: string, rest: Record<string, unknown> = {}) =>
  ev(t, actor, {
    kind: 'nodestate', sock, writableLength: 0, writableHighWaterMark: 16384, toKernel: 0, readableLength: 0, readableHighWaterMark: 65536,
    bytesRead: 0, delivered: 0, flowing: null, writeFalse: 0, drainWaitMs: 0, waiting: false, ...rest,
  });
const header = (capabilities: Record<string, string>): TraceLine => TraceHeader.parse({
  type: 'header', version: 1, experiment: 'x', params: {}, roles: ['server', 'client'],
  platform: { os: 'linux', kernel: '6', node: 'v20' }, capabilities, startedAt: '2026-01-01T00:00:00Z',
});
const skmem = (r: number, rb: number, w: number, tb: number) => ({ rmemAlloc: r, rcvbuf: rb, wmemAlloc: 0, sndbuf: tb, fwdAlloc: 0, wmemQueued: w, optmem: 0, backlog: 0, drops: 0 });

/** A slow-reader-like run: the client writes, the server is paused, the window closes, then both exit. */
function slowReaderTrace(): TraceLine[] {
  return [
    header({ kernel: 'on' }),
    ev(1, 'server', { kind: 'listen', sock: 'L1', local: L }),
    sample(2, L, ANY, 'LISTEN', { recvQ: 0, sendQ: 511, acceptQ: 0, acceptMax: 511, inode: 11 }),
    ev(3, 'client', { kind: 'connect', sock: 'c2', local: C, remote: L }),
    ev(3.1, 'server', { kind: 'accept', sock: 's3', local: L, remote: C, listener: 'L1' }),
    sample(4, C, L, 'ESTABLISHED', { recvQ: 0, sendQ: 0, inode: 12, sndWnd: 65536, rcvWnd: 65536, skmem: skmem(0, 8192, 0, 8192) }),
    sample(4, L, C, 'ESTABLISHED', { recvQ: 0, sendQ: 0, inode: 13, sndWnd: 65536, rcvWnd: 65536, skmem: skmem(0, 8192, 0, 8192) }),
    ev(5, 'client', { kind: 'write', sock: 'c2', bytes: 10000, ok: true, queued: 0 }),
    ev(6, 'client', { kind: 'write', sock: 'c2', bytes: 20000, ok: false, queued: 12000 }),
    node(7, 'server', 's3', { readableLength: 4000, bytesRead: 4000, flowing: false }),
    node(7, 'client', 'c2', { writableLength: 12000, toKernel: 18000, writeFalse: 1 }),
    sample(8, C, L, 'ESTABLISHED', { recvQ: 0, sendQ: 11000, notsent: 9000, inode: 12, sndWnd: 0, rcvWnd: 65536, probes: 2, backoff: 2, timer: { name: 'persist', expiresMs: 800, retrans: 2 }, skmem: skmem(0, 8192, 8100, 8192) }),
    sample(8, L, C, 'ESTABLISHED', { recvQ: 3000, sendQ: 0, inode: 13, sndWnd: 65536, rcvWnd: 0, skmem: skmem(7000, 8192, 0, 8192) }),
    ev(9, 'server', { kind: 'data', sock: 's3', bytes: 7 }),
    ev(20, 'client', { kind: 'exit', pid: 1, code: 0, signal: null }),
    sample(21, C, L, 'FIN_WAIT1', { recvQ: 0, sendQ: 11001, inode: 0, sndWnd: 0, skmem: skmem(0, 8192, 8100, 8192) }),
    sample(30, C, L, 'GONE'),
    sample(30, L, C, 'TIME_WAIT', { recvQ: 0, sendQ: 0, timer: { name: 'timewait', expiresMs: 60000, retrans: 0 } }),
  ];
}

function storeOf(lines: TraceLine[]): TraceStore {
  const s = new TraceStore();
  s.append(lines);
  return s;
}

describe('KernelIndex', () => {
  it('finds each socket\'s latest sample at a cursor, GONE included', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    expect(ix.sampleAt(CK, 3.9)).toBeUndefined();
    expect(ix.sampleAt(CK, 4)?.sendQ).toBe(0);
    expect(ix.sampleAt(CK, 8.5)?.sendQ).toBe(11000);
    expect(ix.sampleAt(CK, Infinity)?.state).toBe('GONE');
    expect(ix.nodeAt('server', 's3', 6.9)).toBeUndefined();
    expect(ix.nodeAt('server', 's3', 7)?.readableLength).toBe(4000);
    expect(ix.writtenAt('client', 'c2', 5.5)).toBe(10000);
    expect(ix.writtenAt('client', 'c2', 100)).toBe(30000);
    expect(ix.readAt('server', 's3', 8.9)).toBe(0);
    expect(ix.readAt('server', 's3', 9)).toBe(7);
  });

  it('indexes only what arrived since the last look, and late lines land in time order', () => {
    const lines = slowReaderTrace();
    const store = new TraceStore();
    store.append(lines.slice(0, 8));
    const ix = new KernelIndex(store);
    const add = vi.spyOn(ix, 'add');
    ix.update();
    expect(add).toHaveBeenCalledTimes(7); // every event of the first batch (the header is not one)
    ix.update();
    expect(add).toHaveBeenCalledTimes(7); // nothing new: nothing scanned
    // The rest arrives with one sample out of order (stamped earlier than lines before it).
    const rest = lines.slice(8);
    const late = sample(4.5, C, L, 'ESTABLISHED', { recvQ: 0, sendQ: 500, inode: 12 });
    store.append([...rest, late]);
    ix.update();
    expect(add).toHaveBeenCalledTimes(7 + rest.length + 1);
    expect(ix.sampleAt(CK, 4.7)?.sendQ).toBe(500);
    expect(ix.sampleAt(CK, 8)?.sendQ).toBe(11000);
    // A late write keeps the running totals right.
    store.append([ev(5.5, 'client', { kind: 'write', sock: 'c2', bytes: 1, ok: true, queued: 0 })]);
    ix.update();
    expect(ix.writtenAt('client', 'c2', 5.6)).toBe(10001);
    expect(ix.writtenAt('client', 'c2', 100)).toBe(30001);
  });

  it('tells when a writer is waiting for drain, and since when', () => {
    const ix = new KernelIndex();
    for (const e of [
      ev(1, 'client', { kind: 'write', sock: 'c1', bytes: 1, ok: false, queued: 1 }),
      ev(2, 'client', { kind: 'write', sock: 'c1', bytes: 1, ok: false, queued: 2 }),
      ev(3, 'client', { kind: 'drain', sock: 'c1', waitedMs: 2 }),
      ev(4, 'client', { kind: 'write', sock: 'c1', bytes: 1, ok: false, queued: 1 }),
    ]) ix.add(e);
    expect(ix.waitingSince('client', 'c1', 0.5)).toBeUndefined();
    expect(ix.waitingSince('client', 'c1', 2.5)).toBe(1);
    expect(ix.waitingSince('client', 'c1', 3.5)).toBeUndefined();
    expect(ix.waitingSince('client', 'c1', 9)).toBe(4);
  });

  it('matches a listener to its LISTEN socket whichever arrives first', () => {
    for (const order of [[0, 1], [1, 0]]) {
      const pair = [ev(1, 'server', { kind: 'listen', sock: 'L1', local: L }), sample(2, L, ANY, 'LISTEN', { recvQ: 0, sendQ: 5 })];
      const ix = new KernelIndex();
      for (const i of order) ix.add(pair[i]!);
      expect(ix.ownerOf(LK)).toMatchObject({ actor: 'server', sock: 'L1', listening: true });
      expect(ix.keyOf(ix.programSockets[0]!)).toBe(LK);
    }
  });
});

describe('connections and pipelines', () => {
  it('pairs the two ends of a connection, the connecting side first', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    expect(connectionsAt(ix, 2)).toEqual([]);
    const [c, ...more] = connectionsAt(ix, 10);
    expect(more).toEqual([]);
    expect(c!.a).toMatchObject({ key: CK, program: { actor: 'client', sock: 'c2' } });
    expect(c!.b).toMatchObject({ key: SK, program: { actor: 'server', sock: 's3' } });
  });

  it('names the connecting side even before its own connect report is at the cursor', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    // A second connection: the server's accept is stamped before the client's connect report.
    ix.add(ev(2.9, 'server', { kind: 'accept', sock: 's9', local: L, remote: { ...C, port: 41001 } }));
    ix.add(ev(3.5, 'client', { kind: 'connect', sock: 'c9', local: { ...C, port: 41001 }, remote: L }));
    const cs = connectionsAt(ix, 2.95);
    expect(cs).toHaveLength(1);
    expect(cs[0]!.a.program).toMatchObject({ actor: 'client', sock: 'c9', initiator: true });
    expect(cs[0]!.b.program).toMatchObject({ actor: 'server', sock: 's9' });
    expect(pipelineAt(ix, cs[0]!.a, cs[0]!.b, 2.95)).toMatchObject({ wrote: 0, nodeQueue: null, read: 0 });
  });

  it('shows an end no lab program holds as the kernel\'s alone', () => {
    const ix = new KernelIndex();
    ix.add(ev(1, 'server', { kind: 'accept', sock: 's1', local: L, remote: C }));
    const [c] = connectionsAt(ix, 5);
    expect(c!.a.program?.sock).toBe('s1');
    expect(c!.b).toEqual({ key: CK });
    const p = pipelineAt(ix, c!.b, c!.a, 5);
    expect(p.wrote).toBeNull();
    expect(p.nodeQueue).toBeNull();
    expect(p.read).toBe(0);
  });

  it('places every byte at the cursor: Node queue, kernel queues, window, Node buffer, read', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    const [c] = connectionsAt(ix, 10);
    const p = pipelineAt(ix, c!.a, c!.b, 10);
    expect(p.wrote).toBe(30000);
    expect(p.nodeQueue).toEqual({ bytes: 12000, limit: 16384 });
    expect(p.waitingSince).toBe(6);
    expect(p.writeFalse).toBe(1);
    expect(p.sendQ).toEqual({ bytes: 11000, mem: 8100, limit: 8192 });
    expect(p.notsent).toBe(9000);
    expect(p.recvQ).toEqual({ bytes: 3000, mem: 7000, limit: 8192 });
    expect(p.nodeBuffer).toEqual({ bytes: 4000, limit: 65536 });
    expect(p.flowing).toBe(false);
    expect(p.read).toBe(7);
    expect(p.zeroWindow).toBe(true);
    expect(p.sndWnd).toBe(0);
    expect(p.rcvWnd).toBe(0);
    expect(p.probes).toBe(2);
    // The persist timer counts down from its sample (t = 8, 800 ms) to the cursor.
    expect(p.persistMs).toBe(798);
    expect(fillOf(p.sendQ)).toBeCloseTo(8100 / 8192);
    expect(fillOf(p.nodeQueue)).toBeCloseTo(12000 / 16384);
  });

  it('before the window closed there is no zero window; once the socket is gone there is no queue', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    const [c] = connectionsAt(ix, 10);
    expect(pipelineAt(ix, c!.a, c!.b, 5).zeroWindow).toBe(false);
    const gone = pipelineAt(ix, c!.a, c!.b, 30);
    expect(gone.writerState).toBe('GONE');
    expect(gone.sendQ).toBeNull();
    expect(gone.readerState).toBe('TIME_WAIT');
    expect(gone.zeroWindow).toBe(false);
    // The orphan: the client exited, its socket still holds 11001 B in FIN_WAIT1.
    const orphan = pipelineAt(ix, c!.a, c!.b, 25);
    expect(orphan.writerState).toBe('FIN_WAIT1');
    expect(orphan.writerOrphaned).toBe(true);
    expect(orphan.sendQ?.bytes).toBe(11001);
  });

  it('draws the directions that carried data, at least the connecting side\'s', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    const [c] = connectionsAt(ix, 10);
    expect(directionsAt(ix, c!, 4.5).map((p) => p.writer.key)).toEqual([CK]);
    expect(directionsAt(ix, c!, 10).map((p) => p.writer.key)).toEqual([CK]);
    ix.add(ev(11, 'server', { kind: 'write', sock: 's3', bytes: 5, ok: true, queued: 0 }));
    expect(directionsAt(ix, c!, 12).map((p) => p.writer.key)).toEqual([CK, SK]);
  });
});

describe('sockets, badges and states', () => {
  it('lists every kernel socket with its owner and state at the cursor, orphans marked', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    const at = (t: number) => kernelSocketsAt(ix, t).map((s) => [s.key, s.owner?.sock, s.sample.state, s.orphaned]);
    expect(at(10)).toEqual([[LK, 'L1', 'LISTEN', false], [CK, 'c2', 'ESTABLISHED', false], [SK, 's3', 'ESTABLISHED', false]]);
    expect(at(25)).toEqual([[LK, 'L1', 'LISTEN', false], [CK, 'c2', 'FIN_WAIT1', true], [SK, 's3', 'ESTABLISHED', false]]);
    expect(at(31)).toEqual([[LK, 'L1', 'LISTEN', false], [CK, 'c2', 'GONE', false], [SK, 's3', 'TIME_WAIT', false]]);
  });

  it('orphaned means no file holds it and the kernel still works on it', () => {
    const s = (state: string, inode?: number) => sample(1, C, L, state, inode === undefined ? {} : { inode }) as Extract<TraceEvent, { kind: 'sample' }>;
    expect(isOrphaned(s('FIN_WAIT2', 0))).toBe(true);
    expect(isOrphaned(s('FIN_WAIT2', 5))).toBe(false);
    expect(isOrphaned(s('TIME_WAIT', 0))).toBe(false);
    expect(isOrphaned(s('ESTABLISHED'))).toBe(false);
  });

  it('the pane badge follows the role\'s latest connection, else its listener', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    expect(primaryProgramSocket(ix, 'server', 2)?.sock).toBe('L1');
    expect(primaryProgramSocket(ix, 'server', 10)?.sock).toBe('s3');
    expect(primaryProgramSocket(ix, 'client', 2)).toBeUndefined();
  });

  it('says why the kernel view is off, from the header', () => {
    expect(kernelAvailability({ kernel: 'on' })).toEqual({ on: true });
    expect(kernelAvailability({ kernel: 'on (ss, 50/s)' })).toEqual({ on: true });
    expect(kernelAvailability({ kernel: 'off: not Linux (darwin)' })).toEqual({ on: false, reason: 'not Linux (darwin)' });
    expect(kernelAvailability({})).toMatchObject({ on: false });
  });

  it('counts a timer down from its sample to the moment shown', () => {
    const s = sample(10, C, L, 'TIME_WAIT', { timer: { name: 'timewait', expiresMs: 60000, retrans: 0 } }) as Extract<TraceEvent, { kind: 'sample' }>;
    expect(timerLeftMs(s, 1010)).toBe(59000);
    expect(timerLeftMs(s, 70000)).toBe(0);
    expect(timerLeftMs(s, Infinity)).toBe(60000);
  });
});

describe('chartData', () => {
  it('aligns step series on the union of times; no listener; GONE leaves a gap', () => {
    const ix = kernelIndex(storeOf(slowReaderTrace()));
    const d = chartData(ix, (src) => src);
    const names = d.series.map((s) => `${s.source === CK ? 'C' : s.source === SK ? 'S' : s.source}:${s.field}`);
    expect(names).toEqual(['C:sendQ', 'C:sndWnd', 'S:recvQ', 'server/s3:readableLength', 'client/c2:writableLength']);
    const [xs, ...cols] = d.columns;
    expect(xs).toEqual([4, 7, 8, 21, 30].map((t) => t / 1000));
    expect(cols[0]).toEqual([0, 0, 11000, 11001, null]); // client Send-Q, then gone
    expect(cols[1]).toEqual([65536, 65536, 0, 0, null]); // the window the client sees closes
    expect(cols[2]).toEqual([0, 0, 3000, 3000, 0]); // server Recv-Q, 0 in TIME_WAIT
    expect(cols[3]).toEqual([null, 4000, 4000, 4000, 4000]); // Node buffer from its first report
  });
});
