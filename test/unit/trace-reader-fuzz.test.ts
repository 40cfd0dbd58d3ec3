/**
 * The trace reader's promise, checked against garbage: nothing a file contains makes it throw,
 * every line it cannot use is named with its line number, the good lines around garbage all come
 * out, memory stays bounded (no line past maxLineChars is held, issue lists are capped), and how
 * the text is split into chunks changes nothing. Plus one hand-made case for each bug fixed.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepthProblem } from '../../shared/json/depth.js';
import { MAX_JSON_DEPTH, readTraceText, TraceReader, type IssueCode, type ReaderOptions, type ReadResult, type TraceIssue } from '../../shared/trace/reader.js';
import type { TraceLine } from '../../shared/trace/schema.js';

const real = readFileSync(new URL('../fixtures/echo-trace.jsonl', import.meta.url), 'utf8');
const realLines = real.split('\n').filter((l) => l.trim());
const header = realLines[0]!;
const clean = readTraceText(real);

/** Codes of issues that stand for a line that was not used. */
const SKIP_CODES: ReadonlySet<IssueCode> = new Set<IssueCode>([
  'not-json', 'not-object', 'too-long', 'too-deep', 'bad-line', 'cut-off', 'bad-header', 'second-header',
  'unknown-kind', 'bad-event', 'unknown-type', 'bad-footer', 'second-footer',
]);

// ---- feeding the reader -------------------------------------------------------------------

/** Feed `text` cut at `cuts` (positions, any order, repeats allowed), as a browser would receive it. */
function readChunked(text: string, cuts: number[], opts?: ReaderOptions): ReadResult {
  const r = new TraceReader(opts);
  const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const lines: TraceLine[] = [];
  let from = 0;
  for (const c of [...at, text.length]) {
    lines.push(...r.push(text.slice(from, c)));
    from = c;
  }
  lines.push(...r.end());
  return { lines, issues: r.issues, header: r.header, footer: r.footer, fatal: r.fatal, stats: r.stats };
}

/** Read both whole and in pieces: neither throws, and both say exactly the same. */
function readBothWays(text: string, cuts: number[], opts?: ReaderOptions): ReadResult {
  const whole = readTraceText(text, opts);
  const pieces = readChunked(text, cuts, opts);
  expect(pieces.lines).toEqual(whole.lines);
  expect(pieces.issues).toEqual(whole.issues);
  expect(pieces.fatal).toEqual(whole.fatal);
  expect(pieces.stats).toEqual(whole.stats);
  checkBounded(whole);
  return whole;
}

/** What the reader keeps about problems stays small whatever the input. */
function checkBounded(r: ReadResult): void {
  expect(r.issues.length).toBeLessThanOrEqual(101);
  for (const i of r.issues) {
    expect(i.lines.length).toBeLessThanOrEqual(5);
    expect(i.message.length).toBeLessThan(1000);
    expect(typeof i.code).toBe('string');
    // The grouping key is not public, but what an issue says must be plain data the page can clone.
    expect(structuredClone(i)).toEqual(i);
  }
  for (const l of r.lines) structuredClone(l);
}

const cutsArb = fc.array(fc.nat({ max: 1 << 20 }), { maxLength: 40 });

// ---- garbage ------------------------------------------------------------------------------

/** Keys that trip naive code: prototype names, coercion hooks, and the reader's own fields. */
const weirdKey = fc.constantFrom('__proto__', 'toString', 'valueOf', 'constructor', 'hasOwnProperty', 'toJSON', 'then', 'type', 'kind', 'version', 'data', 't', 'actor', '');

/** JSON text of an object from raw pairs (so "__proto__" really is a key in the text). */
const objText = (pairs: [string, string][]) => `{${pairs.map(([k, v]) => `${JSON.stringify(k)}:${v}`).join(',')}}`;

/** Nesting `depth` levels deep, of arrays or objects, closed or cut off. */
function deepText(depth: number, shape: 'array' | 'object', closed: boolean): string {
  const open = shape === 'array' ? '[' : '{"a":';
  const close = shape === 'array' ? ']' : '}';
  return open.repeat(depth) + (shape === 'object' ? '1' : '') + (closed ? close.repeat(depth) : '');
}

