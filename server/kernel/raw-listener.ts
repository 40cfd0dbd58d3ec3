/**
 * A listening TCP socket that nobody accepts from: socket(), bind(), listen() through libc.
 *
 * Why: Go's `net.Listen` returns a listener and connections wait in the kernel's accept queue
 * until the program calls `Accept`. Node's `net.Server` has no such gap — libuv accepts every
 * connection the moment it is queued — so a Node program cannot show a full accept queue. The
 * backlog, dial-timeout and error experiments make the listening socket themselves (as a C
 * program would) and only later, if asked, hand the same descriptor to `net.Server.listen({ fd })`,
 * which starts accepting from the queue the kernel kept all along.
 *
 * Linux only (koffi + libc.so.6); `openRawListener` throws an Error saying why elsewhere.
 */
import { createRequire } from 'node:module';
import { C, SyscallError, libcOrThrow } from './libc.js';

const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;

interface ListenCalls {
  bind(fd: number, addr: Buffer, len: number): number;
  listen(fd: number, backlog: number): number;
  getsockname(fd: number, addr: Buffer, len: Uint32Array): number;
}

let calls: ListenCalls | undefined;

function bindCalls(): ListenCalls {
  if (calls) return calls;
  libcOrThrow(); // says why FFI is unavailable (not Linux, no koffi) before we try
  const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi').default;
  const lib = koffi.load('libc.so.6');
  const bind = lib.func('int bind(int fd, void *addr, uint32_t len)');
  const listen = lib.func('int listen(int fd, int backlog)');
  const getsockname = lib.func('int getsockname(int fd, void *addr, void *len)');
  calls = {
    bind: (fd, a, len) => bind(fd, a, len) as number,
    listen: (fd, b) => listen(fd, b) as number,
    getsockname: (fd, a, len) => getsockname(fd, a, len) as number,
  };
  return calls;
}

/** struct sockaddr_in / sockaddr_in6 for an IP literal (port in network byte order). */
function sockaddr(host: string, port: number): { family: number; buf: Buffer } {
  if (host.includes(':')) {
    const buf = Buffer.alloc(28);
    buf.writeUInt16LE(C.AF_INET6, 0);
    buf.writeUInt16BE(port, 2);
    ipv6Bytes(host).copy(buf, 8);
    return { family: C.AF_INET6, buf };
  }
  const parts = host.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new Error(`not an IPv4 address: ${host}`);
  const buf = Buffer.alloc(16);
  buf.writeUInt16LE(C.AF_INET, 0);
  buf.writeUInt16BE(port, 2);
  Buffer.from(parts).copy(buf, 4);
  return { family: C.AF_INET, buf };
}

function ipv6Bytes(host: string): Buffer {
  const [head, tail] = host.split('::') as [string, string | undefined];
  const groups = (s: string) => (s ? s.split(':').map((g) => parseInt(g, 16)) : []);
  const h = groups(head);
  const t = tail === undefined ? [] : groups(tail);
  const all = tail === undefined ? h : [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t];
  if (all.length !== 8 || all.some((g) => !Number.isInteger(g) || g < 0 || g > 0xffff)) throw new Error(`not an IPv6 address: ${host}`);
  const buf = Buffer.alloc(16);
  all.forEach((g, i) => buf.writeUInt16BE(g, 2 * i));
  return buf;
}

export interface RawListener {
  fd: number;
  host: string;
  port: number;
  backlog: number;
}

/**
 * socket() + bind() + listen(backlog): the kernel completes handshakes and queues up to
 * backlog + 1 connections; nothing accepts them. The descriptor is non-blocking and close-on-exec,
 * ready for `net.Server.listen({ fd })`.
 */
export function openRawListener(host: string, port: number, backlog: number): RawListener {
  return openRawSocket(host, port, backlog) as RawListener;
}

/**
 * socket() + bind() and no listen(): the port is taken (nobody else can listen on it) but no
 * one listens, so a SYN to it is answered with RST — "connection refused", deterministically.
 */
export function openBoundSocket(host: string, port = 0): { fd: number; host: string; port: number } {
  return openRawSocket(host, port, null);
}

function openRawSocket(host: string, port: number, backlog: number | null): { fd: number; host: string; port: number; backlog?: number } {
  const libc = libcOrThrow();
  const f = bindCalls();
  const { family, buf } = sockaddr(host, port);
  const fd = libc.socket(family, SOCK_STREAM | SOCK_NONBLOCK | C.SOCK_CLOEXEC, 0);
  if (fd < 0) throw new SyscallError('socket', libc.errno());
  const fail = (syscall: string): never => {
    const errno = libc.errno();
    libc.close(fd);
    throw new SyscallError(syscall, errno);
  };
  if (f.bind(fd, buf, buf.length) !== 0) fail('bind');
  if (backlog !== null && f.listen(fd, backlog) !== 0) fail('listen');
  const out = Buffer.alloc(28);
  const len = new Uint32Array([out.length]);
  if (f.getsockname(fd, out, len) !== 0) fail('getsockname');
  return { fd, host, port: out.readUInt16BE(2), ...(backlog !== null ? { backlog } : {}) };
}

/** Close a raw socket's descriptor (connections still queued are reset by the kernel). */
export function closeRawListener(l: { fd: number }): void {
  libcOrThrow().close(l.fd);
}
