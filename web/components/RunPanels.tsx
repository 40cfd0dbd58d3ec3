/**
 * The experiment panels shown below the panes, and the pane header badges — one list for the
 * live lab and the replay page, so a panel added here is in both. Each takes the cursor and may
 * move it (onSeek).
 */
import type { ReactNode } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import { KernelBadge } from './KernelSockets.js';
import { KernelView } from './KernelView.js';
import { ExperimentPanel } from './experiment-panels.js';

/** `entry`: the selected experiment (live), so its panel shows before the first run; replay passes none. */
interface Props { store: TraceStore | null; cursor: number; onSeek?: ((t: number) => void) | undefined; entry?: CatalogEntry | null }

export function RunPanels({ store, cursor, onSeek, entry = null }: Props) {
  return (
    <>
      <ExperimentPanel entry={entry} store={store} cursor={cursor} />
      <KernelView store={store} cursor={cursor} onSeek={onSeek} />
    </>
  );
}

export function runPaneBadge(store: TraceStore | null, cursor: number): (role: string) => ReactNode {
  return (role) => <KernelBadge store={store} cursor={cursor} role={role} />;
}
