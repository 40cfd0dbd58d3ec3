/**
 * Run / Stop, the run's status, live controls, and the parameters. While a run is live the
 * parameters fold into one line of values (still all visible as text), so the panes and gauges
 * stay on screen; "Change parameters" opens the form again for the next run.
 */
import { useState, type ReactNode } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import { t } from '../i18n/index.js';
import { ParamsForm, type ParamValues } from './ParamsForm.js';

interface Props {
  entry: CatalogEntry;
  values: ParamValues;
  onChange: (v: ParamValues) => void;
  live: boolean;
  pending: boolean;
  canRun: boolean;
  status: string;
  onRun: () => void;
  onStop: () => void;
  controls?: ReactNode;
}

export function RunBar({ entry, values, onChange, live, pending, canRun, status, onRun, onStop, controls }: Props) {
  const [open, setOpen] = useState(true);
  const folded = live || !open;
  const summary = Object.entries(values).map(([k, v]) => `${k}=${typeof v === 'string' ? JSON.stringify(v) : String(v)}`).join(' · ');
  return (
    <div className="runbar">
      <div className="runbar-top">
        {live ? (
          <button className="stop" onClick={onStop}>{t('run.stop')}</button>
        ) : (
          <button className="run" disabled={pending || !canRun} onClick={onRun}>{t('run.start')}</button>
        )}
        <span className="run-status" data-live={live ? 'yes' : 'no'}>{status}</span>
        {controls}
      </div>
      {folded ? (
        <p className="params-summary">
          <span className="params-summary-label">{t('params.heading')}:</span> <code>{summary}</code>
          {!live && <button className="linklike" onClick={() => setOpen(true)}>{t('params.change')}</button>}
        </p>
      ) : (
        <div className="params-block">
          <ParamsForm schema={entry.paramsSchema} values={values} disabled={live || pending} onChange={onChange} />
          <button className="linklike" onClick={() => setOpen(false)}>{t('params.fold')}</button>
        </div>
      )}
    </div>
  );
}
