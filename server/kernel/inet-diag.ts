/**
 * inet_diag, the part of NETLINK_SOCK_DIAG that reports IPv4 and IPv6 sockets: requests (with
 * the port filter as bytecode the kernel runs per socket), reply parsing (struct inet_diag_msg,
 * tcp_info, sk_meminfo, shutdown), and the method built on them, `InetDiagMethod`: the TCP
 * observer (`TcpDiagMethod`, the default method) and, configured for UDP, udp-diag.ts.
 *
 * By measurement (test/bench/observer.bench.ts, 4 sockets, Linux 6.18) one TCP sample costs
 * ~190 µs median in-process, against ~4-7 ms for spawning ss (ss-fallback.ts). Most of the
 * kernel's cost is walking its whole TCP hash table (every dump does, whatever the filter), so it
 * grows with the table's size, not with the run's sockets.
 */
import { C, type Libc } from './libc.js';
import { DiagDump, NLMSG_HDRLEN, diagCookie, dumpRequest, forEachAttr, requireLibc, type DumpStrategy } from './netlink.js';
import { parseTcpInfo, tcpStateName, TCP_INFO_MIN, type TcpInfo } from './sockopt.js';
import type { KernelSocket, ObserverMethod } from './method.js';
import { formatIpv6 } from '../../shared/net/parse-ip.js';
import { socketKey } from '../../shared/trace/kernel-view.js';

// include/uapi/linux/inet_diag.h
const TCPDIAG_GETSOCK = 18;
const INET_DIAG_REQ_V2_LEN = 56;
const INET_DIAG_REQ_LEN = 60;
export const INET_DIAG_MSG_LEN = 72;
const INET_DIAG_REQ_BYTECODE = 1;
export const INET_DIAG_INFO = 2;
export const INET_DIAG_SKMEMINFO = 7;
const INET_DIAG_SHUTDOWN = 8;
const INET_DIAG_BC_JMP = 1;
const INET_DIAG_BC_S_EQ = 11;
const INET_DIAG_BC_D_EQ = 12;
/** Every state, including half-open (NEW_SYN_RECV) and TIME_WAIT. */
const ALL_STATES = 0xffffffff;
/** Above this many ports the filter runs in JS instead (bytecode jumps are 16-bit). */
const MAX_BYTECODE_PORTS = 1000;
/** Both address families, for the requests that take one family each. */
export const INET_FAMILIES = [C.AF_INET, C.AF_INET6] as const;

const TIMER_NAMES = ['off', 'on', 'keepalive', 'timewait', 'persist'] as const;
type TimerName = NonNullable<KernelSocket['timer']>['name'];

// ---------------------------------------------------------------------------------------------
// Requests

/**
 * inet_diag bytecode for "local port in P or remote port in P". The kernel runs it per socket and
 * accepts the socket when execution runs exactly off the end; jumping past the end rejects.
 * Each test is a 12-byte block: [S_EQ|D_EQ yes=8 no=next][port][JMP to end]. The `no` of the
 * last block jumps 4 bytes past the end (reject). Targets are all on the `yes` chain, as
 * inet_diag_bc_audit() requires. S_EQ / D_EQ came after the original ops (before CGROUP_COND,
 * 5.10); a kernel without them rejects the request with EINVAL and the dump falls back to a
 * strategy that filters in JS (DiagDump).
 */
export function portFilterBytecode(ports: readonly number[]): Buffer {
  const tests: Array<[number, number]> = [];
  for (const p of ports) tests.push([INET_DIAG_BC_S_EQ, p], [INET_DIAG_BC_D_EQ, p]);
  const len = tests.length * 12;
  const bc = Buffer.alloc(len);
  tests.forEach(([code, port], i) => {
    const at = i * 12;
    const last = i === tests.length - 1;
    bc.writeUInt8(code, at);
    bc.writeUInt8(8, at + 1);
    bc.writeUInt16LE(last ? 16 : 12, at + 2);
    bc.writeUInt16LE(port, at + 6); // op[1].no holds the port, host order
    bc.writeUInt8(INET_DIAG_BC_JMP, at + 8);
    bc.writeUInt8(4, at + 9);
    bc.writeUInt16LE(len - (at + 8), at + 10);
  });
  return bc;
}

