/**
 * The UI's state: the connection, the catalog, and one TraceStore per run. Trace batches are
 * appended as they arrive; React re-renders at most once per animation frame.
 */
import { useEffect, useRef, useState } from 'react';
import type { CatalogEntry } from '../../shared/protocol/catalog.js';
import type { ClientMessage, Limits } from '../../shared/protocol/messages.js';
import { TraceStore } from '../../shared/trace/store.js';
import { LabConnection, type ConnectionState } from './connection.js';

export interface RunHandle { runId: string; experiment: string; store: TraceStore; live: boolean }

export interface Lab {
  state: ConnectionState;
  catalog: CatalogEntry[];
  limits: Limits | null;
  /**
   * The latest run of each experiment, by experiment id; runs started with a `slot` (several
   * runs of one experiment side by side, e.g. the linger comparison) are under that slot instead.
   */
  runs: Map<string, RunHandle>;
  pending: Set<string>;
  errors: string[];
  start(experiment: string, params: Record<string, unknown>, slot?: string): void;
  send(msg: ClientMessage): void;
  dismissError(i: number): void;
}

export function useLab(): Lab {
  const [, setFrame] = useState(0);
  const dirty = useRef(false);
  const model = useRef({
    state: { status: 'connecting' } as ConnectionState,
    catalog: [] as CatalogEntry[],
    limits: null as Limits | null,
    runs: new Map<string, RunHandle>(),
    byId: new Map<string, RunHandle>(),
    /** Request id → the slot its run will be kept under (the experiment id unless a slot was given). */
    reqs: new Map<string, string>(),
    slotExperiment: new Map<string, string>(),
    pending: new Set<string>(),
    errors: [] as string[],
  });
  const conn = useRef<LabConnection | null>(null);

  useEffect(() => {
    const m = model.current;
    const c = new LabConnection();
    conn.current = c;
    const touch = () => { dirty.current = true; };
    c.onState = (s) => { m.state = s; touch(); };
    c.onProtocolError = (text) => { m.errors = [...m.errors, text]; touch(); };
    c.onMessage = (msg) => {
      switch (msg.type) {
        case 'hello': m.catalog = msg.catalog; m.limits = msg.limits; break;
        case 'run-started': {
          const slot = m.reqs.get(msg.req);
          m.reqs.delete(msg.req);
          if (!slot) break;
          m.pending.delete(slot);
          const handle: RunHandle = { runId: msg.runId, experiment: m.slotExperiment.get(slot) ?? slot, store: new TraceStore(), live: true };
          m.runs.set(slot, handle);
          m.byId.set(msg.runId, handle);
          break;
        }
        case 'trace': m.byId.get(msg.runId)?.store.append(msg.lines); break;
        case 'run-ended': {
          const h = m.byId.get(msg.runId);
          if (h) h.live = false;
          m.byId.delete(msg.runId);
          break;
        }
        case 'error': {
          if (msg.req) { const exp = m.reqs.get(msg.req); if (exp) m.pending.delete(exp); m.reqs.delete(msg.req); }
          m.errors = [...m.errors.slice(-4), msg.message];
          break;
        }
      }
      touch();
    };
    let raf = 0;
    const loop = () => {
      if (dirty.current) { dirty.current = false; setFrame((f) => f + 1); }
      raf = requestAnimationFrame(loop);
    };
    raf = requestAnimationFrame(loop);
    return () => { cancelAnimationFrame(raf); c.close(); };
  }, []);

  const m = model.current;
  return {
    state: m.state, catalog: m.catalog, limits: m.limits, runs: m.runs, pending: m.pending, errors: m.errors,
    start(experiment, params, slot = experiment) {
      const req = Math.random().toString(36).slice(2, 10);
      m.reqs.set(req, slot);
      m.slotExperiment.set(slot, experiment);
      m.pending.add(slot);
      dirty.current = true;
      conn.current?.send({ type: 'run', req, experiment, params });
    },
    send(msg) { conn.current?.send(msg); },
    dismissError(i) { m.errors = m.errors.filter((_, j) => j !== i); dirty.current = true; },
  };
}
