/**
 * How the page starts: live (a lab server is behind it) or replay (a trace, no lab needed).
 *
 * Replay, without asking anyone: opened from file://, the single-file replay page, a trace
 * embedded in the page, or `?replay` / `?trace=<url>` in the address. Otherwise the page asks
 * the lab's health endpoint; no answer means a plain static server, i.e. replay — and then no
 * connection is ever attempted, so there is no connection error to show.
 */
import type { TraceSource } from './trace-source.js';

export const TRACE_BLOCK_ID = 'socket-lab-trace';

export interface Boot {
  /** Start in replay without probing for a lab. */
  replayOnly: boolean;
  /** The page is the single-file viewer (dist/web/replay.html or an exported copy). */
  singleFile: boolean;
  /** A trace to open at once: embedded in the page, or `?trace=<url>`. */
  source: TraceSource | null;
  /** `?t=<ms>`: where the replay opens. */
  initialT: number | undefined;
  /** `?present` or `?present=ladder`: open in presenter mode. */
  present: string | null;
  /** The single-file page as it was built (without its trace), to export copies of itself. */
  template: string | null;
  /** A problem reading the embedded trace. */
  problem: string | null;
}

let boot: Boot | null = null;

/** Read once, before React renders (the embedded trace block is removed from the page here). */
export function readBoot(): Boot {
  if (boot) return boot;
  const params = new URLSearchParams(location.search);
  const singleFile = document.querySelector('meta[name="socket-lab-viewer"]')?.getAttribute('content') === 'single-file';
  let source: TraceSource | null = null;
  let problem: string | null = null;
  const block = document.getElementById(TRACE_BLOCK_ID);
  if (block) {
    const name = block.getAttribute('data-name') || 'embedded trace';
    try {
      const text: unknown = JSON.parse(block.textContent ?? '');
      if (typeof text !== 'string') throw new Error('it is not a JSON string of trace lines');
      source = { kind: 'text', text, name };
    } catch (err) {
      problem = `the trace embedded in this page cannot be read: ${(err as Error).message}`;
    }
    block.remove(); // the page's copy of the text can be freed once parsed
  }
  const traceUrl = params.get('trace');
  if (!source && traceUrl) {
    const url = safeTraceUrl(traceUrl);
    if (url) source = { kind: 'url', url, name: decodeURIComponent(url.split('/').pop()?.split('?')[0] || url) };
    else problem = `?trace= must be an http(s) URL or a path on this site (got ${JSON.stringify(traceUrl.slice(0, 100))})`;
  }
  const tParam = Number(params.get('t'));
  boot = {
    replayOnly: singleFile || location.protocol === 'file:' || params.has('replay') || Boolean(block) || Boolean(traceUrl),
    singleFile,
    source,
    initialT: params.has('t') && Number.isFinite(tParam) && tParam >= 0 ? tParam : undefined,
    present: params.has('present') ? params.get('present') || 'panes' : null,
    template: singleFile ? `<!doctype html>\n${document.documentElement.outerHTML}` : null,
    problem,
  };
  return boot;
}

/** Only data URLs the page may fetch: http(s) and blob, resolved against the page. */
function safeTraceUrl(raw: string): string | null {
  try {
    const u = new URL(raw, location.href);
    return ['http:', 'https:', 'blob:'].includes(u.protocol) ? u.href : null;
  } catch {
    return null;
  }
}

/** Is a lab server behind this page? A plain static server answers 404 (or nothing) here. */
export async function probeLab(timeoutMs = 3000): Promise<boolean> {
  const ctl = new AbortController();
  const timer = setTimeout(() => ctl.abort(), timeoutMs);
  try {
    const res = await fetch(new URL('api/health', location.href), { cache: 'no-store', signal: ctl.signal });
    if (!res.ok) return false;
    const body = (await res.json()) as { ok?: unknown };
    return body.ok === true;
  } catch {
    return false;
  } finally {
    clearTimeout(timer);
  }
}
