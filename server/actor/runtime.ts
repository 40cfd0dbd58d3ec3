/**
 * The actor runtime: the thin layer between an ordinary `node:net` program and the lab.
 *
 * An actor program stays a plain program (it runs on its own from the command line); it calls
 * `lab.watch(socket)` / `lab.watchServer(server)` and the runtime reports what happens on those
 * sockets over IPC. Instrumentation wraps `write`/`end`/`destroy` and `emit`, and never adds a
 * 'data' listener — that would switch a paused socket to flowing mode and change the behaviour
 * the lab is trying to show.
 *
 * Without a lab (no IPC channel) every report is a no-op.
 */
import type net from 'node:net';
import type { LabToActor } from '../../shared/protocol/actor-ipc.js';
import { ACTOR_ENV } from '../../shared/protocol/actor-env.js';
import { monoMicros } from './clock.js';
import { fdOf, setOption, type OptionName, type OptionTypes, type SockoptResult } from '../kernel/sockopt.js';
import { unixEventFields, unixInode } from './unix-identity.js';

type Fields = Record<string, unknown>;
type ControlHandler = (args: Record<string, unknown>) => void;

export interface WatchOptions {
  /**
   * Coalesce consecutive writes with the same result into one record (for max-speed writers): those
   * that returned true, and those made while already waiting for 'drain'. The write that first
   * returns false is always its own record.
   */
  coalesceWrites?: boolean;
  /**
   * Coalesce consecutive reads ('data' events) until the next flush into one record with `calls`
   * (for max-speed readers). Reads in different turns of the event loop (a slow reader's, or
   * framing experiments' reads) stay one record each.
   */
  coalesceReads?: boolean;
  /** How many leading bytes of each write / read to keep (base64) for byte-level views. */
  captureBytes?: number;
}

interface Watched {
  id: string;
  opts: Required<WatchOptions>;
  blockedSince: number | null;
  /** Consecutive writes with the same result, merged into one record (coalesceWrites). */
  pendingWrite: { mono: number; ok: boolean; bytes: number; calls: number; queued: number; head?: string } | null;
  /** Consecutive reads merged into one record (coalesceReads). */
  pendingData: { mono: number; bytes: number; calls: number; head?: string } | null;
  socket: net.Socket;
  /** write() calls that returned false, and ms spent in completed waits for 'drain'. */
  writeFalse: number;
  drainWaitMs: number;
  /** The last `nodestate` reported, to report only changes. */
  lastState: NodeState | null;
}

/** The Node side of a socket (the `nodestate` event's fields, shared/trace/kernel-events.ts). */
interface NodeState {
  writableLength: number;
  writableHighWaterMark: number;
  toKernel: number;
  readableLength: number;
  readableHighWaterMark: number;
  bytesRead: number;
  delivered: number;
  flowing: boolean | null;
  writeFalse: number;
  drainWaitMs: number;
  waiting: boolean;
}

const connected = typeof process.send === 'function';
const queue: Fields[] = [];
let flushScheduled = false;
let nextSock = 1;
const watched = new WeakMap<object, Watched>();
const controlHandlers = new Map<string, ControlHandler>();
const allSockets = new Set<Watched>();
const serverIds = new WeakMap<object, string>();

/**
 * How often each watched socket's Node-side figures are looked at (ms); a `nodestate` event is
 * written only when one changed. LAB_NODESTATE_MS=0 turns it off (the benchmark compares).
 */
const NODESTATE_MS = (() => {
  const n = Number(process.env.LAB_NODESTATE_MS ?? 25);
  return Number.isFinite(n) && n >= 0 ? n : 25;
})();
let nodeStateTimer: NodeJS.Timeout | null = null;
/** What the reporting costs this process: timer ticks, reports written, ms spent in the ticks. */
const nodeStateStats = { ticks: 0, reports: 0, ms: 0 };

