/**
 * The lab's thin wrapper for datagram (UDP) sockets, the `node:dgram` counterpart of
 * `lab.watch` for `node:net` (server/actor/runtime.ts). It reports what the program does with the
 * socket: bind, connect, each send (when Node's send callback says whether the kernel took the
 * datagram) and each received message — kinds in shared/trace/datagram-events.ts — plus errors
 * and the close as the socket kinds `error` / `close`.
 *
 * Like the runtime it only wraps `send` and `emit`: it adds no listener, so the program behaves
 * as it would alone. Without a lab every report is a no-op (lab.record does nothing).
 */
import type dgram from 'node:dgram';
import { lab } from './runtime.js';
import { monoMicros } from './clock.js';

export interface DgramWatchOptions {
  /**
   * Merge consecutive successful sends of the same size to the same peer into one `send` line
   * (and likewise received messages), for a max-speed sender: the trace keeps the count and the
   * size, not one line per datagram. Off by default: one line per datagram.
   */
  coalesce?: boolean;
  /** How many leading bytes of each datagram to keep (base64) for byte-level views. Default 64. */
  captureBytes?: number;
}

interface Address { address: string; port: number; family?: 'IPv4' | 'IPv6' }

interface Pending {
  kind: 'send' | 'message';
  mono: number;
  bytes: number;
  size: number;
  calls: number;
  peer: string;
  fields: Record<string, unknown>;
}

interface Watched {
  id: string;
  opts: Required<DgramWatchOptions>;
  pending: Pending | null;
  flushArmed: boolean;
}

let nextId = 1;
const watched = new WeakMap<dgram.Socket, Watched>();
/**
 * Callbacks this wrapper made. A send() on a socket not bound yet is queued by Node and replayed
 * through `this.send` (this wrapper again) once bound: its callback is then already ours, and the
 * datagram must not be counted twice.
 */
const ours = new WeakSet<object>();

function addr(a: { address?: string; port?: number; family?: string } | undefined): Address {
  const out: Address = { address: a?.address ?? '', port: a?.port ?? 0 };
  if (a?.family === 'IPv4' || a?.family === 'IPv6') out.family = a.family;
  return out;
}

function head(buf: Uint8Array | undefined, n: number): string | undefined {
  if (!buf || n <= 0 || buf.byteLength === 0) return undefined;
  return Buffer.from(buf.buffer, buf.byteOffset, Math.min(n, buf.byteLength)).toString('base64');
}

/** The bytes a send() was asked to carry (Node's callback tells the truth on success). */
function asBytes(msg: unknown): Uint8Array | undefined {
  if (typeof msg === 'string') return Buffer.from(msg);
  if (msg instanceof Uint8Array) return msg;
  if (Array.isArray(msg)) return Buffer.concat(msg.map((m) => (typeof m === 'string' ? Buffer.from(m) : Buffer.from(m as Uint8Array))));
  return undefined;
}

function errorCode(err: unknown): string {
  return String((err as NodeJS.ErrnoException | undefined)?.code ?? 'ERR').slice(0, 64);
}

function flushPending(w: Watched): void {
  const p = w.pending;
  w.pending = null;
  if (!p) return;
  lab.record(p.kind, { sock: w.id, bytes: p.bytes, ...(p.calls > 1 ? { calls: p.calls, size: p.size } : {}), ...p.fields }, p.mono);
}

/** One datagram sent or received: its own line, or merged into the pending one. */
function report(w: Watched, kind: 'send' | 'message', size: number, peer: string, fields: Record<string, unknown>, mono: number, mergeable: boolean): void {
  const p = w.pending;
  if (mergeable && w.opts.coalesce && p && p.kind === kind && p.size === size && p.peer === peer) {
    p.bytes += size;
    p.calls += 1;
    return;
  }
  flushPending(w);
  if (mergeable && w.opts.coalesce) {
    w.pending = { kind, mono, bytes: size, size, calls: 1, peer, fields };
    if (!w.flushArmed) {
      w.flushArmed = true;
      // One line per event-loop turn at most: what arrived in one burst is merged.
      setImmediate(() => { w.flushArmed = false; flushPending(w); });
    }
    return;
  }
  lab.record(kind, { sock: w.id, bytes: size, ...fields }, mono);
}

