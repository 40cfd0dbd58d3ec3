/**
 * Reads a trace file incrementally, line by line, the way a browser receives a big file: push
 * text as it arrives, get back the lines that validated. Nothing a file contains makes it throw;
 * every problem becomes an issue that says what is wrong and on which line, and everything that
 * can be shown is returned (a truncated run, a newer version's known events, the good lines
 * around garbage).
 *
 * Pure TypeScript (no DOM, no Node), so the same reader runs in the browser's worker, on the
 * main thread as a fallback, in the CLI and in tests.
 *
 * What keeps that promise: a line is never held past `maxLineChars`, however the text is split
 * into chunks; a line nesting deeper than `maxJsonDepth` is refused before JSON.parse, so nothing
 * recursive (zod, JSON.stringify, structured clone, a view) ever sees a deep value; values from the
 * file reach messages only through `describe()` (no String() or template coercion of an object,
 * which runs a `toString` the file may have set to a non-function); and every line is read inside
 * a last-resort catch that turns anything unforeseen into a 'bad-line' issue.
 */
import { jsonDepthProblem } from '../json/depth.js';
import { TRACE_VERSION, TraceEvent, TraceFooter, TraceHeader, type TraceLine } from './schema.js';

export type IssueLevel = 'error' | 'warn' | 'info';

/** Stable names for each kind of problem, so UIs and tests need not parse the prose. */
export type IssueCode =
  | 'empty' | 'binary' | 'not-trace' | 'not-json' | 'not-object' | 'too-long' | 'too-deep' | 'bad-line' | 'cut-off'
  | 'no-header' | 'header-not-first' | 'bad-header' | 'newer-version' | 'bad-version' | 'second-header'
  | 'unknown-kind' | 'bad-event' | 'unknown-type' | 'bad-footer' | 'second-footer' | 'after-footer'
  | 'no-footer' | 'out-of-order' | 'too-many-problems';

export interface TraceIssue {
  level: IssueLevel;
  code: IssueCode;
  /** 1-based line of the first occurrence, when the problem is on a line. */
  line?: number;
  message: string;
  /** How many lines had this same problem (1 = just `line`). */
  count: number;
  /** The first few of those lines. */
  lines: number[];
}

export interface ReaderStats {
  /** Lines seen (including blank ones). */
  lines: number;
  /** Characters consumed. */
  chars: number;
  events: number;
  /** Lines that could not be used. */
  skipped: number;
}

export interface ReaderOptions {
  /** A line longer than this is not a trace line; it is skipped without being held in memory. */
  maxLineChars?: number;
  /** With no usable trace line in this many first lines, the file is not a trace: stop there. */
  sniffLines?: number;
  /** A line whose arrays and objects nest deeper than this is skipped before it is parsed. */
  maxJsonDepth?: number;
}

/** An event older than the latest one by more than this is reported: it is beyond actors' batching. */
const REORDER_TOLERANCE_MS = 1000;
const MAX_GROUPS = 100;
const SAMPLE_LINES = 5;
/** Deeper than any line Socket Lab writes (a header's catalog nests about 6), far below a stack overflow. */
export const MAX_JSON_DEPTH = 64;
/** The start of the input held back until this much has come, so sniffing for binary sees the same text however it is chunked. */
const SNIFF_CHARS = 4096;
/** Characters of a value from the file that an issue's message or grouping key may quote. */
const QUOTE_CHARS = 60;

/** Every event kind this version of the schema knows (to tell "unknown kind" from "invalid"). */
export const KNOWN_KINDS: ReadonlySet<string> = new Set(
  TraceEvent.options.flatMap((o) => {
    const k = o.shape.kind as unknown as { values?: Set<string>; options?: string[] };
    return k.values ? [...k.values] : k.options ?? [];
  }),
);

export class TraceReader {
  header: TraceHeader | null = null;
  footer: TraceFooter | null = null;
  /** The version the header declared (may be newer than TRACE_VERSION). */
  version: number | null = null;
  /** Set when reading stopped early because the input is not a trace at all. */
  fatal: TraceIssue | null = null;
  readonly stats: ReaderStats = { lines: 0, chars: 0, events: 0, skipped: 0 };

