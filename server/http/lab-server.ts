/**
 * The lab server: one port serves the built UI, the HTTP API and the WebSocket. Every request
 * and upgrade passes the security checks first (see security.ts).
 *
 * Every handler is total. A request target that is not a path, a broken cookie, a header of the
 * wrong shape: each gets a 4xx naming the problem, and a handler that throws anyway answers 500
 * and is logged once (without the token). No input ends the lab process.
 */
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer } from 'ws';
import type { Limits } from '../../shared/protocol/messages.js';
import { catalog } from '../experiments/catalog.js';
import { defaultPlugins } from '../run/default-plugins.js';
import { webDistDir } from '../run/paths.js';
import type { Run } from '../run/run.js';
import { LabBudget } from '../ws/lab-budget.js';
import { Session } from '../ws/session.js';
import { OnceLog } from './error-log.js';
import { SECURITY_HEADER_LINES, setSecurityHeaders } from './headers.js';
import { allowedHosts, checkRequest, sessionCookie, type SecurityConfig } from './security.js';
import { serveStatic } from './static.js';
import { labStats } from './stats.js';
import { parseTarget } from './target.js';

/** The lab's limits; README's "Security model" lists each one and what a request past it gets. */
export const DEFAULT_LIMITS: Limits = {
  maxConcurrentRuns: 4,
  maxLabRuns: 8,
  maxLabProcesses: 48,
  maxConnections: 16,
  defaultRunMs: 3 * 60_000,
  maxRunMs: 30 * 60_000,
  stdinBytesPerSecond: 4096,
  controlsPerSecond: 20,
  maxPayloadBytes: 64 * 1024,
  maxMessageDepth: 16,
  maxTraceBytesInMemory: 64 * 1024 * 1024,
  maxTraceBytes: 512 * 1024 * 1024,
};

export interface LabServerOptions {
  host: string;
  port: number;
  token: string;
  limits?: Partial<Limits>;
  /** Dev mode: a connect-style middleware (Vite) serves the UI with hot reload. */
  devMiddleware?: (req: IncomingMessage, res: ServerResponse, next: () => void) => void;
  /** `--allow-target` hosts: targets beyond loopback that experiments may connect to. */
  allowTargets?: readonly string[];
  /** Where failures are logged (once each); default stderr. */
  log?: (line: string) => void;
}

const STATUS_TEXT: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 500: 'Internal Server Error', 503: 'Service Unavailable' };

export class LabServer {
  readonly http = http.createServer((req, res) => this.onRequest(req, res));
  private readonly wss: WebSocketServer;
  private readonly sessions = new Set<Session>();
  private readonly liveRuns = new Set<Run>();
  private readonly budget: LabBudget;
  private readonly errors: OnceLog;
  private security: SecurityConfig;
  private hosts: Set<string>;
  readonly limits: Limits;

