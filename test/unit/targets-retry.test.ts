import { describe, expect, it } from 'vitest';
import { isLoopback, targetRefusal } from '../../server/net/targets.js';
import { ERROR_RULES, backoffMs, classifyError } from '../../shared/net/retry-policy.js';

describe('experiment targets: loopback, or what --allow-target named', () => {
  it.each(['127.0.0.1', '127.255.0.9', '::1', '::ffff:127.0.0.1', 'localhost', 'LOCALHOST'])('%s is loopback', (h) => {
    expect(isLoopback(h)).toBe(true);
    expect(targetRefusal(h, [])).toBeUndefined();
  });
  it.each(['10.0.0.1', '::ffff:10.0.0.1', '0.0.0.0', '::', 'example.com', '128.0.0.1', 'localhost.evil.com'])('%s is refused unless allowed', (h) => {
    expect(isLoopback(h)).toBe(false);
    expect(targetRefusal(h, [])).toMatch(/not allowed.*--allow-target/);
    expect(targetRefusal(h, [h.toUpperCase()])).toBeUndefined();
    expect(targetRefusal(h, ['other.host'])).toMatch(/not allowed/);
  });
  it('refuses text that is not a host at all', () => {
    expect(targetRefusal('', [])).toMatch(/empty/);
    expect(targetRefusal('a b', ['a b'])).toMatch(/not a host name/);
    expect(targetRefusal('$(id)', [])).toMatch(/not a host name/);
  });
});

describe('retry policy', () => {
  it('retries a dial the server may answer later, replaces a dead connection, gives up on the rest', () => {
    expect(classifyError('ECONNREFUSED').verdict).toBe('retry');
    expect(classifyError('ETIMEDOUT').verdict).toBe('retry');
    expect(classifyError('ECONNRESET').verdict).toBe('new-connection');
    expect(classifyError('EPIPE').verdict).toBe('new-connection');
    expect(classifyError('EADDRINUSE').verdict).toBe('give-up');
    expect(classifyError('ESOMETHINGNEW')).toMatchObject({ verdict: 'give-up', why: /not a known transient error/ });
  });
  it('records what Go’s Temporary() says next to each rule, one rule per code', () => {
    expect(new Set(ERROR_RULES.map((r) => r.code)).size).toBe(ERROR_RULES.length);
    expect(classifyError('EMFILE').goTemporary).toBe(true);
    expect(classifyError('ECONNREFUSED').goTemporary).toBe(false);
  });
  it('backs off exponentially up to the cap', () => {
    expect([1, 2, 3, 4, 5, 6].map((a) => backoffMs(a, 100, 1600))).toEqual([100, 200, 400, 800, 1600, 1600]);
  });
});
