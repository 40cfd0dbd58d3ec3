import { describe, expect, it } from 'vitest';
import { alive, eventually, heldSockets, spawnedPids, tracePorts } from '../helpers/processes.js';
import { finalObservations, runExperiment } from '../helpers/runs.js';

describe('echo run (real processes, real sockets)', () => {
  it('produces a valid trace whose observations hold, and leaves nothing behind', async () => {
    const { lines, footer } = await runExperiment('echo', { count: 2, message: 'ping', intervalMs: 50 }, 1500);
    expect(lines[0]).toMatchObject({ type: 'header', version: 1, experiment: 'echo', roles: ['server', 'client'] });
    expect(lines.at(-1)).toEqual(footer);
    expect(footer).toMatchObject({ outcome: 'completed', observations: { held: 3, total: 3 } });
    const obs = finalObservations(lines);
    expect([...obs.values()].every((o) => o.held)).toBe(true);
    // The client wrote "ping #1\n" and "ping #2\n": 16 bytes, all echoed.
    expect(obs.get('echoed')?.detail).toBe('client wrote 16 B and read back 16 B, the same bytes (all 16 B compared)');

    const kinds = (actor: string) => lines.flatMap((l) => (l.type === 'event' && l.actor === actor ? [l.kind] : []));
    expect(kinds('server')).toEqual(expect.arrayContaining(['spawn', 'listen', 'accept', 'data', 'write', 'exit']));
    expect(kinds('client')).toEqual(expect.arrayContaining(['spawn', 'connect', 'write', 'data', 'exit']));

    const pids = spawnedPids(lines);
    expect(pids).toHaveLength(2);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
    expect(heldSockets(tracePorts(lines))).toEqual([]);
  });

  it('rejects parameters outside the schema before starting anything', async () => {
    await expect(runExperiment('echo', { count: 1000 })).rejects.toThrow(/count/);
  });

  it('ends a run as failed when an actor crashes, and ends the other actor', async () => {
    const { lines, footer } = await runExperiment('echo', {}, 10_000, async (run) => {
      await eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'connect'));
      const serverPid = spawnedPids(run.lines)[0]!;
      process.kill(serverPid, 'SIGKILL');
    });
    expect(footer.outcome).toBe('failed');
    expect(footer.reason).toMatch(/server exited with SIGKILL/);
    const pids = spawnedPids(lines);
    expect(await eventually(() => pids.every((p) => !alive(p)))).toBe(true);
  });
});
