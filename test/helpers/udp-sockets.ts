import { execFileSync } from 'node:child_process';
import type { TraceLine } from '../../shared/trace/schema.js';

/** Local ports of the datagram sockets a trace says were bound. */
export function boundPorts(lines: readonly TraceLine[]): number[] {
  const ports = new Set<number>();
  for (const l of lines) if (l.type === 'event' && l.kind === 'bind' && l.local.port > 0) ports.add(l.local.port);
  return [...ports];
}

/** UDP sockets on these local ports still held by a process (ss from iproute2). */
export function heldUdpSockets(ports: readonly number[]): string[] {
  if (ports.length === 0) return [];
  const out = execFileSync('ss', ['-Huanp'], { encoding: 'utf8' });
  return out.split('\n').filter((line) => {
    if (!line.trim()) return false;
    const local = line.trim().split(/\s+/)[3] ?? '';
    return ports.includes(Number(local.slice(local.lastIndexOf(':') + 1))) && line.includes('users:');
  });
}
