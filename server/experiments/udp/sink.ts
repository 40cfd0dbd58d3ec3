// A slow UDP receiver: a small receive buffer (SO_RCVBUF) and a handler that takes `slowMs` per
// datagram, like a Go loop of ReadFromUDP followed by time.Sleep. While it is busy the kernel
// queues arriving datagrams in the socket's receive buffer; when that is full it drops them and
// counts the drop on the socket (ss -uam "d", /proc/net/udp "drops"). Nobody tells the sender.
// Run on its own: node sink.js --port 9001 --rcvbuf 4096 --slowMs 20
import dgram from 'node:dgram';
import { lab } from '../../actor/runtime.js';
import { setDgramBuffer, watchDgram } from '../../actor/dgram-watch.js';

const p = lab.params({ port: 0, host: '127.0.0.1', rcvbuf: '4096' as string | number, slowMs: 20, idleExitMs: 0 });
const rcvbuf = p.rcvbuf === 'auto' ? 'auto' : Number(p.rcvbuf);
if (rcvbuf !== 'auto' && !(Number.isInteger(rcvbuf) && rcvbuf > 0)) {
  console.error(`--rcvbuf must be a number of bytes or "auto", got ${JSON.stringify(p.rcvbuf)}`);
  process.exit(2);
}

/**
 * Go's time.Sleep inside the read loop: the thread does nothing else meanwhile. Node has no
 * blocking sleep, and no way to stop a datagram socket from reading; Atomics.wait blocks the
 * thread the same way, so no read happens while a datagram is being "processed".
 */
const pause = new Int32Array(new SharedArrayBuffer(4));
function processSlowly(ms: number): void {
  if (ms > 0) Atomics.wait(pause, 0, 0, ms);
}

const socket = watchDgram(dgram.createSocket('udp4'), { coalesce: true, captureBytes: 16 });
let received = 0;
let bytes = 0;
let lastPrint = 0;
let idle: NodeJS.Timeout | undefined;

function armIdle(): void {
  if (p.idleExitMs <= 0) return;
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    console.log(`no datagram for ${p.idleExitMs} ms: received ${received} datagrams (${bytes} B) in all; closing`);
    lab.report('sink-total', { received, bytes });
    socket.close();
  }, p.idleExitMs);
}

socket.on('message', (msg) => {
  received++;
  bytes += msg.length;
  processSlowly(p.slowMs);
  const now = performance.now();
  if (received === 1 || now - lastPrint >= 1000) {
    lastPrint = now;
    console.log(`received ${received} datagram${received === 1 ? '' : 's'} so far (${msg.length} B each), ${p.slowMs} ms of work per datagram`);
  }
  armIdle();
});
socket.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
  socket.close();
});
socket.bind(p.port, p.host, () => {
  const a = socket.address();
  if (rcvbuf !== 'auto') {
    const r = setDgramBuffer(socket, 'SO_RCVBUF', rcvbuf);
    console.log(`SO_RCVBUF: asked ${rcvbuf} B, the kernel keeps ${r.effective ?? `unknown (${r.error})`}${r.effective ? ' B' : ''}`);
  } else console.log(`SO_RCVBUF: not set (the default, ${socket.getRecvBufferSize()} B)`);
  console.log(`slow receiver bound to ${a.address}:${a.port}; ${p.slowMs} ms per datagram`);
});
