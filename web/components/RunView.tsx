/**
 * Everything a run shows, as of one moment: the panes, the event list, the ladder, what to notice
 * and the checklist. Live and replay use this same view; only the cursor and the input handlers
 * differ (live: cursor = Infinity, typing and controls enabled).
 */
import type { ReactNode } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { TraceStore } from '../../shared/trace/store.js';
import { actorsAtIndexed } from '../../shared/trace/actors-index.js';
import { t } from '../i18n/index.js';
import { EventList } from './EventList.js';
import { Ladder } from './Ladder.js';
import { Markdown } from './Markdown.js';
import { Observations } from './Observations.js';
import { TerminalPane } from './TerminalPane.js';
import { Gate, useLiveTick } from '../lib/live-rate.js';

export interface LiveHandlers {
  onLine(role: string, text: string): void;
}

interface Props {
  entry: CatalogEntry;
  store: TraceStore | null;
  /** Show the run as it was at this time (ms since start); Infinity = everything so far. */
  cursor: number;
  live?: LiveHandlers | undefined;
  /** Move the cursor (clicking an event); absent while following live. */
  onSeek?: ((t: number) => void) | undefined;
  /** Extra panels below the panes (kernel gauges, charts, …), in order. */
  panels?: ReactNode;
  /** Extra header content per pane (the kernel's TCP state badge). */
  paneBadge?: ((role: string) => ReactNode) | undefined;
}

export function RunView({ entry, store, cursor, live, onSeek, panels, paneBadge }: Props) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const events = store?.events ?? [];
  // Roles start servers first; show them the other way round, the initiator on the left.
  const shownRoles = [...entry.roles].reverse();
  // From checkpoints on long traces: a seek does not replay the run from its start.
  const actors = store ? actorsAtIndexed(events, upTo, entry.roles.map((r) => r.name)) : new Map();
  // The panes print every frame; the heavy views below them at ≤ 10 Hz while following live.
  const tick = useLiveTick(store, cursor, entry);
  // Following a run that is still streaming: the list and the ladder keep fewer rows (cheaper
  // updates); pinned or ended, they show their full windows.
  const streaming = Boolean(live && store && !store.footer && !Number.isFinite(cursor));
  return (
    <>
      <div className="panes" style={{ gridTemplateColumns: `repeat(${Math.min(shownRoles.length, 3)}, minmax(0, 1fr))` }}>
        {shownRoles.map((r) => (
          <TerminalPane key={`${entry.id}/${r.name}`} role={r.name} summary={r.summary} source={r.source} store={store} cursor={cursor}
            actor={actors.get(r.name)} {...(live ? { onLine: (text: string) => live.onLine(r.name, text) } : {})}
            {...(paneBadge ? { badge: paneBadge(r.name) } : {})} />
        ))}
      </div>
      <Gate tick={tick} render={() => panels} />
      <Gate tick={tick} render={() => (
        <div className="below">
          <EventList events={events} upTo={upTo} {...(onSeek ? { onPick: onSeek } : {})} streaming={streaming} />
          <Ladder events={events} upTo={upTo} lanes={shownRoles.map((r) => r.name)} cursor={cursor} onSeek={onSeek} capture={store?.header?.capabilities.capture}
            streaming={streaming} />
        </div>
      )} />
    </>
  );
}

/** The right-hand column: what to notice and the expected observations at the cursor. */
export function RunSide({ entry, store, cursor }: { entry: CatalogEntry; store: TraceStore | null; cursor: number }) {
  const upTo = store ? store.indexAt(cursor) : 0;
  const tick = useLiveTick(store, cursor, entry);
  return (
    <aside className="side">
      <section className="narrative">
        <h2>{t('narrative.heading')}</h2>
        <Markdown text={entry.narrative} />
        <p className="seeds">{t('narrative.seeds', { seeds: entry.seeds.join(', ') })}</p>
      </section>
      <Gate tick={tick} render={() => <Observations entry={entry} events={store?.events ?? []} upTo={upTo} />} />
    </aside>
  );
}
