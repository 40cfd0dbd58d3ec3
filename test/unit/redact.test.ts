import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Redactor } from '../../server/run/redact.js';
import { TraceLine } from '../../shared/trace/schema.js';

const token = 'a3f09c1be27d4c55b8e0f1a2c3d4e5f60718293a4b5c6d7e';
const r = new Redactor([token]);

/** The longest run of the token's characters, in order, anywhere in `text`. */
function longestPiece(text: string): number {
  let best = 0;
  for (let i = 0; i < text.length; i++) {
    for (let j = 0; j < token.length; j++) {
      let n = 0;
      while (i + n < text.length && j + n < token.length && text[i + n] === token[j + n]) n++;
      best = Math.max(best, n);
    }
  }
  return best;
}

describe('Redactor', () => {
  it('stars the token and any piece of it of 10 or more characters, anywhere, keeping the length', () => {
    fc.assert(fc.property(fc.string({ maxLength: 40 }), fc.string({ maxLength: 40 }), fc.integer({ min: 0, max: token.length }), fc.integer({ min: 0, max: token.length }), (before, after, a, b) => {
      const piece = token.slice(Math.min(a, b), Math.max(a, b));
      const text = `${before}${piece}${after}`;
      const out = r.text(text);
      expect(out.length).toBe(text.length);
      expect(longestPiece(out)).toBeLessThan(10);
    }), { numRuns: 1000, seed: 7 });
  });

  it('leaves text without the token as it is', () => {
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => {
      fc.pre(longestPiece(text) < 10);
      expect(r.text(text)).toBe(text);
    }), { numRuns: 500, seed: 8 });
  });

  it('stars the token inside base64 bytes, split at any point between two heads', () => {
    const request = Buffer.from(`GET / HTTP/1.1\r\nCookie: socketlab-token-7878=${token}\r\n\r\n`);
    fc.assert(fc.property(fc.integer({ min: 1, max: request.length - 1 }), (cut) => {
      for (const part of [request.subarray(0, cut), request.subarray(cut)]) {
        const out = Buffer.from(r.base64(part.toString('base64')), 'base64');
        expect(out.length).toBe(part.length);
        // A piece under 10 characters may remain at a cut: 38+ of the 48 hex digits stay hidden.
        expect(longestPiece(out.toString('latin1'))).toBeLessThan(10);
      }
    }), { numRuns: 200, seed: 9 });
  });

  it('redacts every field of a trace line and returns a valid line of the same shape', () => {
    const line = TraceLine.parse({ type: 'event', t: 1, actor: 'server', kind: 'custom', name: 'x', data: { deep: { cookie: `t=${token}` } } });
    const out = r.line(line, JSON.stringify(line));
    expect(out.json).not.toContain(token.slice(0, 10));
    expect(TraceLine.parse(JSON.parse(out.json))).toEqual(out.line);
    expect(out.line).toMatchObject({ data: { deep: { cookie: `t=${'*'.repeat(48)}` } } });
    const clean = TraceLine.parse({ type: 'event', t: 1, actor: 'server', kind: 'stdout', text: 'hello' });
    expect(r.line(clean, JSON.stringify(clean)).line).toBe(clean);
  });

  it('does nothing without secrets, and ignores secrets too short to find safely', () => {
    expect(new Redactor([]).active).toBe(false);
    expect(new Redactor(['short']).active).toBe(false);
  });
});
