/**
 * buffer-sizes' observations on small hand-made sweeps: where each holds, where it must not (a
 * size the kernel kept off the rule, a bigger buffer that held less, the whole buffer full of
 * data, auto set by hand) and where its moment is not in the trace yet (sizes not measured).
 */
import { describe, expect, it } from 'vitest';
import exp from '../../../server/experiments/buffer-sizes/index.js';
import { TraceQuery } from '../../../shared/trace/query.js';
import { TraceEvent } from '../../../shared/trace/schema.js';
import { resultOf } from '../../../shared/trace/verdict.js';

const ev = (o: Record<string, unknown>): TraceEvent => TraceEvent.parse({ type: 'event', ...o });
const at = (port: number) => ({ address: '127.0.0.1', port });
const skmem = (o: Record<string, number>) => ({ rmemAlloc: 0, rcvbuf: 8192, wmemAlloc: 0, sndbuf: 8192, fwdAlloc: 0, wmemQueued: 0, optmem: 0, backlog: 0, drops: 0, ...o });
const report = (t: number, actor: string, data: Record<string, unknown>) => ev({ t, actor, kind: 'custom', name: 'size-result', data: { role: actor, ...data } });
const sockopt = (t: number, actor: string, sock: string, option: string, requested: number, effective: number) => ev({ t, actor, kind: 'sockopt', sock, option, requested, effective });
const readerSample = (t: number, port: number, recvQ: number, rmemAlloc: number, rcvbuf: number) => ev({ t, actor: 'kernel', kind: 'sample', key: `127.0.0.1:9000>127.0.0.1:${port}`, local: at(9000), remote: at(port), state: 'ESTABLISHED', recvQ, skmem: skmem({ rmemAlloc, rcvbuf }) });

/** One data connection: the writer's connect (port 40000 + i), the reader's accept. */
const conn = (t: number, i: number) => [
  ev({ t, actor: 'writer', kind: 'connect', sock: `c${i}`, local: at(40_000 + i), remote: at(9000) }),
  ev({ t: t + 0.1, actor: 'reader', kind: 'accept', sock: `s${i + 2}`, local: at(9000), remote: at(40_000 + i) }),
];
const writer = (index: number, size: number | 'auto', stopped: number, more: Record<string, unknown> = {}) => ({ index, size, firstBackpressure: stopped / 2, stopped, nodeQueue: 16_384, kernelSendQ: 4000, sndbufEffective: size === 'auto' ? null : 2 * size, sndbufAtConnect: 8192, sndbufAtStop: 8192, drains: 3, ms: 10, ...more });

const sizes = 'auto,1024,4096';
const head = [
  ev({ t: 1, actor: 'reader', kind: 'listen', sock: 'L1', local: at(9000) }),
  // The control line comes from a socket the writer does not watch: not one of the sweep's connections.
  ev({ t: 5, actor: 'reader', kind: 'accept', sock: 's1', local: at(9000), remote: at(50_000) }),
];
const autoRow = [
  ...conn(10, 0),
  sockopt(11, 'reader', 'L1', 'SO_RCVBUF', 1024, 2304),
  report(100, 'writer', writer(0, 'auto', 3_960_832, { sndbufAtConnect: 3_939_840, sndbufAtStop: 4_194_304, tcpWmem: [4096, 16_384, 4_194_304] })),
  report(101, 'reader', { index: 0, size: 'auto', rcvbufEffective: 131_072, kernelRecvQ: 81_408, nodeBuffer: 65_536 }),
];
const row1024 = [
  ...conn(110, 1),
  sockopt(111, 'writer', 'c1', 'SO_SNDBUF', 1024, 4608),
  sockopt(112, 'reader', 'L1', 'SO_RCVBUF', 4096, 8192),
  readerSample(150, 40_001, 576, 1408, 2304),
  report(200, 'writer', writer(1, 1024, 36_864, { sndbufEffective: 4608 })),
  report(201, 'reader', { index: 1, size: 1024, rcvbufEffective: 2304, kernelRecvQ: 576, nodeBuffer: 16_576 }),
];
const row4096 = [
  ...conn(210, 2),
  sockopt(211, 'writer', 'c2', 'SO_SNDBUF', 4096, 8192),
  readerSample(250, 40_002, 6144, 6976, 8192),
  report(300, 'writer', writer(2, 4096, 41_984)),
  report(301, 'reader', { index: 2, size: 4096, rcvbufEffective: 8192, kernelRecvQ: 6144, nodeBuffer: 18_432 }),
];
const exits = [ev({ t: 500, actor: 'writer', kind: 'exit', pid: 2, code: 0, signal: null }), ev({ t: 510, actor: 'reader', kind: 'exit', pid: 1, code: 0, signal: null })];
const sweep = [...head, ...autoRow, ...row1024, ...row4096, ...exits];

