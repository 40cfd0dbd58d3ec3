/**
 * The few libc calls the Kernel view needs that Node does not expose, bound through koffi (FFI).
 *
 * Why FFI at all: Node gives no access to SO_LINGER with a timeout, SO_SNDBUF / SO_RCVBUF on TCP,
 * TCP_INFO, SIOCINQ / SIOCOUTQ, or AF_NETLINK sockets. koffi ships prebuilt binaries inside its
 * npm packages, so nothing is compiled at install time.
 *
 * Why lazy: importing this module must never throw. On macOS / Windows, or if koffi or libc.so.6
 * cannot be loaded, `loadLibc()` returns `{ ok: false, reason }` and every caller reports that
 * reason in place of a value (the lab says what it cannot know; it never makes a number up).
 *
 * All calls are synchronous and cheap (a syscall each); none of them may block. The only socket
 * this module creates is the caller's netlink socket, which the observer reads with MSG_DONTWAIT.
 */
import { createRequire } from 'node:module';
import { endianness } from 'node:os';

/** Constants from the Linux UAPI headers for the "generic" socket ABI (x86, arm, riscv, ...). */
export const C = {
  AF_INET: 2,
  AF_INET6: 10,
  AF_NETLINK: 16,
  SOCK_DGRAM: 2,
  SOCK_RAW: 3,
  SOCK_CLOEXEC: 0o2000000,
  NETLINK_SOCK_DIAG: 4,

  SOL_SOCKET: 1,
  SO_REUSEADDR: 2,
  SO_SNDBUF: 7,
  SO_RCVBUF: 8,
  SO_KEEPALIVE: 9,
  SO_LINGER: 13,

  IPPROTO_TCP: 6,
  TCP_NODELAY: 1,
  TCP_KEEPIDLE: 4,
  TCP_KEEPINTVL: 5,
  TCP_KEEPCNT: 6,
  TCP_INFO: 11,

  /** SIOCINQ = FIONREAD: bytes in the receive queue not yet read by the program. */
  SIOCINQ: 0x541b,
  /** SIOCOUTQ = TIOCOUTQ: bytes in the send queue, sent but unacknowledged plus not yet sent. */
  SIOCOUTQ: 0x5411,
  /** SIOCOUTQNSD: bytes in the send queue not yet sent (the part the peer's window holds back). */
  SIOCOUTQNSD: 0x894b,

  MSG_DONTWAIT: 0x40,
} as const;

export interface Libc {
  socket(domain: number, type: number, protocol: number): number;
  close(fd: number): number;
  setsockopt(fd: number, level: number, name: number, value: Buffer, len: number): number;
  /** `len` is in/out: the buffer's size on the way in, what the kernel wrote on the way out. */
  getsockopt(fd: number, level: number, name: number, value: Buffer, len: Uint32Array): number;
  /** ioctl(fd, request, int *out): the form SIOCINQ / SIOCOUTQ use. */
  ioctlInt(fd: number, request: number, out: Int32Array): number;
  send(fd: number, buf: Buffer, len: number, flags: number): number;
  recv(fd: number, buf: Buffer, len: number, flags: number): number;
  /** errno of the last call made through this binding (read it right after the call). */
  errno(): number;
}

export type LibcStatus = { ok: true; libc: Libc } | { ok: false; reason: string };

/** A failed libc call, carrying errno and its name (EBADF, ENOPROTOOPT, ...). */
export class SyscallError extends Error {
  constructor(
    readonly syscall: string,
    readonly errno: number,
    readonly code: string = errnoName(errno),
  ) {
    super(`${syscall}: ${code} (errno ${errno})`);
    this.name = 'SyscallError';
  }
}

/** The platform or binding cannot do it at all; `reason` says why ("not Linux", ...). */
export class UnavailableError extends Error {
  readonly code = 'UNAVAILABLE';
  constructor(readonly reason: string) {
    super(`unavailable: ${reason}`);
    this.name = 'UnavailableError';
  }
}

