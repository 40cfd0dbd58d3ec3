/**
 * write-deadline on this kernel: a writer blocked behind a busy reader, its deadline, and who had
 * which bytes — the program's count, the kernel's (read by the writer and by the observer) and
 * the reader's, all from the trace.
 */
import { describe, expect, it } from 'vitest';
import { TraceQuery } from '../../shared/trace/query.js';
import { connsOf, samplesOf } from '../../server/experiments/flow-shared/observe.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import type { TraceLine } from '../../shared/trace/schema.js';

async function leavesNothingBehind(lines: TraceLine[]): Promise<void> {
  const pids = spawnedPids(lines);
  expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  expect(heldSockets(tracePorts(lines))).toEqual([]);
}

function deadline(q: TraceQuery) {
  const e = q.custom('write-deadline', 'writer')[0]!;
  return { t: e.t, ...(e.data as { handed: number; nodeQueue: number; nodeBytesWritten: number; kernelTook: number; kernelQueue: number; waitedMs: number }) };
}

describe.skipIf(process.platform !== 'linux')('write-deadline (real processes, real kernel)', () => {
  it('destroy: the deadline fires, Node’s leftovers are lost, everything the kernel took still arrives', async () => {
    const params = { writeDeadlineMs: 1000, busyMs: 2500 };
    const { lines, footer } = await runExperiment('write-deadline', params, 20_000);
    expect(footer).toMatchObject({ outcome: 'completed', reason: 'every actor exited' });
    const obs = finalObservations(lines);
    for (const [id, o] of obs) expect({ id, ...o }).toMatchObject({ held: true });
    expect(obs.size).toBe(5);

    const q = TraceQuery.fromLines(lines);
    const d = deadline(q);
    // The program's count is what its write events say, and Node's bytesWritten counts the same.
    expect(q.of('write', 'writer').filter((w) => w.t <= d.t).reduce((n, w) => n + w.bytes, 0)).toBe(d.handed);
    expect(d.nodeBytesWritten).toBe(d.handed);
    // The writer's own kernel reading agrees with the observer's last sample before the deadline.
    const last = samplesOf(q, connsOf(q, 'writer')[0]).filter((s) => s.t <= d.t).at(-1)!;
    expect(last.bytesAcked! - 1 + last.sendQ!).toBe(d.kernelTook);
    expect(last.sendQ).toBe(d.kernelQueue);
    // The deadline came no earlier than asked after the last write() that returned false.
    const lastFalse = q.of('write', 'writer').filter((w) => !w.ok && w.t <= d.t).at(-1)!;
    expect(d.t - lastFalse.t).toBeGreaterThanOrEqual(params.writeDeadlineMs - 1);
    expect(q.first('drain', 'writer', (e) => e.t > lastFalse.t)).toBeUndefined();
    // destroy(), then the reader got exactly what the kernel had taken, then EOF.
    expect(q.first('destroy', 'writer')!.t).toBeGreaterThanOrEqual(d.t);
    expect(d.kernelTook).toBeLessThan(d.handed);
    expect(q.bytes('data', 'reader')).toBe(d.kernelTook);
    const eof = q.custom('reader-eof', 'reader')[0]!;
    expect(eof.data.got).toBe(d.kernelTook);
    // The reader only started reading after its busy time, i.e. after the writer had gone.
    expect(q.first('data', 'reader')!.t).toBeGreaterThan(d.t);
    await leavesNothingBehind(lines);
  });

  it('keep-waiting: the writer waits on, every byte arrives, then the idle reader’s read deadline fires', async () => {
    const params = { onWriteTimeout: 'keep-waiting', writeDeadlineMs: 800, busyMs: 2000, readDeadlineMs: 700, totalBytes: 131_072 };
    const { lines, footer } = await runExperiment('write-deadline', params, 20_000);
    expect(footer).toMatchObject({ outcome: 'completed', reason: 'every actor exited' });
    const obs = finalObservations(lines);
    for (const [id, o] of obs) expect({ id, ...o }).toMatchObject({ held: true });

    const q = TraceQuery.fromLines(lines);
    const d = deadline(q);
    expect(d.waitedMs).toBeGreaterThanOrEqual(params.writeDeadlineMs);
    // 'drain' came after the deadline, once the reader read; then the rest was written.
    const drain = q.first('drain', 'writer', (e) => e.t > d.t)!;
    expect(drain.waitedMs).toBeGreaterThan(params.writeDeadlineMs);
    expect(q.bytes('write', 'writer')).toBe(params.totalBytes);
    expect(q.bytes('data', 'reader')).toBe(params.totalBytes);
    const rd = q.custom('read-deadline', 'reader')[0]!;
    const lastByte = q.of('data', 'reader').at(-1)!;
    expect(rd.t - lastByte.t).toBeGreaterThanOrEqual(params.readDeadlineMs - 1);
    expect(rd.data.got).toBe(params.totalBytes);
    expect(q.custom('reader-eof', 'reader')).toHaveLength(0);
    await leavesNothingBehind(lines);
  });

  it('refuses bad parameters before starting anything', async () => {
    await expect(runExperiment('write-deadline', { onWriteTimeout: 'retry' })).rejects.toThrow(/onWriteTimeout/);
    await expect(runExperiment('write-deadline', { writeDeadlineMs: 0 })).rejects.toThrow(/writeDeadlineMs/);
  });
});
