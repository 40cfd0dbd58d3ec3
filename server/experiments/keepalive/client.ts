// Connects, turns on TCP keepalive with short timers (seed 003: SetKeepAlive), and then sends
// nothing. After idleS seconds of silence the kernel sends a probe (an empty ACK) every
// intervalS seconds; a live peer answers each one. After countS unanswered probes the kernel
// declares the connection dead: the next read fails with ETIMEDOUT.
// Node's setKeepAlive(true, ms) sets only SO_KEEPALIVE and the idle time, so the lab's
// setsockopt sets all three, and records what the kernel kept.
// Run on its own: node client.js --serverPort 9000 --idleS 1 --intervalS 1 --count 3
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, idleS, intervalS, count } = lab.params({ serverPort: 9000, host: '127.0.0.1', idleS: 1, intervalS: 1, count: 3 });

const conn = lab.watch(net.connect(serverPort, host));
const start = performance.now();
const since = () => `${((performance.now() - start) / 1000).toFixed(1)} s`;

conn.on('connect', () => {
  console.log(`connected ${conn.localAddress}:${conn.localPort} -> ${host}:${serverPort}`);
  const set = [
    lab.setsockopt(conn, 'SO_KEEPALIVE', true),
    lab.setsockopt(conn, 'TCP_KEEPIDLE', idleS),
    lab.setsockopt(conn, 'TCP_KEEPINTVL', intervalS),
    lab.setsockopt(conn, 'TCP_KEEPCNT', count),
  ];
  for (const r of set) console.log(`${r.option} = ${JSON.stringify(r.effective)}${r.error ? ` (${r.error})` : ''}`);
  console.log(`silent from now on: a probe after ${idleS} s of silence, then every ${intervalS} s; dead after ${count} unanswered`);
});
// Nothing is written; reading stays on so the kernel's verdict reaches us as an error.
conn.on('data', (chunk: Buffer) => console.log(`read ${chunk.length} B`));
conn.on('end', () => { console.log(`the server closed (${since()})`); conn.end(); });
conn.on('error', (err: NodeJS.ErrnoException) => {
  lab.report('dead', { code: err.code ?? 'ERR', afterMs: performance.now() - start });
  console.log(`${err.code}: ${err.message} (${since()} after connect): the peer stopped answering the probes`);
});
const status = setInterval(() => { if (!conn.destroyed) console.log(`still connected (${since()})`); else clearInterval(status); }, 2000);
status.unref();
// Keep the process until the lab ends it (or Ctrl+C).
const hold = setInterval(() => { if (conn.destroyed) clearInterval(hold); }, 1000);