let status: LibcStatus | undefined;
let errnoNames: Map<number, string> | undefined;

/** Architectures whose socket constants differ from the generic ones above (SOL_SOCKET etc.). */
const OTHER_ABI = new Set(['mips', 'mipsel', 'mips64', 'mips64el', 'sparc', 'sparc64', 'alpha', 'parisc']);

/** Loads koffi and libc once; later calls return the same answer. Never throws. */
export function loadLibc(): LibcStatus {
  if (status) return status;
  status = load();
  return status;
}

/** The binding, or an UnavailableError with the reason. */
export function libcOrThrow(): Libc {
  const s = loadLibc();
  if (!s.ok) throw new UnavailableError(s.reason);
  return s.libc;
}

export function errnoName(errno: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    const k = loadKoffi();
    if (k) for (const [name, n] of Object.entries(k.os.errno)) if (!errnoNames.has(n)) errnoNames.set(n, name);
  }
  return errnoNames.get(errno) ?? `errno ${errno}`;
}

type Koffi = typeof import('koffi').default;

let koffiModule: Koffi | null | undefined;
let koffiError = '';

function loadKoffi(): Koffi | null {
  if (koffiModule !== undefined) return koffiModule;
  try {
    // createRequire keeps the import of this module itself free of a hard dependency on koffi.
    const req = createRequire(import.meta.url);
    koffiModule = req('koffi') as Koffi;
  } catch (e) {
    koffiModule = null;
    koffiError = e instanceof Error ? e.message.split('\n')[0] ?? String(e) : String(e);
  }
  return koffiModule;
}

function load(): LibcStatus {
  if (process.platform !== 'linux') return { ok: false, reason: `not Linux (platform ${process.platform})` };
  if (OTHER_ABI.has(process.arch)) return { ok: false, reason: `socket constants not mapped for ${process.arch}` };
  // Structs are read and written little-endian throughout (Buffer.readUInt32LE etc.).
  if (endianness() !== 'LE') return { ok: false, reason: 'big-endian host: struct parsing assumes little-endian' };
  const koffi = loadKoffi();
  if (!koffi) return { ok: false, reason: `koffi could not be loaded: ${koffiError}` };
  try {
    const lib = koffi.load('libc.so.6');
    // Buffers and typed arrays passed as `void *` are handed to C as pointers to their own memory
    // (no copy), so the kernel writes straight into them.
    const socket = lib.func('int socket(int domain, int type, int protocol)');
    const close = lib.func('int close(int fd)');
    const setsockopt = lib.func('int setsockopt(int fd, int level, int name, void *val, uint32_t len)');
    const getsockopt = lib.func('int getsockopt(int fd, int level, int name, void *val, void *len)');
    // ioctl is variadic in libc; declaring it so keeps the call correct on every ABI koffi supports.
    const ioctl = lib.func('int ioctl(int fd, unsigned long request, ...)');
    const send = lib.func('intptr_t send(int fd, void *buf, size_t len, int flags)');
    const recv = lib.func('intptr_t recv(int fd, void *buf, size_t len, int flags)');
    const libc: Libc = {
      socket: (d, t, p) => socket(d, t, p) as number,
      close: (fd) => close(fd) as number,
      setsockopt: (fd, l, n, v, len) => setsockopt(fd, l, n, v, len) as number,
      getsockopt: (fd, l, n, v, len) => getsockopt(fd, l, n, v, len) as number,
      ioctlInt: (fd, req, out) => ioctl(fd, req, 'int *', out) as number,
      send: (fd, b, len, f) => Number(send(fd, b, len, f)),
      recv: (fd, b, len, f) => Number(recv(fd, b, len, f)),
      errno: () => koffi.errno(),
    };
    return { ok: true, libc };
  } catch (e) {
    return { ok: false, reason: `libc.so.6 could not be bound: ${e instanceof Error ? e.message : String(e)}` };
  }
}