/** The port filter for `ports` as bytecode, or undefined where it runs in JS only (none, too many). */
export function portFilterFor(ports: readonly number[]): Buffer | undefined {
  return ports.length > 0 && ports.length <= MAX_BYTECODE_PORTS ? portFilterBytecode(ports) : undefined;
}

function writeBytecodeAttr(b: Buffer, at: number, bytecode: Buffer): void {
  b.writeUInt16LE(4 + bytecode.length, at);
  b.writeUInt16LE(INET_DIAG_REQ_BYTECODE, at + 2);
  bytecode.copy(b, at + 4);
}

/** SOCK_DIAG_BY_FAMILY + struct inet_diag_req_v2: one address family and protocol per request. */
export function inetDiagRequest(family: number, protocol: number, ext: number, bytecode?: Buffer): Buffer {
  const b = dumpRequest(INET_DIAG_REQ_V2_LEN + (bytecode ? 4 + bytecode.length : 0));
  const r = NLMSG_HDRLEN;
  b.writeUInt8(family, r); // sdiag_family
  b.writeUInt8(protocol, r + 1); // sdiag_protocol
  b.writeUInt8(ext, r + 2); // idiag_ext
  b.writeUInt32LE(ALL_STATES >>> 0, r + 4); // idiag_states
  // id (48 bytes) stays zero: a dump ignores it, the bytecode does the selecting
  if (bytecode) writeBytecodeAttr(b, r + INET_DIAG_REQ_V2_LEN, bytecode);
  return b;
}

/**
 * TCPDIAG_GETSOCK + struct inet_diag_req (the original TCP request, still served by
 * inet_diag_rcv_msg_compat): the kernel dumps it as AF_UNSPEC, IPv4 and IPv6 in one walk.
 */
function tcpDiagCompatRequest(ext: number, bytecode?: Buffer): Buffer {
  const b = dumpRequest(INET_DIAG_REQ_LEN + (bytecode ? 4 + bytecode.length : 0), TCPDIAG_GETSOCK);
  const r = NLMSG_HDRLEN;
  b.writeUInt8(C.AF_INET, r); // idiag_family: ignored by the dump (the compat path uses AF_UNSPEC)
  b.writeUInt8(ext, r + 3); // idiag_ext
  // id at r+4 (48 bytes) stays zero
  b.writeUInt32LE(ALL_STATES >>> 0, r + 52); // idiag_states
  // idiag_dbs at r+56: unused
  if (bytecode) writeBytecodeAttr(b, r + INET_DIAG_REQ_LEN, bytecode);
  return b;
}

// ---------------------------------------------------------------------------------------------
// Replies

function ipv4At(b: Buffer, at: number): string {
  return `${b[at]}.${b[at + 1]}.${b[at + 2]}.${b[at + 3]}`;
}

/** IPv6 text as Node writes it (the one formatter, shared/net/parse-ip.ts), so keys match actors' reports. */
function ipv6At(b: Buffer, at: number): string {
  return formatIpv6(Array.from(b.subarray(at, at + 16)));
}

/**
 * Fields taken from tcp_info into a sample (the ones that describe queues, windows, timers).
 * Not for listeners: their tcp_info is mostly zeros (a "snd_wnd 0" there would read as a zero
 * window) and the accept queue it carries is already in acceptQ / acceptMax.
 */
