/**
 * Bookmarks: a short note at a moment of the run ("look here"). Added at the cursor, saved inside
 * the trace, listed with their number (keys 1–9 jump to them), time and note.
 */
import { useState } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import type { BookmarkEvent } from '../../shared/trace/user-events.js';
import { t } from '../i18n/index.js';
import { addBookmark, MAX_NOTE, removeBookmark } from '../lib/bookmarks.js';
import { formatSeconds } from './Timeline.js';

interface Props {
  store: TraceStore | null;
  bookmarks: readonly BookmarkEvent[];
  at: number;
  onJump(t: number): void;
  onChange(): void;
  /** Open the note field at once (the b key). */
  startOpen?: boolean;
}

export function Bookmarks({ store, bookmarks, at, onJump, onChange, startOpen }: Props) {
  const [note, setNote] = useState<string | null>(startOpen && store ? '' : null);
  const add = () => {
    if (!store || note === null || !note.trim()) return;
    addBookmark(store, at, note);
    setNote(null);
    onChange();
  };
  return (
    <div className="bookmarks">
      {note === null ? (
        <button className="add-bookmark" disabled={!store} onClick={() => setNote('')} aria-keyshortcuts="b">{t('bookmark.add')}</button>
      ) : (
        <span className="bookmark-form">
          <input autoFocus type="text" maxLength={MAX_NOTE} value={note} placeholder={t('bookmark.placeholder')} aria-label={t('bookmark.note', { t: formatSeconds(at) })}
            onChange={(e) => setNote(e.target.value)} onKeyDown={(e) => { if (e.key === 'Enter') add(); if (e.key === 'Escape') setNote(null); }} />
          <button className="save-bookmark" onClick={add} disabled={!note.trim()}>{t('bookmark.save', { t: formatSeconds(at) })}</button>
          <button onClick={() => setNote(null)}>{t('bookmark.cancel')}</button>
        </span>
      )}
      {bookmarks.length === 0 && note === null && <span className="hint">{t('bookmark.none')}</span>}
      <ol className="bookmark-list">
        {bookmarks.map((b, i) => (
          <li key={`${b.t}-${i}`}>
            <button className="bookmark-jump" onClick={() => onJump(b.t)}>
              <span className="n">{i + 1}</span> <span className="bt">{formatSeconds(b.t)}</span> {b.note}
            </button>
            <button className="bookmark-remove" aria-label={t('bookmark.remove', { n: i + 1 })} onClick={() => { if (store) { removeBookmark(store, b); onChange(); } }}>×</button>
          </li>
        ))}
      </ol>
    </div>
  );
}
