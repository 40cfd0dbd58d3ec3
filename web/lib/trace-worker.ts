/**
 * The trace reader's worker: parsing and validating a 100 MB trace takes seconds, which must not
 * freeze the page. The page posts a source; the worker posts validated lines back in batches.
 */
import { errorText, readSource } from './read-source.js';
import type { WorkerReply, WorkerRequest } from './trace-source.js';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(msg: WorkerReply): void;
};

scope.onmessage = (e) => {
  // readSource reports its own failures; this catches one in reporting them, so the page never
  // waits on a worker that stopped without a word (a rejection here fires no 'error' on the Worker).
  readSource(e.data.source, (reply) => scope.postMessage(reply)).catch((err: unknown) => {
    scope.postMessage({ type: 'failed', message: `the trace reader stopped: ${errorText(err)}` });
  });
};