/** A JSON value as text: ordinary JSON, an object with weird keys, or a coercion trap. */
const valueText: fc.Arbitrary<string> = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v) ?? 'null'),
  fc.array(fc.tuple(weirdKey, fc.jsonValue({ maxDepth: 2 }).map((v) => JSON.stringify(v) ?? 'null')), { maxLength: 4 }).map(objText),
  fc.constantFrom('{"toString":1}', '{"valueOf":1,"toString":{}}', '{"toString":null,"valueOf":null}', '{"__proto__":{"toString":1}}', '{"toJSON":1}', '[]', '{}', '"header"', '"event"', '"footer"', '"custom"', '1e999', '-0', 'null'),
  fc.object({ key: fc.oneof(weirdKey, fc.string({ maxLength: 5 })), maxDepth: 2 }).map((o) => JSON.stringify(o)),
);

/** Lines aimed at the reader: known shapes with a poisoned field, deep nesting, huge strings. */
const poisonedLine: fc.Arbitrary<string> = fc.oneof(
  valueText.map((v) => `{"type":${v}}`),
  valueText.map((v) => `{"type":"event","t":1,"actor":"a","kind":${v}}`),
  valueText.map((v) => `{"type":"header","version":${v},"experiment":"x"}`),
  valueText.map((v) => `{"type":"event","t":${v},"actor":${v},"kind":"custom","name":${v},"data":${v}}`),
  valueText.map((v) => `{"type":"footer","t":1,"outcome":${v},"observations":${v}}`),
  fc.tuple(fc.integer({ min: MAX_JSON_DEPTH + 1, max: 5000 }), fc.constantFrom('array' as const, 'object' as const), fc.boolean(), fc.constantFrom('type', 'kind', 'version', 'data'))
    .map(([d, shape, closed, field]) => field === 'data'
      ? `{"type":"event","t":1,"actor":"a","kind":"custom","name":"x","data":{"a":${deepText(d, shape, closed)}}}`
      : `{"type":"event","${field}":${deepText(d, shape, closed)}}`),
  fc.tuple(fc.integer({ min: 100, max: 20_000 }), fc.constantFrom('type', 'kind', 'version', 'actor')).map(([n, field]) => `{"type":"event","${field}":"${'x'.repeat(n)}"}`),
  fc.integer({ min: 100, max: 20_000 }).map((n) => `{"type":"event","t":1,"actor":"a","kind":"write","${'k'.repeat(n)}":1,"bytes":"${'v'.repeat(n)}"}`),
);

/** Text from bytes, the ways a browser or a misconfigured tool would decode them. */
const decodedBytes = fc.tuple(fc.uint8Array({ maxLength: 300 }), fc.constantFrom('utf-8', 'latin1', 'utf-16le')).map(([b, enc]) => new TextDecoder(enc).decode(b));

/** Any one line of garbage (no newline inside, so its line number is known). */
const garbageLine: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 80 }),
  decodedBytes,
  valueText,
  poisonedLine,
  poisonedLine,
).map((s) => s.replace(/\n/g, ' '));

/** A whole document of garbage, newlines and all. */
const garbageText: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 400 }),
  fc.string({ unit: 'binary', maxLength: 400 }),
  decodedBytes,
  fc.array(garbageLine, { maxLength: 20 }).map((ls) => ls.join('\n')),
  fc.tuple(fc.array(garbageLine, { maxLength: 8 }), fc.constantFrom('\n', '\r\n', '')).map(([ls, end]) => [header, ...ls].join('\n') + end),
  fc.tuple(fc.constantFrom('\ufeff', '\u001f\u008b', '\u0000', ''), fc.array(garbageLine, { maxLength: 6 })).map(([start, ls]) => start + ls.join('\n')),
);

// ---- properties ---------------------------------------------------------------------------