function applyTcpInfo(s: KernelSocket, i: TcpInfo): void {
  if (s.state === 'LISTEN') return;
  if (i.sndWnd !== undefined) s.sndWnd = i.sndWnd;
  if (i.rcvWnd !== undefined) s.rcvWnd = i.rcvWnd;
  s.probes = i.probes;
  s.backoff = i.backoff;
  s.retransmits = i.retransmits;
  s.totalRetrans = i.totalRetrans;
  s.rtoUs = i.rtoUs;
  s.rttUs = i.rttUs;
  s.rttvarUs = i.rttvarUs;
  s.sndMss = i.sndMss;
  s.rcvMss = i.rcvMss;
  s.cwnd = i.sndCwnd;
  s.caState = i.caState;
  s.unacked = i.unacked;
  if (i.notsentBytes !== undefined) s.notsent = i.notsentBytes;
  if (i.bytesSent !== undefined) s.bytesSent = i.bytesSent;
  if (i.bytesAcked !== undefined) s.bytesAcked = i.bytesAcked;
  if (i.bytesReceived !== undefined) s.bytesReceived = i.bytesReceived;
}

/** struct inet_diag_msg at `p` followed by its attributes up to `end`. */
export function parseInetDiagMsg(b: Buffer, p: number, end: number): KernelSocket {
  const family = b[p]!;
  const v6 = family === C.AF_INET6;
  const stateCode = b[p + 1]!;
  const timerCode = b[p + 2]!;
  const local = {
    address: v6 ? ipv6At(b, p + 8) : ipv4At(b, p + 8),
    port: b.readUInt16BE(p + 4),
    family: v6 ? ('IPv6' as const) : ('IPv4' as const),
  };
  const remote = {
    address: v6 ? ipv6At(b, p + 24) : ipv4At(b, p + 24),
    port: b.readUInt16BE(p + 6),
    family: local.family,
  };
  const cookie = diagCookie(b, p + 44);
  const state = tcpStateName(stateCode);
  const rqueue = b.readUInt32LE(p + 56);
  const wqueue = b.readUInt32LE(p + 60);
  const s: KernelSocket = {
    key: socketKey(local, remote),
    cookie,
    local,
    remote,
    state,
    recvQ: rqueue,
    sendQ: wqueue,
    inode: b.readUInt32LE(p + 68),
  };
  const uid = b.readUInt32LE(p + 64);
  if (state === 'LISTEN') {
    s.acceptQ = rqueue;
    s.acceptMax = wqueue;
  }
  if (timerCode !== 0) {
    s.timer = {
      name: (TIMER_NAMES[timerCode] as TimerName | undefined) ?? 'unknown',
      expiresMs: b.readUInt32LE(p + 52),
      retrans: b[p + 3]!,
    };
  }
  forEachAttr(b, p + INET_DIAG_MSG_LEN, end, (atype, d, dlen) => {
    if (atype === INET_DIAG_INFO && dlen >= TCP_INFO_MIN) {
      applyTcpInfo(s, parseTcpInfo(b, d, dlen));
    } else if (atype === INET_DIAG_SKMEMINFO && dlen >= 36) {
      s.skmem = {
        rmemAlloc: b.readUInt32LE(d),
        rcvbuf: b.readUInt32LE(d + 4),
        wmemAlloc: b.readUInt32LE(d + 8),
        sndbuf: b.readUInt32LE(d + 12),
        fwdAlloc: b.readUInt32LE(d + 16),
        wmemQueued: b.readUInt32LE(d + 20),
        optmem: b.readUInt32LE(d + 24),
        backlog: b.readUInt32LE(d + 28),
        drops: b.readUInt32LE(d + 32),
      };
    } else if (atype === INET_DIAG_SHUTDOWN && dlen >= 1) {
      const m = b[d]!;
      s.shutdown = { read: (m & 1) !== 0, write: (m & 2) !== 0 };
    }
  });
  // Only full sockets carry INET_DIAG_SHUTDOWN. For TIME_WAIT and half-open (request) sockets
  // the kernel writes uid 0 as filler: there is no owner, so none is reported.
  if (s.shutdown) s.uid = uid;
  return s;
}

