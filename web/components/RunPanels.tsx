/**
 * The experiment panels shown below the panes, and the pane header badges — one list for the
 * live lab and the replay page, so a panel added here is in both. Each takes the cursor and may
 * move it (onSeek).
 */
import type { ReactNode } from 'react';
import type { TraceStore } from '../../shared/trace/store.js';
import { KernelBadge } from './KernelSockets.js';
import { KernelView } from './KernelView.js';
import { ExperimentPanel } from './experiment-panels.js';

interface Props { store: TraceStore | null; cursor: number; onSeek?: ((t: number) => void) | undefined }

export function RunPanels({ store, cursor, onSeek }: Props) {
  return (
    <>
      <ExperimentPanel entry={null} store={store} cursor={cursor} />
      <KernelView store={store} cursor={cursor} onSeek={onSeek} />
    </>
  );
}

export function runPaneBadge(store: TraceStore | null, cursor: number): (role: string) => ReactNode {
  return (role) => <KernelBadge store={store} cursor={cursor} role={role} />;
}
