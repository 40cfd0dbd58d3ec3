// Linger writer: sends `bytes` to a reader that is not reading yet, then closes the connection
// with the chosen SO_LINGER setting and close call (seed 000, "handling pending data when the connection closes":
// SetLinger(-1), SetLinger(0), SetLinger(n)). Go's Close() is Node's destroy(); end() is the
// polite half-close that sends FIN after everything queued.
// Run on its own: node writer.js --serverPort 9000 --linger seconds --lingerSeconds 2
import net from 'node:net';
import { performance } from 'node:perf_hooks';
import { lab } from '../../actor/runtime.js';
import { fdOf, ioctlOutq, ioctlOutqNotSent, readTcpInfo } from '../../kernel/sockopt.js';

const { serverPort, host, bytes, linger, lingerSeconds, close, closeAfterMs, sndbuf } = lab.params({
  serverPort: 9000, host: '127.0.0.1', bytes: 1048576, linger: 'default', lingerSeconds: 2,
  close: 'destroy', closeAfterMs: 500, sndbuf: 0,
});

const conn = lab.watch(net.connect(serverPort, host));
const CHUNK = 64 * 1024;

conn.on('connect', () => {
  console.log(`connected ${conn.localAddress}:${conn.localPort} -> ${host}:${serverPort}`);
  if (sndbuf > 0) lab.setsockopt(conn, 'SO_SNDBUF', sndbuf);
  // SetLinger(-1) in Go is "leave SO_LINGER off", the kernel default: nothing to set.
  if (linger === 'zero') lab.setsockopt(conn, 'SO_LINGER', { on: true, seconds: 0 });
  if (linger === 'seconds') lab.setsockopt(conn, 'SO_LINGER', { on: true, seconds: lingerSeconds });
  console.log(`SO_LINGER: ${linger === 'default' ? 'not set (kernel default, Go SetLinger(-1))' : linger === 'zero' ? 'on, 0 s (Go SetLinger(0))' : `on, ${lingerSeconds} s (Go SetLinger(${lingerSeconds}))`}`);

  // Hand every byte to Node at once; what the kernel cannot take yet waits in Node's queue.
  let sent = 0;
  while (sent < bytes) {
    const n = Math.min(CHUNK, bytes - sent);
    conn.write(Buffer.alloc(n, 0x61 + ((sent / CHUNK) % 26)));
    sent += n;
  }
  console.log(`handed ${sent} B to write(); Node still holds ${conn.writableLength} B`);
  setTimeout(closeNow, closeAfterMs);
});

function closeNow(): void {
  // Where the bytes are right before the close. The kernel's count is exact: it took
  // bytes_acked + SIOCOUTQ (acknowledged, plus still in its send queue). Node's writableLength
  // counts a 64 KiB chunk the kernel took part of as still queued, so it can overstate.
  const fd = fdOf(conn);
  let kernelSendQ: number | null = null;
  let kernelNotSent: number | null = null;
  let kernelTook: number | null = null;
  let reason = '';
  try {
    if (fd === undefined) throw new Error('no descriptor');
    kernelSendQ = ioctlOutq(fd);
    kernelNotSent = ioctlOutqNotSent(fd);
    // tcpi_bytes_acked counts the SYN too on the side that connected (Linux acks it like a byte).
    const acked = readTcpInfo(fd).bytesAcked;
    if (acked !== undefined) kernelTook = acked - 1 + kernelSendQ;
  } catch (err) {
    reason = (err as Error).message;
  }
  const nodeQueued = conn.writableLength;
  lab.report('before-close', { nodeQueued, kernelSendQ, kernelNotSent, kernelTook, ...(reason ? { reason } : {}) });
  console.log(`before close: Node's queue ${nodeQueued} B, kernel send queue ${kernelSendQ ?? '?'} B${kernelNotSent !== null ? ` (${kernelNotSent} B not sent yet)` : ''}; the kernel took ${kernelTook ?? '?'} of ${bytes} B${reason ? ` (${reason})` : ''}`);

  const call = close === 'end' ? 'end()' : 'destroy()';
  console.log(`calling ${call} ...`);
  const t0 = performance.now();
  if (close === 'end') conn.end();
  else conn.destroy();
  const ms = performance.now() - t0;
  lab.report('close-call', { call, returnedAfterMs: Math.round(ms * 1000) / 1000 });
  console.log(`${call} returned after ${ms.toFixed(1)} ms${ms > 100 ? ' — the whole process was stuck in close(2)' : ''}`);
}

conn.on('end', () => console.log('reader closed its side (EOF)'));
conn.on('error', (err) => console.error(`error: ${err.message}`));
conn.on('close', (hadError) => console.log(`socket closed${hadError ? ' after an error' : ''}`));
