/**
 * The kernel view wired into real runs: the kernel plugin samples both ends of the connection
 * (and the listener) while the actors live and after they exit, and each actor reports the Node
 * side of its sockets (`nodestate`). Real processes, real loopback sockets.
 */
import { describe, expect, it } from 'vitest';
import type { EventOf, TraceLine } from '../../shared/trace/schema.js';
import { socketKey } from '../../shared/trace/kernel-view.js';
import { kernelPlugin } from '../../server/run/kernel-plugin.js';
import { findExperiment } from '../../server/experiments/index.js';
import { Run } from '../../server/run/run.js';
import { alive, eventually, spawnedPids } from '../helpers/processes.js';
import { runExperiment } from '../helpers/runs.js';

const linux = process.platform === 'linux';
const events = (lines: readonly TraceLine[]) => lines.flatMap((l) => (l.type === 'event' ? [l] : []));
const ofKind = <K extends EventOf<never>['kind'] | string>(lines: readonly TraceLine[], kind: K) =>
  events(lines).filter((e) => e.kind === kind);

describe.skipIf(!linux)('kernel plugin in a run (real processes, real sockets)', () => {
  it('samples both ends of the connection while live and after the actors exit, and actors report nodestate', async () => {
    const { lines, footer } = await runExperiment('echo', { count: 3, message: 'ping', intervalMs: 60 }, 2500);
    const header = lines[0]!;
    expect(header.type === 'header' && header.capabilities.kernel).toMatch(/^on/);

    const evs = events(lines);
    const connect = evs.find((e): e is EventOf<'connect'> => e.kind === 'connect' && e.actor === 'client')!;
    const accept = evs.find((e): e is EventOf<'accept'> => e.kind === 'accept' && e.actor === 'server')!;
    const listen = evs.find((e): e is EventOf<'listen'> => e.kind === 'listen' && e.actor === 'server')!;
    expect(connect && accept && listen).toBeTruthy();
    const clientKey = socketKey(connect.local, connect.remote);
    const serverKey = socketKey(accept.local, accept.remote);
    // The two ends of one connection: each one's local is the other's remote.
    expect(socketKey(connect.remote, connect.local)).toBe(serverKey);

    const samples = evs.filter((e): e is EventOf<'sample'> => e.kind === 'sample');
    const firstExit = Math.min(...evs.filter((e) => e.kind === 'exit').map((e) => e.t));
    for (const key of [clientKey, serverKey]) {
      const mine = samples.filter((s) => s.key === key);
      // ESTABLISHED while both programs were alive.
      expect(mine.some((s) => s.state === 'ESTABLISHED' && s.t < firstExit)).toBe(true);
      const last = mine.at(-1)!;
      // After the run: the kernel freed it, or keeps it in TIME_WAIT (the side that closed first).
      // (No ordering against the exit events: the lab stamps an exit when it hears of it, which
      // may be after the kernel already moved the socket on.)
      expect(['TIME_WAIT', 'GONE']).toContain(last.state);
      // Live samples carry the queues and windows the pipeline draws.
      const live = mine.find((s) => s.state === 'ESTABLISHED')!;
      expect(live.recvQ).toBeGreaterThanOrEqual(0);
      expect(live.sendQ).toBeGreaterThanOrEqual(0);
      expect(live.skmem?.sndbuf).toBeGreaterThan(0);
      expect(live.sndWnd).toBeGreaterThan(0);
    }
    // Both programs exited with nothing unread: an orderly close, so the end that closed first
    // waits in TIME_WAIT, which only the observer (no program holds it any more) can show.
    expect(samples.some((s) => (s.key === clientKey || s.key === serverKey) && s.state === 'TIME_WAIT')).toBe(true);
    // The listener was seen listening and then gone.
    const lis = samples.filter((s) => s.local.port === listen.local.port && s.remote.port === 0);
    expect(lis[0]?.state).toBe('LISTEN');
    expect(lis.at(-1)?.state).toBe('GONE');
    // Every sample is in the trace before the footer.
    expect(Math.max(...samples.map((s) => s.t))).toBeLessThanOrEqual(footer.t);

    // nodestate: the last report of each socket agrees with what the programs did.
    const nodes = evs.filter((e): e is EventOf<'nodestate'> => e.kind === 'nodestate');
    const total = (kind: 'write' | 'data', actor: string, sock: string) =>
      evs.reduce((n, e) => n + ((e.kind === kind && e.actor === actor && e.sock === sock) ? e.bytes : 0), 0);
    for (const [actor, sock] of [['client', connect.sock], ['server', accept.sock]] as const) {
      const mine = nodes.filter((n) => n.actor === actor && n.sock === sock);
      expect(mine.length).toBeGreaterThan(0);
      const last = mine.at(-1)!;
      expect(total('write', actor, sock)).toBeGreaterThan(0);
      expect(last.toKernel).toBe(total('write', actor, sock));
      expect(last.delivered).toBe(total('data', actor, sock));
      expect(last.bytesRead).toBe(last.delivered + last.readableLength);
      expect(last.flowing).toBe(true); // both echo programs read with a 'data' listener
      expect(last.writeFalse).toBe(0);
    }
    // Reports are only written on change: no two consecutive reports of a socket are equal.
    for (const [actor, sock] of [['client', connect.sock], ['server', accept.sock]] as const) {
      const mine = nodes.filter((n) => n.actor === actor && n.sock === sock).map(({ t: _t, ...rest }) => JSON.stringify(rest));
      for (let i = 1; i < mine.length; i++) expect(mine[i]).not.toBe(mine[i - 1]);
    }

    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  });

  it('says in the header why the kernel view is off, and the Node-side figures still come', async () => {
    const run = new Run({ experiment: findExperiment('echo')!, params: { count: 1, intervalMs: 10 }, durationMs: 2500, plugins: [kernelPlugin({ platform: 'darwin' })] });
    const ended = new Promise((r) => run.once('end', r));
    await run.start();
    await ended;
    const header = run.lines[0]!;
    expect(header.type === 'header' && header.capabilities.kernel).toBe('off: not Linux (darwin); no kernel socket view on this OS');
    expect(ofKind(run.lines, 'sample')).toHaveLength(0);
    expect(ofKind(run.lines, 'nodestate').length).toBeGreaterThan(0);
  });
});
