import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { formatIssue, readTraceText, TraceReader, type ReadResult } from '../../shared/trace/reader.js';
import { TraceStore } from '../../shared/trace/store.js';

/** A trace recorded from a real echo run (`socket-lab run echo --trace`), with its catalog entry. */
const real = readFileSync(new URL('../fixtures/echo-trace.jsonl', import.meta.url), 'utf8');
const realLines = real.split('\n').filter((l) => l.trim());
const codes = (r: ReadResult) => r.issues.map((i) => i.code);
const issue = (r: ReadResult, code: string) => r.issues.find((i) => i.code === code);

describe('trace reader: a good trace', () => {
  it('reads a real recorded trace with no issue, whatever the chunk size', () => {
    const whole = readTraceText(real);
    expect(whole.issues).toEqual([]);
    expect(whole.fatal).toBeNull();
    expect(whole.header?.experiment).toBe('echo');
    expect(whole.header?.catalog?.roles.map((r) => r.name)).toEqual(['server', 'client']);
    expect(whole.footer?.outcome).toBeDefined();
    expect(whole.lines.length).toBe(realLines.length);
    // Fed in odd-sized pieces (splitting lines and multi-byte characters' neighbours), the same lines come out.
    for (const size of [1, 7, 100, 4096]) {
      const r = new TraceReader();
      const out = [];
      for (let i = 0; i < real.length; i += size) out.push(...r.push(real.slice(i, i + size)));
      out.push(...r.end());
      expect(out).toEqual(whole.lines);
      expect(r.issues).toEqual([]);
    }
  });

  it('accepts CRLF line ends, a byte order mark, blank lines and a missing final newline', () => {
    const text = '\ufeff' + realLines.join('\r\n') + '\r\n\r\n';
    expect(readTraceText(text).issues).toEqual([]);
    expect(readTraceText(realLines.join('\n')).issues).toEqual([]);
  });

  it('keeps a bookmark line (a note saved inside the trace)', () => {
    const bm = JSON.stringify({ type: 'event', t: 12.5, actor: 'user', kind: 'bookmark', note: 'look here' });
    const r = readTraceText([realLines[0], bm, ...realLines.slice(1)].join('\n'));
    expect(r.issues).toEqual([]);
    expect(r.lines.some((l) => l.type === 'event' && l.kind === 'bookmark' && l.note === 'look here')).toBe(true);
  });
});

describe('trace reader: truncated', () => {
  it('cut mid-line: says which line is cut off and that the footer is missing; keeps every whole line', () => {
    const cutAt = real.indexOf('\n', Math.floor(real.length / 2)) + 25;
    const r = readTraceText(real.slice(0, cutAt));
    const wholeLines = real.slice(0, cutAt).split('\n').length - 1;
    const cut = issue(r, 'cut-off')!;
    expect(cut.line).toBe(wholeLines + 1);
    expect(cut.message).toMatch(new RegExp(`line ${wholeLines + 1} is cut off.*truncated`));
    expect(issue(r, 'no-footer')?.message).toMatch(/no footer/);
    expect(r.lines.length).toBe(wholeLines);
    expect(r.fatal).toBeNull();
    expect(r.header).not.toBeNull();
  });

  it('cut at a line end: only the missing footer is reported', () => {
    const r = readTraceText(realLines.slice(0, 20).join('\n') + '\n');
    expect(codes(r)).toEqual(['no-footer']);
    expect(r.lines.length).toBe(20);
  });

  it('a header alone is a trace of a run that had not started', () => {
    const r = readTraceText(realLines[0]!);
    expect(codes(r)).toEqual(['no-footer']);
    expect(r.header?.experiment).toBe('echo');
  });
});

