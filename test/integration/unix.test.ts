/**
 * The unix experiment on this kernel: observations asserted from the trace, the kernel view's
 * pipeline derived from its unix_diag samples (the same derivation the UI draws), and nothing left
 * behind: no process, no socket file, no run directory.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { alive, eventually, spawnedPids } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import { connectionsAt, directionsAt, KernelIndex } from '../../shared/trace/kernel-view.js';
import { unixView } from '../../shared/unix/unix-view.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

describe('unix run (real processes, real sockets)', () => {
  it('shows the socket file, the leftover cleanup, the abstract name and the slow reader\'s queues; cleans up', async () => {
    const { lines, footer } = await runExperiment('unix', {}, 7000);
    expect(footer.outcome).toBe('completed');
    const header = lines[0]!;
    expect(header.type === 'header' && header.capabilities['kernel-unix']).toBe('on');
    const obs = finalObservations(lines);
    expect(obs.size).toBe(5);
    for (const [id, o] of obs) expect(o.held, `${id}: ${o.detail}`).toBe(true);

    const events = lines.filter((l): l is TraceEvent => l.type === 'event');
    const v = unixView(events);
    expect(v.file!.mode).toMatch(/^s[rwx-]{9}$/);
    expect(v.file!.fileInode).not.toBe(v.file!.socketInode); // the name and the socket are two things
    // The listener the program reported is the LISTEN socket unix_diag saw, by inode.
    const listen = events.find((e) => e.kind === 'listen' && e.actor === 'server' && e.local.address === v.file!.path);
    expect(listen?.kind === 'listen' && listen.inode).toBe(v.file!.socketInode);
    expect(events.some((e) => e.kind === 'sample' && e.proto === 'unix' && e.state === 'LISTEN' && e.inode === v.file!.socketInode)).toBe(true);

    // The kernel view pairs the client's socket with the server's by inode, and draws the pipe.
    const ix = new KernelIndex();
    for (const e of events) ix.add(e);
    const conns = connectionsAt(ix, Infinity);
    const pathConn = conns.find((c) => c.a.key === `unix:${v.queues!.writerInode}`);
    expect(pathConn).toBeDefined();
    expect(pathConn!.a.program).toMatchObject({ actor: 'client', initiator: true });
    expect(pathConn!.b).toMatchObject({ key: `unix:${v.queues!.readerInode}`, program: { actor: 'server' } });
    // At the moment the reader's queue was largest, the pipeline shows it and the writer's charge.
    const readerSamples = events.filter((e) => e.kind === 'sample' && e.key === `unix:${v.queues!.readerInode}`);
    const peak = readerSamples.find((e) => e.kind === 'sample' && e.recvQ === v.queues!.maxRecvQ)!;
    const [forward] = directionsAt(ix, pathConn!, peak.t);
    expect(forward!.writer.program?.actor).toBe('client');
    expect(forward!.recvQ).toEqual({ bytes: v.queues!.maxRecvQ });
    expect(forward!.sendQ!.limit).toBe(v.queues!.writerSndbuf);
    expect(forward!.sendQ!.mem).toBe(forward!.sendQ!.bytes);
    expect(forward!.wrote).toBeGreaterThan(0);

    const pids = spawnedPids(lines);
    expect(pids).toHaveLength(3);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(existsSync(v.file!.path)).toBe(false);
    expect(existsSync(path.dirname(v.file!.path))).toBe(false);
  }, 60_000);

  it('without a leftover file there is no EADDRINUSE, and the observation says why it did not hold', async () => {
    const { lines } = await runExperiment('unix', { leftover: false, readIntervalMs: 200 }, 3500);
    const obs = finalObservations(lines);
    expect(obs.get('leftover')).toMatchObject({ held: false, detail: expect.stringMatching(/leftover.*off/) });
    expect(lines.some((l) => l.type === 'event' && l.kind === 'error' && l.code === 'EADDRINUSE')).toBe(false);
    expect(obs.get('socket-file')?.held).toBe(true);
    const pids = spawnedPids(lines);
    expect(pids).toHaveLength(2);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  }, 60_000);
});