// ---------------------------------------------------------------------------------------------
// The method

/** What an inet_diag observer asks with, and how it shapes a parsed reply for its protocol. */
export interface InetDiagProtocol {
  strategies: readonly DumpStrategy[];
  /** The socket as this protocol's samples have it (default: as parsed). */
  shape?: (s: KernelSocket) => KernelSocket;
}

/** The sockets of one protocol (IPv4 and IPv6) whose local or remote port is the run's. */
export class InetDiagMethod implements ObserverMethod {
  readonly name = 'sock_diag' as const;
  private readonly dump: DiagDump;

  /** Throws SyscallError / UnavailableError when the netlink socket cannot be opened. */
  constructor(private readonly protocol: InetDiagProtocol, libc: Libc = requireLibc(), strategy?: string) {
    this.dump = new DiagDump(protocol.strategies, libc, strategy);
  }

  /** The request strategy in use. */
  get strategy(): string {
    return this.dump.strategy;
  }

  close(): void {
    this.dump.close();
  }

  timerPrecisionMs(): number {
    // idiag_expires is a jiffies difference: 10 ms at HZ=100, the coarsest common setting.
    return 10;
  }

  query(ports: ReadonlySet<number>): Promise<KernelSocket[]> {
    return new Promise((resolve) => resolve(this.querySync(ports)));
  }

  /** The same query, synchronous: a few syscalls that never block (MSG_DONTWAIT). */
  querySync(ports: ReadonlySet<number>): KernelSocket[] {
    if (ports.size === 0) return [];
    const shape = this.protocol.shape;
    return this.dump.collect(ports, (b, start, end) => {
      if (end - start < INET_DIAG_MSG_LEN) return undefined;
      const s = parseInetDiagMsg(b, start, end);
      // Filtered here too: the bytecode is left out above MAX_BYTECODE_PORTS, or by a fallback.
      if (!ports.has(s.local.port) && !ports.has(s.remote.port)) return undefined;
      return shape ? shape(s) : s;
    });
  }
}

/** Extensions the TCP observer asks for: tcp_info and sk_meminfo (SHUTDOWN comes unasked with full sockets). */
const TCP_DIAG_EXT = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1));

/**
 * How the TCP dump is asked for, cheapest first. The kernel walks its whole TCP established hash
 * table for every dump (262144 buckets on the development machine, whatever the filter), and
 * IPv4 and IPv6 sockets live in the same table: so one request for both families (the older
 * TCPDIAG_GETSOCK request, which the kernel dumps as AF_UNSPEC) costs half of two
 * inet_diag_req_v2 requests, one per family. Each later strategy is a fallback for a kernel that
 * refuses the one before with EINVAL.
 */
export const TCP_STRATEGIES: readonly DumpStrategy[] = [
  { name: 'tcpdiag-unspec+bytecode', requests: (ports) => [tcpDiagCompatRequest(TCP_DIAG_EXT, portFilterFor(ports))] },
  { name: 'v2-per-family+bytecode', requests: (ports) => INET_FAMILIES.map((f) => inetDiagRequest(f, C.IPPROTO_TCP, TCP_DIAG_EXT, portFilterFor(ports))) },
  { name: 'v2-per-family', requests: () => INET_FAMILIES.map((f) => inetDiagRequest(f, C.IPPROTO_TCP, TCP_DIAG_EXT)) },
];

/** The TCP observer: every TCP socket (IPv4 and IPv6) on the run's ports, in-process. */
export class TcpDiagMethod extends InetDiagMethod {
  /** `strategy` starts further down TCP_STRATEGIES (the benchmark compares them). */
  constructor(libc: Libc = requireLibc(), strategy?: string) {
    super({ strategies: TCP_STRATEGIES }, libc, strategy);
  }
}
