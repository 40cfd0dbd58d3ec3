/**
 * The udp experiment on this kernel: every observation is asserted from the trace, and the key
 * figures are recomputed here from the raw events (sends, messages, kernel samples), not taken
 * from the observation text. No process or socket may be left behind.
 */
import { describe, expect, it } from 'vitest';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';
import { boundPorts, heldUdpSockets } from '../helpers/udp-sockets.js';
import { udpView } from '../../shared/dgram/udp-view.js';
import type { TraceEvent } from '../../shared/trace/schema.js';

describe('udp run (real processes, real sockets)', () => {
  it('keeps boundaries, counts drops in the kernel, reports ECONNREFUSED and EMSGSIZE, and leaves nothing behind', async () => {
    const { lines, footer } = await runExperiment('udp', { floodCount: 1500, count: 8, size: 700 }, 30_000);
    expect(footer.outcome).toBe('completed');
    expect(footer.reason).toBe('every actor exited');
    const obs = finalObservations(lines);
    for (const [id, o] of obs) expect(o.held, `${id}: ${o.detail}`).toBe(true);
    expect(obs.size).toBe(6);

    const events = lines.filter((l): l is TraceEvent => l.type === 'event');
    const header = lines[0]!;
    expect(header.type === 'header' && header.capabilities['kernel-udp']).toBe('on');
    const v = udpView(events);

    // Boundaries: the server read exactly what was sent, datagram by datagram.
    expect(v.boundaries!.sends).toEqual(Array(8).fill(700));
    expect(v.boundaries!.receives).toEqual(Array(8).fill(700));
    // TCP beside it: the same bytes, other boundaries.
    const tcp = v.boundaries!.tcp!;
    expect(tcp.writes).toEqual(Array(8).fill(700));
    expect(tcp.reads.reduce((a, b) => a + b, 0)).toBe(8 * 700);
    expect(tcp.reads).not.toEqual(tcp.writes);

    // The flood: every send succeeded, the program got fewer, the kernel counted the difference.
    const f = v.flood!;
    expect(f.sent).toBe(1500);
    expect(f.refused).toBe(0);
    expect(f.received).toBeGreaterThan(0);
    expect(f.received).toBeLessThan(1500);
    expect(f.kernel!.drops).toBeGreaterThan(0);
    expect(f.received + f.kernel!.drops).toBeLessThanOrEqual(f.sent);
    // The drop counter only ever grows over the run, in the raw samples of the receiver's socket.
    const sinkPort = events.find((e) => e.kind === 'bind' && e.actor === 'sink')!;
    const drops = events.flatMap((e) => (e.kind === 'sample' && e.proto === 'udp' && sinkPort.kind === 'bind' && e.local.port === sinkPort.local.port && e.skmem ? [e.skmem.drops] : []));
    expect(drops.length).toBeGreaterThan(1);
    for (let i = 1; i < drops.length; i++) expect(drops[i]).toBeGreaterThanOrEqual(drops[i - 1]!);
    expect(f.rcvbuf).toEqual({ requested: 4096, effective: 8192 });
    // The system-wide counter moved at least as much (other programs may add to it).
    if (f.system?.RcvbufErrors !== undefined) expect(f.system.RcvbufErrors).toBeGreaterThanOrEqual(f.kernel!.drops);

    // The errors: ECONNREFUSED on the connected socket (from recvmsg), EMSGSIZE on the big send.
    expect(v.errors!.refused).toMatchObject({ code: 'ECONNREFUSED' });
    expect(v.errors!.sizes).toEqual([{ bytes: 65507 }, { bytes: 65508, error: 'EMSGSIZE' }]);

    const pids = spawnedPids(lines);
    expect(pids).toHaveLength(5);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(heldUdpSockets(boundPorts(lines))).toEqual([]);
    expect(heldSockets(tracePorts(lines))).toEqual([]);
  }, 60_000);

  it('without the TCP comparison the two optional roles do not start and the comparison says why', async () => {
    const { lines, footer } = await runExperiment('udp', { compareTcp: false, floodCount: 300 }, 30_000);
    expect(footer.outcome).toBe('completed');
    const roles = lines.flatMap((l) => (l.type === 'event' && l.kind === 'spawn' ? [l.actor] : []));
    expect(roles.sort()).toEqual(['client', 'server', 'sink']);
    const obs = finalObservations(lines);
    expect(obs.get('tcp-merged')).toMatchObject({ held: false, detail: expect.stringMatching(/compareTcp is off/) });
    expect(obs.get('boundaries-kept')?.held).toBe(true);
    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  }, 60_000);

  it('refuses a receive buffer that is not a size', async () => {
    await expect(runExperiment('udp', { rcvbuf: 'big' })).rejects.toThrow(/rcvbuf/);
  });
});
