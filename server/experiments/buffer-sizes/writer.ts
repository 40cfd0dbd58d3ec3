// Buffer-size sweep, the writing side (seed 001: conn.SetWriteBuffer(4000)). For each size: a
// fresh connection, SO_SNDBUF set to it (or left to autotuning), then write as fast as possible
// to a reader that does not read. It notes how many bytes it handed to write() when write()
// first returned false, and how many when it truly stopped: no 'drain' for settleMs, because the
// kernel queues on both sides and Node's own buffers are all full.
//
// Run on its own: node writer.js --serverPort 9000 --sizes auto,4096,65536
import { readFileSync } from 'node:fs';
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, kernelSendQueue, kernelSndBuf, show, type BufferSize } from '../flow-shared/buffers.js';
import { parseSizes } from './sizes.js';

const p = lab.params({ serverPort: 8000, host: '127.0.0.1', sizes: 'auto,1024,4096,65536,1048576', messageBytes: 1024, settleMs: 500 });
let sizes: BufferSize[];
try {
  sizes = parseSizes(p.sizes);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}
const chunk = Buffer.alloc(p.messageBytes, 'x');

/** net.ipv4.tcp_wmem "min default max": where autotuning starts and where it stops (Linux only). */
function tcpWmem(): number[] | null {
  try {
    const v = readFileSync('/proc/sys/net/ipv4/tcp_wmem', 'utf8').trim().split(/\s+/).map(Number);
    return v.length === 3 && v.every(Number.isFinite) ? v : null;
  } catch {
    return null;
  }
}

// The control line tells the reader when a connection is as full as it gets.
const control = net.connect(p.serverPort, p.host);
control.on('error', (err) => { console.error(`control connection: ${err.message}`); process.exit(1); });
control.on('connect', () => measure(0));

function measure(index: number): void {
  const size = sizes[index];
  if (size === undefined) { finish(); return; }
  const conn = lab.watch(net.connect(p.serverPort, p.host), { coalesceWrites: true });
  let handed = 0;
  let firstFalse: number | null = null;
  let drains = 0;
  let settle: NodeJS.Timeout | null = null;
  let done = false;
  const started = performance.now();
  let sndbufAtConnect: number | null = null;
  let sndbufEffective: number | null = null;

  conn.on('connect', () => {
    if (size !== 'auto') {
      const r = lab.setsockopt(conn, 'SO_SNDBUF', size);
      sndbufEffective = r.effective;
    }
    const now = kernelSndBuf(conn);
    sndbufAtConnect = now.ok ? now.value : null;
    console.log(`size ${size}: connected; SO_SNDBUF ${size === 'auto' ? 'not set (auto)' : `asked ${fmtBytes(size)}`}, the kernel has ${show(now)}`);
    pump();
  });

  function pump(): void {
    for (let n = 0; n < 100_000; n++) {
      handed += chunk.length;
      if (!conn.write(chunk)) {
        if (firstFalse === null) {
          firstFalse = handed;
          console.log(`size ${size}: write() first returned false after ${fmtBytes(handed)}`);
        }
        // Stopped for good unless 'drain' comes within settleMs.
        settle = setTimeout(stopped, p.settleMs);
        return;
      }
    }
    setImmediate(pump);
  }

  conn.on('drain', () => {
    if (done) return; // measured already: what moves now is the reader draining
    drains += 1;
    if (settle) clearTimeout(settle);
    settle = null;
    pump();
  });

  function stopped(): void {
    done = true;
    const kernel = kernelSendQueue(conn);
    const sndbufAtStop = kernelSndBuf(conn);
    const ms = performance.now() - started - p.settleMs;
    console.log(`size ${size}: truly stopped after ${fmtBytes(handed)} (${drains} drains, ${ms.toFixed(0)} ms): ` +
      `Node's queue says ${fmtBytes(conn.writableLength)}, the kernel's send queue holds ${show(kernel)}`);
    lab.report('size-result', {
      role: 'writer', index, size,
      sndbufEffective: size === 'auto' ? null : sndbufEffective,
      sndbufAtConnect, sndbufAtStop: sndbufAtStop.ok ? sndbufAtStop.value : null,
      firstBackpressure: firstFalse ?? handed, stopped: handed,
      nodeQueue: conn.writableLength, kernelSendQ: kernel.ok ? kernel.value : null,
      drains, ms: Math.round(ms), messageBytes: chunk.length,
      ...(size === 'auto' ? { tcpWmem: tcpWmem() } : {}),
      ...(kernel.ok ? {} : { reason: kernel.reason }),
    });
    // Tell the reader to measure its side and drain; then close this one and go on.
    control.write(`stopped ${index}\n`);
    conn.end();
  }

  conn.on('close', () => measure(index + 1));
  conn.on('error', (err) => { console.error(`size ${size}: ${err.message}`); process.exitCode = 1; });
}

function finish(): void {
  console.log(`all ${sizes.length} sizes measured`);
  control.end();
}
