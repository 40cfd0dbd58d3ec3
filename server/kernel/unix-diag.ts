/**
 * The kernel's view of a run's Unix domain sockets: NETLINK_SOCK_DIAG for AF_UNIX (unix_diag), the
 * interface `ss -xm` asks. An ObserverMethod, so the kernel observer's Sampler runs it unchanged
 * and writes `sample` events (proto "unix", key `unix:<inode>`).
 *
 * Unix sockets have no ports, so a run's sockets are found by name: those bound under the run's
 * own directory, or to an abstract name with the run's prefix, plus every socket whose peer is one
 * of those (a client socket has no name of its own; an accepted socket carries its listener's).
 *
 * The queues mean something different from TCP's (unix_diag_rqlen, and measured on Linux 6.18):
 * a stream socket's data goes straight into the reader's receive queue, so
 *  - the reader's Recv-Q is payload bytes waiting to be read;
 *  - the writer's Send-Q is the memory those same bytes are charged against the WRITER's send
 *    buffer (sk_wmem_alloc, with skb overhead): a writer blocks when it reaches SO_SNDBUF. The
 *    reader's SO_RCVBUF plays no part;
 *  - a listener's Recv-Q is connections waiting for accept(), its Send-Q the backlog limit.
 */
import type { Libc } from './libc.js';
import { DiagDump, NLMSG_HDRLEN, diagCookie, dumpRequest, forEachAttr, requireLibc } from './netlink.js';
import { tcpStateName } from './sockopt.js';
import type { KernelSocket, ObserverMethod } from './method.js';
import { unixKey } from '../../shared/trace/unix-key.js';

const AF_UNIX = 1;
const UNIX_DIAG_REQ_LEN = 24;
const UNIX_DIAG_MSG_LEN = 16;
const UDIAG_SHOW_NAME = 0x01;
const UDIAG_SHOW_PEER = 0x04;
const UDIAG_SHOW_RQLEN = 0x10;
const UDIAG_SHOW_MEMINFO = 0x20;
const UDIAG_SHOW_UID = 0x40;
const UNIX_DIAG_NAME = 0;
const UNIX_DIAG_PEER = 2;
const UNIX_DIAG_RQLEN = 4;
const UNIX_DIAG_MEMINFO = 5;
const UNIX_DIAG_SHUTDOWN = 6;
const UNIX_DIAG_UID = 7;
const ALL_STATES = 0xffffffff;

/** Which Unix sockets belong to the run. */
export interface UnixFilter {
  /** Sockets bound to a path starting with this (the run's own directory, with its trailing slash). */
  pathPrefix?: string;
  /** Sockets bound to an abstract name starting with this (without the leading NUL). */
  abstractPrefix?: string;
}

/** A Unix socket as unix_diag reports it, before the run's filter. */
export interface UnixDiagEntry {
  inode: number;
  /** SOCK_STREAM 1, SOCK_DGRAM 2, SOCK_SEQPACKET 5. */
  type: number;
  state: number;
  cookie: string;
  /** The bound name: a path, "@name" for the abstract namespace, or "" (unnamed). */
  name: string;
  peer?: number;
  rqueue?: number;
  wqueue?: number;
  uid?: number;
  shutdown?: number;
  meminfo?: number[];
}

/** SOCK_DIAG_BY_FAMILY + unix_diag_req: every Unix socket, with name, peer, queues, memory, owner. */
export function unixRequest(): Buffer {
  const b = dumpRequest(UNIX_DIAG_REQ_LEN);
  const r = NLMSG_HDRLEN;
  b.writeUInt8(AF_UNIX, r); // sdiag_family
  b.writeUInt32LE(ALL_STATES >>> 0, r + 4); // udiag_states
  b.writeUInt32LE(UDIAG_SHOW_NAME | UDIAG_SHOW_PEER | UDIAG_SHOW_RQLEN | UDIAG_SHOW_MEMINFO | UDIAG_SHOW_UID, r + 12); // udiag_show
  return b;
}

/** struct unix_diag_msg at `p` and its attributes up to `end`. */
export function parseUnixDiagMsg(b: Buffer, p: number, end: number): UnixDiagEntry {
  const e: UnixDiagEntry = {
    type: b[p + 1]!,
    state: b[p + 2]!,
    inode: b.readUInt32LE(p + 4),
    cookie: diagCookie(b, p + 8),
    name: '',
  };
  forEachAttr(b, p + UNIX_DIAG_MSG_LEN, end, (atype, d, dlen) => {
    switch (atype) {
      case UNIX_DIAG_NAME: {
        const raw = b.subarray(d, d + dlen);
        // An abstract name starts with a NUL byte and may hold more (Node 20 binds the whole
        // 108-byte sun_path, so its names end in NULs): written as ss writes them, NUL as "@".
        e.name = raw[0] === 0 ? raw.toString('latin1').replace(/\0/g, '@') : raw.toString('utf8').replace(/\0+$/, '');
        break;
      }
      case UNIX_DIAG_PEER: if (dlen >= 4) e.peer = b.readUInt32LE(d); break;
      case UNIX_DIAG_RQLEN: if (dlen >= 8) { e.rqueue = b.readUInt32LE(d); e.wqueue = b.readUInt32LE(d + 4); } break;
      case UNIX_DIAG_UID: if (dlen >= 4) e.uid = b.readUInt32LE(d); break;
      case UNIX_DIAG_SHUTDOWN: if (dlen >= 1) e.shutdown = b[d]!; break;
      case UNIX_DIAG_MEMINFO: {
        const m: number[] = [];
        for (let i = 0; i + 4 <= dlen && i < 36; i += 4) m.push(b.readUInt32LE(d + i));
        if (m.length >= 9) e.meminfo = m;
        break;
      }
    }
  });
  return e;
}

