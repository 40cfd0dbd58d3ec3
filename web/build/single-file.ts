/**
 * Vite plugin: after the normal build, writes dist/web/replay.html — the same app as one HTML
 * file with its JavaScript and CSS inside, so it opens from file:// (browsers refuse module
 * scripts from files) and can carry a trace ("Export HTML" adds it). The trace worker is already
 * inlined as a blob (web/lib/trace-loader.ts imports it with ?worker&inline).
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Plugin } from 'vite';

export function singleFileReplay(fileName = 'replay.html'): Plugin {
  let outDir = '';
  return {
    name: 'socket-lab:single-file-replay',
    apply: 'build',
    enforce: 'post',
    configResolved(config) { outDir = path.resolve(config.root, config.build.outDir); },
    writeBundle(_options, bundle) {
      const html = bundle['index.html'];
      if (!html || html.type !== 'asset') { this.warn('no index.html in the bundle: replay.html not written'); return; }
      let page = String(html.source);
      const inlined = new Set<string>();
      // <script type="module" crossorigin src="./assets/index-x.js"></script>
      page = page.replace(/<script type="module"[^>]*\ssrc="\.?\/?([^"]+)"[^>]*><\/script>/g, (tag, src: string) => {
        const chunk = bundle[src];
        if (!chunk || chunk.type !== 'chunk') return tag;
        inlined.add(src);
        return `<script type="module">${escapeScript(chunk.code)}</script>`;
      });
      // <link rel="stylesheet" crossorigin href="./assets/index-x.css">
      page = page.replace(/<link rel="stylesheet"[^>]*\shref="\.?\/?([^"]+)"[^>]*>/g, (tag, href: string) => {
        const asset = bundle[href];
        if (!asset || asset.type !== 'asset') return tag;
        inlined.add(href);
        return `<style>${String(asset.source).replace(/<\/style/gi, '<\\/style')}</style>`;
      });
      const leftOver = Object.keys(bundle).filter((f) => f !== 'index.html' && !inlined.has(f) && !f.endsWith('.map'));
      if (leftOver.length) {
        this.warn(`replay.html not written: it cannot inline ${leftOver.join(', ')} (a code-split chunk or a separate asset); keep the UI one chunk`);
        return;
      }
      page = page.replace(/<head>/i, '<head>\n    <meta name="socket-lab-viewer" content="single-file" />')
        .replace(/<title>[^<]*<\/title>/i, '<title>Socket Lab — replay</title>');
      writeFileSync(path.join(outDir, fileName), page);
    },
  };
}

/** Text inside <script> must not close the element or open an HTML comment. */
function escapeScript(code: string): string {
  return code.replace(/<\/script/gi, '<\\/script').replace(/<!--/g, '<\\!--');
}
