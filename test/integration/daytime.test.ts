import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, runUntil } from '../helpers/more-tcp.js';

describe('daytime (seed 003 one-shot server), real processes', () => {
  it('answers each connection with the date, closes first, and keeps TIME_WAIT on its side', async () => {
    const { lines } = await runUntil('daytime', { count: 2, intervalMs: 100 },
      (ls) => count(ls, 'eof', 'client') === 2 && count(ls, 'sample', 'kernel', (e) => e.state === 'TIME_WAIT') >= 2);
    const obs = expectHeld(lines, ['answers', 'server-closed-first', 'bytes', 'time-wait-server-side']);
    expect(obs.get('answers')!.detail).toMatch(/^2\/2 connections read the date and then EOF/);
    const out = lines.flatMap((l) => (l.type === 'event' && l.kind === 'stdout' && l.actor === 'client' ? [l.text] : [])).join('');
    expect(out).toMatch(/#1: \d+ B then EOF: \d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} \+0000 UTC/);
    await expectClean(lines);
  });
});
