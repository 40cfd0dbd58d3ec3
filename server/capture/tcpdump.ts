/**
 * Finding tcpdump and telling whether this process may capture with it.
 *
 * Capturing needs CAP_NET_RAW (root has it). tcpdump may also carry the capability itself
 * (`setcap cap_net_raw,cap_net_admin=eip`), which this process cannot see cheaply; so the only
 * real check is to start it and see whether it gets to "listening on". These helpers give the
 * facts and the words for the "how to turn it on" message.
 */
import { accessSync, constants, readFileSync } from 'node:fs';
import path from 'node:path';

/** The tcpdump to run: $SOCKET_LAB_TCPDUMP, else the first on PATH or in /usr/sbin, /usr/bin, /sbin. */
export function findTcpdump(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const candidates = env.SOCKET_LAB_TCPDUMP
    ? [env.SOCKET_LAB_TCPDUMP]
    : [...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'tcpdump')), '/usr/sbin/tcpdump', '/usr/bin/tcpdump', '/sbin/tcpdump'];
  return candidates.find(isExecutable);
}

export function findSetpriv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return [...(env.PATH ?? '').split(path.delimiter).filter(Boolean).map((d) => path.join(d, 'setpriv')), '/usr/bin/setpriv', '/bin/setpriv'].find(isExecutable);
}

function isExecutable(p: string): boolean {
  try { accessSync(p, constants.X_OK); return true; } catch { return false; }
}

const CAP_NET_RAW = 13;

/** Whether this process itself holds CAP_NET_RAW in its effective set (root normally does). */
export function hasCapNetRaw(): boolean | undefined {
  try {
    const status = readFileSync('/proc/self/status', 'utf8');
    const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(status);
    if (!m) return undefined;
    return ((BigInt(`0x${m[1]}`) >> BigInt(CAP_NET_RAW)) & 1n) === 1n;
  } catch {
    return undefined;
  }
}

/** What the capability string says when capture cannot run, with how to turn it on. */
export const HOW_TO_ENABLE = {
  notLinux: (platform: string) => `off: packet capture is only wired up on Linux (this is ${platform}); everything else works`,
  noTcpdump: 'off: tcpdump is not installed — install it (Debian/Ubuntu: sudo apt-get install tcpdump) and start the lab again; everything else works',
  noPermission: (tcpdump: string, detail: string) =>
    `off: no permission to capture on lo (${detail}) — run the lab as root, or give tcpdump the capability once: sudo setcap cap_net_raw,cap_net_admin=eip ${tcpdump}; everything else works`,
  disabled: 'off: disabled by SOCKET_LAB_CAPTURE=off',
} as const;