function nodeStateOf(w: Watched): NodeState {
  const s = w.socket;
  const writableLength = s.writableLength;
  const readableLength = s.readableLength;
  // Node's bytesWritten counts what is still queued in Node too; what the kernel took is the rest.
  const bytesWritten = s.bytesWritten ?? 0;
  const bytesRead = s.bytesRead ?? 0;
  return {
    writableLength,
    writableHighWaterMark: s.writableHighWaterMark,
    toKernel: Math.max(0, bytesWritten - writableLength),
    readableLength,
    readableHighWaterMark: s.readableHighWaterMark,
    bytesRead,
    delivered: Math.max(0, bytesRead - readableLength),
    flowing: s.readableFlowing,
    writeFalse: w.writeFalse,
    drainWaitMs: Math.round(w.drainWaitMs * 1000) / 1000,
    waiting: w.blockedSince !== null,
  };
}

/** Record the socket's Node-side figures if any changed since the last report. */
function reportNodeState(w: Watched): void {
  const cur = nodeStateOf(w);
  const last = w.lastState;
  if (last) {
    let same = true;
    for (const k in cur) if (cur[k as keyof NodeState] !== last[k as keyof NodeState]) { same = false; break; }
    if (same) return;
  }
  w.lastState = cur;
  nodeStateStats.reports++;
  record('nodestate', { sock: w.id, ...cur });
}

/** One timer for all sockets of the process; unref'd, so it never keeps an actor alive. */
function startNodeState(): void {
  if (nodeStateTimer || !connected || NODESTATE_MS <= 0) return;
  nodeStateTimer = setInterval(() => {
    const t0 = performance.now();
    for (const w of allSockets) reportNodeState(w);
    if (allSockets.size === 0 && nodeStateTimer) { clearInterval(nodeStateTimer); nodeStateTimer = null; }
    nodeStateStats.ticks++;
    nodeStateStats.ms += performance.now() - t0;
  }, NODESTATE_MS);
  nodeStateTimer.unref();
}

/**
 * Coalesced reads (coalesceReads) are held this long before they are recorded: a max-speed
 * reader gets one read per turn of the event loop, so only a time window merges them.
 */
const READ_HOLD_US = 20_000;
let readTimer: NodeJS.Timeout | null = null;

function flush(): void {
  flushScheduled = false;
  const now = monoMicros();
  for (const w of allSockets) flushWrite(w, now);
  if (queue.length === 0 || !connected || !process.connected) {
    queue.length = 0;
    return;
  }
  const events = queue.splice(0, queue.length);
  process.send!({ type: 'events', events });
}

function record(kind: string, fields: Fields, mono = monoMicros()): void {
  if (!connected) return;
  queue.push({ kind, mono, ...fields });
  if (!flushScheduled) {
    flushScheduled = true;
    setImmediate(flush);
  }
}

/**
 * Records a socket's coalesced reads and writes, if any: always before any other record of the
 * socket (no `now`); from flush(), reads only once they are READ_HOLD_US old.
 */
function flushWrite(w: Watched, now?: number): void {
  const d = w.pendingData;
  if (d && now !== undefined && now - d.mono < READ_HOLD_US) holdReads();
  else if (d) {
    w.pendingData = null;
    record('data', { sock: w.id, bytes: d.bytes, ...(d.calls > 1 ? { calls: d.calls } : {}), ...(d.head ? { head: d.head } : {}) }, d.mono);
  }
  const p = w.pendingWrite;
  if (!p) return;
  w.pendingWrite = null;
  record('write', { sock: w.id, bytes: p.bytes, ok: p.ok, queued: p.queued, calls: p.calls, ...(p.head ? { head: p.head } : {}) }, p.mono);
}

/** Makes sure held reads get recorded once their window has passed. */
function holdReads(): void {
  if (readTimer || !connected) return;
  readTimer = setTimeout(() => { readTimer = null; flush(); }, READ_HOLD_US / 1000 + 1);
  readTimer.unref();
}

function addressOf(a: { address?: string | undefined; port?: number | undefined; family?: string | undefined }): Fields {
  return { address: a.address ?? '', port: a.port ?? 0, ...(a.family === 'IPv4' || a.family === 'IPv6' ? { family: a.family } : {}) };
}

function headOf(chunk: unknown, n: number): string | undefined {
  if (n <= 0) return undefined;
  if (typeof chunk === 'string') return Buffer.from(chunk.slice(0, n)).subarray(0, n).toString('base64');
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, Math.min(n, chunk.byteLength)).toString('base64');
  return undefined;
}

