import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { TraceKeeper } from '../../server/run/trace-keeper.js';
import { TraceLine } from '../../shared/trace/schema.js';

const ev = (i: number) => TraceLine.parse({ type: 'event', t: i, actor: 'a', kind: 'stdout', text: `line ${i} ${'x'.repeat(50)}` });
const header = TraceLine.parse({ type: 'header', version: 1, experiment: 'e', params: {}, platform: { os: 'linux', kernel: 'k', node: 'n' }, startedAt: 'now' });

describe('TraceKeeper', () => {
  it('holds lines in memory up to its budget, then spills all of them to a file and holds none', () => {
    const k = new TraceKeeper({ maxBytesInMemory: 1000, maxBytes: 1e9 });
    const results = Array.from({ length: 40 }, (_, i) => k.add(ev(i), JSON.stringify(ev(i))));
    expect(results.slice(0, 5).every((r) => r === 'kept')).toBe(true);
    expect(results.at(-1)).toBe('spilled');
    expect(k.spilled).toBe(true);
    expect(k.lines).toEqual([]);
    const file = k.spillFile!;
    expect(existsSync(file)).toBe(true);
    k.addFirst(header, JSON.stringify(header));
    const all = k.all();
    expect(all[0]).toEqual(header);
    expect(all.slice(1)).toEqual(Array.from({ length: 40 }, (_, i) => ev(i)));
    expect(k.lineCount).toBe(41);
    k.closeSpill();
    expect(existsSync(file)).toBe(false);
  });

  it('refuses lines past the cap, but takes the lab\'s forced ones', () => {
    const k = new TraceKeeper({ maxBytesInMemory: 1e9, maxBytes: 500 });
    const results = Array.from({ length: 20 }, (_, i) => k.add(ev(i), JSON.stringify(ev(i))));
    const over = results.indexOf('over');
    expect(over).toBeGreaterThan(0);
    expect(results.slice(over).every((r) => r === 'over')).toBe(true);
    k.addForced(ev(99), JSON.stringify(ev(99)));
    expect(k.lines.at(-1)).toEqual(ev(99));
    expect(k.lines.length).toBe(over + 1);
  });
});
