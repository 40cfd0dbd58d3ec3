/**
 * The kernel observer: watches every TCP socket of a run from the lab server, outside the actors.
 *
 * It lives here and not in the actors because it must keep looking while an actor is blocked
 * (SO_LINGER close stalls its whole event loop), after an actor has closed a socket (the kernel
 * keeps sending an orphaned socket's queue, then FIN_WAIT / TIME_WAIT), and after an actor was
 * killed. A run's sockets are found by port first: every socket whose local or remote port is one
 * of the run's ports (both ends of a loopback connection, the listener, and sockets nobody holds),
 * a filter the kernel runs itself. A port is not an owner, though: another program may hold a
 * socket on the same port. So with an `owner` (ownership.ts: by the inodes the actor processes
 * hold, and for sockets nobody holds by the run's known address pairs and listeners) the Sampler
 * keeps only the run's own sockets of each dump, whichever method made it.
 *
 * Two interchangeable methods answer "what does the kernel hold for these ports right now":
 *  - `sock_diag`: a NETLINK_SOCK_DIAG dump in-process through koffi, with the port filter run
 *    inside the kernel (inet_diag bytecode), IPv4 and IPv6 in one request, no process spawned.
 *  - `ss`: spawns iproute2's `ss -tanmiOHeo <filter>` and parses its text. ss asks the same
 *    kernel interface, but pays for a process per sample, and its text drops or rounds numbers
 *    (counters printed only when non-zero, timers truncated to seconds, no rcv_wnd before 6.7).
 * sock_diag is the default, by measurement (test/bench/observer.bench.ts, 4 sockets, Linux 6.18):
 * one sample ~190 µs median against ~4-7 ms for ss, and 2.9% of a core at 50 samples/s against
 * ~24% for ss (which cannot keep 100/s at all). ss is the fallback when sock_diag cannot be
 * opened. Either way most of the kernel's cost is walking its whole TCP hash table (every dump
 * does, whatever the filter), so it grows with the table's size, not with the run's sockets.
 *
 * The Sampler polls one method at a fixed rate and writes `sample` trace events: a socket's
 * first sight, every change (compared on every tick, so no change survives two ticks unseen),
 * and GONE when it disappears. Identical consecutive samples are left out.
 */
