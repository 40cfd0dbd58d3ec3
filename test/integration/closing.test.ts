/**
 * The Closing experiments on this kernel, asserted from their traces: SO_LINGER default / 0 / n,
 * end() versus destroy(), half-close, CLOSE_WAIT and TIME_WAIT. Wire assertions (FIN / RST from
 * the capture) run when capture is possible; see test/helpers/capture.ts.
 */
import { describe, expect, it } from 'vitest';
import { TraceQuery } from '../../shared/trace/query.js';
import { lingerOutcome, sawReset } from '../../shared/trace/linger-outcome.js';
import { closeWaitOutcome, stateSpans } from '../../shared/trace/closing.js';
import { captureOn } from '../helpers/capture.js';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import type { TraceLine } from '../../shared/trace/schema.js';

const MiB = 1024 * 1024;

async function leavesNothing(lines: readonly TraceLine[]): Promise<void> {
  const pids = spawnedPids(lines);
  expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  expect(heldSockets(tracePorts(lines))).toEqual([]);
}

function allHeld(lines: readonly TraceLine[]): void {
  const obs = finalObservations(lines);
  const failed = [...obs.entries()].filter(([, o]) => !o.held).map(([id, o]) => `${id}: ${o.detail}`);
  expect(failed).toEqual([]);
  expect(obs.size).toBeGreaterThan(0);
}

describe('linger (real processes, real sockets)', () => {
  it('SO_LINGER 0: close sends RST, no FIN, and the reader gets fewer bytes than were written', async () => {
    const { lines, footer } = await runExperiment('linger', { linger: 'zero', bytes: MiB, pauseMs: 1500, closeAfterMs: 300 }, 20_000);
    expect(footer.outcome).toBe('completed');
    const q = TraceQuery.fromLines(lines);
    const o = lingerOutcome(q);
    expect(o.handedToWrite).toBe(MiB);
    expect(o.peerRead).toBeLessThan(o.handedToWrite);
    expect(o.peerRead).toBeGreaterThan(0); // what was already in the reader's receive queue
    expect(sawReset(o.peerEnd)).toBe(true);
    allHeld(lines);
    if (captureOn(lines, 'linger 0')) {
      expect(o.wire?.writerRst).not.toBeNull();
      expect(o.wire?.writerFin).toBeNull();
      // The RST leaves during the close call (1 ms allows for mapping tcpdump's wall clock).
      expect(o.wire!.writerRst!).toBeGreaterThanOrEqual(o.closeCalledAt! - 1);
    }
    await leavesNothing(lines);
  });

  it('default (no SO_LINGER): close returns at once, FIN follows the data, the reader gets every byte the kernel had taken', async () => {
    const { lines } = await runExperiment('linger', { linger: 'default', bytes: MiB, pauseMs: 1500, closeAfterMs: 300 }, 20_000);
    const o = lingerOutcome(TraceQuery.fromLines(lines));
    expect(o.kernelTookAtClose).not.toBeNull();
    expect(o.peerRead).toBe(o.kernelTookAtClose);
    expect(o.peerEnd).toMatchObject({ how: 'EOF' });
    expect(sawReset(o.peerEnd)).toBe(false);
    // The close returned before the reader read anything: the kernel finished the job alone.
    expect(o.closeReturnedAt!).toBeLessThan(o.readerStartedAt!);
    expect(o.kernel?.orphanSending).toBe(true);
    allHeld(lines);
    if (captureOn(lines, 'linger default')) {
      expect(o.wire?.writerFin).not.toBeNull();
      expect(o.wire?.writerRst).toBeNull();
      expect(o.wire!.writerFin!).toBeGreaterThan(o.closeCalledAt! - 1);
    }
    await leavesNothing(lines);
  });

  it('SO_LINGER n with a paused reader: close blocks the writer at least n s, and Linux still delivers the data afterwards', async () => {
    const n = 1;
    const { lines } = await runExperiment('linger', { linger: 'seconds', lingerSeconds: n, bytes: MiB, pauseMs: 2500, closeAfterMs: 300 }, 20_000);
    const q = TraceQuery.fromLines(lines);
    const close = q.first('close', 'writer');
    expect(close?.blockedMs).toBeGreaterThanOrEqual(n * 1000 - 200);
    const o = lingerOutcome(q);
    expect(o.closeBlockedMs!).toBeGreaterThanOrEqual(n * 1000 - 200);
    // The linger timer ran out before the reader read anything...
    expect(o.closeReturnedAt!).toBeLessThan(o.readerStartedAt!);
    // ...and yet nothing was discarded: the orphaned socket sent it all, then FIN.
    expect(o.peerRead).toBe(o.kernelTookAtClose);
    expect(o.peerEnd).toMatchObject({ how: 'EOF' });
    allHeld(lines);
    if (captureOn(lines, 'linger n')) {
      expect(o.wire?.writerRst).toBeNull();
      expect(o.wire?.writerFin).not.toBeNull();
    }
    await leavesNothing(lines);
  });

  it('end() instead of destroy(): Node flushes its own queue first, the reader gets every byte handed to write()', async () => {
    const { lines } = await runExperiment('linger', { close: 'end', bytes: MiB, pauseMs: 1500, closeAfterMs: 300, sndbuf: 65536 }, 20_000);
    const o = lingerOutcome(TraceQuery.fromLines(lines));
    expect(o.nodeQueuedAtClose!).toBeGreaterThan(0); // there was something left for Node to flush
    expect(o.peerRead).toBe(o.handedToWrite);
    allHeld(lines);
    await leavesNothing(lines);
  });
});

