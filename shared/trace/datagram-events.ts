import { z } from 'zod';
import { Address, SockId, eventBase } from './common.js';

/**
 * What a program did with a datagram (UDP) socket, reported by `watchDgram`
 * (server/actor/dgram-watch.ts). A datagram socket has no connection and no stream: each `send`
 * is one datagram handed to the kernel, each `message` one datagram a read returned, whole.
 * Errors and the close reuse the socket kinds (`error`, `close`) with the same `sock` id.
 */

const bytes = z.number().int().min(0);

/** The socket got its local address (bind(), explicit or implied by the first send). */
export const BindEvent = z.object({
  ...eventBase,
  kind: z.literal('bind'),
  sock: SockId,
  local: Address,
  /** 'udp4' or 'udp6', as Node's dgram.createSocket was asked. */
  proto: z.enum(['udp4', 'udp6']),
});

/**
 * connect() on a datagram socket: no handshake, nothing is sent. The kernel only remembers the
 * peer: send() needs no address any more, datagrams from anyone else are filtered out, and an
 * ICMP error from the peer (port unreachable) is reported to this socket (ECONNREFUSED).
 */
export const DgramConnectEvent = z.object({
  ...eventBase,
  kind: z.literal('dgram-connect'),
  sock: SockId,
  local: Address,
  remote: Address,
});

/**
 * send(): datagrams handed to the kernel, recorded when Node's send callback ran (the kernel took
 * them, or refused with `error`, e.g. EMSGSIZE). `calls` > 1 when consecutive successful sends of
 * the same size to the same peer were merged into one line (a max-speed sender); `bytes` is then
 * the total and `size` each datagram's size.
 */
export const SendEvent = z.object({
  ...eventBase,
  kind: z.literal('send'),
  sock: SockId,
  bytes,
  /** The destination (absent on a connected socket: the kernel's remembered peer). */
  to: Address.optional(),
  calls: z.number().int().min(1).optional(),
  size: bytes.optional(),
  /** Why the kernel refused the datagram (errno name); absent when it took it. */
  error: z.string().max(64).optional(),
  /** First bytes of the datagram, base64. */
  head: z.string().optional(),
});

/** 'message': datagrams the program received, each whole (`calls` > 1: merged like SendEvent). */
export const MessageEvent = z.object({
  ...eventBase,
  kind: z.literal('message'),
  sock: SockId,
  bytes,
  from: Address,
  calls: z.number().int().min(1).optional(),
  size: bytes.optional(),
  head: z.string().optional(),
});

export type BindEvent = z.infer<typeof BindEvent>;
export type SendEvent = z.infer<typeof SendEvent>;
export type MessageEvent = z.infer<typeof MessageEvent>;

export const datagramEvents = [BindEvent, DgramConnectEvent, SendEvent, MessageEvent] as const;