/** Report a datagram socket's bind, connect, sends, messages, errors and close to the lab. */
export function watchDgram(socket: dgram.Socket, options: DgramWatchOptions = {}): dgram.Socket {
  if (watched.has(socket)) return socket;
  const w: Watched = {
    id: `u${nextId++}`,
    opts: { coalesce: options.coalesce ?? false, captureBytes: options.captureBytes ?? 64 },
    pending: null,
    flushArmed: false,
  };
  watched.set(socket, w);
  const proto = (socket as unknown as { type?: string }).type === 'udp6' ? 'udp6' : 'udp4';

  const send = socket.send;
  socket.send = function (this: dgram.Socket, ...args: unknown[]): void {
    const cbAt = args.findIndex((a) => typeof a === 'function');
    if (cbAt >= 0 && ours.has(args[cbAt] as object)) return (send as (...a: unknown[]) => void).apply(this, args);
    const mono = monoMicros();
    const userCb = cbAt >= 0 ? (args[cbAt] as (err: Error | null, bytes?: number) => void) : undefined;
    const bytesOf = asBytes(args[0]);
    // send(msg, offset, length, port?, address?) or send(msg, port?, address?): the sliced form
    // has two numbers right after msg and is what Node sends when both are given.
    const sliced = typeof args[1] === 'number' && typeof args[2] === 'number' && (typeof args[3] === 'number' || cbAt === 3 || args.length === 3);
    const intended = sliced ? Number(args[2]) : (bytesOf?.byteLength ?? 0);
    const dest = sliced ? { port: args[3], address: args[4] } : { port: args[1], address: args[2] };
    let to: Address | undefined;
    if (typeof dest.port === 'number' || typeof dest.port === 'string') {
      to = { address: typeof dest.address === 'string' ? dest.address : proto === 'udp6' ? '::1' : '127.0.0.1', port: Number(dest.port) };
    }
    const headOf = sliced && bytesOf ? bytesOf.subarray(Number(args[1]), Number(args[1]) + intended) : bytesOf;
    const cb = (err: Error | null, bytes?: number): void => {
      const size = err ? intended : (bytes ?? intended);
      const h = head(headOf, w.opts.captureBytes);
      const fields: Record<string, unknown> = { ...(to ? { to } : {}), ...(err ? { error: errorCode(err) } : {}), ...(h ? { head: h } : {}) };
      report(w, 'send', size, to ? `${to.address}:${to.port}` : '', fields, mono, !err);
      // Without a callback of its own, Node drops a send error silently; so do we (after recording it).
      userCb?.(err, bytes);
    };
    ours.add(cb);
    if (cbAt >= 0) args[cbAt] = cb;
    else args.push(cb);
    (send as (...a: unknown[]) => void).apply(this, args);
  } as dgram.Socket['send'];

  const emit = socket.emit;
  socket.emit = function (this: dgram.Socket, event: string | symbol, ...args: unknown[]): boolean {
    switch (event) {
      case 'listening':
        flushPending(w);
        lab.record('bind', { sock: w.id, local: addr(this.address()), proto });
        break;
      case 'connect': {
        flushPending(w);
        let remote: Address = { address: '', port: 0 };
        try { remote = addr(this.remoteAddress()); } catch { /* not connected after all */ }
        lab.record('dgram-connect', { sock: w.id, local: addr(this.address()), remote });
        break;
      }
      case 'message': {
        const msg = args[0] as Buffer;
        const rinfo = args[1] as dgram.RemoteInfo;
        const h = head(msg, w.opts.captureBytes);
        const from = addr(rinfo);
        report(w, 'message', msg.byteLength, `${from.address}:${from.port}`, { from, ...(h ? { head: h } : {}) }, monoMicros(), true);
        break;
      }
      case 'error': {
        flushPending(w);
        const e = args[0] as NodeJS.ErrnoException;
        lab.record('error', { sock: w.id, code: errorCode(e), message: String(e?.message ?? e).slice(0, 2000), ...(e?.syscall ? { syscall: e.syscall } : {}) });
        break;
      }
      case 'close':
        flushPending(w);
        lab.record('close', { sock: w.id });
        break;
    }
    return (emit as (...a: unknown[]) => boolean).call(this, event, ...args);
  } as dgram.Socket['emit'];
  return socket;
}

/** The id under which a watched datagram socket appears in the trace. */
export function dgramSockId(socket: dgram.Socket): string | undefined {
  return watched.get(socket)?.id;
}

/**
 * SO_RCVBUF / SO_SNDBUF on a bound datagram socket, through Node's own setRecvBufferSize /
 * setSendBufferSize, recorded as a `sockopt` event with what the kernel reports back (Linux
 * doubles the value asked, and has a floor). Returns the effective size, or the error.
 */
export function setDgramBuffer(socket: dgram.Socket, option: 'SO_RCVBUF' | 'SO_SNDBUF', bytes: number): { effective: number | null; error?: string } {
  const sock = watched.get(socket)?.id ?? 'unwatched';
  try {
    if (option === 'SO_RCVBUF') socket.setRecvBufferSize(bytes);
    else socket.setSendBufferSize(bytes);
    const effective = option === 'SO_RCVBUF' ? socket.getRecvBufferSize() : socket.getSendBufferSize();
    lab.record('sockopt', { sock, option, requested: bytes, effective });
    return { effective };
  } catch (err) {
    const error = `${errorCode(err)}: ${(err as Error).message}`;
    lab.record('sockopt', { sock, option, requested: bytes, effective: null, error });
    return { effective: null, error };
  }
}
