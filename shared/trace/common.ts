import { z } from 'zod';

/** A socket address as the kernel reports it. */
export const Address = z.object({
  address: z.string().max(128),
  port: z.number().int().min(0).max(65535),
  family: z.enum(['IPv4', 'IPv6', 'unix']).optional(),
});
export type Address = z.infer<typeof Address>;

/**
 * Fields every event line carries. `t` is milliseconds since the run started on the monotonic
 * clock (fractional). `actor` is a role name ("server", "client"), or "lab" / "kernel" for lines
 * the lab itself writes.
 */
export const eventBase = {
  type: z.literal('event'),
  t: z.number().min(0),
  actor: z.string().min(1).max(64),
};

/** Identifies one socket inside one actor, e.g. "c1"; stable for the socket's life. */
export const SockId = z.string().min(1).max(64);
