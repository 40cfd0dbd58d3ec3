/**
 * Bookmarks live in the trace itself (kind "bookmark", actor "user"), so saving the trace saves
 * them and every view that reads the trace sees them.
 */
import type { TraceStore } from '../../shared/trace/store.js';
import { BookmarkEvent } from '../../shared/trace/user-events.js';

export const MAX_NOTE = 280;

export function addBookmark(store: TraceStore, t: number, note: string): BookmarkEvent {
  const e = BookmarkEvent.parse({ type: 'event', kind: 'bookmark', actor: 'user', t: Math.max(0, t), note: note.trim().slice(0, MAX_NOTE) });
  store.append([e]);
  return e;
}

/**
 * Removes a bookmark from the trace's time-ordered events. (The store's arrival-order list, if
 * it keeps one for incremental indexes, is append-only by design and keeps it; nothing that reads
 * it looks at bookmarks, and a saved trace is written from the time-ordered events.)
 */
export function removeBookmark(store: TraceStore, e: BookmarkEvent): void {
  const i = store.events.indexOf(e);
  if (i < 0) return;
  store.events.splice(i, 1);
  store.version++;
}
