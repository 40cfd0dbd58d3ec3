/**
 * Opens a trace for replay: a worker reads and validates it (web/lib/trace-worker.ts) and sends
 * validated lines in batches; here they go into a TraceStore, which keeps them sorted by time
 * (the index every seek uses). If no worker can be started, the same reader runs here in slices.
 */
import type { ReaderStats, TraceIssue } from '../../shared/trace/reader.js';
import { TraceStore } from '../../shared/trace/store.js';
import { errorText, readSource } from './read-source.js';
import type { LoadProgress, TraceSource, WorkerReply } from './trace-source.js';
// Inlined as a blob URL, so the worker also starts in the single-file replay page opened from file://.
import TraceWorker from './trace-worker.js?worker&inline';

export interface TraceLoad {
  name: string;
  store: TraceStore;
  phase: 'loading' | 'done' | 'failed';
  progress: LoadProgress;
  issues: TraceIssue[];
  /** The input is not a trace at all (empty, binary, no trace line). */
  fatal: TraceIssue | null;
  /** The source could not be read (HTTP error, unreadable file). */
  failure: string | null;
  stats: ReaderStats | null;
  /** performance.now() marks: started, first lines in the store, done. */
  timing: { started: number; firstLines?: number; done?: number };
  /** True when the reader ran on the main thread (no worker). */
  mainThread: boolean;
}

export interface LoadHandle { load: TraceLoad; cancel(): void }

export function startLoad(source: TraceSource, onChange: () => void): LoadHandle {
  const load: TraceLoad = {
    name: source.name, store: new TraceStore(), phase: 'loading', progress: { done: 0, total: null },
    issues: [], fatal: null, failure: null, stats: null, timing: { started: performance.now() }, mainThread: false,
  };
  let cancelled = false;
  const fail = (message: string) => {
    if (cancelled || load.phase !== 'loading') return;
    load.failure = message;
    load.phase = 'failed';
    load.timing.done = performance.now();
    worker?.terminate();
    onChange();
  };
  const onReply = (r: WorkerReply) => {
    if (cancelled || load.phase !== 'loading') return;
    try {
      take(r);
    } catch (err) {
      // Lines the store cannot take end the read with a message, not a page stuck at "Reading…".
      fail(`the trace could not be shown: ${errorText(err)}`);
      return;
    }
    onChange();
  };
  const take = (r: WorkerReply) => {
    switch (r.type) {
      case 'lines':
        if (r.lines.length) {
          load.store.append(r.lines);
          load.timing.firstLines ??= performance.now();
        }
        load.progress = r.progress;
        load.issues = r.issues;
        break;
      case 'done':
        load.progress = r.progress;
        load.issues = r.issues;
        load.stats = r.stats;
        load.fatal = r.fatal;
        load.phase = 'done';
        load.timing.done = performance.now();
        worker?.terminate();
        break;
      case 'failed':
        load.failure = r.message;
        load.phase = 'failed';
        load.timing.done = performance.now();
        worker?.terminate();
        break;
    }
  };

  const onMainThread = () => {
    load.mainThread = true;
    readSource(source, onReply, () => new Promise((r) => setTimeout(r, 0))).catch((err: unknown) => fail(`the trace reader stopped: ${errorText(err)}`));
  };

  let worker: Worker | null = null;
  try {
    worker = new TraceWorker({ name: 'trace-reader' });
    let heard = false;
    worker.onmessage = (e: MessageEvent<WorkerReply>) => { heard = true; onReply(e.data); };
    // A batch that could not be passed over (it did not survive structured cloning).
    worker.onmessageerror = () => fail('the trace reader sent lines this page could not receive');
    worker.onerror = (e) => {
      e.preventDefault();
      worker?.terminate();
      worker = null;
      if (!heard && !cancelled) onMainThread();
      else onReply({ type: 'failed', message: `the trace reader stopped: ${e.message || 'worker error'}` });
    };
    worker.postMessage({ source });
  } catch {
    worker = null;
    onMainThread();
  }
  return {
    load,
    cancel() { cancelled = true; worker?.terminate(); },
  };
}
