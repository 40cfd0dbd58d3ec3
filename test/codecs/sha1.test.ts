import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { base64Decode, base64Encode, toHex } from '../../shared/codecs/bytes.js';
import { sha1 } from '../../shared/codecs/sha1.js';

const nodeSha1 = (b: Uint8Array): string => createHash('sha1').update(b).digest('hex');

describe('sha1 (RFC 3174)', () => {
  it('matches the RFC 3174 section 7.3 test vectors', () => {
    expect(toHex(sha1('abc'))).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toHex(sha1('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '84983e441c3bd26ebaae4aa1f95129e5e54670f1',
    );
    expect(toHex(sha1('a'.repeat(1_000_000)))).toBe('34aa973cd4c4daa4f61eeb2bdbad27316534016f');
    expect(toHex(sha1('01234567'.repeat(80)))).toBe('dea356a2cddd90c7a7ecedc5ebb563934f460452');
    expect(toHex(sha1(''))).toBe('da39a3ee5e6b4b0d3255bfef95601890afd80709');
  });

  it('agrees with node:crypto on every length around the padding boundaries', () => {
    for (let n = 0; n <= 200; n++) {
      const b = Uint8Array.from({ length: n }, (_v, i) => (i * 31 + n) & 255);
      expect(toHex(sha1(b))).toBe(nodeSha1(b));
    }
  });

  it('property: agrees with node:crypto on any bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 1000 }), (b) => {
        expect(toHex(sha1(b))).toBe(nodeSha1(b));
      }),
      { numRuns: 300 },
    );
  });

  it('property: agrees with node:crypto on any string, hashed as UTF-8', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 100 }), (s) => {
        expect(toHex(sha1(s))).toBe(createHash('sha1').update(s, 'utf8').digest('hex'));
      }),
    );
  });
});

describe('base64', () => {
  it('property: matches Buffer and round-trips', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = base64Encode(b);
        expect(s).toBe(Buffer.from(b).toString('base64'));
        expect(Array.from(base64Decode(s)!)).toEqual(Array.from(b));
      }),
    );
    expect(base64Decode('abc')).toBeNull();
    expect(base64Decode('ab=c')).toBeNull();
    expect(base64Decode('a$==')).toBeNull();
  });
});
