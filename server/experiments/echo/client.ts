// Echo client: connects, sends a few lines, then sends whatever you type (like nc).
// Run on its own: node client.js --serverPort 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, message, count, intervalMs } = lab.params({
  serverPort: 7, host: '127.0.0.1', message: 'hello, socket lab', count: 3, intervalMs: 400,
});

const conn = lab.watch(net.connect(serverPort, host));

conn.on('connect', () => {
  console.log(`connected ${conn.localAddress}:${conn.localPort} -> ${host}:${serverPort}`);
  let sent = 0;
  const send = () => {
    if (sent >= count || conn.destroyed) return;
    sent += 1;
    conn.write(`${message} #${sent}\n`);
    setTimeout(send, intervalMs);
  };
  send();
  // Lines typed into the pane arrive on stdin; send each as it is.
  process.stdin.on('data', (line) => conn.write(line));
});
conn.on('data', (chunk) => console.log(`echo ${chunk.length} B: ${JSON.stringify(chunk.toString())}`));
conn.on('end', () => console.log('server closed the connection'));
conn.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