describe('trace reader fuzz: never throws, and chunking changes nothing', () => {
  it('arbitrary text, bytes and poisoned lines: push/end never throw; whole and in pieces agree', () => {
    fc.assert(fc.property(garbageText, cutsArb, (text, cuts) => {
      readBothWays(text, cuts);
    }), { numRuns: 600 });
  });

  it('the same with a small line limit: over-long garbage lines are skipped the same way whatever the split', () => {
    fc.assert(fc.property(garbageText, cutsArb, (text, cuts) => {
      const r = readBothWays(text, cuts, { maxLineChars: 1000 });
      const longest = Math.max(0, ...text.split('\n').map((l) => l.length));
      if (longest > 1000 && !r.fatal) expect(r.issues.some((i) => i.code === 'too-long') || r.issues.some((i) => i.code === 'too-many-problems')).toBe(true);
    }), { numRuns: 300 });
  });

  it('the fixture with garbage lines interleaved: every good line still comes out, every garbage line is named with its line', () => {
    // The header is longer than the 4096 characters sniffed for binary, so garbage never lands in the sniff.
    expect(header.length).toBeGreaterThan(4096);
    const body = realLines.slice(1);
    const plan = fc.array(fc.tuple(fc.nat({ max: body.length }), garbageLine), { maxLength: 5 });
    fc.assert(fc.property(plan, cutsArb, fc.constantFrom('\n', '\r\n'), (inserts, cuts, eol) => {
      // Garbage goes after the header (before it, a header-like garbage line would take its place).
      const lines: { text: string; garbage: boolean }[] = body.map((text) => ({ text, garbage: false }));
      for (const [at, g] of [...inserts].sort((a, b) => b[0] - a[0])) lines.splice(at, 0, { text: g, garbage: true });
      lines.unshift({ text: header, garbage: false });
      const text = lines.map((l) => l.text).join(eol) + eol;
      const r = readBothWays(text, cuts);
      // Nothing lost: exactly the fixture's lines, in order.
      expect(r.lines).toEqual(clean.lines);
      expect(r.fatal).toBeNull();
      // Every garbage line that is not blank is skipped and named; no good line is.
      const garbageNos = lines.flatMap((l, i) => (l.garbage && l.text.replace(/\r$/, '').trim() !== '' ? [i + 1] : []));
      expect(r.stats.skipped).toBe(garbageNos.length);
      const skipIssues = r.issues.filter((i) => SKIP_CODES.has(i.code));
      const named = new Set(skipIssues.flatMap((i) => i.lines));
      expect([...named].sort((a, b) => a - b)).toEqual(garbageNos);
      expect(skipIssues.reduce((n, i) => n + i.count, 0)).toBe(garbageNos.length);
      for (const i of skipIssues) expect(i.line).toBe(i.lines[0]);
    }), { numRuns: 400 });
  });

  it('a line over maxLineChars is reported as soon as it passes the limit, never held whole, whatever the split', () => {
    const max = 8000; // above the fixture's header (about 5000 characters)
    const longLine = fc.tuple(fc.integer({ min: max + 1, max: 3 * max }), fc.constantFrom('plain', 'event', 'deep')).map(([n, how]) => {
      if (how === 'plain') return 'x'.repeat(n);
      // A valid event, only too long: it must still not be read.
      if (how === 'event') return JSON.stringify({ type: 'event', t: 1, actor: 'a', kind: 'stdout', text: 'y'.repeat(n) });
      return '['.repeat(n);
    });
    fc.assert(fc.property(longLine, cutsArb, (long, cuts) => {
      const text = [header, long, ...realLines.slice(1)].join('\n') + '\n';
      const longStart = header.length + 1;
      const longEnd = longStart + long.length; // index of its newline
      const r = new TraceReader({ maxLineChars: max });
      const at = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
      const out: TraceLine[] = [];
      let from = 0;
      for (const c of [...at, text.length]) {
        out.push(...r.push(text.slice(from, c)));
        from = c;
        // Once more than `max` of the long line has come, it has already been given up on.
        if (Math.min(c, longEnd) - longStart > max) expect(r.issues.find((i) => i.code === 'too-long')?.line).toBe(2);
      }
      out.push(...r.end());
      expect(r.issues.map((i) => i.code)).toEqual(['too-long']);
      expect(r.stats.skipped).toBe(1);
      expect(r.stats.lines).toBe(realLines.length + 1);
      expect(out).toEqual(clean.lines);
    }), { numRuns: 300 });
  });

  it('many different problems stay capped: at most 100 groups (plus the overflow note), 5 sample lines each', () => {
    fc.assert(fc.property(fc.array(garbageLine, { minLength: 50, maxLength: 400 }), (garbage) => {
      const r = readTraceText([header, ...garbage].join('\n'));
      checkBounded(r);
    }), { numRuns: 50 });
  });
});

