/**
 * UDP figures from /proc, the text interfaces beside sock_diag:
 *  - /proc/net/snmp "Udp:" lines: the whole system's UDP counters since boot (RcvbufErrors counts
 *    datagrams dropped because a receive buffer was full, NoPorts those sent to a port nobody
 *    listens on). System-wide: other programs' datagrams count too, so the lab reports the change
 *    over a run, and says it is system-wide.
 *  - /proc/net/udp and /proc/net/udp6: one line per socket, with its inode and its drops (the
 *    last column), the fallback when sock_diag is not available.
 * Linux only; elsewhere each call returns the reason.
 */
import { readFileSync } from 'node:fs';

export type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

export type UdpCounters = Record<string, number>;

/** Parses the "Udp:" header and value lines of /proc/net/snmp. */
export function parseSnmpUdp(text: string): UdpCounters | undefined {
  const lines = text.split('\n').filter((l) => l.startsWith('Udp:'));
  if (lines.length < 2) return undefined;
  const names = lines[0]!.split(/\s+/).slice(1);
  const values = lines[1]!.split(/\s+/).slice(1).map(Number);
  const out: UdpCounters = {};
  names.forEach((n, i) => { if (n && Number.isFinite(values[i])) out[n] = values[i]!; });
  return out;
}

export function readUdpCounters(file = '/proc/net/snmp'): Read<UdpCounters> {
  try {
    const c = parseSnmpUdp(readFileSync(file, 'utf8'));
    return c ? { ok: true, value: c } : { ok: false, reason: `${file} has no Udp: lines` };
  } catch (e) {
    return { ok: false, reason: `${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
}

/** The drops column of the /proc/net/udp{,6} line whose inode is `inode`. */
export function parseProcUdpDrops(text: string, inode: number): number | undefined {
  for (const line of text.split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    // sl local rem st tx:rx tr:when retrnsmt uid timeout inode ref pointer drops
    if (cols.length >= 13 && Number(cols[9]) === inode) return Number(cols[12]);
  }
  return undefined;
}

export function procUdpDrops(inode: number): Read<number> {
  for (const f of ['/proc/net/udp', '/proc/net/udp6']) {
    try {
      const d = parseProcUdpDrops(readFileSync(f, 'utf8'), inode);
      if (d !== undefined) return { ok: true, value: d };
    } catch (e) {
      return { ok: false, reason: `${f}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
    }
  }
  return { ok: false, reason: `no UDP socket with inode ${inode} in /proc/net/udp{,6}` };
}
