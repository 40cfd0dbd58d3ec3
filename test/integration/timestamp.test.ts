import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

describe('timestamp (seed 003 long-lived server), real processes', () => {
  it('answers "timestamp" with Unix time, splits a long request into 128-byte reads, closes at the read deadline', async () => {
    const { lines } = await runUntil('timestamp', { readDeadlineMs: 1500, floodBytes: 300 },
      (ls) => count(ls, 'custom', 'server', (e) => e.name === 'read-deadline') === 1 && count(ls, 'eof', 'client') === 1);
    const obs = expectHeld(lines, ['unix-time', 'split-request', 'deadline']);
    expect(obs.get('split-request')!.detail).toMatch(/301 B request → 3 reads of 128 \+ 128 \+ 45 B/);
    const reads = reportsOf<{ bytes: number }>(lines, 'request', 'server').map((r) => r.bytes);
    expect(Math.max(...reads)).toBeLessThanOrEqual(128);
    await expectClean(lines);
  });

  it('reproduces the seed’s comparison of the whole 128-byte buffer: "timestamp" never matches', async () => {
    const { lines } = await runUntil('timestamp', { readDeadlineMs: 5000, compareWholeBuffer: true },
      (ls) => count(ls, 'custom', 'server', (e) => e.name === 'request') >= 1);
    expectHeld(lines, ['unix-time']);
    const first = reportsOf<{ text: string; answer: string }>(lines, 'request', 'server')[0]!;
    expect(first.text).toBe('timestamp\n');
    expect(first.answer).toBe('date');
    await expectClean(lines);
  });
});
