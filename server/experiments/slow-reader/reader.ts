// Slow reader (seed 004, "소켓 버퍼"): accepts a connection and reads `readBytes` bytes every
// `readIntervalMs`, like the seed's Go server with its 7-byte buffer and time.Sleep(1 s), printing
// each read the way the seed does: `7 >>>12<<`.
//
// Node has no blocking Read. With --readFrom node (the default) the socket is paused and the
// program takes bytes with conn.read(n) on a timer; even paused, Node itself keeps pulling from
// the kernel until its own buffer holds highWaterMark bytes, so each line shows where the bytes
// still wait. With --readFrom kernel the program reads the way Go does, recv(2) of at most
// readBytes straight from the kernel (Node never reads this socket), so the kernel's own
// behaviour shows without Node's buffer in between.
//
// Run on its own: node reader.js --port 9000 [--readBytes 7 --readIntervalMs 1000 --rcvbuf 4096]
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, fmtRate, kernelRcvBuf, kernelRecvQueue, bufferSizeArg, recvDirect, show } from '../flow-shared/buffers.js';

const p = lab.params({
  port: 0, host: '127.0.0.1', readBytes: 7, readIntervalMs: 1000, rcvbuf: '4096' as string | number,
  readFrom: 'node', readerHighWaterMark: 1024, readAllAfterMs: 12_000, readAllForMs: 1000,
});
const rcvbuf = bufferSizeArg(p.rcvbuf, 'rcvbuf');
if (p.readFrom !== 'node' && p.readFrom !== 'kernel') {
  console.error(`--readFrom must be node or kernel, got ${p.readFrom}`);
  process.exit(2);
}
const fromKernel = p.readFrom === 'kernel';

/** What the live controls change; shared by every connection this reader serves. */
const rate = { bytes: p.readBytes, intervalMs: p.readIntervalMs };
let paused = false;
const readers = new Set<SlowReader>();

class SlowReader {
  private timer: NodeJS.Timeout | null = null;
  private drainUntil = 0;
  private drained = { bytes: 0, reads: 0, since: 0 };
  private idleSaid = false;
  private eof = false;

  constructor(private readonly conn: net.Socket) {
    if (!fromKernel) {
      // Paused: nothing reaches the program unless it calls read() (Go: conn.Read(buf)).
      conn.pause();
      // 'readable' only matters while draining ("read everything now", or readIntervalMs 0);
      // at the slow pace it is ignored and the bytes stay where they are.
      conn.on('readable', () => { if (this.draining()) this.readAvailable(); });
    }
    this.schedule();
  }

  private draining(): boolean { return rate.intervalMs === 0 || performance.now() < this.drainUntil; }

  /** Where unread bytes wait right now, for the log line. */
  private waiting(): string {
    const kernel = show(kernelRecvQueue(this.conn));
    return fromKernel ? `${kernel} in the kernel` : `${fmtBytes(this.conn.readableLength)} in Node's buffer, ${kernel} in the kernel`;
  }

  /** One read of at most n bytes; null when nothing is there now. */
  private take(n: number): Buffer | null {
    if (!fromKernel) {
      const k = Math.min(n, this.conn.readableLength);
      if (k === 0) { this.conn.read(0); return null; } // nothing buffered: let Node look at the kernel
      return this.conn.read(k) as Buffer | null;
    }
    const r = recvDirect(this.conn, n);
    if (!r.ok) { console.error(`recv: ${r.reason}`); this.stop(); return null; }
    if (r.value === 'empty') return null;
    if (r.value === 'eof') { this.onEof(); return null; }
    // Node does not see these bytes, so the lab is told about the read here.
    lab.record('data', { sock: lab.sockId(this.conn) ?? 'unwatched', bytes: r.value.length, head: r.value.subarray(0, 64).toString('base64') });
    return r.value;
  }

  private onEof(): void {
    if (this.eof) return;
    this.eof = true;
    console.log('the writer closed its side (recv returned 0)');
    this.stop();
    this.conn.end();
  }

  /** (Re)starts the slow reads at the current rate; stops them while paused or draining. */
  schedule(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (paused || this.conn.destroyed || this.eof) return;
    if (rate.intervalMs === 0) {
      console.log('reading as fast as the data comes (readIntervalMs 0)');
      this.drained = { bytes: 0, reads: 0, since: performance.now() };
      this.timer = setInterval(() => this.reportDrain(), 1000);
      this.readAvailable();
      return;
    }
    this.drained = { bytes: 0, reads: 0, since: performance.now() };
    this.timer = setInterval(() => this.readOnce(), rate.intervalMs);
  }

  /** One read of at most `rate.bytes`, like Go's conn.Read(make([]byte, 7)). */
  private readOnce(): void {
    const chunk = this.take(rate.bytes);
    if (!chunk) {
      // Go's Read would block here; we just wait for the next tick.
      if (!this.idleSaid && !this.eof) console.log(`nothing to read yet (${this.waiting()})`);
      this.idleSaid = true;
      return;
    }
    this.idleSaid = false;
    // Faster than a few reads a second, a line per read would flood the pane: one per second.
    if (rate.intervalMs >= 200) console.log(`${chunk.length} ${chunk.toString('latin1')}    (still waiting: ${this.waiting()})`);
    else {
      this.drained.bytes += chunk.length;
      this.drained.reads += 1;
      if (performance.now() - this.drained.since >= 1000) this.reportDrain();
    }
  }

