/**
 * The trace reader's worker: parsing and validating a 100 MB trace takes seconds, which must not
 * freeze the page. The page posts a source; the worker posts validated lines back in batches.
 */
import { readSource } from './read-source.js';
import type { WorkerReply, WorkerRequest } from './trace-source.js';

const scope = self as unknown as {
  onmessage: ((e: MessageEvent<WorkerRequest>) => void) | null;
  postMessage(msg: WorkerReply): void;
};

scope.onmessage = (e) => {
  void readSource(e.data.source, (reply) => scope.postMessage(reply));
};
