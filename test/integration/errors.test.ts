import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

describe('errors and retries (seeds 000, 001), real processes', () => {
  it('produces ECONNREFUSED, EADDRINUSE, ECONNRESET, EPIPE and the kernel’s ETIMEDOUT; the retrier backs off and gets back in', async () => {
    const { lines, footer } = await runUntil('errors', { synRetries: 1, restartAfterBeats: 3, downMs: 1000 },
      (ls) => count(ls, 'exit', 'client') === 1 && count(ls, 'custom', 'retrier', (e) => e.name === 'connected') >= 2);
    expect(footer.reason).toBe('test: what it waited for happened');
    expectHeld(lines, ['error-econnrefused', 'error-eaddrinuse', 'error-econnreset', 'error-epipe', 'error-etimedout', 'syn-sent', 'retry-backoff', 'reset-ends-connection']);
    // The kernel's own ETIMEDOUT (TCP_SYNCNT 1): no earlier than its 1 s + 2 s schedule.
    const timedOut = reportsOf<{ code: string; ms: number }>(lines, 'scenario', 'client').find((s) => s.code === 'ETIMEDOUT')!;
    expect(timedOut.ms).toBeGreaterThanOrEqual(2900);
    const waits = reportsOf<{ verdict: string; waitMs?: number }>(lines, 'decision', 'retrier').filter((d) => d.verdict === 'retry').map((d) => d.waitMs!);
    expect(waits.slice(0, 2)).toEqual([100, 200]);
    await expectClean(lines);
  });
});
