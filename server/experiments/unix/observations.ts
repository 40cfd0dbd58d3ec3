/**
 * What the unix experiment expects, checked against the trace (shared/unix/unix-view.ts plus the
 * raw events): every figure comes from the run — the server's stat() of its file, its errors, in
 * the order they came, and unix_diag samples (elided: a sample holds until the next one of the
 * same socket, so the state at a moment is the last sample at or before it).
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { EventOf } from '../../../shared/trace/schema.js';
import { inOrder } from '../../../shared/trace/query.js';
import { unixKey } from '../../../shared/trace/unix-key.js';
import { unixView } from '../../../shared/unix/unix-view.js';

const kb = (n: number) => `${n.toLocaleString('en-US')} B`;
const s = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
const none = (detail: string) => ({ held: false, reached: false, detail });
const isAbstract = (e: EventOf<'listen'>) => e.local.address.startsWith('\0');

/** The kernel's view of both ends of the path connection, paired at the moments either changed. */
interface Pair { t: number; reader: EventOf<'sample'>; writer: EventOf<'sample'> }

function pathConnection(q: TraceQuery) {
  const u = unixView(q.events).queues;
  if (!u?.readerInode || !u.writerInode) return undefined;
  const readerKey = unixKey(u.readerInode);
  const writerKey = unixKey(u.writerInode);
  const pairs: Pair[] = [];
  let reader: EventOf<'sample'> | undefined;
  let writer: EventOf<'sample'> | undefined;
  for (const e of q.events) {
    if (e.kind !== 'sample' || (e.key !== readerKey && e.key !== writerKey)) continue;
    const live = e.state === 'GONE' ? undefined : e;
    if (e.key === readerKey) reader = live; else writer = live;
    if (reader && writer) pairs.push({ t: e.t, reader, writer });
  }
  const writerConnect = q.first('connect', 'client', (e) => e.inode === u.writerInode);
  return { u, readerKey, writerKey, pairs, writerSock: writerConnect?.sock };
}

