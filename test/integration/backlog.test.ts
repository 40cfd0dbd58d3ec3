import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runExperiment } from '../helpers/runs.js';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

const somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim());

describe('backlog (seed 001), real kernel accept queue', () => {
  it('holds backlog + 1 connections, leaves the rest in SYN_SENT, and drains on “accept all”', async () => {
    const { lines } = await runUntil('backlog', { backlog: 1, clients: 4, acceptAfterMs: 2000 },
      (ls) => count(ls, 'custom', 'clients', (e) => e.name === 'connected') === 4 && count(ls, 'accept', 'server') === 4);
    const obs = expectHeld(lines, ['limit', 'queue-full', 'syn-sent', 'drained']);
    expect(obs.get('queue-full')!.detail).toBe('Recv-Q peaked at 2 with limit 1 and 4 clients');
    expect(obs.get('syn-sent')!.detail).toMatch(/2 socket\(s\) seen in SYN_SENT for \d+ ms, up to [1-9] SYN retransmission/);
    const early = reportsOf<{ ms: number }>(lines, 'connected', 'clients').filter((c) => c.ms < 1000);
    expect(early).toHaveLength(2);
    await expectClean(lines);
  });

  it('caps a backlog above net.core.somaxconn at somaxconn (read from /proc)', async () => {
    const backlog = Math.min(65535, somaxconn + 100);
    const { lines } = await runUntil('backlog', { backlog, clients: 1, acceptAfterMs: 0 }, (ls) => count(ls, 'sample', 'kernel', (e) => e.state === 'LISTEN') >= 1);
    const obs = expectHeld(lines, ['limit']);
    expect(obs.get('limit')!.detail).toBe(`backlog ${backlog}, somaxconn ${somaxconn} → kernel limit ${Math.min(backlog, somaxconn)}`);
    await expectClean(lines);
  });

  it('accepts on the live control instead of a timer', async () => {
    const { lines } = await runExperiment('backlog', { backlog: 0, clients: 1, acceptAfterMs: 0 }, 10_000, async (run) => {
      const { eventually } = await import('../helpers/processes.js');
      expect(await eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'sample' && l.state === 'LISTEN' && (l.acceptQ ?? 0) > 0))).toBe(true);
      run.control('server', 'accept', {});
      expect(await eventually(() => run.lines.some((l) => l.type === 'event' && l.kind === 'accept'))).toBe(true);
      await run.stop('stopped', 'test done');
    });
    expectHeld(lines, ['drained']);
    await expectClean(lines);
  });
});
