import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseTarget } from '../../server/http/target.js';

describe('parseTarget', () => {
  it('never throws, and gives a path on the lab or nothing, for any string', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.webUrl(), fc.webPath(), fc.string().map((s) => `/${s}`), fc.string().map((s) => `//${s}`)), (raw) => {
      const t = parseTarget(raw);
      if (t) expect(t.pathname.startsWith('/')).toBe(true);
    }), { numRuns: 3000, seed: 11 });
  });

  it('keeps "//host" and "/\\\\" as paths, and refuses what is not origin-form', () => {
    for (const raw of ['//', '///', '//a:b', '//%zz', '/\\', '//evil.example/x']) expect(parseTarget(raw)?.pathname).toMatch(/^\//);
    expect(parseTarget('/a?token=%zz')?.searchParams.get('token')).toBe('%zz');
    for (const raw of ['', '*', 'http://evil.example/', 'a', undefined]) expect(parseTarget(raw)).toBeNull();
    expect(parseTarget(`/${'a'.repeat(9000)}`)).toBeNull();
  });
});
