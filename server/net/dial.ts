/**
 * A client socket with the kernel's SYN retry count set before connect() (TCP_SYNCNT).
 *
 * Why: when nothing answers a SYN, Linux retransmits it tcp_syn_retries times (6 by default:
 * after 1, 2, 4, 8, 16, 32 s) and only then fails connect() with ETIMEDOUT — about 127 s. To let
 * the kernel itself give up within seconds, the option must be set on the socket before it sends
 * its first SYN. Node creates a client's descriptor inside connect() and offers no hook between
 * the two, so this makes the socket through libc (socket + setsockopt) and hands the descriptor to
 * `new net.Socket({ fd })`; the program then calls `connect()` on it as usual. Everything after
 * that is ordinary Node.
 */
import net from 'node:net';
import { C, SyscallError, libcOrThrow } from '../kernel/libc.js';

const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
/** include/uapi/linux/tcp.h */
const TCP_SYNCNT = 7;

export interface SynCountSocket {
  socket: net.Socket;
  requested: number;
  /** What the kernel kept (read back), or null if it could not be read. */
  effective: number | null;
}

/** `family` 4 or 6. Throws (with the reason) where libc is unavailable. */
export function socketWithSynRetries(retries: number, family: 4 | 6 = 4): SynCountSocket {
  const libc = libcOrThrow();
  const fd = libc.socket(family === 6 ? C.AF_INET6 : C.AF_INET, SOCK_STREAM | SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SyscallError('socket', libc.errno());
  const v = Buffer.alloc(4);
  v.writeInt32LE(retries);
  if (libc.setsockopt(fd, C.IPPROTO_TCP, TCP_SYNCNT, v, 4) !== 0) {
    const errno = libc.errno();
    libc.close(fd);
    throw new SyscallError('setsockopt(TCP_SYNCNT)', errno);
  }
  const back = Buffer.alloc(4);
  const len = new Uint32Array([4]);
  const effective = libc.getsockopt(fd, C.IPPROTO_TCP, TCP_SYNCNT, back, len) === 0 ? back.readInt32LE(0) : null;
  return { socket: new net.Socket({ fd, readable: true, writable: true }), requested: retries, effective };
}

/** Seconds the kernel waits before ETIMEDOUT with `retries` SYN retransmissions (initial RTO 1 s, doubling). */
export function synGiveUpSeconds(retries: number): number {
  return 2 ** (retries + 1) - 1;
}