  private readonly groups = new Map<string, TraceIssue>();
  /** The start of the input until SNIFF_CHARS have come (null once sniffed). */
  private head: string | null = '';
  private partial = '';
  private skippingLongLine = false;
  private firstContentLine = 0;
  private firstProblem: string | null = null;
  private firstText = '';
  private good = 0;
  private maxT = -Infinity;
  private maxTLine = 0;
  private ended = false;
  private readonly maxLineChars: number;
  private readonly sniffLines: number;
  private readonly maxJsonDepth: number;

  constructor(opts: ReaderOptions = {}) {
    this.maxLineChars = opts.maxLineChars ?? 16 * 1024 * 1024;
    this.sniffLines = opts.sniffLines ?? 50;
    this.maxJsonDepth = opts.maxJsonDepth ?? MAX_JSON_DEPTH;
  }

  /** Problems found so far, errors first, then in the order they were first seen. */
  get issues(): TraceIssue[] {
    const rank = { error: 0, warn: 1, info: 2 } as const;
    return [...this.groups.values()].sort((a, b) => rank[a.level] - rank[b.level]);
  }

  /** Feed the next piece of text (any size, any split). Returns the lines that validated. */
  push(chunk: string): TraceLine[] {
    const out: TraceLine[] = [];
    if (this.fatal || this.ended || chunk.length === 0) return out;
    if (this.head !== null) {
      // Hold the start back until there is enough of it to sniff: the verdict (and the byte
      // order mark) must not depend on how the input was split.
      this.head += chunk;
      if (this.head.length < SNIFF_CHARS) return out;
      chunk = this.unhead();
      if (this.fatal || chunk.length === 0) return out;
    }
    this.stats.chars += chunk.length;
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      if (this.skippingLongLine) {
        this.skippingLongLine = false;
      } else if (this.partial.length + (nl - start) > this.maxLineChars) {
        // The line is too long even though all of it has come: never join it.
        this.tooLong(chunk, start);
      } else {
        const piece = chunk.slice(start, nl);
        const text = this.partial ? this.partial + piece : piece;
        this.partial = '';
        this.line(text, out);
      }
      this.partial = '';
      if (this.fatal) return out;
      start = nl + 1;
    }
    if (start < chunk.length && !this.skippingLongLine) {
      if (this.partial.length + (chunk.length - start) > this.maxLineChars) {
        // Count it as a line now; the rest of it is dropped as it comes, up to its newline.
        this.tooLong(chunk, start);
        this.partial = '';
        this.skippingLongLine = true;
      } else {
        this.partial += chunk.slice(start);
      }
    }
    return out;
  }

  /** The input is complete: read a last line without a newline and report what is missing. */
  end(): TraceLine[] {
    const out: TraceLine[] = [];
    if (this.ended) return out;
    if (this.head !== null && !this.fatal) {
      // Less than SNIFF_CHARS in all: read what came.
      const rest = this.unhead();
      if (rest) out.push(...this.push(rest));
    }
    this.ended = true;
    if (this.fatal) return out;
    if (this.partial.trim() && !this.skippingLongLine) {
      const text = this.partial;
      this.partial = '';
      const lineNo = this.stats.lines + 1;
      let complete = this.good === 0; // before any good line, judge it like any other line
      if (!complete) complete = jsonDepthProblem(text, this.maxJsonDepth) !== null || parses(text);
      if (complete) this.line(text, out);
      else {
        this.stats.lines++;
        this.stats.skipped++;
        this.report('warn', 'cut-off', lineNo, `line ${lineNo} is cut off: the file ends in the middle of a line (the file is truncated; ${text.length} characters of it were dropped)`);
      }
    }
    if (this.fatal) return out;
    if (this.firstContentLine === 0 && this.stats.skipped === 0) {
      this.fatal = this.report('error', 'empty', undefined, this.stats.chars === 0 ? 'the file is empty: there is no trace in it' : 'the file has only blank lines: there is no trace in it');
      return out;
    }
    if (this.good === 0) { this.notTrace(this.firstContentLine); return out; }
    if (!this.header) {
      this.report('error', 'no-header', 1, 'there is no header line: line 1 should be {"type":"header",…} with the experiment and its parameters; the events are shown without the experiment\'s description');
    }
    if (!this.footer) {
      this.report('warn', 'no-footer', undefined, `there is no footer: the trace stops after line ${this.stats.lines} without saying how the run ended (it was cut short, or the file is truncated); everything up to there is shown`);
    }
    return out;
  }

  /** Sniff the held-back start of the input; returns it (without a byte order mark) to be read. */
  private unhead(): string {
    let text = this.head ?? '';
    this.head = null;
    if (text.charCodeAt(0) === 0xfeff) text = text.slice(1); // UTF-8 byte order mark
    return this.sniffBinary(text) ? '' : text;
  }

  /** A line longer than maxLineChars, starting at chunk[start] (after what `partial` holds). */
  private tooLong(chunk: string, start: number): void {
    const lineNo = ++this.stats.lines;
    if (this.firstContentLine === 0) {
      this.firstContentLine = lineNo;
      this.firstText = (this.partial.slice(0, 200) + chunk.slice(start, start + 200)).slice(0, 200);
    }
    this.skip('too-long', lineNo, `line ${lineNo} is longer than ${sizeOf(this.maxLineChars)}: not a trace line (skipped)`, undefined, 'error');
  }

  private sniffBinary(chunk: string): boolean {
    const head = chunk.slice(0, SNIFF_CHARS);
    if (head.charCodeAt(0) === 0x1f && (head.charCodeAt(1) === 0x8b || head.charCodeAt(1) === 0xfffd)) {
      this.fatal = this.report('error', 'binary', undefined, 'this is not a trace: it looks compressed (gzip); decompress it first (gunzip) and open the .jsonl');
      return true;
    }
    if (head.includes('\u0000')) {
      this.fatal = this.report('error', 'binary', undefined, 'this is not a trace: it is a binary file (a trace is text, one JSON object per line)');
      return true;
    }
    return false;
  }

  private line(raw: string, out: TraceLine[]): void {
    const lineNo = ++this.stats.lines;
    const text = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (text.trim() === '') return;
    if (this.firstContentLine === 0) { this.firstContentLine = lineNo; this.firstText = text.slice(0, 200); }
    const deep = jsonDepthProblem(text, this.maxJsonDepth);
    if (deep !== null) {
      this.skip('too-deep', lineNo, `line ${lineNo} is not a trace line: its JSON is ${deep} (skipped): ${preview(text)}`);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch (err) {
      this.skip('not-json', lineNo, `line ${lineNo} is not JSON (${shortError(err)}): ${preview(text)}`);
      return;
    }
    try {
      this.value(json, text, lineNo, out);
    } catch (err) {
      // Not expected (the checks above keep zod and the messages safe), but the promise is that
      // nothing in a file makes the reader throw: whatever went wrong is this line's problem.
      this.skip('bad-line', lineNo, `line ${lineNo} could not be read (${shortError(err)}; skipped): ${preview(text)}`, undefined, 'error');
    }
  }

  private value(json: unknown, text: string, lineNo: number, out: TraceLine[]): void {
    if (typeof json !== 'object' || json === null || Array.isArray(json)) {
      this.skip('not-object', lineNo, `line ${lineNo} is JSON but not an object: ${preview(text)}`);
      return;
    }
    const obj = json as Record<string, unknown>;
    switch (obj.type) {
      case 'header': return this.onHeader(obj, lineNo, out);
      case 'event': return this.onEvent(obj, lineNo, out);
      case 'footer': return this.onFooter(obj, lineNo, out);
      default:
        this.skip('unknown-type', lineNo, obj.type === undefined
          ? `line ${lineNo} is not a trace line: it has no "type" (expected "header", "event" or "footer"): ${preview(text)}`
          : `line ${lineNo} has an unknown type ${describe(obj.type)} (expected "header", "event" or "footer")`, `unknown-type:${keyOf(obj.type)}`);
    }
  }

  private onHeader(obj: Record<string, unknown>, lineNo: number, out: TraceLine[]): void {
    if (this.header || this.version !== null) {
      this.skip('second-header', lineNo, `line ${lineNo} is a second header (ignored; only line 1 describes the run)`, undefined, 'warn');
      return;
    }
    const v = obj.version;
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
      this.version = -1;
      this.report('error', 'bad-version', lineNo, `line ${lineNo}: the header's version is ${describe(v)}, not a trace format version (this viewer reads version ${TRACE_VERSION}); reading on as version ${TRACE_VERSION}`);
    } else {
      this.version = v;
      if (v > TRACE_VERSION) {
        this.report('warn', 'newer-version', lineNo, `line ${lineNo}: this trace is format version ${v}, newer than this viewer reads (version ${TRACE_VERSION}); showing what version ${TRACE_VERSION} understands — a newer Socket Lab shows everything`);
      }
    }
    if (lineNo !== this.firstContentLine) {
      this.report('warn', 'header-not-first', lineNo, `the header is on line ${lineNo}, not line 1: the lines were reordered or something was written before it`);
    }
    const parsed = TraceHeader.safeParse({ ...obj, version: TRACE_VERSION });
    if (!parsed.success) {
      this.stats.skipped++;
      const message = `line ${lineNo}: the header is invalid (${zodProblem(parsed.error)}); the events are shown without the experiment's description`;
      this.firstProblem ??= message;
      this.report('error', 'bad-header', lineNo, message);
      return;
    }
    this.header = parsed.data;
    this.good++;
    out.push(parsed.data);
  }

  private onEvent(obj: Record<string, unknown>, lineNo: number, out: TraceLine[]): void {
    const parsed = TraceEvent.safeParse(obj);
    if (!parsed.success) {
      const kind = obj.kind;
      if (typeof kind !== 'string' || !KNOWN_KINDS.has(kind)) {
        const newer = (this.version ?? 0) > TRACE_VERSION;
        this.skip('unknown-kind', lineNo, typeof kind === 'string'
          ? `line ${lineNo}: unknown event kind ${describe(kind)} (skipped${newer ? '; the newer format has it' : '; written by a newer or different program?'})`
          : kind === undefined
            ? `line ${lineNo}: an event without a "kind" (skipped)`
            : `line ${lineNo}: an event whose "kind" is ${describe(kind)}, not a name (skipped)`, `unknown-kind:${keyOf(kind)}`, newer ? 'info' : 'warn');
      } else {
        const problem = zodProblem(parsed.error);
        this.skip('bad-event', lineNo, `line ${lineNo}: invalid "${kind}" event (${problem}); skipped`, `bad-event:${kind}:${problem}`);
      }
      return;
    }
    const e = parsed.data;
    if (this.footer) this.report('warn', 'after-footer', lineNo, `line ${lineNo} comes after the footer (the footer should be the last line); the event is shown anyway`);
    if (e.t < this.maxT - REORDER_TOLERANCE_MS) {
      this.report('info', 'out-of-order', lineNo, `line ${lineNo} (t = ${e.t.toFixed(1)} ms) is ${((this.maxT - e.t) / 1000).toFixed(1)} s earlier than line ${this.maxTLine}: the lines are not in the order they were written; they are shown sorted by time`);
    }
    if (e.t > this.maxT) { this.maxT = e.t; this.maxTLine = lineNo; }
    this.good++;
    this.stats.events++;
    out.push(e);
  }

  private onFooter(obj: Record<string, unknown>, lineNo: number, out: TraceLine[]): void {
    const parsed = TraceFooter.safeParse(obj);
    if (!parsed.success) {
      this.skip('bad-footer', lineNo, `line ${lineNo}: the footer is invalid (${zodProblem(parsed.error)}); how the run ended is unknown`, undefined, 'warn');
      return;
    }
    if (this.footer) {
      this.skip('second-footer', lineNo, `line ${lineNo} is a second footer (ignored)`, undefined, 'warn');
      return;
    }
    this.footer = parsed.data;
    this.good++;
    out.push(parsed.data);
  }

  /** A line that could not be used. Before any good line, too many of them mean "not a trace". */
  private skip(code: IssueCode, lineNo: number, message: string, key?: string, level: IssueLevel = 'warn'): void {
    this.stats.skipped++;
    this.firstProblem ??= message;
    this.report(level, code, lineNo, message, key);
    if (this.good === 0 && lineNo >= this.sniffLines) this.notTrace(this.firstContentLine);
  }

  private notTrace(lineNo: number): void {
    const why = this.firstProblem ?? `line ${lineNo} is not a trace line`;
    // The line-by-line issues are replaced by one clear verdict.
    this.groups.clear();
    const html = /^\s*<(!doctype|html|head|body|\?xml|svg)/i.test(this.firstText);
    this.fatal = this.report('error', 'not-trace', lineNo, html
      ? `this is not a Socket Lab trace: it is a web page or XML (line ${lineNo} starts with ${preview(this.firstText)}); a trace is JSON Lines whose line 1 is {"type":"header",…}`
      : `this is not a Socket Lab trace: none of its first lines is a trace line (${why}); a trace is JSON Lines whose line 1 is {"type":"header",…}`);
  }

  /** Record a problem; repeats of the same problem are counted on its first report. */
  private report(level: IssueLevel, code: IssueCode, line: number | undefined, message: string, key: string = code): TraceIssue {
    const g = this.groups.get(key);
    if (g) {
      g.count++;
      if (line !== undefined && g.lines.length < SAMPLE_LINES) g.lines.push(line);
      return g;
    }
    if (this.groups.size >= MAX_GROUPS) {
      const overflow = this.groups.get('too-many-problems');
      if (overflow) { overflow.count++; return overflow; }
      const issue: TraceIssue = { level: 'warn', code: 'too-many-problems', message: 'too many different problems to list them all; the first ones are above', count: 1, lines: [] };
      this.groups.set('too-many-problems', issue);
      return issue;
    }
    const issue: TraceIssue = { level, code, message, count: 1, lines: line !== undefined ? [line] : [], ...(line !== undefined ? { line } : {}) };
    this.groups.set(key, issue);
    return issue;
  }
}