export const observations: ObservationSpec[] = [
  {
    id: 'socket-file',
    label: 'listen() on a path creates a socket file (type s in ls -l) for the listening socket',
    check: (q) => {
      const f = unixView(q.events).file;
      const report = q.custom('socket-file', 'server')[0];
      if (!f || !report) return none('the server has not listened on its path yet');
      const listen = q.lastBefore('listen', report.t, 'server', (e) => e.local.address === f.path);
      const detail = `${f.path}: ${f.mode}, uid ${f.uid}, umask ${f.umask}; file inode ${f.fileInode}, socket inode ${f.socketInode ?? '?'}`;
      if (!listen) return { held: false, detail: `${detail}; the file was looked at without a listen() on that path before it` };
      if (!f.isSocket || !f.mode.startsWith('s')) return { held: false, detail: `${detail}: not a socket file` };
      if (f.socketInode !== null && listen.inode !== undefined && listen.inode !== f.socketInode) return { held: false, detail: `${detail}: the listener's inode is ${listen.inode}` };
      return { held: true, detail: `${detail} (stat() right after listen(), whose socket it names)` };
    },
  },
  {
    id: 'leftover',
    label: 'A crashed server’s file makes listen() fail with EADDRINUSE; a refused connect() shows it is stale; unlink, then listen works — in that order',
    check: (q, params) => {
      if (params.leftover === false) return none('no leftover in this run (the "leftover" parameter is off)');
      const crashed = q.first('listen', 'old-server');
      const exit = q.first('exit', 'old-server');
      const closedFirst = crashed && exit && q.first('close', 'old-server', (e) => e.sock === crashed.sock && e.t <= exit.t);
      const inUse = q.first('error', 'server', (e) => e.code === 'EADDRINUSE');
      const refused = inUse && q.firstAfter('error', inUse.t, 'server', (e) => e.code === 'ECONNREFUSED');
      const unlink = q.custom('unlink', 'server')[0];
      const listened = q.first('listen', 'server', (e) => !isAbstract(e));
      const steps: [string, { t: number } | undefined][] = [
        ['crashed server listened', crashed], ['EADDRINUSE', inUse], ['probe refused', refused], ['unlinked', unlink], ['listening again', listened],
      ];
      const detail = steps.map(([name, e]) => `${name}: ${e ? s(e.t) : 'no'}`).join('; ') + (exit ? `; the crashed server's exit seen at ${s(exit.t)}` : '');
      if (closedFirst) return { held: false, detail: `${detail}; the old server closed its socket before it exited: not a crash` };
      const have = steps.filter(([, e]) => e !== undefined).length;
      const prefix = steps.findIndex(([, e]) => e === undefined);
      // A step that came although an earlier one is missing (a listen with no EADDRINUSE before it).
      if (prefix >= 0 && have > prefix) return { held: false, detail: `${detail}: ${steps.find(([, e], i) => i > prefix && e)![0]} without ${steps[prefix]![0]}` };
      if (prefix >= 0) return none(`${detail} so far`);
      // (The old server's exit is not in the chain: the lab records it when it reaps the process,
      // which can be after its socket was already gone and the probe refused.)
      if (!inOrder(...steps.map(([, e]) => e))) return { held: false, detail: `${detail}: not in that order` };
      return { held: true, detail };
    },
  },
  {
    id: 'abstract',
    label: 'An abstract-namespace socket has a name in the kernel and no file',
    check: (q) => {
      const a = unixView(q.events).abstract;
      const listen = q.first('listen', 'server', isAbstract);
      const listing = q.custom('dir-listing', 'server')[0];
      if (!a || !listen || !listing) return none('the abstract listener has not started');
      const k = q.first('sample', undefined, (e) => e.proto === 'unix' && e.state === 'LISTEN' && e.local.address.startsWith(`@${a.name}`));
      if (!k) return none(`listening on "@${a.name}", not seen by unix_diag (yet)`);
      const file = a.dirEntries.find((e) => e.includes(a.name));
      const pad = k.local.address.length - a.name.length - 1;
      const detail = `the kernel lists socket inode ${k.inode ?? '?'} as "@${a.name}"${pad > 0 ? ` followed by ${pad} NUL bytes (Node binds the whole sun_path)` : ''}; the run's directory holds ${a.dirEntries.join(', ') || 'nothing'}`;
      if (listen.inode !== undefined && k.inode !== undefined && k.inode !== listen.inode) return { held: false, detail: `${detail}: not the server's abstract listener (inode ${listen.inode})` };
      if (!inOrder(listen, listing)) return { held: false, detail: `${detail}: the directory was listed before the listener existed` };
      if (file) return { held: false, detail: `${detail}: "${file}" is a file with its name` };
      return { held: true, detail };
    },
  },
  {
    id: 'queue-fills',
    label: 'A slow reader over a Unix socket: its queue fills until the writer’s send buffer is used up, and write() pushes back (false) while it is',
    check: (q) => {
      const c = pathConnection(q);
      if (!c || c.pairs.length === 0) return none('no unix_diag sample of the path connection yet');
      const bp = c.writerSock ? q.first('write', 'client', (e) => e.sock === c.writerSock && !e.ok) : undefined;
      const fullAt = (p: Pair) => {
        const limit = p.writer.skmem?.sndbuf ?? 0;
        return limit > 0 && (p.writer.sendQ ?? 0) >= limit * 0.9 && (p.reader.recvQ ?? 0) > 0;
      };
      const peak = c.pairs.reduce((m, p) => ((p.writer.sendQ ?? 0) > (m.writer.sendQ ?? 0) ? p : m), c.pairs[0]!);
      const said = `the reader's queue reached ${kb(c.u.maxRecvQ)}; the writer was charged up to ${kb(c.u.maxSendMem)} of its ${c.u.writerSndbuf ? kb(c.u.writerSndbuf) : '?'} sndbuf`;
      if (!bp) return none(`${said}; write() has not returned false yet`);
      // The wait that write() false began, and the kernel's state over it: the last look before, and every look until 'drain'.
      const drain = q.firstAfter('drain', bp.t, 'client', (e) => e.sock === c.writerSock);
      const during = c.pairs.filter((p) => p.t >= bp.t && (!drain || p.t <= drain.t));
      const before = c.pairs.filter((p) => p.t <= bp.t).at(-1);
      const over = [...(before ? [before] : []), ...during];
      const full = over.find(fullAt);
      const wait = `write() returned false at ${s(bp.t)}${drain ? `, 'drain' at ${s(drain.t)}` : ' (still waiting)'}`;
      if (full) {
        return { held: true, detail: `${said}; ${wait}; meanwhile the kernel showed ${kb(full.reader.recvQ ?? 0)} waiting for the reader in ${kb(full.writer.sendQ ?? 0)} of the writer's ${kb(full.writer.skmem?.sndbuf ?? 0)} sndbuf` };
      }
      if (over.length === 0) return none(`${said}; ${wait}; no look of the kernel at that moment yet`);
      return { held: false, detail: `${said}; ${wait}, but the kernel never showed the writer's send buffer used up then (at most ${kb(Math.max(...over.map((p) => p.writer.sendQ ?? 0)))})${fullAt(peak) ? `; it was full at ${s(peak.t)}` : ''}` };
    },
  },
  {
    id: 'rcvbuf-unused',
    label: 'The reader’s SO_RCVBUF (as set) does not limit a Unix stream socket: the memory waiting for it grows past it, and nothing is dropped or refused',
    check: (q) => {
      const c = pathConnection(q);
      if (!c || c.u.readerRcvbuf === undefined || c.pairs.length === 0) return none('no unix_diag sample of the reader yet');
      const readerSock = q.first('accept', 'server', (e) => e.inode === c.u.readerInode)?.sock;
      const opt = readerSock ? q.first('sockopt', 'server', (e) => e.sock === readerSock && e.option === 'SO_RCVBUF') : undefined;
      // Compare with the buffer as the reader set it (the kernel keeps twice what was asked).
      const setTo = typeof opt?.effective === 'number' ? opt.effective : undefined;
      const pairs = setTo === undefined ? c.pairs : c.pairs.filter((p) => p.reader.skmem?.rcvbuf === setTo);
      const past = pairs.find((p) => p.reader.skmem && (p.reader.recvQ ?? 0) > 0 && (p.writer.sendQ ?? 0) > p.reader.skmem.rcvbuf);
      const rcvbuf = setTo ?? c.u.readerRcvbuf;
      const named = setTo === undefined ? `its SO_RCVBUF of ${kb(rcvbuf)} (not set: the default)` : `the ${kb(rcvbuf)} SO_RCVBUF it set (asked ${typeof opt?.requested === 'number' ? kb(opt.requested) : '?'})`;
      if (past) {
        const lastReader = q.lastLiveSample(c.readerKey);
        const drops = lastReader?.skmem?.drops ?? 0;
        const refused = c.writerSock ? q.first('error', 'client', (e) => e.sock === c.writerSock) : undefined;
        const detail = `at ${s(past.t)} the reader's queue held ${kb(past.reader.recvQ ?? 0)} of data in ${kb(past.writer.sendQ ?? 0)} of memory (charged to the writer), more than ${named}`;
        if (drops > 0) return { held: false, detail: `${detail}; but the reader's socket dropped ${drops}` };
        if (refused) return { held: false, detail: `${detail}; but the writer got ${refused.code}` };
        return { held: true, detail: `${detail}; the reader's socket dropped nothing and the writer got no error` };
      }
      const sndbuf = Math.max(0, ...c.pairs.map((p) => p.writer.skmem?.sndbuf ?? 0));
      const maxMem = Math.max(0, ...pairs.map((p) => p.writer.sendQ ?? 0));
      if (sndbuf <= rcvbuf) return none(`the writer's sndbuf (${kb(sndbuf)}) is not larger than the reader's rcvbuf (${kb(rcvbuf)}): this run cannot show it`);
      // The writer held back (write() false) while no more than the rcvbuf waited: the rcvbuf did limit it.
      const bp = c.writerSock ? q.first('write', 'client', (e) => e.sock === c.writerSock && !e.ok) : undefined;
      const drain = bp && q.firstAfter('drain', bp.t, 'client', (e) => e.sock === c.writerSock);
      const inWait = bp ? [...pairs.filter((p) => p.t <= bp.t).slice(-1), ...pairs.filter((p) => p.t > bp.t && (!drain || p.t <= drain.t))] : [];
      if (bp && inWait.length) {
        const most = Math.max(...inWait.map((p) => p.writer.sendQ ?? 0));
        return { held: false, detail: `the writer's write() returned false at ${s(bp.t)} with at most ${kb(most)} waiting for the reader (its sndbuf: ${kb(sndbuf)}): never more than ${named}` };
      }
      return none(`the memory waiting for the reader (charged to the writer) has not exceeded ${named} yet (at most ${kb(maxMem)})`);
    },
  },
];
