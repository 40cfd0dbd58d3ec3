import { z } from 'zod';

/** SO_SNDBUF / SO_RCVBUF as a parameter: bytes to ask the kernel for, or 'auto' (leave it to autotuning). */
export function bufferParam(def: number | 'auto', help: string) {
  return z.union([z.literal('auto'), z.number().int().min(1).max(64 * 1024 * 1024)]).default(def).describe(help);
}

export const portParam = () => z.number().int().min(0).max(65535).default(0).describe('Reader’s port (0 = any free port; the lab’s --port sets it)');
