/**
 * The proxy's monitor: the other end of its tee (io.TeeReader / io.MultiWriter in the seed). Every
 * chunk the proxy reads is shown here as one hexdump-ish line — direction, size, the first bytes in
 * hex and as text — at a human rate: up to `linesPerSecond` lines per direction each second, then
 * one line saying how much more went by.
 */

export function hexLine(chunk: Buffer, width = 16): string {
  const head = chunk.subarray(0, width);
  const hex = [...head].map((b) => b.toString(16).padStart(2, '0')).join(' ');
  const text = head.toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  return `${hex.padEnd(width * 3 - 1)}  |${text}|${chunk.length > width ? '…' : ''}`;
}

export function fmtBytes(n: number): string {
  return n < 10_000 ? `${n} B` : n < 10_000_000 ? `${(n / 1024).toFixed(1)} KiB` : `${(n / 1048576).toFixed(1)} MiB`;
}

export class Monitor {
  private readonly window = new Map<string, { lines: number; moreBytes: number; moreChunks: number; total: number }>();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly print: (line: string) => void, private readonly linesPerSecond = 4, private readonly onSecond?: (dir: string, bytes: number) => void) {}

  push(label: string, chunk: Buffer): void {
    let w = this.window.get(label);
    if (!w) { w = { lines: 0, moreBytes: 0, moreChunks: 0, total: 0 }; this.window.set(label, w); }
    w.total += chunk.length;
    if (w.lines < this.linesPerSecond) {
      w.lines++;
      this.print(`${label} ${String(chunk.length).padStart(6)} B  ${hexLine(chunk)}`);
    } else {
      w.moreBytes += chunk.length;
      w.moreChunks++;
    }
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), 1000);
      this.timer.unref();
    }
  }

  private tick(): void {
    let any = false;
    for (const [label, w] of this.window) {
      if (w.moreChunks) this.print(`${label} … and ${w.moreChunks} more chunks, ${fmtBytes(w.moreBytes)}, in this second`);
      if (w.total) { this.onSecond?.(label, w.total); any = true; }
      w.lines = 0; w.moreBytes = 0; w.moreChunks = 0; w.total = 0;
    }
    if (!any && this.timer) { clearInterval(this.timer); this.timer = undefined; }
  }
}
