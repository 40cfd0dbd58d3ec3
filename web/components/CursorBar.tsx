/**
 * The cursor's controls, live and replay alike: step back, play/pause, step forward, next
 * observation, speed, a scrubber over the whole run, the time as a number you can type, and
 * (live) whether the view follows the run or is pinned to a moment.
 */
import { useEffect, useState } from 'react';
import { t } from '../i18n/index.js';
import { SPEEDS, type CursorCtl } from '../lib/cursor.js';

export function CursorBar({ ctl }: { ctl: CursorCtl }) {
  const [draft, setDraft] = useState<string | null>(null);
  useEffect(() => { setDraft(null); }, [ctl.at]);
  const commit = () => {
    if (draft === null) return;
    const v = Number(draft);
    if (draft.trim() !== '' && Number.isFinite(v)) ctl.pin(v);
    setDraft(null);
  };
  const end = Math.max(ctl.end, 0.001);
  return (
    <div className="cursorbar" role="toolbar" aria-label={t('cursor.toolbar')}>
      <button className="step-prev" onClick={() => ctl.step(-1)} aria-keyshortcuts="ArrowLeft">{t('cursor.prev')}</button>
      <button className={`play ${ctl.playing ? 'on' : ''}`} onClick={ctl.toggle} aria-keyshortcuts="Space">
        {ctl.playing ? t('cursor.pause') : t('cursor.play')}
      </button>
      <button className="step-next" onClick={() => ctl.step(1)} aria-keyshortcuts="ArrowRight">{t('cursor.next')}</button>
      <button className="next-obs" onClick={ctl.nextObservation} aria-keyshortcuts="o">{t('cursor.nextObservation')}</button>
      <label className="speed">
        {t('cursor.speed')}
        <select value={ctl.speed} onChange={(e) => ctl.setSpeed(Number(e.target.value))}>
          {SPEEDS.map((s) => <option key={s} value={s}>{`${s}×`}</option>)}
        </select>
      </label>
      <input className="scrubber" type="range" min={0} max={end} step="any" value={Math.min(ctl.at, end)}
        aria-label={t('cursor.scrubber')} onChange={(e) => ctl.pin(Number(e.target.value))} />
      <label className="time">
        <input type="number" min={0} step={0.1} aria-label={t('cursor.timeInput')}
          value={draft ?? ctl.at.toFixed(1)} onChange={(e) => setDraft(e.target.value)} onBlur={commit}
          onKeyDown={(e) => { if (e.key === 'Enter') { commit(); (e.target as HTMLInputElement).blur(); } if (e.key === 'Escape') setDraft(null); }} />
        <span>{t('cursor.of', { end: ctl.end.toFixed(1) })}</span>
      </label>
      {ctl.live && (ctl.following
        ? <span className="following" data-following="yes">{t('cursor.following')}</span>
        : <button className="go-live" onClick={ctl.follow} aria-keyshortcuts="l">{t('cursor.live')}</button>)}
    </div>
  );
}
