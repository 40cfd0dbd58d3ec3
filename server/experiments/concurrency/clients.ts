// N clients at once: each connects, reads the answer to EOF, and prints how long it waited.
// Run on its own: node clients.js --serverPort 1200 --clients 5
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, clients } = lab.params({ serverPort: 1200, host: '127.0.0.1', clients: 5 });

for (let i = 1; i <= clients; i++) {
  const start = performance.now();
  let connectedMs = 0;
  const conn = lab.watch(net.connect(serverPort, host));
  const chunks: Buffer[] = [];
  conn.on('connect', () => { connectedMs = performance.now() - start; });
  conn.on('data', (c: Buffer) => chunks.push(c));
  conn.on('end', () => {
    const waitedMs = performance.now() - start;
    lab.report('waited', { client: i, connectMs: connectedMs, waitedMs });
    console.log(`client ${i}: connected after ${connectedMs.toFixed(1)} ms, answer after ${waitedMs.toFixed(0)} ms: ${Buffer.concat(chunks).toString()}`);
    conn.end();
  });
  conn.on('error', (err) => { console.error(`client ${i}: ${err.message}`); process.exitCode = 1; });
}