function byteLength(chunk: unknown, encoding?: unknown): number {
  if (typeof chunk === 'string') return Buffer.byteLength(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
  if (chunk instanceof Uint8Array) return chunk.byteLength;
  return 0;
}

function errorFields(err: unknown): Fields {
  const e = err as NodeJS.ErrnoException;
  return { code: String(e?.code ?? 'ERR'), message: String(e?.message ?? err).slice(0, 2000), ...(e?.syscall ? { syscall: e.syscall } : {}) };
}

/** Report a socket's calls and events to the lab. Idempotent; returns the socket. */
function watch<S extends net.Socket>(target: S, options: WatchOptions = {}, prefix = 'c'): S {
  if (watched.has(target)) return target;
  const socket: net.Socket = target;
  const w: Watched = {
    id: `${prefix}${nextSock++}`,
    opts: { coalesceWrites: options.coalesceWrites ?? false, coalesceReads: options.coalesceReads ?? false, captureBytes: options.captureBytes ?? 64 },
    blockedSince: null,
    pendingWrite: null,
    pendingData: null,
    socket,
    writeFalse: 0,
    drainWaitMs: 0,
    lastState: null,
  };
  watched.set(socket, w);
  allSockets.add(w);
  startNodeState();

  const write = socket.write;
  // Fixed parameters, not ...rest: a max-speed writer calls this millions of times, and a rest
  // array plus a spread call per write() cost more than everything else here (flow benchmark).
  // Writable.write(chunk, encoding, cb) treats undefined and a callback in `encoding` the same.
  socket.write = function (this: net.Socket, chunk: unknown, encoding?: unknown, cb?: unknown): boolean {
    const coalesce = w.opts.coalesceWrites;
    // Hot path of a max-speed writer: no clock read for a write that joins a pending record.
    const mono = coalesce ? 0 : monoMicros();
    const ok = (write as (c: unknown, e?: unknown, f?: unknown) => boolean).call(this, chunk, encoding, cb);
    const bytes = byteLength(chunk, encoding);
    if (coalesce) {
      // Merge consecutive writes with the same result: the ones that returned true, and the
      // further writes of a program that keeps writing while already waiting for 'drain'
      // (ignoring backpressure). The write that first returns false stays a record of its own.
      const p = w.pendingWrite;
      if (p !== null && p.ok === ok) {
        p.bytes += bytes; p.calls += 1; p.queued = this.writableLength;
        if (!ok) w.writeFalse++;
        return ok;
      }
      if (ok || w.blockedSince !== null) {
        flushWrite(w);
        const head = headOf(chunk, w.opts.captureBytes);
        w.pendingWrite = { mono: monoMicros(), ok, bytes, calls: 1, queued: this.writableLength, ...(head ? { head } : {}) };
        if (!ok) w.writeFalse++;
        if (!flushScheduled && connected) { flushScheduled = true; setImmediate(flush); }
        return ok;
      }
    }
    const at = coalesce ? monoMicros() : mono;
    flushWrite(w);
    const head = headOf(chunk, w.opts.captureBytes);
    record('write', { sock: w.id, bytes, ok, queued: this.writableLength, ...(head ? { head } : {}) }, at);
    if (!ok) w.writeFalse++;
    if (!ok && w.blockedSince === null) w.blockedSince = at;
    return ok;
  } as net.Socket['write'];

  const end = socket.end;
  socket.end = function (this: net.Socket, ...args: unknown[]) {
    flushWrite(w);
    // end(data) writes first; count those bytes as a write so totals stay exact.
    if (args[0] !== undefined && typeof args[0] !== 'function') {
      const bytes = byteLength(args[0], args[1]);
      record('write', { sock: w.id, bytes, ok: true, queued: this.writableLength + bytes });
    }
    record('end', { sock: w.id });
    return (end as (...a: unknown[]) => net.Socket).apply(this, args);
  } as net.Socket['end'];

  // destroy() closes the descriptor synchronously (uv_close -> close(2)); with SO_LINGER {on, n}
  // that close(2) blocks the whole event loop for up to n s. Time it and report it on 'close'.
  let closeBlockedMs: number | undefined;
  const destroy = socket.destroy;
  socket.destroy = function (this: net.Socket, ...args: unknown[]) {
    if (this.destroyed) return (destroy as (...a: unknown[]) => net.Socket).apply(this, args);
    flushWrite(w);
    record('destroy', { sock: w.id, queued: this.writableLength });
    flush(); // send what we have now: the close below may stall this process for seconds
    const hadHandle = Boolean((this as unknown as { _handle?: unknown })._handle);
    const start = monoMicros();
    const r = (destroy as (...a: unknown[]) => net.Socket).apply(this, args);
    if (hadHandle) closeBlockedMs = (monoMicros() - start) / 1000;
    return r;
  } as net.Socket['destroy'];

  const emit = socket.emit;
  socket.emit = function (this: net.Socket, event: string | symbol, ...args: unknown[]): boolean {
    switch (event) {
      case 'connect':
        record('connect', { sock: w.id, local: addressOf({ address: this.localAddress, port: this.localPort, family: this.localFamily }), remote: addressOf({ address: this.remoteAddress, port: this.remotePort, family: this.remoteFamily }), ...unixEventFields(this) });
        break;
      case 'data': {
        const chunk = args[0];
        if (w.opts.coalesceReads) {
          const d = w.pendingData;
          if (d !== null) { d.bytes += byteLength(chunk); d.calls += 1; break; }
          const h = headOf(chunk, w.opts.captureBytes);
          w.pendingData = { mono: monoMicros(), bytes: byteLength(chunk), calls: 1, ...(h ? { head: h } : {}) };
          holdReads();
          break;
        }
        const head = headOf(chunk, w.opts.captureBytes);
        record('data', { sock: w.id, bytes: byteLength(chunk), ...(head ? { head } : {}) });
        break;
      }
      case 'drain': {
        flushWrite(w);
        const now = monoMicros();
        const waitedMs = w.blockedSince === null ? 0 : (now - w.blockedSince) / 1000;
        w.blockedSince = null;
        w.drainWaitMs += waitedMs;
        record('drain', { sock: w.id, waitedMs }, now);
        break;
      }
      case 'end':
        flushWrite(w);
        record('eof', { sock: w.id });
        break;
      case 'error':
        flushWrite(w);
        record('error', { sock: w.id, ...errorFields(args[0]) });
        break;
      case 'close':
        flushWrite(w);
        // A last look: what Node still held when the socket closed (unread data, a discarded queue).
        if (NODESTATE_MS > 0) reportNodeState(w);
        record('close', { sock: w.id, hadError: Boolean(args[0]), ...(closeBlockedMs !== undefined ? { blockedMs: closeBlockedMs } : {}) });
        allSockets.delete(w);
        break;
    }
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as net.Socket['emit'];

  return target;
}

/** Report a listening server's listen and accept; accepted sockets are watched automatically. */
function watchServer<S extends net.Server>(server: S, options: WatchOptions = {}): S {
  const id = `L${nextSock++}`;
  serverIds.set(server, id);
  const emit = server.emit;
  server.emit = function (this: S, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'listening') {
      const a = this.address();
      if (a && typeof a === 'object') record('listen', { sock: id, local: addressOf(a) });
      else if (typeof a === 'string') {
        const inode = unixInode(this);
        record('listen', { sock: id, local: { address: a, port: 0, family: 'unix' }, ...(inode !== undefined ? { inode } : {}) });
      }
    } else if (event === 'connection') {
      const conn = args[0] as net.Socket;
      watch(conn, options, 's');
      const w = watched.get(conn)!;
      record('accept', {
        sock: w.id, listener: id,
        local: addressOf({ address: conn.localAddress, port: conn.localPort, family: conn.localFamily }),
        remote: addressOf({ address: conn.remoteAddress, port: conn.remotePort, family: conn.remoteFamily }),
        ...unixEventFields(conn, typeof this.address() === 'string' ? (this.address() as string) : undefined),
      });
    } else if (event === 'error') {
      record('error', { sock: id, ...errorFields(args[0]) });
    } else if (event === 'close') {
      record('close', { sock: id });
    }
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as S['emit'];
  return server;
}

/**
 * The actor's parameters: from the lab (LAB_PARAMS, already validated against the experiment's
 * schema) or, when run by hand, from `--name value` / `--name=value` arguments. Types follow the
 * defaults given.
 */
function params<T extends Record<string, string | number | boolean>>(defaults: T): T {
  const out: Record<string, string | number | boolean> = { ...defaults };
  const fromLab = process.env[ACTOR_ENV.params];
  if (fromLab) Object.assign(out, JSON.parse(fromLab) as Record<string, unknown>);
  const argv = process.argv.slice(2);
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([^=]+)(?:=(.*))?$/.exec(argv[i]!);
    if (!m) continue;
    const key = m[1]!;
    const raw = m[2] ?? (argv[i + 1] !== undefined && !argv[i + 1]!.startsWith('--') ? argv[++i]! : 'true');
    const d = defaults[key];
    out[key] = typeof d === 'number' ? Number(raw) : typeof d === 'boolean' ? raw !== 'false' : raw;
  }
  return out as T;
}

/**
 * Set a socket option the way the seeds' Go programs do (SetWriteBuffer, SetLinger, ...), through
 * setsockopt(2), and record what was asked and what the kernel reports back (Linux doubles
 * buffer sizes: the user should see that). Needs the socket's file descriptor, which Node creates
 * at connect()/listen(): set client options in the 'connect' handler, and a listener's options in
 * the 'listening' handler (accepted sockets inherit SO_RCVBUF/SO_SNDBUF before their handshake).
 */
function setsockopt<N extends OptionName>(target: net.Socket | net.Server, name: N, value: OptionTypes[N]): SockoptResult<N> {
  const fd = fdOf(target);
  const sock = watched.get(target)?.id ?? serverIds.get(target) ?? 'unwatched';
  const r: SockoptResult<N> = fd === undefined
    ? { option: name, requested: value, effective: null, error: 'no file descriptor yet: set options after connect or listen' }
    : setOption(fd, name, value);
  record('sockopt', { sock, option: name, requested: value, effective: r.effective, ...(r.error ? { error: r.error } : {}) });
  return r;
}

/** Handle a live command from the lab UI (pause the reader, read everything now, ...). */
function onControl(command: string, handler: ControlHandler): void {
  controlHandlers.set(command, handler);
}

if (connected) {
  process.on('message', (msg: LabToActor) => {
    if (msg && msg.type === 'control') controlHandlers.get(msg.command)?.(msg.args ?? {});
  });
  // The lab is gone (crashed or killed): an actor must never outlive it.
  process.on('disconnect', () => process.exit(0));
  // The lab ends a run with SIGTERM: send what is still pending (held reads and writes, the last
  // batch) before dying, or a run stopped right after the program's last call loses its record.
  // Then die of SIGTERM as the default handler would, unless the program handles SIGTERM itself.
  const onTerm = () => {
    for (const w of allSockets) flushWrite(w);
    const events = queue.splice(0, queue.length);
    const die = () => {
      if (process.listenerCount('SIGTERM') > 1) return; // the program's own handler ends it
      process.removeListener('SIGTERM', onTerm);
      process.kill(process.pid, 'SIGTERM');
    };
    if (events.length && process.connected) process.send!({ type: 'events', events }, () => die());
    else die();
  };
  process.on('SIGTERM', onTerm);
  // The IPC channel alone must not keep an actor alive: a one-shot program ends when its own work
  // is done, under the lab as on its own. (Pending sends still complete: they are active requests.)
  process.channel?.unref();
}

export const lab = {
  /** True when running under the lab (reports go somewhere). */
  connected,
  role: process.env[ACTOR_ENV.role] ?? 'standalone',
  watch: (socket: net.Socket, options?: WatchOptions) => watch(socket, options),
  watchServer,
  params,
  onControl,
  setsockopt,
  /** Report something no socket event covers; shown in the event list. */
  report(name: string, data: Record<string, unknown> = {}): void { record('custom', { name, data }); },
  /** The id under which a watched socket appears in the trace. */
  sockId(socket: object): string | undefined { return watched.get(socket)?.id; },
  /** Send everything recorded so far now (before a call that blocks the event loop). */
  flush,
  /** What the periodic `nodestate` reporting has cost this process so far (for the benchmark). */
  nodeStateStats: () => ({ ...nodeStateStats }),
  /** Record an event of any kind the trace schema knows (used by option and close helpers). */
  record,
};
