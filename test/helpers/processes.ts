import { execFileSync } from 'node:child_process';
import type { TraceLine } from '../../shared/trace/schema.js';

/** True while a process with this pid exists (and is not a zombie). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = execFileSync('cat', [`/proc/${pid}/stat`], { encoding: 'utf8' });
    return !/^\d+ \(.*\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Pids of every actor a trace says was spawned. */
export function spawnedPids(lines: readonly TraceLine[]): number[] {
  return lines.flatMap((l) => (l.type === 'event' && l.kind === 'spawn' ? [l.pid] : []));
}

/** Local ports of listeners and connections a trace mentions. */
export function tracePorts(lines: readonly TraceLine[]): number[] {
  const ports = new Set<number>();
  for (const l of lines) {
    if (l.type !== 'event') continue;
    if (l.kind === 'listen' || l.kind === 'accept' || l.kind === 'connect') ports.add(l.local.port);
  }
  return [...ports];
}

/**
 * Sockets on these ports still held by a process (TIME_WAIT belongs to the kernel alone and is
 * expected after a close, so it is not counted). Uses ss from iproute2.
 */
export function heldSockets(ports: readonly number[]): string[] {
  if (ports.length === 0) return [];
  const out = execFileSync('ss', ['-Htanp'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    if (!line.trim() || line.startsWith('TIME-WAIT')) return false;
    const cols = line.trim().split(/\s+/);
    const local = cols[3] ?? '';
    const port = Number(local.slice(local.lastIndexOf(':') + 1));
    return ports.includes(port) && line.includes('users:');
  });
}

/** Waits (bounded) until a condition holds; returns whether it did. */
export async function eventually(cond: () => boolean, timeoutMs = 5000, stepMs = 50): Promise<boolean> {
  const until = Date.now() + timeoutMs;
  for (let i = 0; Date.now() < until && i < 10_000; i++) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return cond();
}