import { spawn, execFileSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { C, SyscallError, loadLibc, type Libc } from './libc.js';
import { parseTcpInfo, tcpStateName, TCP_INFO_MIN, type TcpInfo } from './sockopt.js';
import type { SampleEvent } from '../../shared/trace/kernel-events.js';
import type { SocketOwner } from './ownership.js';
import { childEnv } from '../run/child-env.js';

/** One socket as observed: a `sample` event without the event envelope. */
export type KernelSocket = Omit<SampleEvent, 'type' | 't' | 'actor' | 'kind'>;
export type ObserverMethodName = 'sock_diag' | 'ss';

export interface ObserverMethod {
  readonly name: ObserverMethodName;
  /** Every TCP socket (IPv4 and IPv6) whose local or remote port is in `ports`, at one moment. */
  query(ports: ReadonlySet<number>): Promise<KernelSocket[]>;
  /**
   * How far a reported timer expiry may be from the truth: the kernel counts in jiffies, ss also
   * truncates to whole seconds or minutes. Used to tell a timer counting down from one restarted.
   */
  timerPrecisionMs(expiresMs: number): number;
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Addresses and keys

const TIMER_NAMES = ['off', 'on', 'keepalive', 'timewait', 'persist'] as const;
type TimerName = NonNullable<KernelSocket['timer']>['name'];

/** "1.2.3.4:80" or "[::1]:80": the form used in socket keys (and printed by ss). */
export function endpoint(a: { address: string; port: number }): string {
  return a.address.includes(':') ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The stable key of a socket: local>remote, e.g. "127.0.0.1:41000>127.0.0.1:7878". */
export function socketKey(local: { address: string; port: number }, remote: { address: string; port: number }): string {
  return `${endpoint(local)}>${endpoint(remote)}`;
}

function formatIPv4(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/**
 * IPv6 text as inet_ntop (glibc, and libuv, hence Node) writes it: lowercase, the longest run of
 * two or more zero groups as "::", and an embedded IPv4 tail for ::ffff:a.b.c.d (and the old
 * ::a.b.c.d). Matching Node's text lets trace keys match the addresses actors report.
 */
export function formatIPv6(buf: Buffer, at: number): string {
  const w: number[] = [];
  for (let i = 0; i < 8; i++) w.push(buf.readUInt16BE(at + 2 * i));
  let bestBase = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (w[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && w[j] === 0) j++;
    if (j - i > bestLen) {
      bestBase = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestLen < 2) bestBase = -1;
  if (bestBase === 0 && (bestLen === 6 || (bestLen === 5 && w[5] === 0xffff))) {
    return `::${bestLen === 5 ? 'ffff:' : ''}${formatIPv4(buf, at + 12)}`;
  }
  let s = '';
  for (let i = 0; i < 8; i++) {
    if (i === bestBase) {
      s += '::';
      i += bestLen - 1;
      continue;
    }
    if (s !== '' && !s.endsWith(':')) s += ':';
    s += w[i]!.toString(16);
  }
  return s;
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

// ---------------------------------------------------------------------------------------------
// Method (a): NETLINK_SOCK_DIAG in-process

// include/uapi/linux/netlink.h, sock_diag.h, inet_diag.h
const NLMSG_HDRLEN = 16;
const NLM_F_REQUEST = 0x1;
const NLM_F_DUMP = 0x300; // NLM_F_ROOT | NLM_F_MATCH
const NLMSG_ERROR = 2;
const NLMSG_DONE = 3;
const SOCK_DIAG_BY_FAMILY = 20;
const TCPDIAG_GETSOCK = 18;
const INET_DIAG_REQ_V2_LEN = 56;
const INET_DIAG_REQ_LEN = 60;
const INET_DIAG_MSG_LEN = 72;
const INET_DIAG_REQ_BYTECODE = 1;
const INET_DIAG_INFO = 2;
const INET_DIAG_SKMEMINFO = 7;
const INET_DIAG_SHUTDOWN = 8;
const INET_DIAG_BC_JMP = 1;
const INET_DIAG_BC_S_EQ = 11;
const INET_DIAG_BC_D_EQ = 12;
const MSG_TRUNC = 0x20;
/** Extensions asked for: tcp_info and sk_meminfo (SHUTDOWN comes unasked with full sockets). */
const DIAG_EXT = (1 << (INET_DIAG_INFO - 1)) | (1 << (INET_DIAG_SKMEMINFO - 1));
/** Every state, including half-open (NEW_SYN_RECV) and TIME_WAIT. */
const ALL_STATES = 0xffffffff;
/** Above this many ports the filter runs in JS instead (bytecode jumps are 16-bit). */
const MAX_BYTECODE_PORTS = 1000;

/**
 * inet_diag bytecode for "local port in P or remote port in P". The kernel runs it per socket and
 * accepts the socket when execution runs exactly off the end; jumping past the end rejects.
 * Each test is a 12-byte block: [S_EQ|D_EQ yes=8 no=next][port][JMP to end]. The `no` of the
 * last block jumps 4 bytes past the end (reject). Targets are all on the `yes` chain, as
 * inet_diag_bc_audit() requires. S_EQ / D_EQ came after the original ops (before CGROUP_COND,
 * 5.10); a kernel without them rejects the request with EINVAL and the method falls back to
 * filtering in JS (see STRATEGIES).
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

/**
 * How the dump is asked for, cheapest first. The kernel walks its whole TCP established hash
 * table for every dump (262144 buckets on the development machine, whatever the filter), and
 * IPv4 and IPv6 sockets live in the same table: so one request for both families (the older
 * TCPDIAG_GETSOCK request, which the kernel dumps as AF_UNSPEC) costs half of two
 * inet_diag_req_v2 requests, one per family. Each later strategy is a fallback for a kernel that
 * refuses the one before with EINVAL.
 */
type Strategy = { name: string; families: readonly number[] | null; bytecode: boolean };
const STRATEGIES: readonly Strategy[] = [
  { name: 'tcpdiag-unspec+bytecode', families: null, bytecode: true },
  { name: 'v2-per-family+bytecode', families: [C.AF_INET, C.AF_INET6], bytecode: true },
  { name: 'v2-per-family', families: [C.AF_INET, C.AF_INET6], bytecode: false },
];

export class SockDiagMethod implements ObserverMethod {
  readonly name = 'sock_diag' as const;
  private fd: number;
  private seq = 0;
  private rx = Buffer.alloc(64 * 1024);
  private requests: { key: string; bufs: Buffer[] } | undefined;
  private strategyIndex = 0;
  /** False until a request was answered: only then is a strategy known to work here. */
  private proven = false;

  /** Throws SyscallError / UnavailableError when the netlink socket cannot be opened. */
  constructor(
    private readonly libc: Libc = requireLibc(),
    /** Start further down STRATEGIES (the benchmark compares them). */
    strategy?: string,
  ) {
    if (strategy !== undefined) {
      this.strategyIndex = STRATEGIES.findIndex((s) => s.name === strategy);
      if (this.strategyIndex < 0) throw new RangeError(`unknown sock_diag strategy ${strategy}`);
    }
    this.fd = this.open();
  }

  /** The request form in use. */
  get strategy(): string {
    return STRATEGIES[this.strategyIndex]!.name;
  }

  private open(): number {
    const fd = this.libc.socket(C.AF_NETLINK, C.SOCK_DGRAM | C.SOCK_CLOEXEC, C.NETLINK_SOCK_DIAG);
    if (fd < 0) throw new SyscallError('socket(AF_NETLINK, NETLINK_SOCK_DIAG)', this.libc.errno());
    return fd;
  }

  close(): void {
    if (this.fd >= 0) this.libc.close(this.fd);
    this.fd = -1;
  }

  timerPrecisionMs(): number {
    // idiag_expires is a jiffies difference: 10 ms at HZ=100, the coarsest common setting.
    return 10;
  }

  query(ports: ReadonlySet<number>): Promise<KernelSocket[]> {
    try {
      return Promise.resolve(this.querySync(ports));
    } catch (e) {
      return Promise.reject(e);
    }
  }

  /** The same query, synchronous: a few syscalls that never block (MSG_DONTWAIT). */
  querySync(ports: ReadonlySet<number>): KernelSocket[] {
    if (this.fd < 0) throw new Error('sock_diag: closed');
    const out: KernelSocket[] = [];
    if (ports.size === 0) return out;
    try {
      for (const req of this.requestsFor(ports)) this.dump(req, ports, out);
      this.proven = true;
    } catch (e) {
      // Leave no half-read dump behind: a fresh socket starts the next request clean.
      this.close();
      this.fd = this.open();
      if (!this.proven && e instanceof SyscallError && e.code === 'EINVAL' && this.strategyIndex < STRATEGIES.length - 1) {
        this.strategyIndex++;
        this.requests = undefined;
        return this.querySync(ports);
      }
      throw e;
    }
    return out;
  }

  private requestsFor(ports: ReadonlySet<number>): Buffer[] {
    const list = [...ports].sort((a, b) => a - b);
    const key = list.join(',');
    if (this.requests?.key !== key) {
      const st = STRATEGIES[this.strategyIndex]!;
      const bc = st.bytecode && list.length <= MAX_BYTECODE_PORTS ? portFilterBytecode(list) : undefined;
      const bufs = st.families ? st.families.map((f) => buildRequestV2(f, bc)) : [buildRequestUnspec(bc)];
      this.requests = { key, bufs };
    }
    return this.requests.bufs;
  }

  private dump(req: Buffer, ports: ReadonlySet<number>, out: KernelSocket[]): void {
    const seq = (this.seq = (this.seq + 1) >>> 0);
    req.writeUInt32LE(seq, 8);
    const sent = this.libc.send(this.fd, req, req.length, 0);
    if (sent !== req.length) throw new SyscallError('send(sock_diag)', sent < 0 ? this.libc.errno() : 0, sent < 0 ? undefined : 'short write');
    // A dump is generated synchronously: the first part during send(), each next one when the
    // previous is read. So data is always queued here and MSG_DONTWAIT never has to wait.
    for (let rounds = 0; rounds < 10_000; rounds++) {
      const n = this.libc.recv(this.fd, this.rx, this.rx.length, C.MSG_DONTWAIT | MSG_TRUNC);
      if (n < 0) throw new SyscallError('recv(sock_diag)', this.libc.errno());
      if (n > this.rx.length) {
        this.rx = Buffer.alloc(n * 2);
        throw new Error(`sock_diag: reply of ${n} bytes truncated; buffer grown for the next sample`);
      }
      if (this.parse(n, seq, ports, out)) return;
    }
    throw new Error('sock_diag: dump did not end');
  }

  /** Parses one datagram of netlink messages; true once NLMSG_DONE is seen. */
  private parse(n: number, seq: number, ports: ReadonlySet<number>, out: KernelSocket[]): boolean {
    const b = this.rx;
    let off = 0;
    while (off + NLMSG_HDRLEN <= n) {
      const len = b.readUInt32LE(off);
      const type = b.readUInt16LE(off + 4);
      if (len < NLMSG_HDRLEN || off + len > n) throw new Error(`sock_diag: malformed message (len ${len})`);
      if (b.readUInt32LE(off + 8) === seq) {
        if (type === NLMSG_DONE) return true;
        if (type === NLMSG_ERROR) {
          const err = -b.readInt32LE(off + NLMSG_HDRLEN);
          if (err !== 0) throw new SyscallError('sock_diag', err);
        } else if ((type === SOCK_DIAG_BY_FAMILY || type === TCPDIAG_GETSOCK) && len >= NLMSG_HDRLEN + INET_DIAG_MSG_LEN) {
          const s = parseDiagMsg(b, off + NLMSG_HDRLEN, off + len);
          // Filtered here too: the bytecode is left out above MAX_BYTECODE_PORTS.
          if (ports.has(s.local.port) || ports.has(s.remote.port)) out.push(s);
        }
      }
      off += (len + 3) & ~3;
    }
    return false;
  }
}

function writeNlHeader(b: Buffer, type: number): void {
  b.writeUInt32LE(b.length, 0); // nlmsg_len
  b.writeUInt16LE(type, 4);
  b.writeUInt16LE(NLM_F_REQUEST | NLM_F_DUMP, 6);
  // seq at 8 is set per send; pid 0 = to the kernel
}

function writeBytecodeAttr(b: Buffer, at: number, bytecode: Buffer): void {
  b.writeUInt16LE(4 + bytecode.length, at);
  b.writeUInt16LE(INET_DIAG_REQ_BYTECODE, at + 2);
  bytecode.copy(b, at + 4);
}

/** SOCK_DIAG_BY_FAMILY + struct inet_diag_req_v2: one address family per request. */
function buildRequestV2(family: number, bytecode: Buffer | undefined): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + INET_DIAG_REQ_V2_LEN + (bytecode ? 4 + bytecode.length : 0));
  writeNlHeader(b, SOCK_DIAG_BY_FAMILY);
  const r = NLMSG_HDRLEN;
  b.writeUInt8(family, r); // sdiag_family
  b.writeUInt8(C.IPPROTO_TCP, r + 1); // sdiag_protocol
  b.writeUInt8(DIAG_EXT, r + 2); // idiag_ext
  b.writeUInt32LE(ALL_STATES >>> 0, r + 4); // idiag_states
  // id (48 bytes) stays zero: a dump ignores it, the bytecode does the selecting
  if (bytecode) writeBytecodeAttr(b, r + INET_DIAG_REQ_V2_LEN, bytecode);
  return b;
}

/**
 * TCPDIAG_GETSOCK + struct inet_diag_req (the original request, still served by
 * inet_diag_rcv_msg_compat): the kernel dumps it as AF_UNSPEC, IPv4 and IPv6 in one walk.
 */
function buildRequestUnspec(bytecode: Buffer | undefined): Buffer {
  const b = Buffer.alloc(NLMSG_HDRLEN + INET_DIAG_REQ_LEN + (bytecode ? 4 + bytecode.length : 0));
  writeNlHeader(b, TCPDIAG_GETSOCK);
  const r = NLMSG_HDRLEN;
  b.writeUInt8(C.AF_INET, r); // idiag_family: ignored by the dump (the compat path uses AF_UNSPEC)
  b.writeUInt8(DIAG_EXT, r + 3); // idiag_ext
  // id at r+4 (48 bytes) stays zero
  b.writeUInt32LE(ALL_STATES >>> 0, r + 52); // idiag_states
  // idiag_dbs at r+56: unused
  if (bytecode) writeBytecodeAttr(b, r + INET_DIAG_REQ_LEN, bytecode);
  return b;
}

/** struct inet_diag_msg at `p` followed by its attributes up to `end`. */
export function parseDiagMsg(b: Buffer, p: number, end: number): KernelSocket {
  const family = b[p]!;
  const v6 = family === C.AF_INET6;
  const stateCode = b[p + 1]!;
  const timerCode = b[p + 2]!;
  const local = {
    address: v6 ? formatIPv6(b, p + 8) : formatIPv4(b, p + 8),
    port: b.readUInt16BE(p + 4),
    family: v6 ? ('IPv6' as const) : ('IPv4' as const),
  };
  const remote = {
    address: v6 ? formatIPv6(b, p + 24) : formatIPv4(b, p + 24),
    port: b.readUInt16BE(p + 6),
    family: local.family,
  };
  // idiag_cookie[1] is the high half; printed in hex as ss -e prints "sk:".
  const hi = b.readUInt32LE(p + 48);
  const lo = b.readUInt32LE(p + 44);
  const cookie = hi ? hi.toString(16) + lo.toString(16).padStart(8, '0') : lo.toString(16);
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
  let a = p + INET_DIAG_MSG_LEN;
  while (a + 4 <= end) {
    const alen = b.readUInt16LE(a);
    const atype = b.readUInt16LE(a + 2) & 0x3fff;
    if (alen < 4 || a + alen > end) break;
    const d = a + 4;
    const dlen = alen - 4;
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
    a += (alen + 3) & ~3;
  }
  // Only full sockets carry INET_DIAG_SHUTDOWN. For TIME_WAIT and half-open (request) sockets
  // the kernel writes uid 0 as filler: there is no owner, so none is reported.
  if (s.shutdown) s.uid = uid;
  return s;
}

function requireLibc(): Libc {
  const s = loadLibc();
  if (!s.ok) throw new Error(`unavailable: ${s.reason}`);
  return s.libc;
}

// ---------------------------------------------------------------------------------------------
// Method (b): ss from iproute2

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

// ---------------------------------------------------------------------------------------------
// Choosing a method

export interface MethodChoice {
  method?: ObserverMethod;
  /** Why each method is or is not usable here: 'on' or the reason. */
  availability: Record<ObserverMethodName, string>;
}

/**
 * Opens the preferred method (sock_diag unless told otherwise), falling back to the other one.
 * `method` is absent when neither works (not Linux, no ss): the reasons say why.
 */
export function openMethod(prefer: ObserverMethodName = 'sock_diag'): MethodChoice {
  const availability = {} as Record<ObserverMethodName, string>;
  const tryOpen = (name: ObserverMethodName): ObserverMethod | undefined => {
    try {
      let m: ObserverMethod;
      if (name === 'sock_diag') {
        const d = new SockDiagMethod();
        try {
          // Opening is not enough (a sandbox may refuse the dump itself): ask once.
          d.querySync(new Set([1]));
        } catch (e) {
          d.close();
          throw e;
        }
        m = d;
      } else m = new SsMethod();
      availability[name] = 'on';
      return m;
    } catch (e) {
      availability[name] = e instanceof Error ? e.message : String(e);
      return undefined;
    }
  };
  const other: ObserverMethodName = prefer === 'sock_diag' ? 'ss' : 'sock_diag';
  const method = tryOpen(prefer) ?? tryOpen(other);
  if (method && availability[other] === undefined) availability[other] = 'not tried';
  return method ? { method, availability } : { availability };
}

// ---------------------------------------------------------------------------------------------
// The Sampler

export interface SamplerOptions {
  /** Ports of the run (listeners and connections); more can be added as the run learns them. */
  ports?: Iterable<number>;
  /** Receives every `sample` event, in time order. */
  emit: (event: SampleEvent) => void;
  /** Milliseconds since the run started (monotonic). Default: since the Sampler was made. */
  now?: () => number;
  /** Samples per second; default 50. */
  rateHz?: number;
  /** A method, a preferred method name, or default (sock_diag, falling back to ss). */
  method?: ObserverMethod | ObserverMethodName;
  /** A sample that failed (the next tick tries again). */
  onError?: (error: Error) => void;
  /** The event's actor; default "kernel". */
  actor?: string;
  /**
   * Decides which sockets on the ports are the run's own (ownership.ts). Without one, every
   * socket on the ports is sampled (port match only).
   */
  owner?: SocketOwner;
}

export interface SamplerStats {
  method: ObserverMethodName;
  ticks: number;
  /** Ticks skipped: the previous sample was still running (ss at high rates), or the event loop was too busy to keep the deadline. */
  overruns: number;
  errors: number;
  emitted: number;
  elided: number;
  gone: number;
  tracked: number;
  lastCostUs: number;
  maxCostUs: number;
  /** Mean time a query took (µs), over all successful ticks. */
  meanCostUs: number;
}

interface Tracked {
  last: KernelSocket;
  t: number;
  /** How long the query that produced `last` took (ms): the uncertainty of `t`. */
  slackMs: number;
}

/**
 * Samples the run's sockets at a fixed rate and writes what changed. Each tick compares every
 * socket with the last sample written for it, so a change is written at the first tick that sees
 * it. It does not depend on any actor process: it runs until stop(), which the run manager calls
 * when the run ends (sockets that outlive their programs are the point).
 */
export class Sampler {
  readonly method: ObserverMethod;
  private readonly ports = new Set<number>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly now: () => number;
  private readonly rateHz: number;
  private readonly actor: string;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private readonly s: Omit<SamplerStats, 'method' | 'tracked' | 'meanCostUs'> = {
    ticks: 0, overruns: 0, errors: 0, emitted: 0, elided: 0, gone: 0, lastCostUs: 0, maxCostUs: 0,
  };
  private totalCostUs = 0;
  private costed = 0;

  /**
   * Why each method is or is not usable, when the Sampler chose the method itself (for the trace
   * header's capabilities); undefined when a method object was passed in.
   */
  readonly availability: Record<ObserverMethodName, string> | undefined;

  /**
   * Throws if no method is available (the message gives each method's reason, for the trace
   * header). The Sampler owns its method from here on: close() closes it.
   */
  constructor(private readonly opts: SamplerOptions) {
    this.rateHz = opts.rateHz ?? 50;
    if (!(this.rateHz > 0 && this.rateHz <= 1000)) throw new RangeError(`rateHz must be in (0, 1000], got ${this.rateHz}`);
    for (const p of opts.ports ?? []) this.addPort(p);
    const m = opts.method;
    if (m && typeof m === 'object') this.method = m;
    else {
      const choice = openMethod(m ?? 'sock_diag');
      if (!choice.method) {
        throw new Error(`kernel observer unavailable: ${Object.entries(choice.availability).map(([k, v]) => `${k}: ${v}`).join('; ')}`);
      }
      this.method = choice.method;
      this.availability = choice.availability;
    }
    const t0 = performance.now();
    this.now = opts.now ?? (() => performance.now() - t0);
    this.actor = opts.actor ?? 'kernel';
  }

  addPort(port: number): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad port ${port}`);
    this.ports.add(port);
  }

  /** Stops watching a port; its sockets are forgotten without a GONE event (they did not go). */
  removePort(port: number): void {
    this.ports.delete(port);
    for (const [key, tr] of this.tracked) {
      if (!this.ports.has(tr.last.local.port) && !this.ports.has(tr.last.remote.port)) this.tracked.delete(key);
    }
  }

  get portList(): number[] {
    return [...this.ports];
  }

  /**
   * Samples every 1/rateHz s from now on. Each tick is scheduled against a fixed deadline
   * (start + k * period) rather than with setInterval, which re-arms from the moment its callback
   * ran and so drifts by the callback's lateness every period (measured: 47/s asked 50, 90/s
   * asked 100). Deadlines that passed while a tick was still running are skipped and counted as
   * overruns. The timer is unref()ed: the lab server's lifetime is not the sampler's business.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const period = 1000 / this.rateHz;
    let next = performance.now() + period;
    const arm = () => {
      const late = performance.now() - next;
      if (late > period) {
        const missed = Math.floor(late / period);
        this.s.overruns += missed;
        next += missed * period;
      }
      this.timer = setTimeout(fire, Math.max(0, next - performance.now()));
      this.timer.unref();
    };
    const fire = () => {
      if (!this.started) return;
      next += period;
      void this.tick();
      arm();
    };
    arm();
  }

  /** Stops the timer; waits for a sample in progress. The method stays open until close(). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** stop(), then closes the method (its netlink socket). */
  async close(): Promise<void> {
    await this.stop();
    this.method.close();
  }

  stats(): SamplerStats {
    const meanCostUs = this.costed ? Math.round(this.totalCostUs / this.costed) : 0;
    return { method: this.method.name, tracked: this.tracked.size, ...this.s, meanCostUs };
  }

  /** Takes one sample now (the interval calls this; so can the run manager, e.g. at the end). */
  tick(): Promise<void> {
    if (this.running) {
      this.s.overruns++;
      return this.running;
    }
    this.running = this.sample().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sample(): Promise<void> {
    this.s.ticks++;
    const t0 = this.now();
    const w0 = performance.now();
    let sockets: KernelSocket[];
    try {
      sockets = this.method instanceof SockDiagMethod ? this.method.querySync(this.ports) : await this.method.query(this.ports);
    } catch (e) {
      this.s.errors++;
      this.opts.onError?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const t1 = this.now();
    // Another program's socket on one of the run's ports is left out here (the cost counts it).
    if (this.opts.owner) sockets = this.opts.owner.select(sockets);
    const cost = Math.round((performance.now() - w0) * 1000);
    this.s.lastCostUs = cost;
    this.totalCostUs += cost;
    this.costed++;
    if (cost > this.s.maxCostUs) this.s.maxCostUs = cost;
    // The kernel answered somewhere between t0 and t1 (microseconds apart for sock_diag).
    const t = Math.round(((t0 + t1) / 2) * 1000) / 1000;
    const slackMs = t1 - t0;

    const seen = new Set<string>();
    for (const s of sockets) {
      if (seen.has(s.key)) continue; // a socket moving between kernel tables mid-dump
      seen.add(s.key);
      const prev = this.tracked.get(s.key);
      if (prev && prev.last.cookie !== undefined && s.cookie !== undefined && prev.last.cookie !== s.cookie) {
        // Same address pair, another socket (the old one was freed and the pair reused).
        this.write(t, goneOf(prev.last));
        this.s.gone++;
      } else if (prev && sameSample(prev, s, t, slackMs, this.method)) {
        this.s.elided++;
        continue;
      }
      this.tracked.set(s.key, { last: s, t, slackMs });
      this.write(t, s);
    }
    for (const [key, tr] of this.tracked) {
      if (seen.has(key)) continue;
      this.tracked.delete(key);
      this.write(t, goneOf(tr.last));
      this.s.gone++;
    }
  }

  private write(t: number, s: KernelSocket): void {
    this.s.emitted++;
    this.opts.emit({ type: 'event', t, actor: this.actor, kind: 'sample', ...s });
  }
}

function goneOf(s: KernelSocket): KernelSocket {
  const g: KernelSocket = { key: s.key, local: s.local, remote: s.remote, state: 'GONE' };
  if (s.cookie !== undefined) g.cookie = s.cookie;
  return g;
}

/**
 * True when `cur` says nothing `prev` did not. Every field must be equal, except a running
 * timer's expiry, which counts down by itself: it is equal when it is where the countdown from
 * the last written sample puts it, within the method's precision and the sampling slack.
 */
function sameSample(prev: Tracked, cur: KernelSocket, t: number, slackMs: number, method: ObserverMethod): boolean {
  const a = prev.last;
  for (const k of Object.keys(a) as Array<keyof KernelSocket>) if (!(k in cur)) return false;
  for (const k of Object.keys(cur) as Array<keyof KernelSocket>) {
    if (k === 'timer') continue;
    const x = a[k];
    const y = cur[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (!shallowEqual(x as unknown as Record<string, unknown>, y as unknown as Record<string, unknown>)) return false;
  }
  const ta = a.timer;
  const tb = cur.timer;
  if (!ta || !tb) return ta === tb;
  if (ta.name !== tb.name || ta.retrans !== tb.retrans) return false;
  const predicted = Math.max(0, ta.expiresMs - (t - prev.t));
  const tolerance = method.timerPrecisionMs(ta.expiresMs) + method.timerPrecisionMs(tb.expiresMs) + prev.slackMs + slackMs + 2;
  return Math.abs(tb.expiresMs - predicted) <= tolerance;
}

function shallowEqual(x: Record<string, unknown>, y: Record<string, unknown>): boolean {
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (x[k] !== y[k]) return false;
  return true;
}