describe('jsonDepthProblem', () => {
  const depthOf = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v).map(depthOf)) : 0);

  it('agrees with the parsed value: null exactly when the nesting is within the limit', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 8 }), fc.integer({ min: 0, max: 10 }), fc.boolean(), (v, max, pretty) => {
      const text = JSON.stringify(v, null, pretty ? 2 : undefined) ?? 'null';
      const problem = jsonDepthProblem(text, max);
      expect(problem === null).toBe(depthOf(v) <= max);
    }), { numRuns: 1000 });
  });

  it('brackets and escapes inside strings do not count', () => {
    expect(jsonDepthProblem('{"a":"[[[[{{{{\\"[[[["}', 1)).toBeNull();
    expect(jsonDepthProblem('["\\\\",[[]]]', 2)).not.toBeNull();
    expect(jsonDepthProblem('["\\\\",[]]', 2)).toBeNull();
  });

  it('never throws on any text, and is iterative: a million levels cost no stack', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), fc.nat({ max: 5 }), (s, max) => {
      const p = jsonDepthProblem(s, max);
      expect(p === null || typeof p === 'string').toBe(true);
    }), { numRuns: 500 });
    expect(jsonDepthProblem('['.repeat(1_000_000), 64)).toMatch(/more than 64 levels/);
  });
});

// ---- regressions, one per bug -------------------------------------------------------------

