/**
 * Socket options, TCP_INFO and queue ioctls on one socket, by its file descriptor.
 *
 * This runs inside the process that owns the socket (an actor), on its own sockets: an option can
 * only be set through a descriptor of the socket. Every set is followed by a read-back, because
 * what the kernel keeps is not always what was asked (Linux doubles SO_SNDBUF / SO_RCVBUF to
 * account for its bookkeeping overhead, and clamps them to [SOCK_MIN_*BUF, net.core.*mem_max]).
 * The lab shows both numbers, so the user sees that difference instead of being told about it.
 *
 * Reads fail loudly (SyscallError / UnavailableError); sets never throw and return the error in
 * the result, because a set is recorded in the trace whatever happened.
 */
import type net from 'node:net';
import { C, SyscallError, UnavailableError, libcOrThrow, loadLibc, type Libc } from './libc.js';

/**
 * The descriptor behind a Node socket or server, or undefined when it has none (not yet connected
 * or listening, already closed, or not a descriptor-backed handle, e.g. on Windows).
 *
 * Node does not expose descriptors publicly. `_handle` is the libuv-backed TCPWrap / PipeWrap and
 * its `fd` getter is uv_fileno(): stable for the life of the handle, -1 where there is none. It is
 * internal but has been unchanged since Node 0.x and is what `net.Socket({ fd })` round-trips with.
 * Do not keep the number past the socket's 'close': the kernel reuses descriptor numbers at once,
 * so a stale fd would silently address some other socket.
 */
export function fdOf(handleOwner: net.Socket | net.Server): number | undefined {
  const handle = (handleOwner as unknown as { _handle?: { fd?: unknown } | null })._handle;
  const fd = handle?.fd;
  return typeof fd === 'number' && Number.isInteger(fd) && fd >= 0 ? fd : undefined;
}

export interface Linger {
  on: boolean;
  seconds: number;
}

/** The options this module handles and the JS type of each one's value. */
export interface OptionTypes {
  SO_SNDBUF: number;
  SO_RCVBUF: number;
  SO_LINGER: Linger;
  SO_KEEPALIVE: boolean;
  SO_REUSEADDR: boolean;
  TCP_NODELAY: boolean;
  TCP_KEEPIDLE: number;
  TCP_KEEPINTVL: number;
  TCP_KEEPCNT: number;
}
export type OptionName = keyof OptionTypes;

/** One set, as the trace records it (`sockopt` event): what was asked and what the kernel kept. */
export interface SockoptResult<N extends OptionName = OptionName> {
  option: N;
  requested: OptionTypes[N];
  /** Read back after the set (also after a failed set: then it is the value still in force). */
  effective: OptionTypes[N] | null;
  /** "EINVAL (errno 22)" etc., or "unavailable: <reason>"; absent when the set succeeded. */
  error?: string;
}

type Kind = 'int' | 'bool' | 'linger';
const OPTIONS: { [N in OptionName]: { level: number; name: number; kind: Kind } } = {
  SO_SNDBUF: { level: C.SOL_SOCKET, name: C.SO_SNDBUF, kind: 'int' },
  SO_RCVBUF: { level: C.SOL_SOCKET, name: C.SO_RCVBUF, kind: 'int' },
  SO_LINGER: { level: C.SOL_SOCKET, name: C.SO_LINGER, kind: 'linger' },
  SO_KEEPALIVE: { level: C.SOL_SOCKET, name: C.SO_KEEPALIVE, kind: 'bool' },
  SO_REUSEADDR: { level: C.SOL_SOCKET, name: C.SO_REUSEADDR, kind: 'bool' },
  TCP_NODELAY: { level: C.IPPROTO_TCP, name: C.TCP_NODELAY, kind: 'bool' },
  TCP_KEEPIDLE: { level: C.IPPROTO_TCP, name: C.TCP_KEEPIDLE, kind: 'int' },
  TCP_KEEPINTVL: { level: C.IPPROTO_TCP, name: C.TCP_KEEPINTVL, kind: 'int' },
  TCP_KEEPCNT: { level: C.IPPROTO_TCP, name: C.TCP_KEEPCNT, kind: 'int' },
};

export const OPTION_NAMES = Object.keys(OPTIONS) as OptionName[];

// Scratch buffers reused by every call: calls are synchronous, so one set is enough.
const optBuf = Buffer.alloc(512);
const optLen = new Uint32Array(1);
const ioctlOut = new Int32Array(1);

