// Unix domain socket server (seed 002, "유닉스 도메인 소켓"): a stream socket on a filesystem path
// instead of an IP address and port. It shows the socket file and its permissions, what a file
// left by a crashed server does to listen() (EADDRINUSE) and the usual cleanup, a second listener
// in Linux's abstract namespace (no file at all), and then reads slowly — readBytes every
// readIntervalMs, like the seed-004 slow reader — so the queues fill over a Unix socket too.
// Run on its own: node server.js --socketPath /tmp/lab.sock --abstractName lab --readBytes 7
import net from 'node:net';
import fs from 'node:fs';
import path from 'node:path';
import { lab } from '../../actor/runtime.js';
import { unixInode } from '../../actor/unix-identity.js';
import { fmtBytes, kernelRecvQueue, parseBufferSize, show } from '../flow-shared/buffers.js';

const p = lab.params({
  socketPath: '/tmp/socket-lab.sock', abstractName: 'socket-lab', readBytes: 7, readIntervalMs: 1000,
  rcvbuf: '4096' as string | number, readerHighWaterMark: 1024,
});
if (!p.socketPath) {
  console.error('no --socketPath given');
  process.exit(2);
}
const rcvbuf = parseBufferSize(p.rcvbuf, 'rcvbuf');

/** "srwxr-xr-x": the type letter and the permission bits, as ls -l prints them. */
function modeText(mode: number): string {
  const type = (mode & fs.constants.S_IFMT) === fs.constants.S_IFSOCK ? 's' : (mode & fs.constants.S_IFMT) === fs.constants.S_IFREG ? '-' : '?';
  const rwx = ['r', 'w', 'x'];
  let s = type;
  for (let i = 8; i >= 0; i--) s += mode & (1 << i) ? rwx[(8 - i) % 3] : '-';
  return s;
}

function describeFile(file: string): string {
  try {
    const st = fs.lstatSync(file);
    return `${modeText(st.mode)} uid ${st.uid} (${st.isSocket() ? 'a socket file' : 'not a socket!'})`;
  } catch {
    return 'no such file';
  }
}

/** Is anyone listening on this path? A connect() that is refused means the file is a leftover. */
function probe(file: string): Promise<'refused' | 'alive' | string> {
  return new Promise((resolve) => {
    const s = lab.watch(net.connect(file));
    s.once('connect', () => { s.destroy(); resolve('alive'); });
    s.once('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' ? 'refused' : String(err.code)));
  });
}

// --- the slow reader on the path ---------------------------------------------------------------
const rate = { bytes: p.readBytes, intervalMs: p.readIntervalMs };
let paused = false;
const readers = new Set<{ conn: net.Socket; timer: NodeJS.Timeout | null }>();

function waiting(conn: net.Socket): string {
  return `${fmtBytes(conn.readableLength)} in Node's buffer, ${show(kernelRecvQueue(conn))} in the kernel`;
}

function schedule(r: { conn: net.Socket; timer: NodeJS.Timeout | null }): void {
  if (r.timer) clearInterval(r.timer);
  r.timer = null;
  if (paused || r.conn.destroyed) return;
  r.timer = setInterval(() => {
    const n = Math.min(rate.bytes, r.conn.readableLength);
    if (n === 0) { r.conn.read(0); return; } // nothing in Node's buffer: let it look at the kernel
    const chunk = r.conn.read(n) as Buffer | null;
    if (chunk && rate.intervalMs >= 200) console.log(`${chunk.length} ${chunk.toString('latin1')}    (still waiting: ${waiting(r.conn)})`);
  }, rate.intervalMs);
}

function onPathConnection(conn: net.Socket): void {
  console.log(`accepted a connection on ${p.socketPath} (socket inode ${unixInode(conn) ?? '?'}; the client's socket has no name)`);
  if (rcvbuf !== 'auto') {
    const r = lab.setsockopt(conn, 'SO_RCVBUF', rcvbuf);
    console.log(`SO_RCVBUF: asked ${fmtBytes(rcvbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)} — watch whether it limits anything`);
  }
  console.log(`reading ${rate.bytes} B every ${rate.intervalMs} ms`);
  conn.pause();
  const r = { conn, timer: null as NodeJS.Timeout | null };
  readers.add(r);
  schedule(r);
  conn.on('end', () => { console.log('the client closed its side'); conn.end(); });
  conn.on('close', () => { if (r.timer) clearInterval(r.timer); readers.delete(r); });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
}

// --- the abstract-namespace listener -------------------------------------------------------------
function onAbstractConnection(conn: net.Socket): void {
  conn.setEncoding('utf8');
  conn.once('data', (line: string) => {
    console.log(`abstract socket: got ${JSON.stringify(line.trim())}`);
    conn.end('hello from the abstract namespace\n');
  });
  conn.on('error', (err) => console.error(`abstract connection error: ${err.message}`));
}

