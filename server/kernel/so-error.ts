/**
 * getsockopt(SO_ERROR): the error the kernel holds for a socket and has not reported yet.
 *
 * Why the lab needs it: Node (libuv) can turn a reset into a plain end of stream. When the last
 * read() returned less than asked and epoll says POLLHUP, libuv reports EOF without making the
 * read() that would have returned ECONNRESET (uv__stream_io, "short-circuit iff POLLHUP"). The
 * kernel still holds ECONNRESET in sk_err; reading SO_ERROR shows it. Reading it also clears it.
 */
import type net from 'node:net';
import { errnoName, loadLibc } from './libc.js';
import { fdOf } from './sockopt.js';

const SOL_SOCKET = 1;
const SO_ERROR = 4;

/** 'ECONNRESET', 'EPIPE', ... ; 'none' when the kernel holds no error; or why it cannot be read. */
export function pendingSocketError(socket: net.Socket): { code: string } | { unavailable: string } {
  const fd = fdOf(socket);
  if (fd === undefined) return { unavailable: 'the socket has no descriptor any more' };
  const s = loadLibc();
  if (!s.ok) return { unavailable: s.reason };
  const buf = Buffer.alloc(4);
  const len = new Uint32Array([4]);
  if (s.libc.getsockopt(fd, SOL_SOCKET, SO_ERROR, buf, len) !== 0) return { unavailable: `getsockopt(SO_ERROR): ${errnoName(s.libc.errno())}` };
  const errno = buf.readInt32LE(0);
  return { code: errno === 0 ? 'none' : errnoName(errno) };
}