function check(id: string, events: readonly TraceEvent[], params: Record<string, unknown> = {}) {
  const o = exp.observations.find((x) => x.id === id)!;
  const r = o.check(new TraceQuery(events), exp.params.parse({ sizes, ...params }));
  return { result: resultOf(r), detail: r.detail };
}
const replace = (events: readonly TraceEvent[], f: (e: TraceEvent) => boolean, by: TraceEvent) => events.map((e) => (f(e) ? by : e));
const isReport = (actor: string, index: number) => (e: TraceEvent) => e.kind === 'custom' && e.actor === actor && e.data.index === index;

describe('buffer-sizes observations', () => {
  it('every observation holds on the whole sweep', () => {
    for (const o of exp.observations) expect({ id: o.id, ...check(o.id, sweep) }).toMatchObject({ result: 'held' });
  });

  describe('kept-not-asked', () => {
    it('holds when every size kept follows the rule: doubled, raised to one minimum, capped at one maximum', () => {
      expect(check('kept-not-asked', sweep)).toEqual({
        result: 'held',
        detail: 'SO_SNDBUF: 1,024 B → 4,608 B (raised to the minimum), 4,096 B → 8,192 B (doubled); SO_RCVBUF: 1,024 B → 2,304 B (raised to the minimum), 4,096 B → 8,192 B (doubled)',
      });
    });
    it('names a cap that equals the request a coincidence, not a size kept as asked', () => {
      const capped = [...sweep, sockopt(400, 'writer', 'c9', 'SO_SNDBUF', 8_388_608, 8_388_608), sockopt(401, 'writer', 'c9', 'SO_SNDBUF', 16_777_216, 8_388_608)];
      const r = check('kept-not-asked', capped);
      expect(r.result).toBe('held');
      expect(r.detail).toMatch(/8\.00 MiB → 8\.00 MiB \(capped, as asked by coincidence\), 16\.00 MiB → 8\.00 MiB \(capped\)/);
    });
    it('fails when tiny sizes were raised to different minimums', () => {
      const r = check('kept-not-asked', [...sweep, sockopt(400, 'writer', 'c9', 'SO_SNDBUF', 100, 5000)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/SO_SNDBUF: .*: tiny sizes were raised to different values \(5,000 B, 4,608 B\)$/);
    });
    it('fails when the kernel kept every size as asked', () => {
      const r = check('kept-not-asked', [...head, sockopt(11, 'reader', 'L1', 'SO_RCVBUF', 65_536, 65_536)]);
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/^the kernel kept every size as asked/);
    });
    it('is not reached with only auto (nothing is set)', () => {
      expect(check('kept-not-asked', [...head, ...autoRow.filter((e) => e.kind !== 'sockopt')], { sizes: 'auto' })).toEqual({ result: 'not-reached', detail: 'no SO_SNDBUF / SO_RCVBUF set in the trace yet (auto is never set)' });
    });
  });

  describe('all-measured', () => {
    it('holds when every size has both sides’ reports', () => {
      expect(check('all-measured', sweep)).toEqual({ result: 'held', detail: '3 of 3 sizes measured on both sides' });
    });
    it('fails when both programs ended with a size unmeasured', () => {
      const r = check('all-measured', [...head, ...autoRow, ...row1024, ...exits]);
      expect(r).toEqual({ result: 'failed', detail: '2 of 3 sizes measured on both sides; never: 4096' });
    });
    it('is not reached while the sweep is still running', () => {
      expect(check('all-measured', [...head, ...autoRow, ...row1024])).toEqual({ result: 'not-reached', detail: '2 of 3 sizes measured on both sides; not yet: 4096' });
    });
  });

  describe('bigger-holds-more', () => {
    it('holds when the bigger kept buffer handed over more', () => {
      expect(check('bigger-holds-more', sweep)).toEqual({ result: 'held', detail: '1,024 B: 36,864 B, 4,096 B: 41,984 B' });
    });
    it('fails when the bigger buffer stopped no later', () => {
      const r = check('bigger-holds-more', replace(sweep, isReport('writer', 2), report(300, 'writer', writer(2, 4096, 30_000))));
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('1,024 B: 36,864 B, 4,096 B: 30,000 B: 4,096 B (kept 8,192 B / 8,192 B) stopped no later than 1,024 B (kept 4,608 B / 2,304 B)');
    });
    it('is not reached with one fixed size measured', () => {
      expect(check('bigger-holds-more', [...head, ...autoRow, ...row1024])).toEqual({ result: 'not-reached', detail: '1 fixed size(s) measured so far; needs two' });
    });
  });

  describe('overhead', () => {
    it('holds: less data than the buffer, and the kernel charged more memory than the data', () => {
      expect(check('overhead', sweep)).toEqual({ result: 'held', detail: '576 B of 2,304 B (25%), memory 1,408 B for 576 B of data, 6,144 B of 8,192 B (75%), memory 6,976 B for 6,144 B of data' });
    });
    it('fails when the reader’s kernel held a whole buffer of data', () => {
      const r = check('overhead', replace(sweep, isReport('reader', 2), report(301, 'reader', { index: 2, size: 4096, rcvbufEffective: 8192, kernelRecvQ: 8192, nodeBuffer: 0 })));
      expect(r).toEqual({ result: 'failed', detail: '4,096 B: the reader’s kernel held 8,192 B of 8,192 B (100%): the whole buffer' });
    });
    it('fails when the kernel charged no more than the data (no overhead shown)', () => {
      const r = check('overhead', replace(sweep, (e) => e.kind === 'sample' && e.remote.port === 40_002, readerSample(250, 40_002, 6144, 6144, 8192)));
      expect(r.result).toBe('failed');
      expect(r.detail).toBe('4,096 B: 6,144 B of 8,192 B (75%), but the kernel charged only 6,144 B for 6,144 B of data');
    });
    it('is not reached without kernel samples: the cause cannot be shown', () => {
      const r = check('overhead', sweep.filter((e) => e.kind !== 'sample'));
      expect(r.result).toBe('not-reached');
      expect(r.detail).toMatch(/the memory charged needs a kernel sample with data queued \(no kernel samples in the trace/);
    });
  });

  describe('auto-sized', () => {
    it('holds when SO_SNDBUF, never set, ended above where tcp_wmem starts', () => {
      expect(check('auto-sized', sweep)).toEqual({ result: 'held', detail: 'tcp_wmem starts a socket at 16,384 B (max 4.00 MiB); SO_SNDBUF was 3.76 MiB right after connect and 4.00 MiB when the writer stopped' });
    });
    it('fails when the kernel left it where tcp_wmem starts', () => {
      const r = check('auto-sized', replace(sweep, isReport('writer', 0), report(100, 'writer', writer(0, 'auto', 100_000, { sndbufAtConnect: 16_384, sndbufAtStop: 16_384, tcpWmem: [4096, 16_384, 4_194_304] }))));
      expect(r.result).toBe('failed');
      expect(r.detail).toMatch(/SO_SNDBUF was 16,384 B right after connect and 16,384 B when the writer stopped$/);
    });
    it('fails when SO_SNDBUF was set on the auto connection after all', () => {
      const r = check('auto-sized', [...sweep, sockopt(12, 'writer', 'c0', 'SO_SNDBUF', 65_536, 131_072)]);
      expect(r).toEqual({ result: 'failed', detail: 'SO_SNDBUF was set on the auto connection (65536)' });
    });
    it('is not reached when auto is not among the sizes', () => {
      expect(check('auto-sized', sweep, { sizes: '1024,4096' })).toEqual({ result: 'not-reached', detail: 'auto is not among the sizes' });
    });
  });
});
