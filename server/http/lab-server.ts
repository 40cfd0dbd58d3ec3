/**
 * The lab server: one port serves the built UI, the HTTP API and the WebSocket. Every request
 * and upgrade passes the security checks first (see security.ts).
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Limits } from '../../shared/protocol/messages.js';
import { catalog } from '../experiments/catalog.js';
import { defaultPlugins } from '../run/default-plugins.js';
import { webDistDir } from '../run/paths.js';
import type { Run } from '../run/run.js';
import { Session } from '../ws/session.js';
import { allowedHosts, checkRequest, sessionCookie, type SecurityConfig } from './security.js';
import { serveStatic } from './static.js';

export const DEFAULT_LIMITS: Limits = {
  maxConcurrentRuns: 4,
  maxRunMs: 10 * 60_000,
  stdinBytesPerSecond: 4096,
  maxPayloadBytes: 64 * 1024,
};

export interface LabServerOptions {
  host: string;
  port: number;
  token: string;
  limits?: Limits;
  /** Dev mode: a connect-style middleware (Vite) serves the UI with hot reload. */
  devMiddleware?: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** `--allow-target` hosts: targets beyond loopback that experiments may connect to. */
  allowTargets?: readonly string[];
}

export class LabServer {
  readonly http = http.createServer((req, res) => this.onRequest(req, res));
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly liveRuns = new Set<Run>();
  private security: SecurityConfig;
  private hosts: Set<string>;
  readonly limits: Limits;

  constructor(private readonly opts: LabServerOptions) {
    this.limits = opts.limits ?? DEFAULT_LIMITS;
    this.security = { token: opts.token, port: opts.port, host: opts.host };
    this.hosts = allowedHosts(this.security);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxPayloadBytes });
    this.http.on('upgrade', (req, socket, head) => this.onUpgrade(req, socket, head));
  }

  get port(): number { return this.security.port; }
  get runCount(): number { return this.liveRuns.size; }

  /** Listen on the asked port, or the next free one (saying so). Resolves to the port used. */
  async listen(log: (msg: string) => void = () => {}): Promise<number> {
    for (let port = this.opts.port, tries = 0; tries < 20; port++, tries++) {
      try {
        await new Promise<void>((resolve, reject) => {
          const onError = (err: Error) => { this.http.off('listening', onOk); reject(err); };
          const onOk = () => { this.http.off('error', onError); resolve(); };
          this.http.once('error', onError);
          this.http.once('listening', onOk);
          this.http.listen(port, this.opts.host);
        });
        const actual = (this.http.address() as { port: number }).port;
        this.security = { ...this.security, port: actual };
        this.hosts = allowedHosts(this.security);
        return actual;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EADDRINUSE' || this.opts.port === 0) throw err;
        log(`port ${port} is in use; trying ${port + 1}`);
      }
    }
    throw new Error(`no free port in ${this.opts.port}..${this.opts.port + 19}`);
  }

  private refuse(res: ServerResponse, status: number, reason: string): void {
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(`${status === 401 ? 'Unauthorized' : 'Forbidden'}: ${reason}\n`);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const verdict = checkRequest(req, this.security, this.hosts);
    if (!verdict.ok) return this.refuse(res, verdict.status, verdict.reason);
    const url = new URL(req.url ?? '/', 'http://x');
    if (verdict.viaQuery && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      // Trade the token for a cookie and drop it from the address bar and history.
      url.searchParams.delete('token');
      res.writeHead(302, { 'Set-Cookie': sessionCookie(this.security), Location: url.pathname + url.search });
      return void res.end();
    }
    if (url.pathname === '/api/catalog') return this.json(res, catalog());
    if (url.pathname === '/api/health') return this.json(res, { ok: true, runs: this.liveRuns.size });
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.refuse(res, 403, 'method not allowed');
    if (this.opts.devMiddleware) return this.opts.devMiddleware(req, res, () => this.refuse(res, 403, 'not found'));
    if (!serveStatic(webDistDir, url.pathname, res)) {
      res.writeHead(404, { 'Content-Type': 'text/plain' });
      res.end('not found (is the UI built? npm run build)\n');
    }
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/ws') {
      // Vite's hot-reload socket in dev mode has its own upgrade listener; anything else is refused.
      if (this.opts.devMiddleware && checkRequest(req, this.security, this.hosts).ok) return;
      socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
      return;
    }
    const verdict = checkRequest(req, this.security, this.hosts);
    if (!verdict.ok) {
      const text = verdict.status === 401 ? 'Unauthorized' : 'Forbidden';
      socket.end(`HTTP/1.1 ${verdict.status} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${verdict.reason}\n`);
      return;
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, {
        limits: this.limits,
        plugins: defaultPlugins,
        allowTargets: this.opts.allowTargets ?? [],
        registerRun: (run) => { this.liveRuns.add(run); run.once('end', () => this.liveRuns.delete(run)); },
      });
      this.sessions.add(session);
      ws.on('close', () => this.sessions.delete(session));
    });
  }

  /** Stop every run (and so every actor), close every connection, stop listening. */
  async close(): Promise<void> {
    await Promise.all([...this.liveRuns].map((r) => r.stop('stopped', 'lab shut down')));
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((r) => this.http.close(() => r()));
  }

  /** Synchronous last resort (process 'exit'): kill every actor still alive. */
  killAll(): void {
    for (const r of this.liveRuns) r.killNow();
  }
}