// pauseOnConnect: Node reads nothing until the first slow read, so the writer first fills the
// kernel's queue (what the observer shows) rather than Node's own buffer.
const server = lab.watchServer(net.createServer({ highWaterMark: p.readerHighWaterMark, pauseOnConnect: true }, onPathConnection));
const abstract = lab.watchServer(net.createServer(onAbstractConnection));

function listenPath(attempt: number): void {
  server.once('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRINUSE' || attempt > 0) {
      console.error(`cannot listen on ${p.socketPath}: ${err.message}`);
      process.exit(1);
    }
    console.log(`listen: ${err.code} — the path is taken. Is a server alive there, or is it a leftover file?`);
    void (async () => {
      // A server that is still going away may answer for a moment: ask a few times.
      let r = await probe(p.socketPath);
      for (let i = 0; r === 'alive' && i < 10; i++) {
        await new Promise((res) => setTimeout(res, 100));
        r = await probe(p.socketPath);
      }
      if (r === 'alive') {
        console.error('a server answers on that path: not touching it');
        process.exit(1);
      }
      console.log(`connect() to it: ${r === 'refused' ? 'ECONNREFUSED — nobody listens: a leftover from a server that did not clean up' : r}`);
      fs.unlinkSync(p.socketPath);
      lab.report('unlink', { path: p.socketPath, reason: 'leftover socket file' });
      console.log(`unlink(${p.socketPath}); listening again`);
      listenPath(attempt + 1);
    })();
  });
  server.listen(p.socketPath);
}

server.on('listening', () => {
  const st = fs.lstatSync(p.socketPath);
  const um = process.umask();
  lab.report('socket-file', {
    path: p.socketPath, mode: modeText(st.mode), isSocket: st.isSocket(), uid: st.uid, gid: st.gid,
    fileInode: st.ino, socketInode: unixInode(server) ?? null, umask: um.toString(8).padStart(4, '0'),
  });
  console.log(`listening on ${p.socketPath}`);
  console.log(`  the file: ${modeText(st.mode)} uid ${st.uid} gid ${st.gid} (umask ${um.toString(8).padStart(4, '0')}); a client needs write permission on it to connect`);
  console.log(`  its inode in the filesystem is ${st.ino}; the socket's own inode (what ss -x shows) is ${unixInode(server) ?? '?'}`);
  abstract.listen(`\0${p.abstractName}`);
});
server.on('error', (err) => console.error(`server error: ${err.message}`));

abstract.on('listening', () => {
  const dir = path.dirname(p.socketPath);
  const entries = fs.readdirSync(dir);
  lab.report('dir-listing', { dir, entries, abstractName: p.abstractName });
  console.log(`also listening on the abstract name "@${p.abstractName}" (a NUL byte, then the name): no file for it —`);
  console.log(`  ${dir} holds: ${entries.join(', ') || '(nothing)'}`);
});
abstract.on('error', (err) => console.error(`abstract listener: ${err.message}`));

console.log(`before listen: ${p.socketPath}: ${describeFile(p.socketPath)}`);
listenPath(0);

// Cleanup on the way out: close() makes Node unlink the path; a crash (old-server) does not.
process.on('SIGTERM', () => {
  server.close();
  abstract.close();
  console.log(`closing: the socket file is ${fs.existsSync(p.socketPath) ? 'still there' : 'removed (close() unlinks it)'}`);
  process.exit(0);
});

lab.onControl('pause', () => { paused = true; for (const r of readers) schedule(r); console.log('paused: not reading'); });
lab.onControl('resume', () => { paused = false; for (const r of readers) schedule(r); console.log(`reading again: ${rate.bytes} B every ${rate.intervalMs} ms`); });
lab.onControl('read-all', (args) => {
  const ms = Number(args.ms ?? 1000);
  if (!Number.isFinite(ms) || ms < 1 || ms > 60_000) { console.error(`read-all: ms must be 1..60000, got ${JSON.stringify(args.ms)}`); return; }
  for (const r of readers) {
    // Flowing for a while: Node reads as fast as the data comes, then back to the slow pace.
    if (r.timer) clearInterval(r.timer);
    r.timer = null;
    let n = 0;
    const count = (c: Buffer) => { n += c.length; };
    console.log(`reading everything for ${ms} ms (${waiting(r.conn)})`);
    lab.report('read-all', { forMs: ms });
    r.conn.on('data', count);
    setTimeout(() => {
      r.conn.off('data', count);
      r.conn.pause();
      console.log(`read ${fmtBytes(n)} in ${ms} ms; back to ${rate.bytes} B every ${rate.intervalMs} ms`);
      schedule(r);
    }, ms);
  }
});