  /** Takes everything there is now (Node's buffer, or the kernel's queue 64 KiB at a time). */
  private readAvailable(): void {
    for (let i = 0; i < 10_000; i++) {
      const chunk = fromKernel ? this.take(65536) : (this.conn.read() as Buffer | null);
      if (!chunk) break;
      this.drained.bytes += chunk.length;
      this.drained.reads += 1;
    }
    // Node announces new data with 'readable'; reading the kernel directly, we poll instead.
    if (fromKernel && this.draining() && !this.eof && !this.conn.destroyed) setTimeout(() => this.readAvailable(), 1);
  }

  private reportDrain(): void {
    const secs = (performance.now() - this.drained.since) / 1000;
    if (this.drained.bytes > 0) console.log(`read ${fmtBytes(this.drained.bytes)} in ${this.drained.reads} reads (${fmtRate(this.drained.bytes / secs)}); still waiting: ${this.waiting()}`);
    this.drained = { bytes: 0, reads: 0, since: performance.now() };
  }

  /** "Read everything now": read as fast as it comes for `forMs`, then back to the slow pace. */
  readAll(forMs: number): void {
    const node = fromKernel ? 0 : this.conn.readableLength;
    const kernel = kernelRecvQueue(this.conn);
    console.log(`reading everything for ${forMs} ms (${this.waiting()})`);
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.drainUntil = performance.now() + forMs;
    this.drained = { bytes: 0, reads: 0, since: performance.now() };
    lab.report('read-all', { forMs, nodeBuffer: node, kernelQueue: kernel.ok ? kernel.value : null, ...(kernel.ok ? {} : { reason: kernel.reason }) });
    this.readAvailable();
    setTimeout(() => {
      this.drainUntil = 0;
      console.log(`read ${fmtBytes(this.drained.bytes)} in ${this.drained.reads} reads in ${forMs} ms; back to ${rate.bytes} B every ${rate.intervalMs} ms`);
      lab.report('read-all-done', { bytes: this.drained.bytes, reads: this.drained.reads });
      this.schedule();
    }, forMs);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    readers.delete(this);
  }
}

// pauseOnConnect keeps Node from ever reading the socket: the only way recv(2) gets the bytes.
const server = net.createServer({ highWaterMark: p.readerHighWaterMark, pauseOnConnect: fromKernel }, (conn) => {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  const limit = fromKernel ? 'Node does not read it (recv straight from the kernel)' : `Node's highWaterMark ${fmtBytes(conn.readableHighWaterMark)}`;
  console.log(`accepted ${peer}; its receive buffer (SO_RCVBUF) is ${show(kernelRcvBuf(conn))}; ${limit}`);
  console.log(`reading ${rate.bytes} B every ${rate.intervalMs} ms`);
  const r = new SlowReader(conn);
  readers.add(r);
  if (p.readAllAfterMs > 0) setTimeout(() => { if (readers.has(r)) r.readAll(p.readAllForMs); }, p.readAllAfterMs);
  conn.on('end', () => { console.log(`${peer} closed its side`); conn.end(); });
  conn.on('close', () => r.stop());
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
});
// Reads are coalesced per turn of the event loop: draining at full speed stays a few records a
// second; the slow 7-byte reads, a second apart, are one record each.
lab.watchServer(server, { coalesceReads: true });

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.on('listening', () => {
  // Set on the listener, so every accepted socket has it before its handshake (the window the
  // reader advertises in its SYN-ACK already comes from it).
  if (rcvbuf !== 'auto') {
    const r = lab.setsockopt(server, 'SO_RCVBUF', rcvbuf);
    console.log(`SO_RCVBUF: asked ${fmtBytes(rcvbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
  } else console.log('SO_RCVBUF: not set (auto: the kernel tunes it)');
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
server.listen(p.port, p.host);

lab.onControl('pause', () => { paused = true; for (const r of readers) r.schedule(); console.log('paused: not reading'); });
lab.onControl('resume', () => { paused = false; for (const r of readers) r.schedule(); console.log(`reading again: ${rate.bytes} B every ${rate.intervalMs} ms`); });
lab.onControl('rate', (args) => {
  const bytes = Number(args.bytes);
  const intervalMs = Number(args.intervalMs);
  if (!Number.isInteger(bytes) || bytes < 1 || bytes > 65536 || !Number.isInteger(intervalMs) || intervalMs < 0 || intervalMs > 60_000) {
    console.error(`rate: bytes must be 1..65536 and intervalMs 0..60000, got ${JSON.stringify(args)}`);
    return;
  }
  rate.bytes = bytes;
  rate.intervalMs = intervalMs;
  console.log(`new pace: ${bytes} B every ${intervalMs} ms`);
  for (const r of readers) r.schedule();
});
lab.onControl('read-all', (args) => {
  const ms = Number(args.ms ?? p.readAllForMs);
  if (!Number.isFinite(ms) || ms < 1 || ms > 60_000) { console.error(`read-all: ms must be 1..60000, got ${JSON.stringify(args.ms)}`); return; }
  if (readers.size === 0) console.log('read everything: no connection yet');
  for (const r of readers) r.readAll(ms);
});
