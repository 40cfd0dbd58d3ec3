/**
 * stream-boundaries on real sockets: K writes of M bytes, and the reads that came out. Through the
 * slicer at least one write is split across reads; with a slow reader several writes merge into
 * one read. Asserted from the trace's write and data events with plain arithmetic (every message
 * is M bytes, so message edges are the multiples of M).
 */
import { describe, expect, it } from 'vitest';
import type { TraceLine } from '../../shared/trace/schema.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';

function sizes(lines: readonly TraceLine[], actor: string, kind: 'write' | 'data'): number[] {
  return lines.flatMap((l) => (l.type === 'event' && l.actor === actor && l.kind === kind ? [l.bytes] : []));
}

/** Read boundaries (stream offsets where a read ended) that fall inside a message. */
function cutsInsideMessages(reads: readonly number[], size: number): number[] {
  const cuts: number[] = [];
  let at = 0;
  for (const n of reads.slice(0, -1)) { at += n; if (at % size !== 0) cuts.push(at); }
  return cuts;
}

async function noLeftovers(lines: readonly TraceLine[]): Promise<void> {
  const pids = spawnedPids(lines);
  expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  expect(heldSockets(tracePorts(lines))).toEqual([]);
}

describe('stream boundaries (real processes, real sockets)', () => {
  it('through the slicer, writes are split across reads; every byte still arrives, in order', async () => {
    const size = 1024;
    const { lines, footer } = await runExperiment('stream-boundaries', { slicer: true, count: 10, size }, 30_000);
    expect(footer.outcome).toBe('completed'); // one-shot: it ended because every program exited
    const writes = sizes(lines, 'client', 'write');
    const reads = sizes(lines, 'server', 'data');
    expect(writes).toEqual(Array(10).fill(size));
    expect(reads.reduce((a, b) => a + b, 0)).toBe(10 * size);
    expect(cutsInsideMessages(reads, size).length).toBeGreaterThan(0);
    // The slicer wrote pieces of at most sliceAvg + sliceVar bytes (300 + 200).
    const pieces = lines.flatMap((l) => (l.type === 'event' && l.actor === 'slicer' && l.kind === 'write' && l.sock.startsWith('c') ? [l.bytes] : []));
    expect(pieces.reduce((a, b) => a + b, 0)).toBe(10 * size);
    expect(Math.max(...pieces)).toBeLessThanOrEqual(500);
    // The reader's pane shows the ruler for each read.
    const out = lines.flatMap((l) => (l.type === 'event' && l.actor === 'server' && l.kind === 'stdout' ? [l.text] : [])).join('');
    expect(out).toMatch(/read \d+ B: \[#0 0\.\.\d+\]/);
    expect(finalObservations(lines).get('boundaries-differ')).toMatchObject({ held: true });
    expect(finalObservations(lines).get('every-byte')).toMatchObject({ held: true });
    await noLeftovers(lines);
  });

  it('a slow reader gets several writes in one read', async () => {
    const size = 1024;
    // Writes 10 ms apart, the reader waits 60 ms after each read: the kernel queues what arrives meanwhile.
    const { lines } = await runExperiment('stream-boundaries', { count: 10, size, gapMs: 10, readEveryMs: 60, noDelay: true }, 30_000);
    const reads = sizes(lines, 'server', 'data');
    expect(reads.reduce((a, b) => a + b, 0)).toBe(10 * size);
    // A read longer than one message necessarily carried bytes of several writes.
    expect(reads.filter((n) => n > size).length).toBeGreaterThan(0);
    expect(reads.length).toBeLessThan(10);
    const sockopt = lines.find((l) => l.type === 'event' && l.actor === 'client' && l.kind === 'sockopt');
    expect(sockopt).toMatchObject({ option: 'TCP_NODELAY', requested: true });
    expect(finalObservations(lines).get('boundaries-differ')).toMatchObject({ held: true });
    await noLeftovers(lines);
  });

  it('refuses more than 1 MiB in one run before starting anything', async () => {
    await expect(runExperiment('stream-boundaries', { count: 1000, size: 65536 })).rejects.toThrow(/count × size/);
  });
});
