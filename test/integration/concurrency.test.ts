import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

const answered = (n: number) => (ls: Parameters<typeof count>[0]) => count(ls, 'custom', 'clients', (e) => e.name === 'waited') === n;
const waits = (lines: Parameters<typeof reportsOf>[0]) => reportsOf<{ waitedMs: number }>(lines, 'waited', 'clients').map((w) => w.waitedMs).sort((a, b) => a - b);

describe('concurrency (seed 003: one client at a time vs a handler per connection)', () => {
  it('sequential: clients wait in turn, the k-th at least k × workMs', async () => {
    const { lines } = await runUntil('concurrency', { mode: 'sequential', clients: 3, workMs: 250 }, answered(3));
    expectHeld(lines, ['all-answered', 'shape', 'where-they-wait']);
    const w = waits(lines);
    expect(w[2]!).toBeGreaterThanOrEqual(3 * 250 - 2);
    await expectClean(lines);
  });

  it('concurrent: every handler starts before the first finishes; the last client waits less than in turn', async () => {
    const { lines } = await runUntil('concurrency', { mode: 'concurrent', clients: 3, workMs: 400 }, answered(3));
    expectHeld(lines, ['all-answered', 'shape', 'where-they-wait']);
    await expectClean(lines);
  });

  it('blocking: synchronous work leaves the waiting connections in the kernel’s accept queue', async () => {
    const { lines } = await runUntil('concurrency', { mode: 'blocking', clients: 3, workMs: 250 }, answered(3));
    const obs = expectHeld(lines, ['all-answered', 'shape', 'where-they-wait']);
    expect(obs.get('where-they-wait')!.detail).toMatch(/up to [1-9]\d* connections waited in the accept queue/);
    await expectClean(lines);
  });
});
