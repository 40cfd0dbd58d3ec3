import { z } from 'zod';
import { Address, eventBase } from './common.js';

/**
 * Captured TCP segments (actor "wire"), written by the packet-capture run plugin
 * (server/run/capture-plugin.ts) when the lab may capture on the loopback interface. Each line is
 * one segment as tcpdump saw it; `t` is when the kernel timestamped it, on the run's clock.
 */
export const TcpFlag = z.enum(['SYN', 'ACK', 'FIN', 'RST', 'PSH', 'URG', 'ECE', 'CWR']);
export type TcpFlag = z.infer<typeof TcpFlag>;

/**
 * What a segment means beyond its flags, inferred from the segments before it on the same
 * connection (see server/capture/tcp-flows.ts for the rules):
 * - `window 0`: it advertises a zero receive window (the sender's buffer is full);
 * - `window update`: a pure ACK that only opens the window (after a smaller, usually zero, one);
 * - `window probe`: a zero-window probe (the peer's window is 0; one byte, or the kernel's
 *   empty segment one byte below the peer's last ACK);
 * - `keepalive`: an empty segment one byte below the peer's last ACK while the window is open;
 * - `retransmission`: it carries bytes (or a SYN/FIN) already sent;
 * - `dup ack`: a pure ACK repeating the last ACK and window while the peer has data in flight.
 */
export const PacketLabel = z.enum(['window 0', 'window update', 'window probe', 'keepalive', 'retransmission', 'dup ack']);
export type PacketLabel = z.infer<typeof PacketLabel>;

const u32 = z.number().int().min(0).max(0xffffffff);

export const PacketEvent = z.object({
  ...eventBase,
  kind: z.literal('packet'),
  src: Address,
  dst: Address,
  flags: z.array(TcpFlag).max(8),
  /** Sequence number relative to the sender's initial one (the SYN is 0, the first data byte 1). */
  seq: u32,
  /** Acknowledgment number relative to the receiver's initial sequence number (with ACK only). */
  ack: u32.optional(),
  /** False when the connection's SYN was not captured: seq / ack count from the first segment seen. */
  fromSyn: z.boolean(),
  /** The raw 16-bit window field. */
  win: z.number().int().min(0).max(0xffff),
  /** The advertised window in bytes (win << scale), when both SYNs were seen; SYNs are never scaled. */
  window: z.number().int().min(0).optional(),
  /** Payload bytes. */
  len: z.number().int().min(0),
  /** Options of a SYN: maximum segment size and window scale. */
  mss: z.number().int().min(0).max(0xffff).optional(),
  wscale: z.number().int().min(0).max(14).optional(),
  labels: z.array(PacketLabel).max(6).default([]),
  /**
   * Present (≥ 2) when this event summarises that many consecutive segments of one direction
   * that were all plain data, or all plain ACKs (no SYN/FIN/RST/URG, no label), captured at a
   * high rate (server/capture/coalesce.ts). Then `len` is their payload total, `seq` the first
   * one's, `ack`/`win`/`window` the last one's, and `t` the first one's time.
   */
  count: z.number().int().min(2).optional(),
  /** With `count`: microseconds from the first summarised segment to the last. */
  spanUs: z.number().min(0).optional(),
});
export type PacketEvent = z.infer<typeof PacketEvent>;

export const captureEvents = [PacketEvent] as const;

/** "SYN", "FIN, ACK", "RST" ... as a ladder arrow label: the flags that matter first. */
export function packetFlagsText(p: Pick<PacketEvent, 'flags'>): string {
  const order: TcpFlag[] = ['SYN', 'FIN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR'];
  return order.filter((f) => p.flags.includes(f)).join(' ');
}

/** One line for the event list and the ladder: "FIN ACK seq 1048577 ack 1 win 65483 len 0 · window 0". */
export function describePacket(p: Omit<PacketEvent, 'type' | 't' | 'actor' | 'kind'>): string {
  const parts = [`${p.src.port} → ${p.dst.port}`, packetFlagsText(p), `seq ${p.seq}`];
  if (p.ack !== undefined) parts.push(`ack ${p.ack}`);
  parts.push(`win ${p.window ?? p.win}`);
  if (p.len > 0) parts.push(`len ${p.len}`);
  if (p.mss !== undefined) parts.push(`mss ${p.mss}`);
  if (p.wscale !== undefined) parts.push(`wscale ${p.wscale}`);
  if (p.count !== undefined) parts.push(`×${p.count} segments`);
  return parts.join(' ') + (p.labels.length ? ` · ${p.labels.join(', ')}` : '');
}