describe('trace reader: reordered', () => {
  it('events far out of time order are reported once, and a store still shows them sorted', () => {
    const body = realLines.slice(1, -1);
    const reversed = [realLines[0]!, ...[...body].reverse(), realLines[realLines.length - 1]!];
    const r = readTraceText(reversed.join('\n'));
    const ooo = issue(r, 'out-of-order');
    expect(ooo?.level).toBe('info');
    expect(ooo?.message).toMatch(/^line \d+ \(t = [\d.]+ ms\) is [\d.]+ s earlier than line \d+/);
    expect(ooo!.count).toBeGreaterThan(1);
    expect(r.lines.length).toBe(realLines.length);
    const store = new TraceStore();
    store.append(r.lines);
    const ts = store.events.map((e) => e.t);
    expect(ts).toEqual([...ts].sort((a, b) => a - b));
  });

  it('a header that is not on line 1 and a footer that is not last are named with their lines', () => {
    const [h, ...rest] = realLines;
    const footer = rest.pop()!;
    const lines = [rest[0]!, rest[1]!, h!, footer, ...rest.slice(2)];
    const r = readTraceText(lines.join('\n'));
    expect(issue(r, 'header-not-first')?.message).toBe('the header is on line 3, not line 1: the lines were reordered or something was written before it');
    expect(issue(r, 'after-footer')?.line).toBe(5);
    expect(issue(r, 'after-footer')?.count).toBe(rest.length - 2);
    expect(r.header).not.toBeNull();
    expect(r.footer).not.toBeNull();
    expect(r.lines.length).toBe(realLines.length);
  });

  it('no header at all: an error, and the events are still returned', () => {
    const r = readTraceText(realLines.slice(1).join('\n'));
    expect(issue(r, 'no-header')?.level).toBe('error');
    expect(r.fatal).toBeNull();
    expect(r.lines.length).toBe(realLines.length - 1);
  });
});

