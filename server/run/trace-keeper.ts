/**
 * Where a run's trace lives while the run is live. Lines are held in memory up to a budget
 * (`maxBytesInMemory`, counted as JSON text); a run that writes more spills: everything so far,
 * and every line after, goes to a file in the lab's temporary directory and memory holds no more
 * of it. The trace as a whole is capped (`maxBytes`): past it the run is told to stop.
 *
 * Observations judge the whole trace. Live, they read what is in memory; once a run has spilled,
 * the live checks stop (a partial trace could only mislead) and the final check reads the spill
 * file back, once, after the actors have exited. The spill file is removed with the run.
 */
import { closeSync, openSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import { TraceReader } from '../../shared/trace/reader.js';
import type { TraceLine } from '../../shared/trace/schema.js';
import { makeTempDir, removeTempDir } from './temp-dirs.js';

export type KeepResult = 'kept' | 'spilled' | 'over';

export interface TraceKeeperOptions {
  maxBytesInMemory: number;
  maxBytes: number;
}

export class TraceKeeper {
  private held: TraceLine[] = [];
  private heldBytes = 0;
  private total = 0;
  private count = 0;
  private spill: { dir: string; file: string; fd: number } | null = null;
  private didSpill = false;

  constructor(private readonly opts: TraceKeeperOptions) {}

  /** Lines in memory: the whole trace until it spills, then none. */
  get lines(): readonly TraceLine[] { return this.held; }
  /** The trace outgrew memory (stays true after the spill file is removed). */
  get spilled(): boolean { return this.didSpill; }
  get spillFile(): string | undefined { return this.spill?.file; }
  get bytes(): number { return this.total; }
  get lineCount(): number { return this.count; }

  /** Adds a line (with its JSON text). 'over': the trace is past its cap; the line was not kept. */
  add(line: TraceLine, json: string): KeepResult {
    const size = json.length + 1;
    if (this.total + size > this.opts.maxBytes) return 'over';
    this.total += size;
    this.count++;
    if (this.spill) { this.write(json); return 'spilled'; }
    if (this.heldBytes + size <= this.opts.maxBytesInMemory) {
      this.held.push(line);
      this.heldBytes += size;
      return 'kept';
    }
    this.startSpill();
    this.write(json);
    return 'spilled';
  }

  /** Adds a line even past the cap: the lab's own last words (final observations, the footer). */
  addForced(line: TraceLine, json: string): void {
    const size = json.length + 1;
    this.total += size;
    this.count++;
    if (this.spill) this.write(json);
    else { this.held.push(line); this.heldBytes += size; }
  }

  /** Puts a line first (the header, written once the plugins have started). */
  addFirst(line: TraceLine, json: string): void {
    const size = json.length + 1;
    this.total += size;
    this.count++;
    if (!this.spill) { this.held.unshift(line); this.heldBytes += size; return; }
    // The header after a spill (only with a tiny budget): the file is rewritten with it first.
    const rest = this.readAll();
    this.closeSpill();
    this.startSpill([line, ...rest]);
  }

  /** The whole trace: from memory, or read back from the spill file. */
  all(): TraceLine[] {
    return this.spill ? this.readAll() : [...this.held];
  }


  private startSpill(lines: readonly TraceLine[] = this.held): void {
    const dir = makeTempDir('spill');
    const file = path.join(dir, 'trace.jsonl');
    const fd = openSync(file, 'w', 0o600);
    this.spill = { dir, file, fd };
    this.didSpill = true;
    for (const l of lines) this.write(JSON.stringify(l));
    this.held = [];
    this.heldBytes = 0;
  }

  private write(json: string): void {
    writeSync(this.spill!.fd, `${json}\n`);
  }

  private readAll(): TraceLine[] {
    const spill = this.spill;
    if (!spill) return [...this.held];
    const fd = openSync(spill.file, 'r');
    const reader = new TraceReader();
    const out: TraceLine[] = [];
    const buf = Buffer.alloc(1 << 20);
    const decoder = new TextDecoder();
    try {
      for (;;) {
        const n = readSync(fd, buf, 0, buf.length, null);
        if (n === 0) break;
        for (const l of reader.push(decoder.decode(buf.subarray(0, n), { stream: true }))) out.push(l);
      }
      for (const l of reader.end()) out.push(l);
    } finally {
      closeSync(fd);
    }
    return out;
  }

  /** Removes the spill file: the run is over and its final check has read it. */
  closeSpill(): void {
    if (!this.spill) return;
    try { closeSync(this.spill.fd); } catch { /* already closed */ }
    removeTempDir(this.spill.dir);
    this.spill = null;
  }
}
