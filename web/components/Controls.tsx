import { useState } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import { t } from '../i18n/index.js';

/** Buttons that send a live command to one actor (pause the reader, read everything now, …). */
export function Controls({ entry, onControl }: { entry: CatalogEntry; onControl: (role: string, command: string, args: Record<string, number>) => void }) {
  const [args, setArgs] = useState<Record<string, Record<string, number>>>({});
  if (entry.controls.length === 0) return null;
  return (
    <div className="controls" aria-label={t('controls.heading')}>
      {entry.controls.map((c) => (
        <span key={c.id} className="control">
          {Object.entries(c.args ?? {}).map(([name, def]) => (
            <label key={name} className="control-arg">
              <span>{name}</span>
              <input type="number" aria-label={`${c.label}: ${name}`} value={args[c.id]?.[name] ?? def}
                onChange={(e) => setArgs({ ...args, [c.id]: { ...(args[c.id] ?? {}), [name]: Number(e.target.value) } })} />
            </label>
          ))}
          <button data-control={c.id} onClick={() => onControl(c.role, c.command, { ...(c.args ?? {}), ...(args[c.id] ?? {}) })}>{c.label}</button>
        </span>
      ))}
    </div>
  );
}
