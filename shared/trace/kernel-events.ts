import { z } from 'zod';
import { Address, eventBase, SockId } from './common.js';

/**
 * What the kernel holds. Owned by the Kernel view work: socket options as asked and as
 * effective, kernel samples from the observer, and captured segments.
 */
export const SockoptEvent = z.object({
  ...eventBase,
  kind: z.literal('sockopt'),
  sock: SockId,
  option: z.string(),
  requested: z.unknown(),
  effective: z.unknown(),
  error: z.string().optional(),
});

const count = z.number().int().min(0);

/**
 * Linux TCP states (include/net/tcp_states.h without the TCP_ prefix), plus GONE: the socket was
 * in the previous sample and is in none now (fully closed and freed, TIME_WAIT expired, reset).
 */
export const KernelSocketState = z.enum([
  'ESTABLISHED', 'SYN_SENT', 'SYN_RECV', 'FIN_WAIT1', 'FIN_WAIT2', 'TIME_WAIT', 'CLOSE', 'CLOSE_WAIT',
  'LAST_ACK', 'LISTEN', 'CLOSING', 'NEW_SYN_RECV', 'BOUND_INACTIVE', 'UNKNOWN', 'GONE',
]);
export type KernelSocketState = z.infer<typeof KernelSocketState>;

/**
 * A running socket timer as the kernel reports it (inet_diag idiag_timer; ss "timer:(...)"):
 * `on` retransmission / loss probe (also SYN-ACK retransmit of a half-open connection),
 * `persist` zero-window probe, `keepalive` the socket timer (keepalive, and also the FIN_WAIT2
 * timeout of an orphaned socket), `timewait` the TIME_WAIT lifetime.
 */
export const KernelTimer = z.object({
  name: z.enum(['on', 'keepalive', 'timewait', 'persist', 'unknown']),
  /** Milliseconds until it fires, at the time of the sample (ss rounds this: see docs). */
  expiresMs: count,
  /** Retransmissions (`on`) or unanswered probes (`persist`, `keepalive`) so far. */
  retrans: count,
});

/** sk_meminfo, bytes (ss "skmem:(r,rb,t,tb,f,w,o,bl,d)"); memory is counted with skb overhead. */
export const SkMem = z.object({
  /** r: receive queue memory, charged against rcvbuf. */
  rmemAlloc: count,
  /** rb: receive buffer limit (SO_RCVBUF as effective, or autotuned). */
  rcvbuf: count,
  /** t: memory of segments handed to the device and not yet freed. */
  wmemAlloc: count,
  /** tb: send buffer limit (SO_SNDBUF as effective, or autotuned). */
  sndbuf: count,
  /** f: memory reserved but not yet used. */
  fwdAlloc: count,
  /** w: send queue memory (sent-unacked plus unsent), charged against sndbuf. */
  wmemQueued: count,
  optmem: count,
  /** bl: packets waiting in the socket backlog while the socket was locked. */
  backlog: count,
  /** d: packets dropped. */
  drops: count,
});

/**
 * One socket of the run as the kernel observer saw it at time `t` (actor "kernel"). Written when
 * the socket first appears, whenever anything below changes (a timer counting down is not a
 * change; a timer restarted is), and once with state GONE when it disappears.
 *
 * A number the observer could not learn is absent, never guessed (for instance the `ss` method
 * cannot see rcv_wnd with iproute2 < 6.7, and TIME_WAIT sockets have no tcp_info at all).
 */
