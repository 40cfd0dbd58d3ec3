import { z } from 'zod';
import { eventBase } from './common.js';

/**
 * Lines a person adds to a trace, not a program: a bookmark is a short note pinned to a moment
 * of the run ("look here: the window is zero"). It is saved inside the trace like any event, so
 * a shared trace carries its teacher's notes; replay lists them and 1–9 jump to them.
 * `actor` is "user" by convention.
 */
export const BookmarkEvent = z.object({
  ...eventBase,
  kind: z.literal('bookmark'),
  note: z.string().max(280),
});
export type BookmarkEvent = z.infer<typeof BookmarkEvent>;

export const userEvents = [BookmarkEvent] as const;