/** Reads an option's current value. Throws SyscallError (EBADF, ENOTSOCK, ...) or UnavailableError. */
export function getOption<N extends OptionName>(fd: number, name: N): OptionTypes[N] {
  const libc = libcOrThrow();
  const spec = OPTIONS[name];
  optBuf.fill(0, 0, 8);
  optLen[0] = spec.kind === 'linger' ? 8 : 4;
  if (libc.getsockopt(fd, spec.level, spec.name, optBuf, optLen) !== 0) throw new SyscallError(`getsockopt(${name})`, libc.errno());
  return decode(spec.kind) as OptionTypes[N];
}

/**
 * Sets an option and reads back what the kernel kept. Never throws: a failure (invalid value,
 * errno from the kernel, no libc) is in `error`, and `effective` is then the value still in force
 * if it can be read, else null.
 */
export function setOption<N extends OptionName>(fd: number, name: N, value: OptionTypes[N]): SockoptResult<N> {
  const result: SockoptResult<N> = { option: name, requested: value, effective: null };
  const s = loadLibc();
  if (!s.ok) {
    result.error = `unavailable: ${s.reason}`;
    return result;
  }
  const spec = OPTIONS[name];
  const len = encode(spec.kind, value);
  if (typeof len === 'string') result.error = len;
  else if (s.libc.setsockopt(fd, spec.level, spec.name, optBuf, len) !== 0) result.error = new SyscallError(`setsockopt(${name})`, s.libc.errno()).message;
  try {
    result.effective = getOption(fd, name);
  } catch (e) {
    result.error ??= e instanceof Error ? e.message : String(e);
  }
  return result;
}

/** Writes `value` into optBuf; returns its length, or a message if the value is not representable. */
function encode(kind: Kind, value: unknown): number | string {
  const isInt32 = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n) && n >= -0x80000000 && n <= 0x7fffffff;
  switch (kind) {
    case 'int':
      if (!isInt32(value)) return `invalid value ${JSON.stringify(value)}: expected a 32-bit integer`;
      optBuf.writeInt32LE(value, 0);
      return 4;
    case 'bool':
      if (typeof value !== 'boolean') return `invalid value ${JSON.stringify(value)}: expected a boolean`;
      optBuf.writeInt32LE(value ? 1 : 0, 0);
      return 4;
    case 'linger': {
      const v = value as Partial<Linger> | null;
      if (!v || typeof v.on !== 'boolean' || !isInt32(v.seconds)) return `invalid value ${JSON.stringify(value)}: expected { on: boolean, seconds: integer }`;
      // struct linger { int l_onoff; int l_linger; }
      optBuf.writeInt32LE(v.on ? 1 : 0, 0);
      optBuf.writeInt32LE(v.seconds, 4);
      return 8;
    }
  }
}

function decode(kind: Kind): number | boolean | Linger {
  switch (kind) {
    case 'int':
      return optBuf.readInt32LE(0);
    case 'bool':
      return optBuf.readInt32LE(0) !== 0;
    case 'linger':
      return { on: optBuf.readInt32LE(0) !== 0, seconds: optBuf.readInt32LE(4) };
  }
}

// Typed shorthands (each is setOption / getOption with the name filled in).
export const setSndBuf = (fd: number, bytes: number) => setOption(fd, 'SO_SNDBUF', bytes);
export const setRcvBuf = (fd: number, bytes: number) => setOption(fd, 'SO_RCVBUF', bytes);
export const setLinger = (fd: number, linger: Linger) => setOption(fd, 'SO_LINGER', linger);
export const setNoDelay = (fd: number, on: boolean) => setOption(fd, 'TCP_NODELAY', on);
export const setKeepAlive = (fd: number, on: boolean) => setOption(fd, 'SO_KEEPALIVE', on);
export const setKeepIdle = (fd: number, seconds: number) => setOption(fd, 'TCP_KEEPIDLE', seconds);
export const setKeepIntvl = (fd: number, seconds: number) => setOption(fd, 'TCP_KEEPINTVL', seconds);
export const setKeepCnt = (fd: number, count: number) => setOption(fd, 'TCP_KEEPCNT', count);
export const setReuseAddr = (fd: number, on: boolean) => setOption(fd, 'SO_REUSEADDR', on);
export const getSndBuf = (fd: number) => getOption(fd, 'SO_SNDBUF');
export const getRcvBuf = (fd: number) => getOption(fd, 'SO_RCVBUF');
export const getLinger = (fd: number) => getOption(fd, 'SO_LINGER');
export const getNoDelay = (fd: number) => getOption(fd, 'TCP_NODELAY');
export const getKeepAlive = (fd: number) => getOption(fd, 'SO_KEEPALIVE');
export const getKeepIdle = (fd: number) => getOption(fd, 'TCP_KEEPIDLE');
export const getKeepIntvl = (fd: number) => getOption(fd, 'TCP_KEEPINTVL');
export const getKeepCnt = (fd: number) => getOption(fd, 'TCP_KEEPCNT');
export const getReuseAddr = (fd: number) => getOption(fd, 'SO_REUSEADDR');

