/**
 * Actors and tcpdump get a scrubbed environment (server/run/child-env.ts): a real lab started
 * with SOCKET_LAB_TOKEN (and another secret) in its environment, and /proc/<pid>/environ of every
 * process it starts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { captureOn } from '../helpers/capture.js';
import { startLabProcess, descendants, environOf, isTcpdump, type LabProcess } from '../helpers/lab-process.js';
import { TestClient } from '../helpers/lab-server.js';
import { eventually, spawnedPids } from '../helpers/processes.js';

let lab: LabProcess | undefined;
afterEach(async () => { await lab?.close(); lab = undefined; });

describe('child environment', () => {
  it('no actor and no tcpdump inherits SOCKET_LAB_TOKEN or anything else off the allowlist', async () => {
    const token = `env-test-${Math.random().toString(36).slice(2)}`;
    lab = await startLabProcess({ SOCKET_LAB_TOKEN: token, SOCKET_LAB_ENV_TEST_SECRET: 'do-not-pass' });
    expect(environOf(lab.pid)).toContain(`SOCKET_LAB_TOKEN=${token}`);
    const client = await TestClient.open(lab);
    client.send({ type: 'run', req: 'r', experiment: 'echo' });
    const { runId } = await client.next('run-started');
    const lines = () => client.lines(runId);
    expect(await eventually(() => spawnedPids(lines()).length === 2, 15_000)).toBe(true);
    const capture = captureOn(lines(), 'tcpdump environment');
    if (capture) expect(await eventually(() => descendants(lab!.pid).some(isTcpdump), 10_000)).toBe(true);
    const tcpdumps = descendants(lab.pid).filter(isTcpdump).map((p) => p.pid);
    for (const pid of [...spawnedPids(lines()), ...tcpdumps]) {
      const env = environOf(pid);
      expect(env.filter((e) => e.includes(token)), `pid ${pid}`).toEqual([]);
      expect(env.filter((e) => e.startsWith('SOCKET_LAB_')), `pid ${pid}`).toEqual([]);
      expect(env.some((e) => e.startsWith('PATH=')), `pid ${pid} keeps PATH`).toBe(true);
    }
    for (const pid of spawnedPids(lines())) expect(environOf(pid).some((e) => e.startsWith('LAB_ROLE='))).toBe(true);
    client.send({ type: 'stop', runId });
    await client.next('run-ended');
    client.close();
  });
});
