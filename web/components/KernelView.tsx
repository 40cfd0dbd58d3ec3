/**
 * The kernel view of a run, as RunView panels: per-connection pipelines, every kernel socket with
 * its TCP state, and the whole-run chart. Everything renders from the trace at the cursor.
 */
import type { TraceStore } from '../../shared/trace/store.js';
import { KernelChart } from './KernelChart.js';
import { KernelSockets } from './KernelSockets.js';
import { Pipeline } from './Pipeline.js';

interface Props { store: TraceStore | null; cursor: number; onSeek?: ((t: number) => void) | undefined }

export function KernelView({ store, cursor, onSeek }: Props) {
  if (!store) return null;
  return (
    <div className="kernel-view">
      <Pipeline store={store} cursor={cursor} />
      <div className="kernel-below">
        <KernelChart store={store} cursor={cursor} onSeek={onSeek} />
        <KernelSockets store={store} cursor={cursor} />
      </div>
    </div>
  );
}
