import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';

/**
 * A plain static file server (no lab, no API, no WebSocket), as a student's web host or
 * `python -m http.server` would serve dist/web: for testing the replay page's static mode.
 */
export interface StaticServer { base: string; close(): Promise<void> }

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.jsonl': 'application/x-ndjson' };

export async function startStatic(root: string, extra: Record<string, string> = {}): Promise<StaticServer> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let rel = decodeURIComponent(url.pathname);
    if (rel === '/') rel = '/index.html';
    const file = extra[rel] ?? path.resolve(root, '.' + rel);
    if (!extra[rel] && !file.startsWith(path.resolve(root) + path.sep)) { res.writeHead(403); res.end(); return; }
    let size: number;
    try { const st = statSync(file); if (!st.isFile()) throw new Error('not a file'); size = st.size; } catch { res.writeHead(404, { 'Content-Type': 'text/plain' }); res.end('not found\n'); return; }
    res.writeHead(200, { 'Content-Type': TYPES[path.extname(file)] ?? 'application/octet-stream', 'Content-Length': size });
    createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as { port: number }).port;
  return {
    base: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
