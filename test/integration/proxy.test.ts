/**
 * The proxy experiment on this kernel: the default run (a bandwidth toxic, the server pausing and
 * resuming), toxics switched on and off while the run is live (bandwidth, latency, reset_peer),
 * each change found in the trace, and the effect measured from the trace. Lower bounds and
 * ratios of measured values only; nothing left behind.
 */
import { describe, expect, it } from 'vitest';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import { measuredBandwidth, proxyView } from '../../shared/proxy/proxy-view.js';
import { connectionsAt, KernelIndex } from '../../shared/trace/kernel-view.js';
import type { TraceEvent } from '../../shared/trace/schema.js';
import type { Run } from '../../server/run/run.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const eventsOf = (lines: readonly { type: string }[]) => lines.filter((l): l is TraceEvent => l.type === 'event');
const connected = (run: Run) => eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'accept' && l.actor === 'server'), 10_000);

describe('proxy run (real processes, real sockets)', () => {
  it('default run: copies, the pause travels back through both connections, the bandwidth holds; the kernel sees both legs', async () => {
    const { lines, footer } = await runExperiment('proxy', {}, 12_000);
    expect(footer.outcome).toBe('completed');
    const obs = finalObservations(lines);
    expect(obs.size).toBe(4);
    for (const [id, o] of obs) expect(o.held, `${id}: ${o.detail}`).toBe(true);

    const events = eventsOf(lines);
    const v = proxyView(events);
    const pause = v.pauses[0]!;
    // Both legs are connections of the run, each seen from both ends by the kernel observer.
    const ix = new KernelIndex();
    for (const e of events) ix.add(e);
    const conns = connectionsAt(ix, Infinity);
    const actors = conns.map((c) => `${c.a.program?.actor}→${c.b.program?.actor}`).sort();
    expect(actors).toEqual(['client→proxy', 'proxy→server']);
    // During the pause the kernel held bytes on both legs: the server's receive queue, the
    // proxy's send queue to it, and the client's send queue.
    const inPause = (e: TraceEvent) => e.kind === 'sample' && e.t > pause.from && e.t < pause.to;
    const maxQ = (key: string | undefined, f: 'recvQ' | 'sendQ') => Math.max(0, ...events.filter((e) => inPause(e) && e.kind === 'sample' && e.key === key).map((e) => (e.kind === 'sample' ? e[f] ?? 0 : 0)));
    const serverLeg = conns.find((c) => c.b.program?.actor === 'server')!;
    const clientLeg = conns.find((c) => c.a.program?.actor === 'client')!;
    expect(maxQ(serverLeg.b.key, 'recvQ')).toBeGreaterThan(0);
    expect(maxQ(serverLeg.a.key, 'sendQ')).toBeGreaterThan(0);
    expect(maxQ(clientLeg.a.key, 'sendQ')).toBeGreaterThan(0);
    // The proxy's write to the server stalled during the pause, and the client was released only after it.
    expect(v.proxyWaits.some((w) => w.from > pause.from && w.from < pause.to)).toBe(true);
    expect(v.clientWaits.some((w) => w.from < pause.to && w.to !== null && w.to >= pause.to)).toBe(true);
    // The sockopt events say what the kernel kept for the small buffers.
    expect(events.filter((e) => e.kind === 'sockopt' && e.option === 'SO_RCVBUF').every((e) => e.kind === 'sockopt' && e.effective === 32768)).toBe(true);

    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(heldSockets(tracePorts(lines))).toEqual([]);
  }, 60_000);

  it('a bandwidth toxic switched on and off while live: in the trace, and the server\'s rate follows it', async () => {
    const rate = 40_000;
    const { lines } = await runExperiment('proxy', { toxics: '', pauseAtMs: 0, resumeAtMs: 0 }, 9000, async (run) => {
      expect(await connected(run)).toBe(true);
      await sleep(800);
      run.control('proxy', 'toxic-bandwidth', { on: 1, rate, dir: 1 });
      await sleep(3500);
      run.control('proxy', 'toxic-bandwidth', { on: 0 });
    });
    const events = eventsOf(lines);
    const v = proxyView(events);
    expect(v.changes.map((c) => [c.name, c.on, c.source])).toEqual([['bandwidth', true, 'control'], ['bandwidth', false, 'control']]);
    expect(v.changes[0]!.params).toEqual({ rate });
    const controls = events.filter((e) => e.kind === 'control' && e.actor === 'proxy');
    expect(controls).toHaveLength(2);
    const m = measuredBandwidth(events, v)!;
    expect(m.limit).toBe(rate);
    expect(m.rate / rate).toBeGreaterThan(0.8);
    expect(m.rate / rate).toBeLessThan(1.2);
    // Without the toxic, before and after, the server read faster than the limit.
    const off = v.spans[0]!;
    const fastest = (from: number, to: number) => Math.max(0, ...v.serverRate.filter(([t]) => t >= from && t + 1000 <= to).map(([, b]) => b));
    expect(Math.max(fastest(0, off.from), fastest(off.to + 500, v.end))).toBeGreaterThan(rate * 1.2);
    expect(finalObservations(lines).get('toxics-traced')?.held).toBe(true);
    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  }, 60_000);

  it('latency on the echo workload adds at least twice the latency to a round trip; reset_peer resets the client, which dials again', async () => {
    const latency = 150;
    let onAt = 0;
    let offAt = 0;
    const { lines } = await runExperiment('proxy', { workload: 'echo', toxics: '', pauseAtMs: 0, resumeAtMs: 0, intervalMs: 100 }, 9000, async (run) => {
      expect(await connected(run)).toBe(true);
      await sleep(800);
      run.control('proxy', 'toxic-latency', { on: 1, latency, jitter: 0, dir: 0 });
      onAt = run.lines.at(-1)!.type === 'event' ? (run.lines.at(-1) as TraceEvent).t : 0;
      await sleep(1500);
      run.control('proxy', 'toxic-latency', { on: 0 });
      offAt = (run.lines.at(-1) as TraceEvent).t;
      await sleep(800);
      run.control('proxy', 'toxic-reset_peer', { on: 1, timeout: 0 });
      await sleep(2000);
    });
    const events = eventsOf(lines);
    const v = proxyView(events);
    const span = v.spans.find((s) => s.name === 'latency')!;
    expect(span.from).toBeGreaterThanOrEqual(onAt - 1);
    // Lines sent after the toxic was on (and answered before it went off) took ≥ 2 × latency.
    const during = v.rtts.filter((r) => r.t - r.ms > span.from + 50 && r.t < span.to);
    const before = v.rtts.filter((r) => r.t < span.from);
    expect(during.length).toBeGreaterThan(3);
    expect(before.length).toBeGreaterThan(3);
    for (const r of during) expect(r.ms).toBeGreaterThanOrEqual(2 * latency - 1);
    expect(Math.max(...before.map((r) => r.ms))).toBeLessThan(Math.min(...during.map((r) => r.ms)));
    expect(offAt).toBeGreaterThan(span.from);
    // reset_peer: the client saw ECONNRESET, the proxy says it sent RST, and the client dialed again.
    expect(events.some((e) => e.kind === 'error' && e.actor === 'client' && e.code === 'ECONNRESET')).toBe(true);
    expect(events.some((e) => e.kind === 'custom' && e.actor === 'proxy' && e.name === 'toxic-close' && e.data.how === 'reset')).toBe(true);
    expect(events.filter((e) => e.kind === 'connect' && e.actor === 'client').length).toBeGreaterThanOrEqual(2);
    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  }, 60_000);

  it('refuses a toxics parameter it cannot read, before starting anything', async () => {
    await expect(runExperiment('proxy', { toxics: 'latency:latency=fast' })).rejects.toThrow(/toxics/);
    await expect(runExperiment('proxy', { toxics: 'warp:speed=9' })).rejects.toThrow(/toxics/);
  });
});
