import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

/** Both timeouts happened: the server's read timeout and the dialer's DialTimeout. */
const timedOut = (ls: Parameters<typeof count>[0]) => count(ls, 'custom', 'server', (e) => e.name === 'timed-out') === 1 && count(ls, 'exit', 'dialer') === 1;

describe('deadlines and timeouts (seeds 003, 000), real processes', () => {
  it('deadline: the connection is cut at the deadline although the client talks; the dial to a full queue times out in SYN_SENT', async () => {
    const { lines } = await runUntil('deadlines', { mode: 'deadline', readDeadlineMs: 800, talkForMs: 1600, dialTimeoutMs: 1300 }, timedOut);
    const obs = expectHeld(lines, ['read-timeout', 'dial-timeout', 'syn-dropped']);
    expect(obs.get('read-timeout')!.detail).toMatch(/still talking/);
    expect(obs.get('syn-dropped')!.detail).toMatch(/tcp_abort_on_overflow 0/);
    await expectClean(lines);
  });

  it('idle: the connection lives while the client talks and closes after readDeadlineMs of silence', async () => {
    const { lines } = await runUntil('deadlines', { mode: 'idle', readDeadlineMs: 600, talkForMs: 1000, dialTimeoutMs: 300 }, timedOut);
    expectHeld(lines, ['read-timeout', 'dial-timeout']);
    const fired = reportsOf<{ afterMs: number }>(lines, 'timed-out', 'server')[0]!;
    // Lines at 0, 400, 800 ms kept it alive: it closed no sooner than 800 + 600 ms after accept.
    expect(fired.afterMs).toBeGreaterThanOrEqual(1350);
    await expectClean(lines);
  });
});
