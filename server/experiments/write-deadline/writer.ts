// A writer with a write deadline (seed 000 / 003: conn.SetWriteDeadline). It writes `totalBytes`
// to a reader that is busy and does not read, so its writes block.
//
// Node has no write deadline and write() never blocks: it queues and returns false. A Node
// programmer builds the deadline from a timer that fires if 'drain' has not come in time; then
// the program decides. Go's Write would return "i/o timeout" and the program usually closes:
//   destroy        give up: destroy() the socket (Node's queue is thrown away; what the kernel
//                  already took it still tries to deliver)
//   keep-waiting   note the timeout and wait on for 'drain'
//
// Run on its own: node writer.js --serverPort 9000 [--writeDeadlineMs 2000 --onWriteTimeout destroy]
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, kernelSendQueue, bufferSizeArg, show, writerTcpInfo, type Kernel } from '../flow-shared/buffers.js';

const p = lab.params({
  serverPort: 8000, host: '127.0.0.1', writeDeadlineMs: 2000, onWriteTimeout: 'destroy',
  totalBytes: 262_144, messageBytes: 1024, sndbuf: '4096' as string | number,
});
const sndbuf = bufferSizeArg(p.sndbuf, 'sndbuf');
if (p.onWriteTimeout !== 'destroy' && p.onWriteTimeout !== 'keep-waiting') {
  console.error(`--onWriteTimeout must be destroy or keep-waiting, got ${p.onWriteTimeout}`);
  process.exit(2);
}

const conn = lab.watch(net.connect(p.serverPort, p.host), { coalesceWrites: true });
let handed = 0;
let n = 0;

/** What the kernel has taken from this socket in all: acknowledged by the peer plus still queued. */
function kernelTook(): Kernel<number> {
  const ti = writerTcpInfo(conn);
  const q = kernelSendQueue(conn);
  if (!ti.ok) return ti;
  if (!q.ok) return q;
  if (ti.value.bytesAcked === undefined) return { ok: false, reason: 'tcpi_bytes_acked not reported (Linux < 4.1)' };
  // tcpi_bytes_acked also counts the SYN (one sequence number): the data is one less.
  return { ok: true, value: ti.value.bytesAcked - 1 + q.value };
}

/** Write one chunk; if write() says wait, wait for 'drain' at most `ms`, like a Go Write with a deadline. */
function writeWithDeadline(chunk: string, ms: number, done: (err: Error | null) => void): void {
  if (conn.write(chunk)) { done(null); return; }
  const timer = setTimeout(() => {
    conn.off('drain', onDrain);
    const err = Object.assign(new Error(`write deadline exceeded after ${ms} ms (i/o timeout)`), { code: 'ETIMEDOUT' });
    done(err);
  }, ms);
  function onDrain(): void { clearTimeout(timer); done(null); }
  conn.once('drain', onDrain);
}

function next(): void {
  if (handed >= p.totalBytes) { finished(); return; }
  n += 1;
  const head = `${n} `;
  const chunk = head + 'x'.repeat(Math.max(0, p.messageBytes - head.length - 1)) + '\n';
  handed += Buffer.byteLength(chunk);
  const blockedAt = performance.now();
  writeWithDeadline(chunk, p.writeDeadlineMs, (err) => {
    if (!err) { setImmediate(next); return; }
    onDeadline(err, blockedAt);
  });
}

function onDeadline(err: Error, blockedAt: number): void {
  const waitedMs = performance.now() - blockedAt;
  const took = kernelTook();
  const queue = conn.writableLength;
  console.log(`${err.message}: write #${n} is still waiting.`);
  console.log(`  handed to write() so far: ${fmtBytes(handed)}`);
  console.log(`  still in Node's queue:    ${fmtBytes(queue)} (writableLength; socket.bytesWritten says ${fmtBytes(conn.bytesWritten)}: it counts the queue too)`);
  console.log(`  taken by the kernel:      ${show(took)} (tcpi_bytes_acked + SIOCOUTQ), of which ${show(kernelSendQueue(conn))} not yet acknowledged`);
  lab.report('write-deadline', {
    waitedMs, handed, nodeQueue: queue, nodeBytesWritten: conn.bytesWritten, action: p.onWriteTimeout,
    kernelTook: took.ok ? took.value : null, kernelQueue: (() => { const q = kernelSendQueue(conn); return q.ok ? q.value : null; })(),
    ...(took.ok ? {} : { reason: took.reason }),
  });
  if (p.onWriteTimeout === 'destroy') {
    console.log(`giving up: destroy(). Node throws away its queue; the kernel still owns what it took and keeps trying to deliver it.`);
    conn.destroy();
    return;
  }
  console.log('keep waiting: the peer may just be slow. Waiting for \'drain\' without a deadline now.');
  conn.once('drain', () => {
    console.log(`'drain' came ${((performance.now() - blockedAt) / 1000).toFixed(1)} s after write() returned false; writing on`);
    setImmediate(next);
  });
}

function finished(): void {
  console.log(`all ${fmtBytes(handed)} handed to write(); now silent, keeping the connection open`);
  lab.report('writer-done', { handed });
}

conn.on('connect', () => {
  console.log(`connected ${conn.localAddress}:${conn.localPort} -> ${p.host}:${p.serverPort}`);
  if (sndbuf !== 'auto') {
    const r = lab.setsockopt(conn, 'SO_SNDBUF', sndbuf);
    console.log(`SO_SNDBUF: asked ${fmtBytes(sndbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
  }
  console.log(`writing ${fmtBytes(p.totalBytes)}, ${p.messageBytes} B per write, each with a ${p.writeDeadlineMs} ms write deadline`);
  next();
});
conn.on('end', () => { console.log('the reader closed the connection'); conn.end(); });
// Exit with the connection; 1 if it never connected (refused, no such port).
conn.on('close', () => { console.log('connection closed'); process.exit(conn.bytesWritten > 0 || conn.localPort !== undefined ? 0 : 1); });
conn.on('error', (err) => console.error(`error: ${err.message}`));
