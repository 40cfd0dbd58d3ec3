// Clients that come and go: each connects, sends one line and closes (Go: Write, then Close).
// After close the kernel keeps each of our sockets in FIN_WAIT2 for a while (orphaned: no program
// holds it), waiting for the server's FIN that never comes.
// Run on its own: node client.js --serverPort 9000 --clients 3
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, clients, intervalMs } = lab.params({ serverPort: 9000, host: '127.0.0.1', clients: 3, intervalMs: 600 });

let n = 0;
function next(): void {
  if (n >= clients) { console.log('all clients done; exiting'); return; }
  n += 1;
  const i = n;
  const conn = lab.watch(net.connect(serverPort, host));
  conn.on('connect', () => {
    // write's callback: the line is in the kernel; then close(2), like Go's conn.Close().
    const port = conn.localPort;
    conn.write(`hello from client #${i}\n`, () => {
      conn.destroy();
      console.log(`client #${i} (port ${port}) wrote its line and closed`);
    });
  });
  conn.on('error', (err) => console.error(`client #${i}: ${err.message}`));
  setTimeout(next, intervalMs);
}
next();
