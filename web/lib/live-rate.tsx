/**
 * Heavy views (ladder, event list, kernel panels, observations) at a lower rate while following a
 * live run. The app re-renders once per animation frame when a trace batch arrives; the panes need
 * that (they print text as it comes), but a 600-row ladder or a chart redrawn 60 times a second
 * costs more than a frame at a few thousand events/s. While the cursor follows live (Infinity), a
 * gated subtree re-renders at most every `LIVE_VIEW_MS`, always on the newest trace, and once more
 * after the last change (a timer), so it never stays behind. Pinned or replaying, it re-renders
 * with every render of its parent, as before: what it shows at a cursor is exact.
 * It stays a function of (store, cursor): only how often it is asked changes.
 */
import { memo, useEffect, useRef, useState, type ReactNode } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';

/** 10 Hz: the eye reads a scrolling ladder no faster, and it leaves most of each second to the panes. */
export const LIVE_VIEW_MS = 100;

/**
 * A number that changes when a gated subtree should re-render: on every render unless following
 * live; following, at once when the store or `key` (what else the subtree shows: the experiment)
 * changed, and when the trace changed and the last change shown is `intervalMs` old.
 */
export function useLiveTick(store: TraceStore | null, cursor: number, key: unknown = null, intervalMs = LIVE_VIEW_MS): number {
  const s = useRef({ tick: 0, at: -Infinity, store: null as TraceStore | null, version: -1, key: null as unknown, following: false });
  const [, force] = useState(0);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const following = !Number.isFinite(cursor);
  const version = store?.version ?? -1;
  const now = performance.now();
  const st = s.current;
  // Back to following (the Live button) shows at once too: the cursor bar must say so.
  if (!following || !st.following || st.store !== store || st.key !== key || (st.version !== version && now - st.at >= intervalMs)) {
    st.tick++;
    st.at = now;
    st.store = store;
    st.version = version;
    st.key = key;
  }
  st.following = following;
  const behind = st.version !== version;
  useEffect(() => {
    if (!behind || timer.current) return;
    const wait = Math.max(0, intervalMs - (performance.now() - s.current.at));
    timer.current = setTimeout(() => { timer.current = null; force((n) => n + 1); }, wait);
  });
  useEffect(() => () => { if (timer.current) clearTimeout(timer.current); }, []);
  return st.tick;
}

/** Renders `render()` only when `tick` changes (its own state changes still re-render inside it). */
export const Gate = memo(function Gate({ render }: { tick: number; render: () => ReactNode }) {
  return <>{render()}</>;
}, (a, b) => a.tick === b.tick);
