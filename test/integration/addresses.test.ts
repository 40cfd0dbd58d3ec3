import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, reportsOf, runUntil } from '../helpers/more-tcp.js';

describe('addresses (seed 003 ParseIP, tcp4 / tcp6 / dual stack), real sockets', () => {
  it('shows the three listeners in the kernel and IPv4 clients as IPv4-mapped on the dual-stack socket', async () => {
    const { lines } = await runUntil('addresses', {}, (ls) => count(ls, 'exit', 'client') === 1 && count(ls, 'sample', 'kernel', (e) => e.state === 'LISTEN') >= 3);
    expectHeld(lines, ['kernel-listeners', 'mapped', 'one-port-two-sockets', 'v6-cannot-reach-mapped']);
    const d = reportsOf<{ host: string; ok: boolean; by: string; seenAs: string }>(lines, 'dialed', 'client');
    expect(d).toHaveLength(6);
    expect(d.filter((x) => x.ok).map((x) => `${x.host}>${x.by}:${x.seenAs}`).sort()).toEqual([
      '127.0.0.1>dual:::ffff:127.0.0.1', '127.0.0.1>tcp4:127.0.0.1', '::1>tcp6:::1',
      '::ffff:127.0.0.1>dual:::ffff:127.0.0.1', '::ffff:127.0.0.1>tcp4:127.0.0.1',
    ]);
    await expectClean(lines);
  });
});
