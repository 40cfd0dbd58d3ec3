/**
 * Where a trace to replay comes from, and the messages between the page and the worker that
 * reads it. Kept apart from the worker so the page can import the types without the worker.
 */
import type { TraceLine } from '../../shared/trace/schema.js';
import type { ReaderStats, TraceIssue } from '../../shared/trace/reader.js';

export type TraceSource =
  | { kind: 'file'; file: File; name: string }
  | { kind: 'url'; url: string; name: string }
  | { kind: 'text'; text: string; name: string };

export interface LoadProgress {
  /** Bytes (file, URL) or characters (text) read so far, and the total when known. */
  done: number;
  total: number | null;
}

export type WorkerRequest = { source: TraceSource };

export type WorkerReply =
  | { type: 'lines'; lines: TraceLine[]; progress: LoadProgress; issues: TraceIssue[] }
  | { type: 'done'; progress: LoadProgress; issues: TraceIssue[]; stats: ReaderStats; fatal: TraceIssue | null }
  /** The source could not be read at all (network error, HTTP 404, unreadable file). */
  | { type: 'failed'; message: string };