describe('trace reader regressions', () => {
  const codes = (r: ReadResult) => r.issues.map((i) => i.code);
  const issue = (r: ReadResult, code: IssueCode): TraceIssue | undefined => r.issues.find((i) => i.code === code);
  const footer = realLines[realLines.length - 1]!;

  it('1. an object with a "toString" key in type, kind or version does not throw (String() on untrusted values)', () => {
    expect(() => readTraceText('{"type":{"toString":1}}')).not.toThrow();
    expect(readTraceText('{"type":{"toString":1}}').fatal?.code).toBe('not-trace');

    const t = readTraceText([header, '{"type":{"toString":1}}', footer].join('\n'));
    expect(issue(t, 'unknown-type')).toMatchObject({ line: 2, message: 'line 2 has an unknown type an object (expected "header", "event" or "footer")' });

    const k = readTraceText([header, '{"type":"event","t":1,"actor":"a","kind":{"toString":1,"valueOf":1}}', footer].join('\n'));
    expect(issue(k, 'unknown-kind')).toMatchObject({ line: 2, message: 'line 2: an event whose "kind" is an object, not a name (skipped)' });

    const v = readTraceText([header.replace('"version":1', '"version":{"toString":1}'), footer].join('\n'));
    expect(issue(v, 'bad-version')?.message).toMatch(/^line 1: the header's version is an object, not a trace format version/);
    expect(v.header?.experiment).toBe('echo');

    // A huge string in those fields is quoted short, not whole.
    const huge = readTraceText([header, `{"type":"${'x'.repeat(1_000_000)}"}`, `{"type":"event","kind":"${'k'.repeat(1_000_000)}"}`, footer].join('\n'));
    expect(issue(huge, 'unknown-type')!.message.length).toBeLessThan(200);
    expect(issue(huge, 'unknown-kind')!.message.length).toBeLessThan(250);
    // A huge key in a header field's path is cut short too.
    const badHeader = JSON.parse(header) as Record<string, unknown>;
    badHeader.capabilities = { ['c'.repeat(100_000)]: 1 };
    const bh = readTraceText([JSON.stringify(badHeader), footer].join('\n'));
    expect(issue(bh, 'bad-header')?.message).toMatch(/^line 1: the header is invalid \(capabilities\.c{40}: /);
    expect(issue(bh, 'bad-header')!.message.length).toBeLessThan(400);
    // Alone, it is the reason given in the verdict.
    expect(readTraceText(JSON.stringify(badHeader)).fatal?.message).toMatch(/none of its first lines is a trace line \(line 1: the header is invalid/);
  });

  it('2. deep nesting in type, kind, version or a payload is refused before parsing, with its line (no RangeError)', () => {
    const d = 100_000;
    const cases = [
      `{"type":${deepText(d, 'array', true)}}`,
      `{"type":"event","t":1,"actor":"a","kind":${deepText(d, 'object', true)}}`,
      `{"type":"event","t":1,"actor":"a","kind":"custom","name":"x","data":{"a":${deepText(d, 'array', true)}}}`,
      `{"type":"event","t":1,"actor":"a","kind":"sockopt","sock":"c1","option":"x","requested":${deepText(d, 'object', true)},"effective":1}`,
    ];
    for (const line of cases) {
      const r = readTraceText([header, line, footer].join('\n'));
      expect(codes(r)).toEqual(['too-deep']);
      expect(issue(r, 'too-deep')?.line).toBe(2);
      expect(issue(r, 'too-deep')?.message).toMatch(/^line 2 is not a trace line: its JSON is nested more than 64 levels deep \(skipped\)/);
      expect(r.lines).toEqual(clean.lines.filter((l) => l.type !== 'event'));
    }
    // In the header's version: the header is refused, and the events still come.
    const v = readTraceText([`{"type":"header","version":${deepText(d, 'array', true)}}`, ...realLines.slice(1)].join('\n'));
    expect(issue(v, 'too-deep')?.line).toBe(1);
    expect(v.lines.length).toBe(realLines.length - 1);
  });

  it('2. the depth limit: 64 levels are read, 65 are not', () => {
    // The line's own object is level 1, `data` level 2, and so on.
    const custom = (levels: number) => `{"type":"event","t":1,"actor":"a","kind":"custom","name":"x","data":${'{"a":'.repeat(levels - 1)}1${'}'.repeat(levels - 1)}}`;
    expect(jsonDepthProblem(custom(64), MAX_JSON_DEPTH)).toBeNull();
    const ok = readTraceText([header, custom(64), footer].join('\n'));
    expect(ok.issues).toEqual([]);
    expect(ok.lines.length).toBe(3);
    expect(JSON.stringify(ok.lines[1])).toContain('"a"'); // and it can be serialised again
    const deep = readTraceText([header, custom(65), footer].join('\n'));
    expect(codes(deep)).toEqual(['too-deep']);
    // A cut-off deep last line is named too.
    const cut = readTraceText([header, footer, '['.repeat(1000)].join('\n'));
    expect(issue(cut, 'too-deep')?.line).toBe(3);
  });

  it('4. the line limit holds when the newline comes in a later chunk, or in the same chunk as the whole line', () => {
    const max = 8000;
    const long = 'z'.repeat(max + 1);
    // Whole line and its newline in one chunk (was never checked).
    expect(issue(readTraceText([header, long, footer].join('\n'), { maxLineChars: max }), 'too-long')?.line).toBe(2);
    // Start of the line in one chunk, the rest with its newline in the next (partial + piece was not checked).
    const r = new TraceReader({ maxLineChars: max });
    const out = r.push(header + '\n' + long.slice(0, max - 10));
    expect(r.issues).toEqual([]);
    out.push(...r.push(long.slice(max - 10) + '\n' + footer + '\n'));
    out.push(...r.end());
    expect(r.issues.map((i) => [i.code, i.line])).toEqual([['too-long', 2]]);
    expect(r.issues[0]!.message).toBe('line 2 is longer than 8000 characters: not a trace line (skipped)');
    expect(out.map((l) => l.type)).toEqual(['header', 'footer']);
    // Exactly at the limit is still a line.
    const atLimit = JSON.stringify({ type: 'event', t: 1, actor: 'a', kind: 'stdout', text: '' });
    const padded = atLimit.replace('"text":""', `"text":"${'p'.repeat(max - atLimit.length)}"`);
    expect(padded.length).toBe(max);
    expect(readTraceText([header, padded, footer].join('\n'), { maxLineChars: max }).issues).toEqual([]);
    // A too-long first line: the verdict names line 1.
    expect(readTraceText(long, { maxLineChars: max }).fatal?.message).toMatch(/line 1 is longer than 8000 characters/);
  });

  it('the binary sniff and byte order mark do not depend on the chunking', () => {
    const nul = 'hello\n\u0000 world\n';
    expect(readTraceText(nul).fatal?.code).toBe('binary');
    expect(readChunked(nul, [1, 2, 3, 4, 5, 6, 7, 8]).fatal?.code).toBe('binary');
    const twoBoms = '\ufeff\ufeff' + header;
    expect(readChunked(twoBoms, [1]).issues).toEqual(readTraceText(twoBoms).issues);
  });
});
