/**
 * The app-level cursor: the moment of the run every view shows. Live, it follows the end of the
 * growing trace (Infinity) until someone pins it (clicks an event, a chart, the scrubber); the
 * Live button returns to following. Replay, it is always a time: play advances it at a speed,
 * seek puts it anywhere. Every view is a function of the trace up to the cursor, so seeking back
 * is as correct as playing forward.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import { bookmarksOf, nextObservationTime, nextStepTime, prevStepTime } from '../../shared/trace/navigate.js';

export const SPEEDS = [0.25, 0.5, 1, 2, 4, 8] as const;

export interface CursorCtl {
  /** ms since the run started; Infinity while following live. */
  cursor: number;
  /** The cursor as a time (the end of the trace while following). */
  at: number;
  following: boolean;
  playing: boolean;
  speed: number;
  /** The end of what is known: the footer, else the last event. */
  end: number;
  live: boolean;
  seek(t: number): void;
  /** Seek and stop playing: a click on an event or a chart. */
  pin(t: number): void;
  follow(): void;
  play(): void;
  pause(): void;
  toggle(): void;
  setSpeed(s: number): void;
  step(dir: 1 | -1): void;
  nextObservation(): void;
  /** Jump to bookmark n (1-based, as the keys 1–9). */
  bookmark(n: number): void;
  /** Redraw after the trace changed outside a live batch (a bookmark added or removed). */
  touch(): void;
}

export interface CursorOptions {
  live: boolean;
  /** Where a replay opens: a time, or the end (default). */
  initial?: number | undefined;
}

export function useCursor(store: TraceStore | null, opts: CursorOptions): CursorCtl {
  const { live } = opts;
  const [pinned, setPinned] = useState<number | null>(opts.initial ?? null);
  const [playing, setPlaying] = useState(false);
  const [speed, setSpeed] = useState(1);
  const [, setTick] = useState(0);
  const end = store?.endTime ?? 0;
  const endRef = useRef(end);
  endRef.current = end;
  const liveRef = useRef(live);
  liveRef.current = live;

  // A new run or a new trace starts from its default place.
  const initialRef = useRef(opts.initial);
  initialRef.current = opts.initial;
  useEffect(() => { setPinned(initialRef.current ?? null); setPlaying(false); }, [store]);

  // null = follow the end (live) / show the end (replay).
  const following = pinned === null;
  const at = pinned ?? end;
  const cursor = pinned ?? Infinity;
  // The latest position asked for: keys pressed faster than React renders each step from here.
  const atRef = useRef(at);
  atRef.current = at;
  // The latest explicit move, so a seek during playback is picked up by the play loop at once.
  const moved = useRef({ gen: 0, t: 0 });

  const moveTo = useCallback((t: number) => {
    const c = Math.max(0, Math.min(t, endRef.current));
    moved.current = { gen: moved.current.gen + 1, t: c };
    atRef.current = c;
    setPinned(c);
  }, []);
  const seek = useCallback((t: number) => { if (Number.isFinite(t)) moveTo(t); }, [moveTo]);
  const pin = useCallback((t: number) => { setPlaying(false); if (Number.isFinite(t)) moveTo(t); }, [moveTo]);
  const follow = useCallback(() => { atRef.current = endRef.current; setPinned(null); setPlaying(false); }, []);
  const play = useCallback(() => {
    // At the end there is nothing left to play: start again from the beginning (like a video).
    moveTo(atRef.current >= endRef.current - 1e-6 ? 0 : atRef.current);
    setPlaying(true);
  }, [moveTo]);
  const pause = useCallback(() => { setPlaying(false); moveTo(atRef.current); }, [moveTo]);

  // Play: advance by wall time × speed, once per frame.
  useEffect(() => {
    if (!playing) return;
    let last = performance.now();
    let gen = moved.current.gen;
    let pos = moved.current.t;
    let raf = requestAnimationFrame(function frame(now) {
      if (moved.current.gen !== gen) { gen = moved.current.gen; pos = moved.current.t; }
      pos += Math.max(0, now - last) * speed;
      last = now;
      if (pos >= endRef.current) {
        // Caught up with a live run: follow it again; a replay stops at its end.
        setPlaying(false);
        if (liveRef.current) setPinned(null); else moveTo(endRef.current);
        return;
      }
      atRef.current = pos;
      setPinned(pos);
      raf = requestAnimationFrame(frame);
    });
    return () => cancelAnimationFrame(raf);
  }, [playing, speed, moveTo]);

  const bookmarks = useMemo(() => (store ? bookmarksOf(store.events) : []), [store, store?.version]);

  return {
    cursor, at, following, playing, speed, end, live,
    seek, pin, follow, play, pause,
    toggle: () => (playing ? pause() : play()),
    setSpeed,
    step(dir) {
      if (!store) return;
      const from = atRef.current;
      const t = dir > 0 ? nextStepTime(store.events, from) : prevStepTime(store.events, from);
      if (t !== null) pin(t);
      else if (dir < 0) pin(0);
    },
    nextObservation() {
      if (!store) return;
      const t = nextObservationTime(store.events, atRef.current);
      if (t !== null) pin(t);
    },
    bookmark(n) {
      const b = bookmarks[n - 1];
      if (b) pin(b.t);
    },
    touch: () => setTick((x) => x + 1),
  };
}