  constructor(private readonly opts: LabServerOptions) {
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.budget = new LabBudget(this.limits);
    this.errors = new OnceLog([opts.token], opts.log);
    this.security = { token: opts.token, port: opts.port, host: opts.host };
    this.hosts = allowedHosts(this.security);
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.maxPayloadBytes });
    this.wss.on('error', (err) => this.errors.log(`websocket server: ${err.message}`));
    this.http.on('upgrade', (req, socket, head) => this.guard(() => this.onUpgrade(req, socket, head), () => rawRefuse(socket, 500, 'the lab could not handle this upgrade')));
    // A request Node cannot parse at all (bad request line, header overflow): 400 and close.
    this.http.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
      if (err.code === 'ECONNRESET' || !socket.writable) { socket.destroy(); return; }
      socket.end(`HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\n${SECURITY_HEADER_LINES}\r\nBad Request: ${err.code ?? 'the request could not be parsed'}\n`);
    });
  }

  get port(): number { return this.security.port; }
  get runCount(): number { return this.liveRuns.size; }
  get connectionCount(): number { return this.sessions.size; }
  /** Failures logged so far, by message (for tests: a fuzzer's inputs must not appear here). */
  get loggedErrors(): ReadonlyMap<string, number> { return this.errors.counts(); }

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

  /** Runs a handler; if it throws (a lab bug, never the input's fault), logs it once and answers with `fallback`. */
  private guard(handler: () => void, fallback: () => void): void {
    try { handler(); } catch (err) {
      this.errors.log(`handler failed: ${(err as Error).stack ?? String(err)}`);
      try { fallback(); } catch { /* the connection is gone */ }
    }
  }

  private refuse(res: ServerResponse, status: number, reason: string): void {
    if (res.headersSent) { res.destroy(); return; }
    res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(`${STATUS_TEXT[status] ?? 'Error'}: ${reason}\n`);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    res.on('error', () => { /* the client went away mid-response */ });
    setSecurityHeaders(res);
    this.guard(() => this.route(req, res), () => this.refuse(res, 500, 'the lab could not handle this request (it is logged)'));
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const verdict = checkRequest(req, this.security, this.hosts);
    if (!verdict.ok) return this.refuse(res, verdict.status, verdict.reason);
    const url = parseTarget(req.url);
    if (!url) return this.refuse(res, 400, 'the request target is not a path on this lab');
    if (verdict.viaQuery && req.method === 'GET' && !url.pathname.startsWith('/api/')) {
      // Trade the token for a cookie and drop it from the address bar and history.
      url.searchParams.delete('token');
      const query = url.searchParams.toString();
      // One leading slash: "//host" in Location would send the browser to another site.
      const location = `/${url.pathname.replace(/^[/\\]+/, '')}${query ? `?${query}` : ''}`;
      res.writeHead(302, { 'Set-Cookie': sessionCookie(this.security), Location: location, 'Cache-Control': 'no-store' });
      return void res.end();
    }
    if (url.pathname === '/api/catalog') return this.json(res, catalog());
    if (url.pathname === '/api/health') return this.json(res, { ok: true, runs: this.liveRuns.size, connections: this.sessions.size });
    if (url.pathname === '/api/stats') return this.json(res, { ...labStats({ gc: url.searchParams.get('gc') === '1' }), runs: this.liveRuns.size, sessions: this.sessions.size });
    if (req.method !== 'GET' && req.method !== 'HEAD') return this.refuse(res, 405, 'method not allowed');
    if (this.opts.devMiddleware) return this.opts.devMiddleware(req, res, () => this.refuse(res, 404, 'not found'));
    if (!serveStatic(webDistDir, url.pathname, res)) this.refuse(res, 404, 'not found (is the UI built? npm run build)');
  }

  private json(res: ServerResponse, body: unknown): void {
    res.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(body));
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    // An upgrade's socket is ours from here: without a listener, a reset would be an uncaught 'error'.
    socket.on('error', () => socket.destroy());
    const verdict = checkRequest(req, this.security, this.hosts);
    const url = parseTarget(req.url);
    if (url?.pathname !== '/ws') {
      // Vite's hot-reload socket in dev mode has its own upgrade listener; anything else is refused.
      if (this.opts.devMiddleware && verdict.ok && url) return;
      return rawRefuse(socket, url ? 404 : 400, url ? 'not found' : 'the request target is not a path on this lab');
    }
    if (!verdict.ok) return rawRefuse(socket, verdict.status, verdict.reason);
    if (this.sessions.size >= this.limits.maxConnections) {
      return rawRefuse(socket, 503, `the lab already has ${this.sessions.size} connections (at most ${this.limits.maxConnections}): close a tab`);
    }
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      const session = new Session(ws, {
        limits: this.limits,
        plugins: defaultPlugins,
        allowTargets: this.opts.allowTargets ?? [],
        budget: this.budget,
        secrets: [this.opts.token],
        log: (m) => this.errors.log(m),
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

/** A refusal written straight to an upgrade's socket (there is no response object yet). */
function rawRefuse(socket: Duplex, status: number, reason: string): void {
  if (!socket.writable) { socket.destroy(); return; }
  socket.end(`HTTP/1.1 ${status} ${STATUS_TEXT[status] ?? 'Error'}\r\nContent-Type: text/plain; charset=utf-8\r\nConnection: close\r\n${SECURITY_HEADER_LINES}\r\n${reason}\n`);
}
