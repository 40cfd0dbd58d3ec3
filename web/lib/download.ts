/** Saving things from the browser: a Blob becomes a download with a sensible file name. */
import type { TraceStore } from '../../shared/trace/store.js';

export function downloadBlob(blob: Blob, name: string): void {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The download has started by now; keep the URL a little for slow browsers.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

/** "socket-lab-echo-2026-11-21T04-31-21" from the trace header (or "socket-lab-trace"). */
export function fileStem(store: TraceStore | null): string {
  const h = store?.header;
  if (!h) return 'socket-lab-trace';
  const when = h.startedAt.replace(/\.\d+Z?$/, '').replace(/[:]/g, '-');
  return `socket-lab-${h.experiment}-${when}`.replace(/[^\w.-]+/g, '_');
}

/**
 * The trace as JSON Lines, in pieces (a long run's trace is tens of MB: one giant string would
 * double the page's memory for a moment). Events are written in time order.
 */
export function traceParts(store: TraceStore): string[] {
  const parts: string[] = [];
  let chunk = '';
  for (const line of store.toLines()) {
    chunk += JSON.stringify(line) + '\n';
    if (chunk.length > 1 << 20) { parts.push(chunk); chunk = ''; }
  }
  if (chunk) parts.push(chunk);
  return parts;
}

export function traceBlob(store: TraceStore): Blob {
  return new Blob(traceParts(store), { type: 'application/x-ndjson' });
}