/** An issue as one sentence, with how many other lines had the same problem. */
export function formatIssue(i: TraceIssue): string {
  if (i.count <= 1) return i.message;
  const others = i.count - 1;
  const more = i.lines.slice(1);
  return `${i.message} — and ${others} more line${others === 1 ? '' : 's'} like it${more.length ? ` (line${more.length === 1 ? '' : 's'} ${more.join(', ')}${others > more.length ? ', …' : ''})` : ''}`;
}

export interface ReadResult {
  lines: TraceLine[];
  issues: TraceIssue[];
  header: TraceHeader | null;
  footer: TraceFooter | null;
  fatal: TraceIssue | null;
  stats: ReaderStats;
}

/** Read a whole trace held in memory. */
export function readTraceText(text: string, opts?: ReaderOptions): ReadResult {
  const r = new TraceReader(opts);
  const lines = r.push(text);
  lines.push(...r.end());
  return { lines, issues: r.issues, header: r.header, footer: r.footer, fatal: r.fatal, stats: r.stats };
}

/** A size in characters as a person reads it ("16 MB", "1000 characters"). */
function sizeOf(chars: number): string {
  return chars >= 1048576 ? `${Math.round(chars / 1048576)} MB` : `${chars} characters`;
}

/** True when `text` is whole JSON. */
function parses(text: string): boolean {
  try { JSON.parse(text); return true; } catch { return false; }
}