/** The entries that belong to the run: named under the filter, and their peers. */
export function selectRun(entries: readonly UnixDiagEntry[], f: UnixFilter): UnixDiagEntry[] {
  const named = (e: UnixDiagEntry) =>
    (f.pathPrefix !== undefined && f.pathPrefix !== '' && e.name.startsWith(f.pathPrefix)) ||
    (f.abstractPrefix !== undefined && f.abstractPrefix !== '' && e.name.startsWith(`@${f.abstractPrefix}`));
  const mine = new Set<number>();
  for (const e of entries) if (named(e)) mine.add(e.inode);
  // A client socket is unnamed: it belongs to the run through its peer (either direction).
  const peers = new Set<number>();
  for (const e of entries) if (mine.has(e.inode) && e.peer) peers.add(e.peer);
  return entries.filter((e) => mine.has(e.inode) || peers.has(e.inode) || (e.peer !== undefined && mine.has(e.peer)));
}

/** One entry as a `sample` (without the event envelope). */
export function toKernelSocket(e: UnixDiagEntry, nameOf: (inode: number) => string | undefined): KernelSocket {
  const state = tcpStateName(e.state);
  const s: KernelSocket = {
    key: unixKey(e.inode),
    cookie: e.cookie,
    proto: 'unix',
    local: { address: e.name, port: 0, family: 'unix' },
    remote: { address: (e.peer ? nameOf(e.peer) : undefined) ?? '', port: 0, family: 'unix' },
    state,
    inode: e.inode,
    peerInode: e.peer ?? 0,
  };
  if (e.rqueue !== undefined && e.wqueue !== undefined) {
    if (state === 'LISTEN') { s.acceptQ = e.rqueue; s.acceptMax = e.wqueue; s.recvQ = e.rqueue; s.sendQ = e.wqueue; }
    else { s.recvQ = e.rqueue; s.sendQ = e.wqueue; }
  }
  if (e.uid !== undefined) s.uid = e.uid;
  if (e.shutdown !== undefined) s.shutdown = { read: (e.shutdown & 1) !== 0, write: (e.shutdown & 2) !== 0 };
  const m = e.meminfo;
  if (m) s.skmem = { rmemAlloc: m[0]!, rcvbuf: m[1]!, wmemAlloc: m[2]!, sndbuf: m[3]!, fwdAlloc: m[4]!, wmemQueued: m[5]!, optmem: m[6]!, backlog: m[7]!, drops: m[8]! };
  return s;
}

/** No ports: unix_diag has no filter, the run's sockets are chosen after the dump (selectRun). */
const NO_PORTS: ReadonlySet<number> = new Set();

export class UnixDiagMethod implements ObserverMethod {
  readonly name = 'sock_diag' as const;
  private readonly dump: DiagDump;

  /** Throws when NETLINK_SOCK_DIAG cannot be opened. */
  constructor(private readonly filter: UnixFilter, libc: Libc = requireLibc()) {
    if (!filter.pathPrefix && !filter.abstractPrefix) throw new Error('unix_diag: a path or abstract-name prefix is needed to find the run\'s sockets');
    const req = unixRequest();
    this.dump = new DiagDump([{ name: 'unix_diag', requests: () => [req] }], libc);
  }

  timerPrecisionMs(): number {
    return 10;
  }

  close(): void {
    this.dump.close();
  }

  /** Every Unix socket on the system, unfiltered (for tests and diagnostics). */
  all(): UnixDiagEntry[] {
    return this.dump.collect(NO_PORTS, (b, start, end) => (end - start >= UNIX_DIAG_MSG_LEN ? parseUnixDiagMsg(b, start, end) : undefined));
  }

  /** The run's sockets (ports are not used: Unix sockets are found by name and peer). */
  query(_ports?: ReadonlySet<number>): Promise<KernelSocket[]> {
    return new Promise((resolve) => resolve(this.querySync()));
  }

  querySync(): KernelSocket[] {
    const all = this.all();
    const names = new Map<number, string>();
    for (const e of all) if (e.name) names.set(e.inode, e.name);
    return selectRun(all, this.filter).map((e) => toKernelSocket(e, (ino) => names.get(ino)));
  }
}
