/**
 * Collects trace lines per run and hands them out as batches at most `maxPerSecond` times a
 * second, so a max-speed writer cannot flood the browser with one message per event.
 */
import type { TraceLine } from '../../shared/trace/schema.js';

export class TraceBatcher {
  private pending = new Map<string, TraceLine[]>();
  private bytes = 0;
  private timer: NodeJS.Timeout | null = null;
  private lastFlush = 0;
  private readonly interval: number;

  constructor(private readonly send: (runId: string, lines: TraceLine[]) => void, maxPerSecond = 60, private readonly canSend: () => boolean = () => true) {
    this.interval = 1000 / maxPerSecond;
  }

  /** Queue a line; `bytes` is its size as JSON, counted while it waits (see pendingBytes). */
  add(runId: string, line: TraceLine, bytes = 0): void {
    let list = this.pending.get(runId);
    if (!list) { list = []; this.pending.set(runId, list); }
    list.push(line);
    this.bytes += bytes;
    this.schedule();
  }

  /** JSON bytes of the lines waiting to be sent (they wait while the browser is slow). */
  get pendingBytes(): number { return this.bytes; }

  private schedule(): void {
    if (this.timer) return;
    const wait = Math.max(0, this.lastFlush + this.interval - performance.now());
    this.timer = setTimeout(() => { this.timer = null; this.flush(); }, wait);
  }

  /** Send everything pending now (also used when a run ends, so its footer goes out promptly). */
  flush(): void {
    if (this.pending.size === 0) return;
    if (!this.canSend()) { this.schedule(); return; }
    this.lastFlush = performance.now();
    const batches = this.pending;
    this.pending = new Map();
    this.bytes = 0;
    for (const [runId, lines] of batches) this.send(runId, lines);
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.pending.clear();
    this.bytes = 0;
  }
}
