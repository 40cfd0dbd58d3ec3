import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExperiment } from '../../server/experiments/index.js';
import { closeRawListener, openBoundSocket } from '../../server/kernel/raw-listener.js';
import { ParamError, Run } from '../../server/run/run.js';
import { projectRoot } from '../../server/run/paths.js';
import { startLab, TestClient, type TestLab } from '../helpers/lab-server.js';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

const summarized = (ls: Parameters<typeof count>[0]) => count(ls, 'custom', 'pinger', (e) => e.name === 'summary') === 1;

describe('tcp-ping (seed 000), real connects', () => {
  it('pings the lab’s listener: every connect completes, each with its time', async () => {
    const { lines } = await runUntil('tcp-ping', { count: 3, intervalMs: 100 }, summarized);
    const obs = expectHeld(lines, ['attempts', 'host-up']);
    expect(obs.get('attempts')!.detail).toMatch(/^3\/3: 3 open, 0 refused, 0 no answer/);
    await expectClean(lines);
  });

  it('counts a refusal (RST) as “host up, port closed”', async () => {
    // A port that is bound but not listening: the kernel answers SYN with RST, deterministically.
    const bound = openBoundSocket('127.0.0.1');
    try {
      const { lines } = await runUntil('tcp-ping', { targetPort: bound.port, count: 3, intervalMs: 100 }, summarized);
      const obs = expectHeld(lines, ['attempts', 'host-up']);
      expect(obs.get('host-up')!.detail).toMatch(/^3 of 3 answered \(0 handshakes, 3 RSTs\)/);
      expect(reportsOf<{ outcome: string }>(lines, 'attempt', 'pinger').map((a) => a.outcome)).toEqual(['closed', 'closed', 'closed']);
      // No listener of the lab's ran: the role is off when a target port is given.
      expect(lines.some((l) => l.type === 'event' && l.kind === 'spawn' && l.actor === 'server')).toBe(false);
      await expectClean(lines);
    } finally {
      closeRawListener(bound);
    }
  });

  it('refuses targets beyond loopback unless the lab was started with --allow-target', () => {
    const exp = findExperiment('tcp-ping')!;
    expect(() => new Run({ experiment: exp, params: { host: '192.0.2.7' }, durationMs: 1000 })).toThrow(ParamError);
    expect(() => new Run({ experiment: exp, params: { host: '192.0.2.7' }, durationMs: 1000 })).toThrow(/not allowed.*--allow-target 192\.0\.2\.7/);
    expect(() => new Run({ experiment: exp, params: { host: 'example.com; rm -rf' }, durationMs: 1000 })).toThrow(/not a host name/);
    // Allowed by the operator: the run is constructed (not started: nothing is sent anywhere).
    expect(() => new Run({ experiment: exp, params: { host: '192.0.2.7' }, durationMs: 1000, allowTargets: ['192.0.2.7'] })).not.toThrow();
    for (const host of ['127.0.0.1', '127.8.9.10', '::1', 'localhost', '::ffff:127.0.0.1']) {
      expect(() => new Run({ experiment: exp, params: { host }, durationMs: 1000 })).not.toThrow();
    }
  });

  it('the CLI says why, and exits 2', () => {
    const r = spawnSync(process.execPath, [path.join(projectRoot, 'bin', 'socket-lab.js'), 'run', 'tcp-ping', '--set', 'host=192.0.2.7'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/target "192\.0\.2\.7" is not allowed/);
  });

  describe('through the lab server', () => {
    let lab: TestLab;
    beforeAll(async () => { lab = await startLab(); });
    afterAll(async () => { await lab?.close(); });
    it('a browser asking for another host gets an error reply and no run', async () => {
      const c = await TestClient.open(lab);
      c.send({ type: 'run', req: 'r1', experiment: 'tcp-ping', params: { host: '192.0.2.7' } });
      const err = await c.next('error', (m) => m.req === 'r1');
      expect(err.message).toMatch(/invalid parameters: target "192\.0\.2\.7" is not allowed/);
      expect(lab.server.runCount).toBe(0);
      c.close();
    });
  });
});
