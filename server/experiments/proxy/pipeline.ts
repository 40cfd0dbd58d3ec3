/**
 * The proxy's copy, connection by connection, from the trace: each chain of the run's own sockets
 * (client → proxy, proxy → server), the bytes each end wrote and read, what sat in between at the
 * kernel's and Node's last look, and the bytes read compared with the client's stream. A client
 * from outside the run (an nc to the proxy's port) is never part of a chain.
 */
import { base64Decode } from '../../../shared/codecs/bytes.js';
import { socketKey } from '../../../shared/trace/kernel-view.js';
import type { Connection, TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { QUEUE_LIMIT } from './link.js';
import { echoPattern, streamPattern, type ClientStream } from './stream-pattern.js';

/** One client connection through the proxy. */
export interface Chain {
  client: Connection;
  /** The proxy's accepted socket (facing the client) and its connected one (facing the server). */
  proxyIn: Connection;
  proxyOut?: Connection;
  server?: Connection;
  clientWrote: number;
  proxyRead: number;
  proxyWrote: number;
  serverRead: number;
}

/** Node's last report on a socket at or before `t` (written only on change, so it holds until the next one). */
function lastNode(q: TraceQuery, actor: string, sock: string, t: number): EventOf<'nodestate'> | undefined {
  return q.lastBefore('nodestate', t, actor, (e) => e.sock === sock);
}

const sum = (xs: readonly { bytes: number; t: number }[], until: number) => xs.reduce((a, e) => (e.t <= until ? a + e.bytes : a), 0);

/** Lines the lab writes about a program (its start, exit and terminal output), not the program's own reports. */
const LAB_WRITTEN = new Set(['spawn', 'exit', 'stdout', 'stderr', 'stdin', 'control', 'observation', 'note']);

/**
 * The latest moment up to which the trace has every report of each of these programs: the
 * earliest of their last reports. A program's reports reach the trace in order but late (a busy
 * program's reports queue up; a killed one's last ones can be lost), so counts compared across
 * programs are taken at this moment, not at the end.
 */
export function horizon(q: TraceQuery, actors: readonly string[]): number {
  let h = Infinity;
  for (const a of actors) {
    let last = -Infinity;
    for (const e of q.events) if (e.actor === a && !LAB_WRITTEN.has(e.kind) && e.t > last) last = e.t;
    h = Math.min(h, last);
  }
  return h;
}

/** The chains as they were at `until` (counts of events at or before it). */
export function chains(q: TraceQuery, until = Infinity): Chain[] {
  const conns = q.connections().filter((c) => c.own);
  // The proxy dials the server as it accepts a client (same handler): pair them in order, each
  // accepted connection with the first connection to the server made after it. An accepted
  // connection from outside the run takes its dial too, so it is paired before it is left out.
  const dials = q.connections().filter((c) => c.actor === 'proxy' && c.via === 'connect');
  const out: Chain[] = [];
  const usedDials = new Set<string>();
  for (const proxyIn of q.connections().filter((c) => c.actor === 'proxy' && c.via === 'accept')) {
    const dial = dials.find((d) => d.t >= proxyIn.t && !usedDials.has(d.sock));
    if (dial) usedDials.add(dial.sock);
    if (!proxyIn.own) continue;
    const client = conns.find((c) => c.actor === 'client' && c.via === 'connect' && c.local.port === proxyIn.remote.port && c.local.address === proxyIn.remote.address);
    if (!client) continue;
    const proxyOut = dial?.own ? dial : undefined;
    const server = proxyOut && conns.find((c) => c.actor === 'server' && c.via === 'accept' && c.remote.port === proxyOut.local.port && c.remote.address === proxyOut.local.address);
    out.push({
      client, proxyIn, ...(proxyOut ? { proxyOut } : {}), ...(server ? { server } : {}),
      clientWrote: sum(q.of('write', 'client').filter((e) => e.sock === client.sock), until),
      proxyRead: sum(q.of('data', 'proxy').filter((e) => e.sock === proxyIn.sock), until),
      proxyWrote: proxyOut ? sum(q.of('write', 'proxy').filter((e) => e.sock === proxyOut.sock), until) : 0,
      serverRead: server ? sum(q.of('data', 'server').filter((e) => e.sock === server.sock), until) : 0,
    });
  }
  return out;
}

export interface InFlight {
  /** Bytes between the two ends of the chain at the last look: Node's queues, the kernel's, the proxy's own. */
  bytes: number;
  /** Sockets whose queues the kernel observer never showed (then `bytes` leaves them out). */
  unseen: string[];
  parts: string[];
}

/**
 * What the chain held between the client's write() and the server's read at the last look:
 * Node's write queue and receive buffer of each socket (nodestate), each kernel queue (the last
 * live sample: a GONE sample says the socket was freed, not that its queue was empty), and what
 * the proxy had read and not yet written on.
 */
export function inFlight(q: TraceQuery, c: Chain, at = Infinity): InFlight {
  const parts: string[] = [];
  const unseen: string[] = [];
  let bytes = 0;
  const add = (what: string, n: number | undefined) => {
    if (n === undefined) { unseen.push(what); return; }
    bytes += n;
    if (n) parts.push(`${n} B ${what}`);
  };
  const queue = (conn: Connection | undefined, field: 'sendQ' | 'recvQ', what: string) => {
    if (!conn) return;
    const s = q.lastLiveSample(socketKey(conn.local, conn.remote), at);
    add(what, s ? s[field] ?? 0 : undefined);
  };
  const node = (conn: Connection | undefined, field: 'writableLength' | 'readableLength', what: string) => {
    if (conn) add(what, lastNode(q, conn.actor, conn.sock, at)?.[field] ?? 0);
  };
  node(c.client, 'writableLength', 'in the client\'s Node queue');
  queue(c.client, 'sendQ', 'in the client\'s send queue');
  queue(c.proxyIn, 'recvQ', 'in the proxy\'s receive queue');
  node(c.proxyIn, 'readableLength', 'in the proxy\'s Node buffer');
  add('inside the proxy', Math.max(0, c.proxyRead - c.proxyWrote));
  node(c.proxyOut, 'writableLength', 'in the proxy\'s Node queue to the server');
  queue(c.proxyOut, 'sendQ', 'in the proxy\'s send queue to the server');
  queue(c.server, 'recvQ', 'in the server\'s receive queue');
  node(c.server, 'readableLength', 'in the server\'s Node buffer');
  return { bytes, unseen, parts };
}

/** The most the proxy holds for one direction: its queue limit, plus the read that went over it. */
export function proxyHoldLimit(q: TraceQuery, c: Chain): number {
  let biggest = 0;
  for (const e of q.of('data', 'proxy')) if (e.sock === c.proxyIn.sock && e.bytes > biggest) biggest = e.bytes;
  return QUEUE_LIMIT + biggest;
}

/**
 * Bytes the client wrote in the `ms` before `at`: the looks (samples, nodestate) are a few tens
 * of milliseconds apart (more on a busy machine), so a count and a look taken at slightly
 * different moments differ by up to what moved meanwhile.
 */
export function recentFlow(q: TraceQuery, c: Chain, at: number, ms = 200): number {
  return sum(q.of('write', 'client').filter((e) => e.sock === c.client.sock && e.t > at - ms), at);
}

export interface ContentCheck {
  compared: number;
  firstDiff?: { who: string; offset: number; got: string; expected: string };
}

/** The bytes of each read (the lab keeps their first bytes) against the client's stream at the read's offset. */
export function compareWithClient(q: TraceQuery, c: Chain, workload: string, chunkBytes: number): ContentCheck {
  const out: ContentCheck = { compared: 0 };
  const check = (who: string, actor: string, sock: string | undefined, pattern: ClientStream): boolean => {
    if (!sock) return true;
    let at = 0;
    for (const e of q.of('data', actor)) {
      if (e.sock !== sock) continue;
      const b = e.head ? base64Decode(e.head) : null;
      if (b) {
        const n = Math.min(b.length, e.bytes);
        for (let i = 0; i < n; i++) {
          if (b[i] !== pattern.byteAt(at + i)) {
            const show = (get: (k: number) => number) => Array.from({ length: Math.min(24, n - i) }, (_v, k) => get(k)).map((x) => (x >= 0x20 && x < 0x7f ? String.fromCharCode(x) : '.')).join('');
            out.firstDiff = { who, offset: at + i, got: show((k) => b[i + k]!), expected: show((k) => pattern.byteAt(at + i + k)) };
            return false;
          }
        }
        out.compared += n;
      }
      at += e.bytes;
    }
    return true;
  };
  const pattern = () => (workload === 'echo' ? echoPattern() : streamPattern(chunkBytes));
  if (check('the proxy', 'proxy', c.proxyIn.sock, pattern())) check('the server', 'server', c.server?.sock, pattern());
  return out;
}
