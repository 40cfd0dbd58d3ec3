// Fast writer (seed 004, "소켓 버퍼"): connects and writes ">>>1<<<", ">>>2<<<", ... as fast as it
// can, like the seed's Go client `for { conn.Write([]byte(">>>" + strconv.Itoa(i) + "<<<")) }`.
//
// Go's Write blocks when the send buffer is full. Node's write() never blocks: it queues in Node
// and returns false once that queue reaches highWaterMark. Two ways to react:
//   await-drain          stop on false and continue on 'drain' (Node's blocking Write)
//   ignore-backpressure  keep writing; Node's own queue (and the process's memory) grows, until
//                        a safety cap stops the program
// It prints a line per second (or per block), never per write.
//
// Run on its own: node writer.js --serverPort 9000 [--writerMode await-drain --sndbuf 4096]
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, fmtRate, kernelSendQueue, kernelSndBuf, bufferSizeArg, show, writerTcpInfo } from '../flow-shared/buffers.js';

const p = lab.params({
  serverPort: 8000, host: '127.0.0.1', sndbuf: '4096' as string | number, writerMode: 'await-drain',
  messageBytes: 0, noDelay: false, capMiB: 64, stopAfterMs: 0,
});
const sndbuf = bufferSizeArg(p.sndbuf, 'sndbuf');
if (p.writerMode !== 'await-drain' && p.writerMode !== 'ignore-backpressure') {
  console.error(`--writerMode must be await-drain or ignore-backpressure, got ${p.writerMode}`);
  process.exit(2);
}
const ignoring = p.writerMode === 'ignore-backpressure';
const capBytes = p.capMiB * 1024 * 1024;

/** The seed's message, optionally padded to messageBytes so the byte rate can be varied. */
function message(i: number): string {
  const m = `>>>${i}<<<`;
  return p.messageBytes > m.length ? m + '.'.repeat(p.messageBytes - m.length) : m;
}

const conn = lab.watch(net.connect(p.serverPort, p.host), { coalesceWrites: true });

let i = 0;
let bytes = 0;
let paused = false;
let stopped = false;
let blockedAt: number | null = null;
let falses = 0;
/** Short waits for 'drain' (< 100 ms) are summed into the next progress line, not printed each. */
let shortWaits = { n: 0, ms: 0 };
let last = { t: performance.now(), bytes: 0 };
let started = performance.now();
let cpuAtStart = process.cpuUsage();

function kernelLine(): string {
  const ti = writerTcpInfo(conn);
  const wnd = ti.ok ? (ti.value.sndWnd === undefined ? 'unknown (kernel < 5.4)' : fmtBytes(ti.value.sndWnd)) : `unknown (${ti.reason})`;
  return `kernel send queue ${show(kernelSendQueue(conn))}, the reader's window ${wnd}`;
}

/** Writes until write() says stop (or, ignoring that, until the cap); yields every ~10 ms. */
function pump(): void {
  if (paused || stopped || blockedAt !== null || conn.destroyed) return;
  const sliceEnd = performance.now() + 10;
  for (let n = 1; ; n++) {
    i += 1;
    const msg = message(i);
    bytes += msg.length;
    const ok = conn.write(msg);
    if (!ok) {
      falses += 1;
      if (!ignoring) { blocked(); return; }
      if (conn.writableLength >= capBytes) { capReached(); return; }
    }
    // Give timers, controls and the lab's reports a turn now and then.
    if ((n & 1023) === 0 && performance.now() > sliceEnd) break;
  }
  setImmediate(pump);
}

function blocked(): void {
  blockedAt = performance.now();
  if (falses <= 3 || shortWaits.n === 0) {
    console.log(`write #${i} returned false: ${fmtBytes(conn.writableLength)} wait in Node's queue; waiting for 'drain' (${kernelLine()})`);
  }
}

conn.on('drain', () => {
  if (blockedAt === null) return;
  const waited = performance.now() - blockedAt;
  blockedAt = null;
  if (waited >= 100) console.log(`'drain' after ${(waited / 1000).toFixed(2)} s blocked; writing again`);
  else { shortWaits.n += 1; shortWaits.ms += waited; }
  pump();
});