// ---------------------------------------------------------------------------------------------
// Queue ioctls

function ioctlInt(libc: Libc, fd: number, request: number, what: string): number {
  ioctlOut[0] = 0;
  if (libc.ioctlInt(fd, request, ioctlOut) !== 0) throw new SyscallError(`ioctl(${what})`, libc.errno());
  return ioctlOut[0]!;
}

/** SIOCINQ: bytes received and not yet read by the program (EINVAL on a listening socket). */
export function ioctlInq(fd: number): number {
  return ioctlInt(libcOrThrow(), fd, C.SIOCINQ, 'SIOCINQ');
}

/** SIOCOUTQ: bytes in the send queue, unacknowledged plus unsent (write_seq - snd_una). */
export function ioctlOutq(fd: number): number {
  return ioctlInt(libcOrThrow(), fd, C.SIOCOUTQ, 'SIOCOUTQ');
}

/** SIOCOUTQNSD: the part of the send queue not sent yet (write_seq - snd_nxt). */
export function ioctlOutqNotSent(fd: number): number {
  return ioctlInt(libcOrThrow(), fd, C.SIOCOUTQNSD, 'SIOCOUTQNSD');
}

// ---------------------------------------------------------------------------------------------
// TCP_INFO

/** Linux TCP states by their kernel number (include/net/tcp_states.h), named without the TCP_ prefix. */
export const TCP_STATES = [
  'UNKNOWN', 'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE',
  'CLOSE_WAIT', 'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE',
] as const;
export type TcpStateName = (typeof TCP_STATES)[number];

export function tcpStateName(code: number): TcpStateName {
  return TCP_STATES[code] ?? 'UNKNOWN';
}

/** Congestion-avoidance states (tcpi_ca_state). */
export const CA_STATES = ['Open', 'Disorder', 'CWR', 'Recovery', 'Loss'] as const;

/**
 * struct tcp_info as the running kernel filled it. The struct grows over kernel versions and the
 * kernel copies min(asked, its own size): a field past `length` was not provided and is absent.
 * Units as in the kernel: times in microseconds (`...Us`) or milliseconds (`...Ms`).
 */
export interface TcpInfo {
  /** Bytes the kernel returned (248 on 6.7+ with total_rto_time; more on newer kernels). */
  length: number;
  state: TcpStateName;
  caState: string;
  retransmits: number;
  probes: number;
  backoff: number;
  options: number;
  sndWscale: number;
  rcvWscale: number;
  rtoUs: number;
  atoUs: number;
  sndMss: number;
  rcvMss: number;
  unacked: number;
  sacked: number;
  lost: number;
  retrans: number;
  lastDataSentMs: number;
  lastAckSentMs: number;
  lastDataRecvMs: number;
  lastAckRecvMs: number;
  pmtu: number;
  rcvSsthresh: number;
  rttUs: number;
  rttvarUs: number;
  sndSsthresh: number;
  sndCwnd: number;
  advmss: number;
  reordering: number;
  rcvRttUs: number;
  rcvSpace: number;
  totalRetrans: number;
  pacingRate?: number;
  maxPacingRate?: number;
  bytesAcked?: number;
  bytesReceived?: number;
  segsOut?: number;
  segsIn?: number;
  notsentBytes?: number;
  minRttUs?: number;
  dataSegsIn?: number;
  dataSegsOut?: number;
  deliveryRate?: number;
  busyTimeUs?: number;
  rwndLimitedUs?: number;
  sndbufLimitedUs?: number;
  delivered?: number;
  deliveredCe?: number;
  bytesSent?: number;
  bytesRetrans?: number;
  dsackDups?: number;
  reordSeen?: number;
  rcvOoopack?: number;
  /** Peer's advertised receive window after scaling (bytes). Linux >= 5.4. */
  sndWnd?: number;
  /** Our advertised receive window after scaling (bytes). Linux >= 6.2. */
  rcvWnd?: number;
  rehash?: number;
  totalRto?: number;
  totalRtoRecoveries?: number;
  totalRtoTimeMs?: number;
}

type U = 'u8' | 'u16' | 'u32' | 'u64';
/**
 * Offsets of struct tcp_info (include/uapi/linux/tcp.h), checked against /usr/include/linux/tcp.h
 * up to tcpi_snd_wnd and against the kernel's later additions (rcv_wnd, rehash: 6.2; total_rto*:
 * 6.7). The first 104 bytes have been in every kernel since 2.6; the rest are optional.
 */
