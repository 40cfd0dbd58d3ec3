/**
 * What the unix experiment expects, checked against the trace (shared/unix/unix-view.ts): every
 * figure comes from the run — the server's stat() of its file, its errors, and unix_diag samples.
 */
import type { ObservationSpec } from '../experiment.js';
import { unixView } from '../../../shared/unix/unix-view.js';

const kb = (n: number) => `${n.toLocaleString('en-US')} B`;

export const observations: ObservationSpec[] = [
  {
    id: 'socket-file',
    label: 'listen() on a path creates a socket file (type s in ls -l)',
    check: (q) => {
      const f = unixView(q.events).file;
      if (!f) return { held: false, detail: 'the server has not listened on its path yet' };
      return { held: f.isSocket && f.mode.startsWith('s'), detail: `${f.path}: ${f.mode}, uid ${f.uid}, umask ${f.umask}; file inode ${f.fileInode}, socket inode ${f.socketInode ?? '?'}` };
    },
  },
  {
    id: 'leftover',
    label: 'A crashed server’s file makes listen() fail with EADDRINUSE; a refused connect() shows it is stale; unlink, then listen works',
    check: (q, params) => {
      const l = unixView(q.events).leftover;
      if (params.leftover === false) return { held: false, detail: 'no leftover in this run (the "leftover" parameter is off)' };
      const steps = [
        `crashed server listened: ${l.crashedListen ? 'yes' : 'no'}`, `EADDRINUSE: ${l.eaddrinuse ? 'yes' : 'no'}`,
        `probe refused: ${l.refused ? 'yes' : 'no'}`, `unlinked: ${l.unlinked ? 'yes' : 'no'}`, `listening again: ${l.relistened ? 'yes' : 'no'}`,
      ];
      return { held: l.crashedListen && l.eaddrinuse && l.refused && l.unlinked && l.relistened, detail: steps.join('; ') };
    },
  },
  {
    id: 'abstract',
    label: 'An abstract-namespace socket has a name in the kernel and no file',
    check: (q) => {
      const a = unixView(q.events).abstract;
      if (!a) return { held: false, detail: 'the abstract listener has not started' };
      if (!a.kernelName) return { held: false, detail: `listening on "@${a.name}", not seen by unix_diag (yet)` };
      const file = a.dirEntries.some((e) => e.includes(a.name));
      const pad = a.kernelName.length - a.name.length - 1;
      return {
        held: !file,
        detail: `the kernel lists it as "@${a.name}"${pad > 0 ? ` followed by ${pad} NUL bytes (Node binds the whole sun_path)` : ''}; the run's directory holds ${a.dirEntries.join(', ') || 'nothing'}`,
      };
    },
  },
  {
    id: 'queue-fills',
    label: 'A slow reader over a Unix socket: its queue fills until the writer’s send buffer is used up, and write() pushes back',
    check: (q) => {
      const u = unixView(q.events).queues;
      if (!u || u.samples === 0) return { held: false, detail: 'no unix_diag sample of the path connection yet' };
      const limit = u.writerSndbuf ?? 0;
      const full = limit > 0 && u.maxSendMem >= limit * 0.9;
      return {
        held: full && u.maxRecvQ > 0 && u.firstBackpressureT !== undefined,
        detail: `the reader's queue reached ${kb(u.maxRecvQ)}; the writer was charged ${kb(u.maxSendMem)} of its ${limit ? kb(limit) : '?'} sndbuf` +
          (u.firstBackpressureT !== undefined ? `; its write() first returned false at ${(u.firstBackpressureT / 1000).toFixed(2)} s` : '; write() never returned false'),
      };
    },
  },
  {
    id: 'rcvbuf-unused',
    label: 'The reader’s SO_RCVBUF does not limit a Unix stream socket: the memory waiting for it grows past it',
    check: (q) => {
      const u = unixView(q.events).queues;
      if (!u || u.readerRcvbuf === undefined) return { held: false, detail: 'no unix_diag sample of the reader yet' };
      const p = u.pastRcvbuf;
      if (!p) return { held: false, detail: `the memory waiting for the reader (charged to the writer) never exceeded the reader's SO_RCVBUF (${kb(u.readerRcvbuf)})` };
      return {
        held: true,
        detail: `at ${(p.t / 1000).toFixed(2)} s the reader's queue held ${kb(p.recvQ)} of data in ${kb(p.mem)} of memory (charged to the writer), ` +
          `more than the reader's SO_RCVBUF of ${kb(p.rcvbuf)}; nothing was dropped or refused`,
      };
    },
  },
];
