import { describe, expect, it } from 'vitest';
import { count, expectClean, expectHeld, runUntil } from '../helpers/more-tcp.js';

describe('http-head (seed 003 HTTP client), real node:http server', () => {
  it('writes HEAD / HTTP/1.0 by hand and reads the headers to EOF', async () => {
    const { lines } = await runUntil('http-head', {}, (ls) => count(ls, 'eof', 'client') === 1 && count(ls, 'close', 'client') === 1);
    const obs = expectHeld(lines, ['request', 'headers-only', 'read-to-eof']);
    expect(obs.get('headers-only')!.detail).toMatch(/^"HTTP\/1\.1 200 OK", Content-Length \d+, 0 B after the blank line$/);
    const out = lines.flatMap((l) => (l.type === 'event' && l.kind === 'stdout' && l.actor === 'client' ? [l.text] : [])).join('');
    expect(out).toMatch(/Connection: close/);
    await expectClean(lines);
  });
});