describe('half-close, CLOSE_WAIT, TIME_WAIT', () => {
  it('half-close: the client reads the reply after its FIN; FIN_WAIT2 and CLOSE_WAIT while the server writes', async () => {
    const { lines } = await runExperiment('half-close', { replyDelayMs: 600 }, 15_000);
    allHeld(lines);
    const q = TraceQuery.fromLines(lines);
    const c = q.first('connect', 'client')!;
    expect(stateSpans(q, c.local.port, c.remote.port).map((s) => s.state)).toContain('FIN_WAIT2');
    expect(stateSpans(q, c.remote.port, c.local.port).map((s) => s.state)).toContain('CLOSE_WAIT');
    if (captureOn(lines, 'half-close')) {
      const fins = q.of('packet').filter((p) => p.flags.includes('FIN'));
      expect(fins.map((p) => p.src.port)).toEqual([c.local.port, c.remote.port]); // client first, then server
      const reply = q.of('packet').find((p) => p.src.port === c.remote.port && p.len > 0)!;
      expect(reply.t).toBeGreaterThan(fins[0]!.t); // data still flows the other way after the FIN
    }
    await leavesNothing(lines);
  });

  it('close-wait: CLOSE_WAIT piles up per client; a late write draws RST and the next write fails', async () => {
    const { lines } = await runExperiment('close-wait', { clients: 3, intervalMs: 200, writeAfterMs: 800 }, 20_000);
    allHeld(lines);
    const o = closeWaitOutcome(TraceQuery.fromLines(lines));
    expect(o.closeWaitSteps.slice(0, 3).map((s) => s.count)).toEqual([1, 2, 3]);
    expect(o.writeErrors.length).toBeGreaterThan(0);
    expect(o.writeErrors.every((c) => c === 'EPIPE' || c === 'ECONNRESET')).toBe(true);
    if (captureOn(lines, 'close-wait')) {
      expect(o.wire!.rstAfterLateWrite).toBe(3);
      expect(o.wire!.firstRst!).toBeGreaterThanOrEqual(o.firstLateWrite! - 1);
    }
    await leavesNothing(lines);
  });

  it('time-wait: the active closer keeps TIME_WAIT; a bind without SO_REUSEADDR fails with EADDRINUSE, Node’s listen succeeds', async () => {
    const { lines } = await runExperiment('time-wait', { closer: 'server', watchMs: 1500 }, 20_000);
    allHeld(lines);
    const q = TraceQuery.fromLines(lines);
    const rebinds = q.custom('rebind', 'server').map((r) => r.data.result);
    expect(rebinds).toEqual(['EADDRINUSE', 'ok']);
    const c = q.first('connect', 'client')!;
    const tw = stateSpans(q, c.remote.port, c.local.port).find((s) => s.state === 'TIME_WAIT');
    expect(tw?.timer?.name).toBe('timewait');
    expect(tw!.timer!.expiresMs).toBeGreaterThan(50_000); // Linux: TCP_TIMEWAIT_LEN, 60 s
    await leavesNothing(lines);
  });

  it('time-wait with the client closing first: the server port has no TIME_WAIT, so even a bind without SO_REUSEADDR succeeds', async () => {
    const { lines } = await runExperiment('time-wait', { closer: 'client', watchMs: 800 }, 20_000);
    allHeld(lines);
    expect(TraceQuery.fromLines(lines).custom('rebind', 'server').map((r) => r.data.result)).toEqual(['ok', 'ok']);
    await leavesNothing(lines);
  });
});