function capReached(): void {
  stopped = true;
  const m = process.memoryUsage();
  console.log(`SAFETY CAP: Node's queue holds ${fmtBytes(conn.writableLength)} (cap ${p.capMiB} MiB) after ${i.toLocaleString('en-US')} writes;` +
    ` write() had returned false ${falses.toLocaleString('en-US')} times. This process now uses ${fmtBytes(m.rss)} of memory` +
    ` (heap ${fmtBytes(m.heapUsed)}). Stopping the writes; a real program would keep growing until it ran out of memory.`);
  lab.report('cap-reached', { writableLength: conn.writableLength, writes: i, falses, rss: m.rss, heapUsed: m.heapUsed });
}

function progress(): void {
  const now = performance.now();
  const rateNow = ((bytes - last.bytes) * 1000) / (now - last.t);
  last = { t: now, bytes };
  const state = stopped ? 'stopped (cap)' : paused ? 'paused' : blockedAt !== null ? `blocked for ${((now - blockedAt) / 1000).toFixed(1)} s` : 'writing';
  // While nothing moves, say so every 5 s instead of every second.
  if (rateNow === 0 && blockedAt !== null && Math.round((now - blockedAt) / 1000) % 5 !== 0) return;
  const waits = shortWaits.n ? `; ${shortWaits.n} short waits for 'drain' (${shortWaits.ms.toFixed(0)} ms in all)` : '';
  shortWaits = { n: 0, ms: 0 };
  console.log(`${i.toLocaleString('en-US')} writes, ${fmtBytes(bytes)} in all, ${fmtRate(rateNow)} now, Node's queue ${fmtBytes(conn.writableLength)}${ignoring ? `, memory ${fmtBytes(process.memoryUsage().rss)}` : ''} — ${state}${waits}` +
    (blockedAt !== null || ignoring ? `; ${kernelLine()}` : ''));
}

conn.on('connect', () => {
  console.log(`connected ${conn.localAddress}:${conn.localPort} -> ${p.host}:${p.serverPort}; mode ${p.writerMode}`);
  if (sndbuf !== 'auto') {
    const r = lab.setsockopt(conn, 'SO_SNDBUF', sndbuf);
    console.log(`SO_SNDBUF: asked ${fmtBytes(sndbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
  } else console.log(`SO_SNDBUF: not set (auto: the kernel tunes it; now ${show(kernelSndBuf(conn))})`);
  if (p.noDelay) lab.setsockopt(conn, 'TCP_NODELAY', true);
  console.log(`Node's write queue limit (highWaterMark): ${fmtBytes(conn.writableHighWaterMark)}`);
  setInterval(progress, 1000).unref();
  if (p.stopAfterMs > 0) { started = performance.now(); cpuAtStart = process.cpuUsage(); setTimeout(finish, p.stopAfterMs); }
  pump();
});

/** stopAfterMs: a measured run (the benchmark uses it); prints one summary line and ends. */
function finish(): void {
  stopped = true;
  const secs = (performance.now() - started) / 1000;
  const cpu = process.cpuUsage(cpuAtStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  console.log(`SUMMARY wrote ${bytes} B in ${i} writes over ${secs.toFixed(3)} s: ${Math.round(bytes / secs)} B/s, ${cpuMs.toFixed(0)} ms of CPU`);
  lab.report('summary', { bytes, writes: i, seconds: secs, cpuMs });
  conn.end();
}

// Exit with the connection; 1 if it never connected (refused, no such port).
conn.on('close', () => { console.log('connection closed'); process.exit(conn.bytesWritten > 0 || conn.localPort !== undefined ? 0 : 1); });
conn.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});

lab.onControl('pause', () => { paused = true; console.log('paused: not writing'); });
lab.onControl('resume', () => {
  if (!paused) return;
  paused = false;
  console.log('writing again');
  pump();
});
