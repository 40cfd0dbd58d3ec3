/**
 * What the unix experiment's run showed, computed from its trace: the socket file, the leftover
 * file and its cleanup, the abstract name, and the slow-reader queues as unix_diag saw them.
 * Pure: the experiment's observations, its panel and the tests share it.
 */
import type { EventOf, TraceEvent } from '../trace/schema.js';
import type { SampleEvent } from '../trace/kernel-events.js';
import { unixKey } from '../trace/unix-key.js';
import { numberOf, textOf } from '../json/values.js';

export interface UnixView {
  file?: { path: string; mode: string; isSocket: boolean; uid: number; fileInode: number; socketInode: number | null; umask: string };
  /** The leftover story, in the order it happened. */
  leftover: { crashedListen: boolean; eaddrinuse: boolean; refused: boolean; unlinked: boolean; relistened: boolean };
  abstract?: { name: string; kernelName?: string; dirEntries: string[] };
  /** The path connection: the reader's (accepted) and the writer's (client) sockets in the kernel. */
  queues?: {
    readerInode?: number;
    writerInode?: number;
    /** Largest Recv-Q of the reader, with its rcvbuf then. */
    maxRecvQ: number;
    readerRcvbuf?: number;
    /**
     * The first moment the memory waiting in the reader's queue — charged to the writer (its
     * Send-Q) — was more than the reader's own SO_RCVBUF, with the payload bytes it held.
     */
    pastRcvbuf?: { mem: number; recvQ: number; rcvbuf: number; t: number };
    /** Largest Send-Q (memory charged) of the writer, with its sndbuf then. */
    maxSendMem: number;
    writerSndbuf?: number;
    /** The writer's first write() that returned false. */
    firstBackpressureT?: number;
    samples: number;
  };
}

const isStr = (x: unknown): x is string => typeof x === 'string';

export function unixView(events: readonly TraceEvent[], upTo = events.length): UnixView {
  const evs = events.slice(0, Math.min(upTo, events.length));
  const custom = (name: string, actor: string) => evs.find((e): e is EventOf<'custom'> => e.kind === 'custom' && e.actor === actor && e.name === name);
  const view: UnixView = { leftover: { crashedListen: false, eaddrinuse: false, refused: false, unlinked: false, relistened: false } };

  const f = custom('socket-file', 'server');
  if (f) {
    const d = f.data;
    view.file = {
      path: textOf(d.path), mode: textOf(d.mode), isSocket: d.isSocket === true, uid: numberOf(d.uid) ?? NaN, fileInode: numberOf(d.fileInode) ?? NaN,
      socketInode: typeof d.socketInode === 'number' ? d.socketInode : null, umask: textOf(d.umask),
    };
  }

  const unlink = custom('unlink', 'server');
  view.leftover.crashedListen = evs.some((e) => e.kind === 'listen' && e.actor === 'old-server');
  view.leftover.eaddrinuse = evs.some((e) => e.kind === 'error' && e.actor === 'server' && e.code === 'EADDRINUSE');
  view.leftover.refused = evs.some((e) => e.kind === 'error' && e.actor === 'server' && e.code === 'ECONNREFUSED');
  view.leftover.unlinked = unlink !== undefined;
  view.leftover.relistened = unlink !== undefined && evs.some((e) => e.kind === 'listen' && e.actor === 'server' && e.t >= unlink.t && !e.local.address.startsWith('\0'));

  const dir = custom('dir-listing', 'server');
  if (dir) {
    const name = textOf(dir.data.abstractName);
    const k = evs.find((e): e is SampleEvent => e.kind === 'sample' && e.proto === 'unix' && e.state === 'LISTEN' && e.local.address.startsWith(`@${name}`));
    view.abstract = { name, dirEntries: Array.isArray(dir.data.entries) ? dir.data.entries.filter(isStr) : [], ...(k ? { kernelName: k.local.address } : {}) };
  }

  // The path connection: the server's accepted socket (the reader) and the client's socket on the
  // path (the writer), both named by inode; the abstract-namespace hello is a different pair.
  const pathListener = evs.find((e): e is EventOf<'listen'> => e.kind === 'listen' && e.actor === 'server' && !e.local.address.startsWith('\0'));
  const reader = pathListener && evs.find((e): e is EventOf<'accept'> => e.kind === 'accept' && e.actor === 'server' && e.listener === pathListener.sock && e.inode !== undefined);
  if (reader?.inode !== undefined) {
    const readerKey = unixKey(reader.inode);
    const rs = evs.filter((e): e is SampleEvent => e.kind === 'sample' && e.key === readerKey);
    const writerInode = rs.find((s) => s.peerInode)?.peerInode;
    const ws = writerInode ? evs.filter((e): e is SampleEvent => e.kind === 'sample' && e.key === unixKey(writerInode)) : [];
    const q: NonNullable<UnixView['queues']> = { readerInode: reader.inode, maxRecvQ: 0, maxSendMem: 0, samples: rs.length + ws.length };
    if (writerInode) q.writerInode = writerInode;
    for (const s of rs) if ((s.recvQ ?? 0) >= q.maxRecvQ && s.state !== 'GONE') { q.maxRecvQ = s.recvQ ?? 0; if (s.skmem) q.readerRcvbuf = s.skmem.rcvbuf; }
    // Both ends are sampled in the same dump (same t): compare them pairwise.
    const writerAt = new Map(ws.map((w) => [w.t, w]));
    for (const r of rs) {
      const w = writerAt.get(r.t);
      if (!w || !r.skmem || r.state === 'GONE' || w.state === 'GONE') continue;
      const mem = w.sendQ ?? 0;
      if ((r.recvQ ?? 0) > 0 && mem > r.skmem.rcvbuf) { q.pastRcvbuf = { mem, recvQ: r.recvQ ?? 0, rcvbuf: r.skmem.rcvbuf, t: r.t }; break; }
    }
    for (const s of ws) if ((s.sendQ ?? 0) >= q.maxSendMem && s.state !== 'GONE') { q.maxSendMem = s.sendQ ?? 0; if (s.skmem) q.writerSndbuf = s.skmem.sndbuf; }
    const writerConnect = writerInode ? evs.find((e): e is EventOf<'connect'> => e.kind === 'connect' && e.actor === 'client' && e.inode === writerInode) : undefined;
    const bp = writerConnect && evs.find((e) => e.kind === 'write' && e.actor === 'client' && e.sock === writerConnect.sock && !e.ok);
    if (bp) q.firstBackpressureT = bp.t;
    view.queues = q;
  }
  return view;
}
