/**
 * Small helpers the flow-control actors share (slow-reader, buffer-sizes, write-deadline): buffer
 * size parameters, byte formatting, and the kernel figures an actor may print about its own
 * socket. Not an experiment: it has no index.ts and is not registered.
 */
import type net from 'node:net';
import { C, SyscallError, loadLibc } from '../../kernel/libc.js';
import { fdOf, getOption, ioctlInq, ioctlOutq, readTcpInfo } from '../../kernel/sockopt.js';

/** A socket buffer size parameter: bytes, or 'auto' (do not set it: the kernel autotunes). */
export type BufferSize = number | 'auto';

/**
 * Reads a buffer-size parameter as it arrives from the lab (a number or 'auto') or from the
 * command line (text). Throws on anything else so a typo is not silently "auto".
 */
export function parseBufferSize(v: unknown, name: string): BufferSize {
  if (v === 'auto') return 'auto';
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive number of bytes or "auto", got ${JSON.stringify(v)}`);
  return n;
}

/** parseBufferSize for a program's own arguments: a bad one is a clear message and exit 2, not a stack trace. */
export function bufferSizeArg(v: unknown, name: string): BufferSize {
  try {
    return parseBufferSize(v, name);
  } catch (e) {
    console.error((e as Error).message);
    process.exit(2);
  }
}

/** "12,345 B" / "1.5 MiB": exact below 64 KiB, where the classroom numbers live. */
export function fmtBytes(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (Math.abs(n) < 65536) return `${n.toLocaleString('en-US')} B`;
  if (Math.abs(n) < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1048576).toFixed(2)} MiB`;
}

export function fmtRate(bytesPerSecond: number): string {
  if (bytesPerSecond >= 1e6) return `${(bytesPerSecond / 1e6).toFixed(1)} MB/s`;
  if (bytesPerSecond >= 1e3) return `${(bytesPerSecond / 1e3).toFixed(1)} kB/s`;
  return `${Math.round(bytesPerSecond)} B/s`;
}

/** A figure read from the kernel, or why it could not be read (never a guess). */
export type Kernel<T> = { ok: true; value: T } | { ok: false; reason: string };

function ask<T>(sock: net.Socket | net.Server, f: (fd: number) => T): Kernel<T> {
  const fd = fdOf(sock);
  if (fd === undefined) return { ok: false, reason: 'no descriptor (closed?)' };
  try {
    return { ok: true, value: f(fd) };
  } catch (e) {
    return { ok: false, reason: e instanceof Error ? e.message : String(e) };
  }
}

/** SIOCINQ: bytes the kernel holds for this socket that no read() has taken yet. */
export const kernelRecvQueue = (s: net.Socket) => ask(s, ioctlInq);
/** SIOCOUTQ: bytes the kernel took from write() and the peer has not acknowledged. */
export const kernelSendQueue = (s: net.Socket) => ask(s, ioctlOutq);
/** SO_RCVBUF / SO_SNDBUF as the kernel has them now (autotuning moves them while data flows). */
export const kernelRcvBuf = (s: net.Socket | net.Server) => ask(s, (fd) => getOption(fd, 'SO_RCVBUF'));
export const kernelSndBuf = (s: net.Socket | net.Server) => ask(s, (fd) => getOption(fd, 'SO_SNDBUF'));

/** The writer's view from TCP_INFO: the peer's advertised window and what the kernel took in all. */
export const writerTcpInfo = (s: net.Socket) =>
  ask(s, (fd) => {
    const ti = readTcpInfo(fd);
    return { sndWnd: ti.sndWnd, bytesAcked: ti.bytesAcked, probes: ti.probes, backoff: ti.backoff };
  });

/** "6,144 B" or "unknown (reason)". */
export function show(k: Kernel<number | undefined>): string {
  if (!k.ok) return `unknown (${k.reason})`;
  return k.value === undefined ? 'unknown (not reported by this kernel)' : fmtBytes(k.value);
}

const recvBuf = Buffer.alloc(65536);
const EAGAIN = 11;

/**
 * recv(2) straight from the kernel, at most `max` bytes, without waiting: what Go's
 * conn.Read(buf) does once data is there. Only for a socket Node itself does not read (accepted
 * with pauseOnConnect and never resumed), or Node and this would steal bytes from each other.
 * Returns the bytes, 'empty' (nothing queued now), 'eof', or why it could not read.
 */
export function recvDirect(sock: net.Socket, max: number): Kernel<Buffer | 'empty' | 'eof'> {
  const s = loadLibc();
  if (!s.ok) return { ok: false, reason: s.reason };
  const fd = fdOf(sock);
  if (fd === undefined) return { ok: false, reason: 'no descriptor (closed?)' };
  const n = s.libc.recv(fd, recvBuf, Math.min(max, recvBuf.length), C.MSG_DONTWAIT);
  if (n > 0) return { ok: true, value: Buffer.from(recvBuf.subarray(0, n)) };
  if (n === 0) return { ok: true, value: 'eof' };
  const errno = s.libc.errno();
  if (errno === EAGAIN) return { ok: true, value: 'empty' };
  return { ok: false, reason: new SyscallError('recv', errno).message };
}
