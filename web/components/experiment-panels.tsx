/**
 * Panels that belong to one experiment, shown below the panes: experiment id → component. Add one
 * line per experiment. Each panel gets the catalog entry (when known), the trace store and the
 * cursor, and renders only from the trace up to the cursor, like every other view.
 */
import type { ComponentType } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { TraceStore } from '../../shared/trace/store.js';
import { BoundaryPanel } from './BoundaryPanel.js';
import { FramingPanel } from './FramingPanel.js';
import { AddressPanel } from './AddressPanel.js';
import { BacklogPanel } from './BacklogPanel.js';
import { KeepalivePanel } from './KeepalivePanel.js';
import { LingerPanel } from './LingerComparison.js';
import { BufferSweep } from './BufferSweep.js';
import { DeadlinePanel } from './DeadlinePanel.js';
import { UdpPanel } from './UdpPanel.js';
import { UnixPanel } from './UnixPanel.js';
import { WebSocketPanel } from './WebSocketPanel.js';
import { ProxyPanel } from './ProxyPanel.js';

export interface ExperimentPanelProps {
  entry: CatalogEntry | null;
  store: TraceStore | null;
  cursor: number;
}

const panels: Record<string, ComponentType<ExperimentPanelProps>> = {
  'buffer-sizes': BufferSweep,
  'write-deadline': DeadlinePanel,
  'stream-boundaries': BoundaryPanel,
  framing: FramingPanel,
  addresses: AddressPanel,
  backlog: BacklogPanel,
  keepalive: KeepalivePanel,
  linger: LingerPanel,
  udp: UdpPanel,
  unix: UnixPanel,
  websocket: WebSocketPanel,
  proxy: ProxyPanel,
};

/** The panel of the experiment this entry (or, for a replayed trace, its header) names, if any. */
export function ExperimentPanel({ entry, store, cursor }: ExperimentPanelProps) {
  const id = entry?.id ?? store?.header?.experiment;
  const Panel = id ? panels[id] : undefined;
  return Panel ? <Panel entry={entry} store={store} cursor={cursor} /> : null;
}
