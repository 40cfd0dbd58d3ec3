/**
 * Reads a trace source through the incremental reader, in pieces, handing validated lines out
 * in batches. Runs inside the worker (the normal case) and on the main thread as a fallback when
 * a worker cannot be started; it yields between pieces so either stays responsive.
 */
import { TraceReader } from '../../shared/trace/reader.js';
import type { TraceLine } from '../../shared/trace/schema.js';
import type { LoadProgress, TraceSource, WorkerReply } from './trace-source.js';

/** The first batch goes out early (first render); then batches grow to amortise the messaging. */
const FIRST_BATCH = 2_000;
const BATCH = 10_000;
const BATCH_MS = 100;
const TEXT_SLICE = 1 << 20;

export async function readSource(source: TraceSource, emit: (r: WorkerReply) => void, yieldEvery?: () => Promise<void>): Promise<void> {
  const reader = new TraceReader();
  const progress: LoadProgress = { done: 0, total: null };
  let pending: TraceLine[] = [];
  let sent = 0;
  let lastSend = Date.now();
  const flush = (force = false) => {
    const want = sent === 0 ? FIRST_BATCH : BATCH;
    if (!force && pending.length < want && !(pending.length > 0 && Date.now() - lastSend > BATCH_MS)) return;
    if (pending.length === 0 && !force) return;
    emit({ type: 'lines', lines: pending, progress: { ...progress }, issues: reader.issues });
    sent += pending.length;
    pending = [];
    lastSend = Date.now();
  };
  const take = (lines: TraceLine[]) => {
    for (const l of lines) pending.push(l);
    flush();
  };

  try {
    if (source.kind === 'text') {
      progress.total = source.text.length;
      for (let i = 0; i < source.text.length && !reader.fatal; i += TEXT_SLICE) {
        take(reader.push(source.text.slice(i, i + TEXT_SLICE)));
        progress.done = Math.min(source.text.length, i + TEXT_SLICE);
        if (yieldEvery) await yieldEvery();
      }
    } else {
      let stream: ReadableStream<Uint8Array>;
      if (source.kind === 'file') {
        progress.total = source.file.size;
        stream = source.file.stream();
      } else {
        let res: Response;
        try {
          res = await fetch(source.url);
        } catch (err) {
          const fileHint = source.url.startsWith('file:') || location.protocol === 'file:' ? '; browsers do not let a page opened from a file fetch other files: use Open trace or drag the file onto the page' : '';
          emit({ type: 'failed', message: `could not fetch ${source.url}: ${(err as Error).message}${fileHint}` });
          return;
        }
        if (!res.ok || !res.body) {
          emit({ type: 'failed', message: `could not fetch ${source.url}: HTTP ${res.status} ${res.statusText}`.trim() });
          return;
        }
        const len = Number(res.headers.get('content-length'));
        progress.total = Number.isFinite(len) && len > 0 && !res.headers.get('content-encoding') ? len : null;
        stream = res.body;
      }
      const decoder = new TextDecoder('utf-8');
      const r = stream.getReader();
      for (;;) {
        const { done, value } = await r.read();
        if (done) break;
        progress.done += value.byteLength;
        take(reader.push(decoder.decode(value, { stream: true })));
        if (reader.fatal) { void r.cancel(); break; }
        if (yieldEvery) await yieldEvery();
      }
      if (!reader.fatal) take(reader.push(decoder.decode()));
    }
    const last = reader.end();
    for (const l of last) pending.push(l);
    if (progress.total !== null) progress.done = progress.total;
    flush(true);
    emit({ type: 'done', progress, issues: reader.issues, stats: reader.stats, fatal: reader.fatal });
  } catch (err) {
    // Anything at all (a read error, a batch the page cannot take): the read ends, visibly.
    emit({ type: 'failed', message: `could not read ${source.name}: ${errorText(err)}` });
  }
}

/** An error's message, whatever was thrown. */
export function errorText(err: unknown): string {
  return err instanceof Error && typeof err.message === 'string' && err.message ? err.message : 'unknown error';
}
