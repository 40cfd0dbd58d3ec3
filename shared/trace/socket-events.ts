import { z } from 'zod';
import { Address, SockId, eventBase } from './common.js';

/** What the program did with its sockets, and what the calls returned. */
const sock = { sock: SockId };
/**
 * Unix sockets only: the socket's inode. A Unix socket has no port; the kernel (unix_diag, ss -x)
 * names it by inode, so this is how a program's socket is matched with the kernel's view of it.
 */
const inode = { inode: z.number().int().min(0).optional() };

export const ListenEvent = z.object({ ...eventBase, kind: z.literal('listen'), ...sock, local: Address, backlog: z.number().int().optional(), ...inode });
export const AcceptEvent = z.object({ ...eventBase, kind: z.literal('accept'), ...sock, local: Address, remote: Address, listener: SockId.optional(), ...inode });
/** connect() was called (`connecting`) and completed (`connect`). */
export const ConnectingEvent = z.object({ ...eventBase, kind: z.literal('connecting'), ...sock, remote: Address });
export const ConnectEvent = z.object({ ...eventBase, kind: z.literal('connect'), ...sock, local: Address, remote: Address, ...inode });
/**
 * write(): `bytes` handed over, `ok` is write()'s return value (false = backpressure),
 * `queued` is Node's writableLength after the call. `calls` > 1 when consecutive writes with
 * the same result were coalesced into one line (all true; or all false, made while the program
 * was already waiting for 'drain': it ignores backpressure). The first false is always alone.
 */
export const WriteEvent = z.object({
  ...eventBase, kind: z.literal('write'), ...sock,
  bytes: z.number().int().min(0),
  ok: z.boolean(),
  queued: z.number().int().min(0),
  calls: z.number().int().min(1).optional(),
  /** First bytes of what was written, base64, for byte-level views. */
  head: z.string().optional(),
});
/** 'drain' fired: the writer may write again after waiting `waitedMs` since write() returned false. */
export const DrainEvent = z.object({ ...eventBase, kind: z.literal('drain'), ...sock, waitedMs: z.number().min(0) });
/** The program received `bytes` (one 'data' event / read()). `head` is base64 of the first bytes. */
export const DataEvent = z.object({
  ...eventBase, kind: z.literal('data'), ...sock,
  bytes: z.number().int().min(0),
  head: z.string().optional(),
  calls: z.number().int().min(1).optional(),
});
/** The program called end() (FIN after the queue), the peer's FIN arrived (eof), or destroy(). */
export const EndEvent = z.object({ ...eventBase, kind: z.literal('end'), ...sock });
export const EofEvent = z.object({ ...eventBase, kind: z.literal('eof'), ...sock });
export const DestroyEvent = z.object({ ...eventBase, kind: z.literal('destroy'), ...sock, queued: z.number().int().min(0).optional() });
/** The socket is closed for the program. `blockedMs` is how long a blocking close call took, if any. */
export const CloseEvent = z.object({ ...eventBase, kind: z.literal('close'), ...sock, hadError: z.boolean().optional(), blockedMs: z.number().min(0).optional() });
export const ErrorEvent = z.object({
  ...eventBase, kind: z.literal('error'), sock: SockId.optional(),
  code: z.string().max(64),
  message: z.string().max(2000),
  syscall: z.string().max(64).optional(),
});

export const socketEvents = [ListenEvent, AcceptEvent, ConnectingEvent, ConnectEvent, WriteEvent, DrainEvent, DataEvent, EndEvent, EofEvent, DestroyEvent, CloseEvent, ErrorEvent] as const;
