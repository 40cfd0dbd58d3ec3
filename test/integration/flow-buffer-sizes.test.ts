/**
 * buffer-sizes on this kernel: a real sweep, each size a fresh connection between two processes.
 * Results are cross-checked between the programs' reports, their write/data events, the sockopt
 * read-backs and the kernel observer's samples; no expected size is written down.
 */
import { describe, expect, it } from 'vitest';
import { TraceQuery } from '../../shared/trace/query.js';
import { sweepRows } from '../../shared/flow/buffer-sweep.js';
import { connsOf, samplesOf } from '../../server/experiments/flow-shared/observe.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';

describe.skipIf(process.platform !== 'linux')('buffer-sizes (real processes, real kernel)', () => {
  it('measures every size on both sides; the figures agree with the trace and the kernel', async () => {
    const sizes = 'auto,1024,4096,65536';
    const { lines, footer } = await runExperiment('buffer-sizes', { sizes }, 60_000);
    expect(footer).toMatchObject({ outcome: 'completed', reason: 'every actor exited' });
    const obs = finalObservations(lines);
    for (const [id, o] of obs) expect({ id, ...o }).toMatchObject({ held: true });
    expect(obs.size).toBe(5);

    const q = TraceQuery.fromLines(lines);
    const rows = sweepRows(q.events);
    expect(rows.map((r) => r.size)).toEqual(['auto', 1024, 4096, 65536]);
    // Data connections in order (the writer's first connection is the control line).
    const wconns = connsOf(q, 'writer').filter((c) => q.of('write', 'writer').some((w) => w.sock === c.sock));
    expect(wconns).toHaveLength(rows.length);
    for (const [i, r] of rows.entries()) {
      const w = r.writer!;
      const rd = r.reader!;
      expect(w).toBeDefined();
      expect(rd).toBeDefined();
      // What the writer counted is what its write events say, and what the reader finally read.
      const conn = wconns[i]!;
      const written = q.of('write', 'writer').filter((e) => e.sock === conn.sock).reduce((n, e) => n + e.bytes, 0);
      expect(written).toBe(w.stopped);
      const rconn = connsOf(q, 'reader').find((c) => c.remote.port === conn.local.port)!;
      expect(q.of('data', 'reader').filter((e) => e.sock === rconn.sock).reduce((n, e) => n + e.bytes, 0)).toBe(w.stopped);
      expect(w.firstBackpressure).toBeLessThanOrEqual(w.stopped);
      // Every byte accounted for; Node's writableLength is never less than what really is left in it.
      expect(r.inWriterNode).not.toBeNull();
      expect(r.inWriterNode!).toBeGreaterThanOrEqual(0);
      expect(w.nodeQueue).toBeGreaterThanOrEqual(r.inWriterNode!);
      // The reader's kernel holds less data than its buffer's size.
      expect(rd.kernelRecvQ!).toBeLessThan(rd.rcvbufEffective!);
      if (r.size === 'auto') continue;
      // The sizes asked and kept, as set and read back, and as the kernel observer saw them.
      const snd = q.of('sockopt', 'writer').filter((e) => e.option === 'SO_SNDBUF' && e.sock === conn.sock)[0]!;
      expect(snd.requested).toBe(r.size);
      expect(snd.effective).toBe(w.sndbufEffective);
      expect(samplesOf(q, conn).some((s) => s.skmem?.sndbuf === snd.effective)).toBe(true);
      expect(r.rcvbufAsked).toBe(r.size);
      expect(r.rcvbufKept).toBe(rd.rcvbufEffective);
      expect(samplesOf(q, rconn).some((s) => s.skmem?.rcvbuf === r.rcvbufKept)).toBe(true);
    }
    // Linux doubles a mid-sized request (the brief's 4096 → 8192).
    expect(rows.find((r) => r.size === 4096)).toMatchObject({ rcvbufKept: 8192, writer: { sndbufEffective: 8192 } });

    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(heldSockets(tracePorts(lines))).toEqual([]);
  });

  it('refuses bad size lists before starting anything', async () => {
    await expect(runExperiment('buffer-sizes', { sizes: 'small,4096' })).rejects.toThrow(/sizes/);
    await expect(runExperiment('buffer-sizes', { sizes: '1,2,3,4,5,6,7,8,9' })).rejects.toThrow(/sizes/);
    await expect(runExperiment('buffer-sizes', { sizes: '' })).rejects.toThrow(/sizes/);
  });
});