const TCP_INFO_FIELDS: ReadonlyArray<readonly [keyof TcpInfo, number, U]> = [
  ['retransmits', 2, 'u8'], ['probes', 3, 'u8'], ['backoff', 4, 'u8'], ['options', 5, 'u8'],
  ['rtoUs', 8, 'u32'], ['atoUs', 12, 'u32'], ['sndMss', 16, 'u32'], ['rcvMss', 20, 'u32'],
  ['unacked', 24, 'u32'], ['sacked', 28, 'u32'], ['lost', 32, 'u32'], ['retrans', 36, 'u32'],
  // 40: tcpi_fackets, unused since 4.15
  ['lastDataSentMs', 44, 'u32'], ['lastAckSentMs', 48, 'u32'], ['lastDataRecvMs', 52, 'u32'], ['lastAckRecvMs', 56, 'u32'],
  ['pmtu', 60, 'u32'], ['rcvSsthresh', 64, 'u32'], ['rttUs', 68, 'u32'], ['rttvarUs', 72, 'u32'],
  ['sndSsthresh', 76, 'u32'], ['sndCwnd', 80, 'u32'], ['advmss', 84, 'u32'], ['reordering', 88, 'u32'],
  ['rcvRttUs', 92, 'u32'], ['rcvSpace', 96, 'u32'], ['totalRetrans', 100, 'u32'],
  ['pacingRate', 104, 'u64'], ['maxPacingRate', 112, 'u64'], ['bytesAcked', 120, 'u64'], ['bytesReceived', 128, 'u64'],
  ['segsOut', 136, 'u32'], ['segsIn', 140, 'u32'], ['notsentBytes', 144, 'u32'], ['minRttUs', 148, 'u32'],
  ['dataSegsIn', 152, 'u32'], ['dataSegsOut', 156, 'u32'], ['deliveryRate', 160, 'u64'],
  ['busyTimeUs', 168, 'u64'], ['rwndLimitedUs', 176, 'u64'], ['sndbufLimitedUs', 184, 'u64'],
  ['delivered', 192, 'u32'], ['deliveredCe', 196, 'u32'], ['bytesSent', 200, 'u64'], ['bytesRetrans', 208, 'u64'],
  ['dsackDups', 216, 'u32'], ['reordSeen', 220, 'u32'], ['rcvOoopack', 224, 'u32'], ['sndWnd', 228, 'u32'],
  ['rcvWnd', 232, 'u32'], ['rehash', 236, 'u32'], ['totalRto', 240, 'u16'], ['totalRtoRecoveries', 242, 'u16'],
  ['totalRtoTimeMs', 244, 'u32'],
];

/** The minimum the parser needs: everything up to tcpi_total_retrans (Linux 2.6). */
export const TCP_INFO_MIN = 104;

/**
 * Parses `length` bytes of struct tcp_info starting at `offset` in `buf` (a getsockopt result or an
 * INET_DIAG_INFO attribute). Fields the kernel did not provide are left out.
 */
export function parseTcpInfo(buf: Buffer, offset = 0, length = buf.length - offset): TcpInfo {
  if (length < TCP_INFO_MIN) throw new RangeError(`tcp_info too short: ${length} bytes`);
  const out: Record<string, number | string> = {
    length,
    state: tcpStateName(buf[offset]!),
    caState: CA_STATES[buf[offset + 1]!] ?? `ca${buf[offset + 1]}`,
    sndWscale: buf[offset + 6]! & 0x0f,
    rcvWscale: buf[offset + 6]! >> 4,
  };
  for (const [name, off, type] of TCP_INFO_FIELDS) {
    const size = type === 'u8' ? 1 : type === 'u16' ? 2 : type === 'u32' ? 4 : 8;
    if (off + size > length) continue;
    const at = offset + off;
    // u64 counters become numbers: exact up to 2^53 bytes; ~0 ("unlimited" pacing) rounds to 1.8e19.
    out[name] =
      type === 'u8' ? buf[at]! : type === 'u16' ? buf.readUInt16LE(at) : type === 'u32' ? buf.readUInt32LE(at) : Number(buf.readBigUInt64LE(at));
  }
  return out as unknown as TcpInfo;
}

const infoBuf = Buffer.alloc(512);
const infoLen = new Uint32Array(1);

/** getsockopt(TCP_INFO) on a TCP socket. Throws SyscallError or UnavailableError. */
export function readTcpInfo(fd: number): TcpInfo {
  const libc = libcOrThrow();
  infoLen[0] = infoBuf.length;
  if (libc.getsockopt(fd, C.IPPROTO_TCP, C.TCP_INFO, infoBuf, infoLen) !== 0) throw new SyscallError('getsockopt(TCP_INFO)', libc.errno());
  return parseTcpInfo(infoBuf, 0, infoLen[0]!);
}

export { SyscallError, UnavailableError };