describe('trace reader: versions and kinds', () => {
  it('a newer version is read as far as this version understands; unknown kinds are listed, not fatal', () => {
    const header = { ...JSON.parse(realLines[0]!), version: 2, newField: { x: 1 } };
    const future = JSON.stringify({ type: 'event', t: 50, actor: 'kernel', kind: 'teleport', where: 'mars' });
    const r = readTraceText([JSON.stringify(header), future, ...realLines.slice(1), future].join('\n'));
    expect(issue(r, 'newer-version')?.message).toMatch(/line 1: this trace is format version 2, newer than this viewer reads \(version 1\)/);
    const unknown = issue(r, 'unknown-kind')!;
    expect(unknown.message).toMatch(/line 2: unknown event kind "teleport"/);
    expect(unknown.count).toBe(2);
    expect(unknown.lines).toEqual([2, realLines.length + 2]);
    expect(formatIssue(unknown)).toMatch(/and 1 more line like it \(line \d+\)/);
    expect(r.header?.experiment).toBe('echo');
    expect(r.lines.length).toBe(realLines.length);
  });

  it('an unknown kind in a version-1 trace is a warning naming the kind and line', () => {
    const r = readTraceText([realLines[0], JSON.stringify({ type: 'event', t: 1, actor: 'a', kind: 'warp' }), realLines[realLines.length - 1]].join('\n'));
    expect(issue(r, 'unknown-kind')).toMatchObject({ level: 'warn', line: 2 });
  });

  it('a known kind with a bad field names the field', () => {
    const r = readTraceText([realLines[0], JSON.stringify({ type: 'event', t: 1, actor: 'c', kind: 'write', sock: 'c1', bytes: 'ten', ok: true, queued: 0 })].join('\n'));
    expect(issue(r, 'bad-event')?.message).toMatch(/^line 2: invalid "write" event \(bytes: .*expected number/);
  });

  it('a version that is not a number is an error, and reading goes on', () => {
    const r = readTraceText([JSON.stringify({ ...JSON.parse(realLines[0]!), version: 'one' }), ...realLines.slice(1)].join('\n'));
    expect(issue(r, 'bad-version')?.message).toMatch(/^line 1: the header's version is "one"/);
    expect(r.lines.length).toBe(realLines.length);
  });
});

describe('trace reader: garbage', () => {
  it('garbage lines inside a trace are skipped with their line numbers; the rest is shown', () => {
    const lines = [...realLines];
    lines.splice(5, 0, 'this is not json', '{"type": "event", "t": ');
    lines.splice(9, 0, '[1,2,3]', '{"hello":"world"}');
    const r = readTraceText(lines.join('\n'));
    const nj = issue(r, 'not-json')!;
    expect(nj.line).toBe(6);
    expect(nj.count).toBe(2);
    expect(nj.lines).toEqual([6, 7]);
    expect(nj.message).toMatch(/^line 6 is not JSON \(.+\): "this is not json"/);
    expect(issue(r, 'not-object')?.line).toBe(10);
    expect(issue(r, 'unknown-type')?.message).toMatch(/^line 11 is not a trace line: it has no "type"/);
    expect(r.lines.length).toBe(realLines.length);
    expect(r.stats.skipped).toBe(4);
  });

  it('an empty file, or only blank lines, says so', () => {
    expect(readTraceText('').fatal?.message).toBe('the file is empty: there is no trace in it');
    expect(readTraceText('\n\n  \n').fatal?.message).toBe('the file has only blank lines: there is no trace in it');
  });

  it('a file that is not a trace gets one clear verdict naming line 1', () => {
    const html = '<!doctype html>\n<html><body>hello</body></html>\n';
    const r = readTraceText(html);
    expect(r.fatal?.code).toBe('not-trace');
    expect(r.fatal?.message).toMatch(/^this is not a Socket Lab trace: it is a web page or XML \(line 1 starts with "<!doctype html>"\)/);
    expect(r.issues).toHaveLength(1);
    const pkg = readTraceText(JSON.stringify({ name: 'x', version: '1.0.0' }, null, 2));
    expect(pkg.fatal?.code).toBe('not-trace');
    const obj = readTraceText('{"name":"x"}\n');
    expect(obj.fatal?.message).toMatch(/line 1 is not a trace line: it has no "type"/);
  });

  it('stops early on a long non-trace file instead of reporting every line', () => {
    const r = new TraceReader();
    let returned = 0;
    for (let i = 0; i < 10_000; i++) returned += r.push(`garbage line ${i}\n`).length;
    r.end();
    expect(returned).toBe(0);
    expect(r.fatal?.code).toBe('not-trace');
    expect(r.stats.lines).toBeLessThanOrEqual(50);
  });

  it('binary and gzip files are recognised', () => {
    expect(readTraceText('\u001f\u008b\u0008\u0000abc').fatal?.message).toMatch(/compressed \(gzip\)/);
    expect(readTraceText('PNG\u0000\u0000\u0001').fatal?.message).toMatch(/binary file/);
  });

  it('a line longer than the limit is skipped without being kept, and the next line is read', () => {
    // The limit must be above the header's length (about 5000 characters): it applies to every line.
    const r = new TraceReader({ maxLineChars: 8000 });
    const out = r.push(realLines[0] + '\n');
    out.push(...r.push('x'.repeat(3000)));
    out.push(...r.push('x'.repeat(3000)));
    out.push(...r.push('x'.repeat(3000) + '\n' + realLines[1] + '\n'));
    out.push(...r.end());
    expect(out.length).toBe(2);
    expect(r.issues.find((i) => i.code === 'too-long')?.line).toBe(2);
    expect(r.stats.lines).toBe(3);
  });

  it('many different problems are capped, not listed without end', () => {
    const lines = [realLines[0]!];
    for (let i = 0; i < 300; i++) lines.push(JSON.stringify({ type: 'event', t: 1, actor: 'a', kind: `k${i}` }));
    const r = readTraceText(lines.join('\n'));
    expect(r.issues.length).toBeLessThanOrEqual(102);
    expect(issue(r, 'too-many-problems')).toBeDefined();
  });
});
