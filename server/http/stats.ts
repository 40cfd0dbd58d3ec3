/**
 * `/api/stats`: what the lab process itself holds, for the soak benchmark (test/bench/soak.bench.ts)
 * and for anyone wondering whether a long-running lab leaks. Token-protected like every request.
 *
 * Heap after GC can only be measured inside the process: with `?gc=1`, and only when the lab was
 * started with `node --expose-gc`, a full collection runs first (a few ms, blocking the event loop).
 * Open descriptors, sockets and child processes come from /proc (Linux; null elsewhere).
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { getHeapCodeStatistics } from 'node:v8';

export interface LabStats {
  pid: number;
  rssBytes: number;
  heapUsedBytes: number;
  /** Memory V8 holds for the heap (used or not), and outside it: Buffers and other external memory. */
  heapTotalBytes: number;
  externalBytes: number;
  /** Of heapUsedBytes, V8's compiled code, bytecode and their metadata: it grows while the JIT warms up. */
  codeBytes: number;
  /** Whether a full GC ran just before heapUsedBytes was read. */
  gcRan: boolean;
  /** Open file descriptors of the lab process (null: no /proc). */
  fds: number | null;
  /** Of those, sockets (TCP, Unix, netlink...). */
  sockets: number | null;
  /** Processes whose parent is the lab (actors, tcpdump). */
  children: number | null;
}

export function labStats(opts: { gc?: boolean } = {}): LabStats {
  const gc = (globalThis as { gc?: () => void }).gc;
  const gcRan = Boolean(opts.gc && gc);
  // Twice: the first collection may only queue finalizers whose objects the second one frees.
  if (gcRan) { gc!(); gc!(); }
  const mem = process.memoryUsage();
  const code = getHeapCodeStatistics();
  return {
    pid: process.pid, rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, heapTotalBytes: mem.heapTotal, externalBytes: mem.external,
    codeBytes: code.code_and_metadata_size + code.bytecode_and_metadata_size, gcRan, ...fdCounts(), children: childCount(process.pid),
  };
}

function fdCounts(): { fds: number | null; sockets: number | null } {
  let names: string[];
  try { names = readdirSync('/proc/self/fd'); } catch { return { fds: null, sockets: null }; }
  let sockets = 0;
  for (const n of names) {
    try { if (readlinkSync(`/proc/self/fd/${n}`).startsWith('socket:')) sockets++; } catch { /* closed meanwhile (the readdir's own fd) */ }
  }
  // readdirSync's own descriptor is listed while it reads; it is closed by now.
  return { fds: names.length - 1, sockets };
}

function childCount(pid: number): number | null {
  let entries: string[];
  try { entries = readdirSync('/proc'); } catch { return null; }
  let n = 0;
  for (const e of entries) {
    if (!/^\d+$/.test(e)) continue;
    let stat: string;
    try { stat = readFileSync(`/proc/${e}/stat`, 'utf8'); } catch { continue; }
    // "pid (comm) state ppid ...": comm may hold spaces and parentheses, so read after the last ')'.
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (ppid === pid) n++;
  }
  return n;
}
