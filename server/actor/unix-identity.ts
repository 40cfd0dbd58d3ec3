/**
 * How the runtime names a Unix domain socket. A Unix socket has no port: Node reports no local or
 * remote address for it (localAddress is undefined), and the kernel's view (unix_diag, ss -x)
 * names each socket by its inode. So for a Unix socket the runtime adds the inode — fstat(2) of the
 * socket's descriptor — to its listen / connect / accept events, and the kernel view matches the
 * program's socket with the kernel's by that number. For any other socket this returns nothing.
 */
import { fstatSync } from 'node:fs';
import type net from 'node:net';
import { fdOf } from '../kernel/sockopt.js';

/** True for a socket or server on a Unix domain socket (libuv's Pipe handle). */
export function isUnix(s: net.Socket | net.Server): boolean {
  const handle = (s as unknown as { _handle?: { constructor?: { name?: string } } | null })._handle;
  return handle?.constructor?.name === 'Pipe';
}

/** The socket's inode, for a Unix socket whose descriptor is open; undefined otherwise. */
export function unixInode(s: net.Socket | net.Server): number | undefined {
  if (!isUnix(s)) return undefined;
  const fd = fdOf(s);
  if (fd === undefined) return undefined;
  try {
    return fstatSync(fd).ino;
  } catch {
    return undefined; // closed in between: the event goes without it
  }
}

/**
 * Fields for a Unix socket's connect / accept event: the inode, and addresses marked `unix`
 * (`path` is the listener's, for an accepted socket: the kernel gives it the listener's name).
 */
export function unixEventFields(s: net.Socket, path?: string): Record<string, unknown> {
  const inode = unixInode(s);
  if (inode === undefined) return {};
  return {
    inode,
    local: { address: path ?? '', port: 0, family: 'unix' },
    remote: { address: '', port: 0, family: 'unix' },
  };
}
