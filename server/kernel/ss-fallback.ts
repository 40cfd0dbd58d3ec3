/**
 * The TCP observer's fallback method, for when sock_diag cannot be opened (method.ts chooses):
 * spawns iproute2's `ss -tanmiOHeo <filter>` and parses its text. ss asks the same kernel
 * interface, but pays for a process per sample (~4-7 ms against ~190 µs in-process, and ~24% of a
 * core at 50 samples/s, where it cannot keep 100/s at all), and its text drops or rounds numbers
 * (counters printed only when non-zero, timers truncated to seconds, no rcv_wnd before 6.7).
 */
import { spawn, execFileSync } from 'node:child_process';
import type { KernelSocket, ObserverMethod } from './method.js';
import { socketKey } from '../../shared/trace/kernel-view.js';
import { childEnv } from '../run/child-env.js';

/** Parses `ss -V` ("ss utility, iproute2-6.1.0"); [0, 0] for the old date-stamped versions. */
export function parseSsVersion(text: string): [number, number] {
  const m = /iproute2-(?:ss)?v?(\d+)\.(\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : [0, 0];
}

const SS_STATES: Record<string, KernelSocket['state']> = {
  ESTAB: 'ESTABLISHED', 'SYN-SENT': 'SYN_SENT', 'SYN-RECV': 'SYN_RECV', 'FIN-WAIT-1': 'FIN_WAIT1',
  'FIN-WAIT-2': 'FIN_WAIT2', 'TIME-WAIT': 'TIME_WAIT', UNCONN: 'CLOSE', 'CLOSE-WAIT': 'CLOSE_WAIT',
  'LAST-ACK': 'LAST_ACK', LISTEN: 'LISTEN', CLOSING: 'CLOSING', 'BOUND-INACTIVE': 'BOUND_INACTIVE',
};

/** "127.0.0.1:80", "[::1]:80", "[fe80::1]%lo:80", "*:80" (ss's IPv6 any), port "*" = 0. */
function parseSsEndpoint(text: string): { address: string; port: number; family: 'IPv4' | 'IPv6' } | undefined {
  const i = text.lastIndexOf(':');
  if (i <= 0) return undefined;
  let host = text.slice(0, i);
  const portText = text.slice(i + 1);
  const port = portText === '*' ? 0 : Number(portText);
  if (!Number.isInteger(port)) return undefined;
  const pct = host.indexOf('%');
  if (pct >= 0 && !host.startsWith('[')) host = host.slice(0, pct);
  if (host === '*') return { address: '::', port, family: 'IPv6' };
  if (host.startsWith('[')) {
    let inner = host.slice(1, host.indexOf(']'));
    const scope = inner.indexOf('%');
    if (scope >= 0) inner = inner.slice(0, scope);
    return { address: inner, port, family: 'IPv6' };
  }
  return { address: host, port, family: 'IPv4' };
}

/**
 * ss's timer text (print_ms_timer): "360ms", "8.768ms" (8 s 768 ms), "59sec", "2min4sec",
 * "12min". Milliseconds are dropped from 10 s or 1 min on, seconds from 10 min on.
 */
export function parseSsDuration(text: string): number | undefined {
  const m = /^(?:(\d+)min)?(?:(\d+)(?:sec|\.(?=\d{3}ms$)))?(?:(\d+)ms)?$/.exec(text);
  if (!m || text === '') return undefined;
  return Number(m[1] ?? 0) * 60_000 + Number(m[2] ?? 0) * 1000 + Number(m[3] ?? 0);
}

const toUs = (ms: string): number => Math.round(Number(ms) * 1000);

/** Sample fields that come from tcp_info (cleared for listeners). */
const TCP_INFO_KEYS = [
  'sndWnd', 'rcvWnd', 'probes', 'backoff', 'retransmits', 'totalRetrans', 'rtoUs', 'rttUs', 'rttvarUs',
  'sndMss', 'rcvMss', 'cwnd', 'caState', 'unacked', 'notsent', 'bytesSent', 'bytesAcked', 'bytesReceived',
] as const satisfies ReadonlyArray<keyof KernelSocket>;

/**
 * Parses one line of `ss -tanmiOHeo`. ss prints many counters only when they are non-zero, so
 * an absent counter is 0 only where this ss version is known to print it (checked against
 * ss.c: tcp_stats_print); otherwise it stays absent. Returns undefined for a line it cannot read.
 */
export function parseSsLine(line: string, version: [number, number] = [6, 1]): KernelSocket | undefined {
  const tok = line.trim().split(/\s+/);
  if (tok.length < 5) return undefined;
  const state = SS_STATES[tok[0]!];
  const recvQ = Number(tok[1]);
  const sendQ = Number(tok[2]);
  const local = parseSsEndpoint(tok[3]!);
  const remote = parseSsEndpoint(tok[4]!);
  if (!state || !local || !remote || !Number.isInteger(recvQ) || !Number.isInteger(sendQ)) return undefined;
  // ss prints one family per socket; a v4-mapped peer of an IPv6 socket keeps the socket's family.
  if (local.family === 'IPv6' || remote.family === 'IPv6') local.family = remote.family = 'IPv6';
  const s: KernelSocket = { key: socketKey(local, remote), local, remote, state, recvQ, sendQ };
  if (state === 'LISTEN') {
    s.acceptQ = recvQ;
    s.acceptMax = sendQ;
  }
  let tcpInfo = false;
  let uidSeen = false;
  for (let i = 5; i < tok.length; i++) {
    const t = tok[i]!;
    const c = t.indexOf(':');
    const k = c > 0 ? t.slice(0, c) : t;
    const v = c > 0 ? t.slice(c + 1) : '';
    switch (k) {
      case '<->': s.shutdown = { read: false, write: false }; break;
      case '-->': s.shutdown = { read: true, write: false }; break;
      case '<--': s.shutdown = { read: false, write: true }; break;
      case '---': s.shutdown = { read: true, write: true }; break;
      case 'timer': {
        const m = /^\((\w+),([^,]*),(\d+)\)$/.exec(v);
        const expiresMs = m ? parseSsDuration(m[2]!) : undefined;
        if (m && expiresMs !== undefined) {
          const name = (['on', 'keepalive', 'timewait', 'persist'] as const).find((n) => n === m[1]) ?? 'unknown';
          s.timer = { name, expiresMs, retrans: Number(m[3]) };
          if (name === 'persist' || name === 'keepalive') s.probes = Number(m[3]);
        }
        break;
      }
      case 'uid': s.uid = Number(v); uidSeen = true; break;
      case 'ino': s.inode = Number(v); break;
      case 'sk': s.cookie = v; break;
      case 'skmem': {
        const m = /^\(r(\d+),rb(\d+),t(\d+),tb(\d+),f(\d+),w(\d+),o(\d+),bl(\d+)(?:,d(\d+))?\)$/.exec(v);
        if (m) {
          const n = m.slice(1).map((x) => Number(x ?? NaN));
          s.skmem = {
            rmemAlloc: n[0]!, rcvbuf: n[1]!, wmemAlloc: n[2]!, sndbuf: n[3]!, fwdAlloc: n[4]!,
            wmemQueued: n[5]!, optmem: n[6]!, backlog: n[7]!, drops: Number.isNaN(n[8]) ? 0 : n[8]!,
          };
        }
        break;
      }
      // Only sockets with tcp_info get these; cwnd is printed for every full socket.
      case 'cwnd': s.cwnd = Number(v); tcpInfo = true; break;
      case 'rto': s.rtoUs = toUs(v); tcpInfo = true; break;
      case 'mss': s.sndMss = Number(v); tcpInfo = true; break;
      case 'rcvmss': s.rcvMss = Number(v); break;
      case 'backoff': s.backoff = Number(v); break;
      case 'rtt': {
        const [rtt, rttvar] = v.split('/');
        s.rttUs = toUs(rtt!);
        if (rttvar !== undefined) s.rttvarUs = toUs(rttvar);
        break;
      }
      case 'retrans': {
        const [cur, total] = v.split('/');
        s.retransmits = Number(cur);
        s.totalRetrans = Number(total);
        break;
      }
      case 'unacked': s.unacked = Number(v); break;
      case 'notsent': s.notsent = Number(v); break;
      case 'bytes_sent': s.bytesSent = Number(v); break;
      case 'bytes_acked': s.bytesAcked = Number(v); break;
      case 'bytes_received': s.bytesReceived = Number(v); break;
      case 'snd_wnd': s.sndWnd = Number(v); break;
      case 'rcv_wnd': s.rcvWnd = Number(v); break;
    }
  }
  // Printed only when set (sock_details_print): no "uid:" means uid 0, for a full socket (one
  // with a shutdown arrow). TIME_WAIT and half-open minisockets have no owner to report.
  if (!uidSeen && s.inode !== undefined && s.shutdown) s.uid = 0;
  if (state === 'LISTEN') {
    // As for sock_diag (see applyTcpInfo): a listener's tcp_info says nothing about windows.
    for (const k of TCP_INFO_KEYS) delete s[k];
  } else if (tcpInfo) {
    const atLeast = (maj: number, min: number) => version[0] > maj || (version[0] === maj && version[1] >= min);
    // Verified on iproute2 6.1: these are printed only when non-zero.
    if (atLeast(6, 1)) {
      s.backoff ??= 0;
      s.retransmits ??= 0;
      s.totalRetrans ??= 0;
      s.notsent ??= 0;
      s.bytesSent ??= 0;
      s.bytesAcked ??= 0;
      s.bytesReceived ??= 0;
      s.unacked ??= 0;
      s.sndWnd ??= 0;
    }
    // rcv_wnd is printed from iproute2 6.7 on (only when non-zero).
    if (atLeast(6, 7)) s.rcvWnd ??= 0;
  }
  return s;
}

export class SsMethod implements ObserverMethod {
  readonly name = 'ss' as const;
  readonly version: [number, number];

  /** Throws if `ss` cannot be run. */
  constructor(private readonly bin = 'ss') {
    this.version = parseSsVersion(execFileSync(bin, ['-V'], { encoding: 'utf8', timeout: 5000, env: childEnv() }));
  }

  /** ss truncates: whole minutes from 10 min, whole seconds from 10 s or from 1 min. */
  timerPrecisionMs(expiresMs: number): number {
    return expiresMs >= 600_000 ? 60_000 : expiresMs >= 10_000 ? 1000 : 1;
  }

  query(ports: ReadonlySet<number>): Promise<KernelSocket[]> {
    if (ports.size === 0) return Promise.resolve([]);
    const filter = `( ${[...ports].map((p) => `sport = :${p} or dport = :${p}`).join(' or ')} )`;
    return new Promise((resolve, reject) => {
      const child = spawn(this.bin, ['-tanmiOHeo', filter], { stdio: ['ignore', 'pipe', 'pipe'], timeout: 5000, env: childEnv() });
      const out: Buffer[] = [];
      let err = '';
      child.stdout.on('data', (d: Buffer) => out.push(d));
      child.stderr.on('data', (d: Buffer) => (err += d.toString()));
      child.on('error', reject);
      child.on('close', (code, signal) => {
        if (code !== 0) return reject(new Error(`ss exited ${code ?? signal}: ${err.trim()}`));
        const sockets: KernelSocket[] = [];
        for (const line of Buffer.concat(out).toString('utf8').split('\n')) {
          if (!line.trim()) continue;
          const s = parseSsLine(line, this.version);
          if (s && (ports.has(s.local.port) || ports.has(s.remote.port))) sockets.push(s);
        }
        resolve(sockets);
      });
    });
  }

  close(): void {}
}
