import { z } from 'zod';
import { eventBase, SockId } from './common.js';

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

export const kernelEvents = [SockoptEvent] as const;
