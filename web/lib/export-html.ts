/**
 * "Export HTML": one file holding the replay viewer and the trace, that opens by double-click
 * with no server and no network. The viewer is dist/web/replay.html (the app built into a single
 * page, see web/build/single-file.ts); the trace goes into it as a JSON string in a
 * <script type="application/json" id="socket-lab-trace"> block, read by web/lib/boot.ts.
 */
import type { TraceStore } from '../../shared/trace/store.js';
import { readBoot, TRACE_BLOCK_ID } from './boot.js';
import { traceParts } from './download.js';

/** The viewer page: this page itself when it is the single-file viewer, else replay.html beside it. */
async function viewerTemplate(): Promise<string> {
  const boot = readBoot();
  if (boot.template) return boot.template;
  let res: Response;
  try {
    res = await fetch(new URL('replay.html', location.href), { cache: 'no-store' });
  } catch (err) {
    throw new Error(`could not fetch the replay viewer (replay.html): ${(err as Error).message}`);
  }
  if (!res.ok) throw new Error(`the replay viewer (replay.html) is missing here (HTTP ${res.status}); build it with npm run build`);
  return res.text();
}

export async function exportHtml(store: TraceStore, name: string): Promise<Blob> {
  const template = await viewerTemplate();
  const jsonl = traceParts(store).join('');
  // `<` never appears outside strings in JSON, so escaping it keeps the value and means the text
  // can contain neither "</script>" nor "<!--", which would end or confuse the block.
  const payload = JSON.stringify(jsonl).replace(/</g, '\\u003c');
  const open = `<script type="application/json" id="${TRACE_BLOCK_ID}" data-name="${escapeAttr(name)}">`;
  const at = template.lastIndexOf('</body>');
  if (at < 0) throw new Error('the replay viewer page has no </body>');
  // (The template never holds a trace: boot.ts removes the block before copying the page.)
  return new Blob([template.slice(0, at), open, payload, '</script>\n', template.slice(at)], { type: 'text/html' });
}

function escapeAttr(s: string): string {
  return s.replace(/[&"<>]/g, (c) => ({ '&': '&amp;', '"': '&quot;', '<': '&lt;', '>': '&gt;' })[c]!);
}
