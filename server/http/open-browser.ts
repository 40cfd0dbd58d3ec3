/**
 * `--open` without putting the token on a command line (any user's `ps` shows argv). Like
 * Jupyter, the lab writes a small page that redirects to the tokened URL into a private temporary
 * directory (mode 0700, file 0600) and opens that file instead; the directory goes when the lab
 * exits (server/run/temp-dirs.ts).
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { childEnv } from '../run/child-env.js';
import { makeTempDir } from '../run/temp-dirs.js';

/** The redirect page: a meta refresh and a script, either of which takes the browser to `url`. */
export function redirectPage(url: string): string {
  const attr = url.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
  return `<!doctype html><html><head><meta charset="utf-8"><meta http-equiv="refresh" content="0;url=${attr}">`
    + `<title>Opening Socket Lab…</title></head><body><p>Opening Socket Lab…</p>`
    + `<script>location.replace(${JSON.stringify(url).replace(/</g, '\\u003c')})</script></body></html>\n`;
}

/** Writes the redirect page; returns its path (nothing secret in it). */
export function writeRedirectFile(url: string): string {
  const dir = makeTempDir('open');
  const file = path.join(dir, 'open.html');
  writeFileSync(file, redirectPage(url), { mode: 0o600 });
  return file;
}

/** Opens the lab in the desktop's browser through the redirect file. */
export function openInBrowser(url: string, say: (msg: string) => void): void {
  const file = writeRedirectFile(url);
  const opener = process.platform === 'darwin' ? 'open' : process.platform === 'win32' ? 'explorer' : 'xdg-open';
  const child = spawn(opener, [file], { stdio: 'ignore', detached: true, env: childEnv({ ...(process.env.DISPLAY ? { DISPLAY: process.env.DISPLAY } : {}), ...(process.env.WAYLAND_DISPLAY ? { WAYLAND_DISPLAY: process.env.WAYLAND_DISPLAY } : {}), ...(process.env.XDG_RUNTIME_DIR ? { XDG_RUNTIME_DIR: process.env.XDG_RUNTIME_DIR } : {}) }) });
  child.on('error', () => say(`(could not start ${opener}; open the URL yourself)`));
  child.unref();
}