export const SampleEvent = z.object({
  ...eventBase,
  kind: z.literal('sample'),
  /**
   * Stable per socket: "127.0.0.1:41000>127.0.0.1:7878" (local>remote; IPv6 in brackets). A Unix
   * socket has no ports: its key is its inode, "unix:187187" (kernel-view.ts unixKey).
   */
  key: z.string().min(1).max(128),
  /**
   * The protocol, when not TCP (absent = TCP, as in traces written before UDP and Unix sockets
   * were observed). UDP and Unix sockets use the same state names: an unconnected one is CLOSE
   * (ss prints UNCONN), a connected one ESTABLISHED, a Unix listener LISTEN.
   */
  proto: z.enum(['udp', 'unix']).optional(),
  /** Unix sockets: the inode of the socket at the other end (0: none), as unix_diag reports it. */
  peerInode: count.optional(),
  /** The kernel's socket cookie in hex (ss -e "sk:"); kept through TIME_WAIT. */
  cookie: z.string().max(32).optional(),
  local: Address,
  remote: Address,
  state: KernelSocketState,
  /** As ss prints them: bytes not yet read / not yet acknowledged; for LISTEN see acceptQ. */
  recvQ: count.optional(),
  sendQ: count.optional(),
  /** LISTEN only: connections waiting for accept(), and the backlog limit. */
  acceptQ: count.optional(),
  acceptMax: count.optional(),
  /** 0 = no open file holds it: closed by its program (orphan), or not accept()ed yet. */
  inode: count.optional(),
  uid: count.optional(),
  /** shutdown() seen by the socket: read side (FIN received or SHUT_RD), write side (FIN queued). */
  shutdown: z.object({ read: z.boolean(), write: z.boolean() }).optional(),
  timer: KernelTimer.optional(),
  skmem: SkMem.optional(),
  // From tcp_info (absent for TIME_WAIT and half-open sockets, which have none).
  /** The peer's advertised receive window (bytes, scaled): 0 = zero window. Linux >= 5.4. */
  sndWnd: count.optional(),
  /** The window this socket advertises (bytes, scaled). Linux >= 6.2. */
  rcvWnd: count.optional(),
  /** Zero-window / keepalive probes sent without an answer (tcpi_probes). */
  probes: count.optional(),
  /** Exponential backoff of the retransmit / probe timer (tcpi_backoff). */
  backoff: count.optional(),
  /** Consecutive retransmissions of the current segment (tcpi_retransmits). */
  retransmits: count.optional(),
  totalRetrans: count.optional(),
  rtoUs: count.optional(),
  rttUs: count.optional(),
  rttvarUs: count.optional(),
  sndMss: count.optional(),
  rcvMss: count.optional(),
  cwnd: count.optional(),
  caState: z.string().max(16).optional(),
  /** Bytes sent and not yet acknowledged is sendQ - notsent; unacked counts segments. */
  unacked: count.optional(),
  /** Bytes in the send queue not yet sent (held back by the peer's window or cwnd). */
  notsent: count.optional(),
  bytesSent: count.optional(),
  bytesAcked: count.optional(),
  bytesReceived: count.optional(),
});
export type SampleEvent = z.infer<typeof SampleEvent>;

/**
 * The Node side of one socket, reported by the actor's runtime (actor = the role): what sits in
 * Node's own buffers on top of what the kernel holds. Written every few tens of milliseconds while
 * something changes, and once more when the socket closes. Totals count from lab.watch().
 */
export const NodeStateEvent = z.object({
  ...eventBase,
  kind: z.literal('nodestate'),
  sock: SockId,
  /** Bytes queued inside Node (its write buffer, plus a write libuv has not finished): writableLength. */
  writableLength: count,
  writableHighWaterMark: count,
  /** Bytes Node has handed to the kernel: socket.bytesWritten minus writableLength. */
  toKernel: count,
  /** Bytes read from the kernel into Node's receive buffer and not yet given to the program. */
  readableLength: count,
  readableHighWaterMark: count,
  /** Bytes Node has read from the kernel (socket.bytesRead). */
  bytesRead: count,
  /** Bytes the program has been given ('data' / read()): bytesRead minus readableLength. */
  delivered: count,
  /** readableFlowing: null = nobody consumes yet, false = paused, true = flowing. */
  flowing: z.boolean().nullable(),
  /** write() calls that returned false (backpressure). */
  writeFalse: count,
  /** Milliseconds spent waiting for 'drain' in completed waits. */
  drainWaitMs: z.number().min(0),
  /** A write() returned false and 'drain' has not fired yet. */
  waiting: z.boolean(),
});
export type NodeStateEvent = z.infer<typeof NodeStateEvent>;

export const kernelEvents = [SockoptEvent, SampleEvent, NodeStateEvent] as const;
