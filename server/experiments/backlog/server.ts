// A listener with backlog B that does not accept (seed 001: "the backlog follows Linux's
// settings: cat /proc/sys/net/core/somaxconn"). The kernel completes handshakes by itself and
// queues them; once the queue is full it drops new SYNs. "accept all" (a live control, or
// acceptAfterMs after the first connection was queued) starts accepting from the same queue.
// The program watches its own queue as ss does: getsockopt(TCP_INFO) on a listening socket
// reports the connections waiting and the limit.
//
// Node's net.Server accepts the moment a connection is queued, so this program makes the
// listening socket itself (socket, bind, listen through libc), like Go's net.Listen without a
// call to Accept, and later hands the descriptor to net.Server.
// Run on its own: node server.js --port 9000 --backlog 2
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { lab } from '../../actor/runtime.js';
import { openRawListener } from '../../kernel/raw-listener.js';
import { readTcpInfo } from '../../kernel/sockopt.js';

const { port, host, backlog, acceptAfterMs } = lab.params({ port: 9000, host: '127.0.0.1', backlog: 2, acceptAfterMs: 0 });

let somaxconn: number | null = null;
try { somaxconn = Number(readFileSync('/proc/sys/net/core/somaxconn', 'utf8').trim()); } catch { /* not Linux */ }
const listener = (() => {
  try { return openRawListener(host, port, backlog); } catch (err) {
    // Not Linux, no koffi, or the port is taken: say so plainly rather than with a stack trace.
    console.error(`cannot make the listening socket: ${(err as Error).message}`);
    process.exit(1);
  }
})();
lab.record('listen', { sock: 'L1', local: { address: host, port: listener.port, family: host.includes(':') ? 'IPv6' : 'IPv4' }, backlog });
lab.report('somaxconn', { somaxconn, backlog, limit: somaxconn === null ? null : Math.min(backlog, somaxconn) });
console.log(`listen(fd, ${backlog}) on ${host}:${listener.port}; net.core.somaxconn = ${somaxconn ?? 'unknown'}, so the limit is ${somaxconn === null ? 'unknown' : Math.min(backlog, somaxconn)}`);
console.log('not calling accept(): connections wait in the kernel');

// Watch the queue: print each change. The first queued connection starts the acceptAfterMs clock,
// so the story is the same however long the clients took to start.
let last = -1;
let timer: NodeJS.Timeout | undefined;
setInterval(() => {
  let info;
  try { info = readTcpInfo(listener.fd); } catch { return; }
  // For a listening socket Linux puts the queue length in tcpi_unacked and the limit in tcpi_sacked.
  if (info.unacked === last) return;
  last = info.unacked;
  console.log(`accept queue: ${info.unacked} waiting, limit ${info.sacked}${accepting ? '' : ' (not accepting)'}`);
  if (info.unacked > 0 && acceptAfterMs > 0 && !timer && !accepting) timer = setTimeout(acceptAll, acceptAfterMs);
}, 100);

let accepting = false;
function acceptAll(): void {
  if (accepting) return;
  accepting = true;
  console.log('accept all: net.Server takes over the listening socket and accepts what is queued');
  const server = lab.watchServer(net.createServer((conn) => {
    console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}`);
    conn.on('error', () => { /* the clients leave when the run ends */ });
  }));
  server.listen({ fd: listener.fd });
}

lab.onControl('accept', acceptAll);