/**
 * A value from the file, for a message: never throws and stays short. Only primitives are
 * quoted; an object or array is named, not converted (String() would call its `toString`, which
 * a file can set to anything, and JSON.stringify would walk all of it).
 */
function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > QUOTE_CHARS ? `${v.slice(0, QUOTE_CHARS)}…` : v);
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  if (v === null) return 'null';
  if (v === undefined) return 'missing';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : typeof v;
}

/** A value from the file as part of an issue's grouping key: bounded, never throws. */
function keyOf(v: unknown): string {
  if (typeof v === 'string') return `s:${v.slice(0, QUOTE_CHARS)}`;
  return describe(v);
}

function preview(text: string): string {
  const s = text.length > 60 ? `${text.slice(0, 60)}…` : text;
  return JSON.stringify(s);
}

function shortError(err: unknown): string {
  // V8 repeats the text ("Unexpected token 'G', "GARBAGE" is not valid JSON"); the preview shows it already.
  const m = (err instanceof Error && typeof err.message === 'string' ? err.message : 'error').replace(/, ".*" is not valid JSON$/s, '');
  return m.length > 80 ? `${m.slice(0, 80)}…` : m;
}

function zodProblem(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const i = error.issues[0];
  if (!i) return 'invalid';
  // Keys in the path come from the file: keep each short.
  const at = i.path.map((p) => (typeof p === 'symbol' ? '?' : String(p).slice(0, 40))).join('.');
  const all = `${at ? `${at}: ` : ''}${typeof i.message === 'string' ? i.message : 'invalid'}`;
  return all.length > 200 ? `${all.slice(0, 200)}…` : all;
}
