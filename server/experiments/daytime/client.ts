// A daytime client (seed 002's tcpC, or `nc host port`): connect, read until the server closes,
// print what came. It asks `count` times, one connection each.
// Run on its own: node client.js --serverPort 7777 --count 3
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, count, intervalMs } = lab.params({ serverPort: 7777, host: '127.0.0.1', count: 3, intervalMs: 300 });

function ask(n: number): void {
  const conn = lab.watch(net.connect(serverPort, host));
  const chunks: Buffer[] = [];
  conn.on('data', (chunk: Buffer) => chunks.push(chunk));
  conn.on('end', () => {
    // Read to EOF: the server's FIN is the end of the answer.
    console.log(`#${n}: ${Buffer.concat(chunks).length} B then EOF: ${Buffer.concat(chunks).toString()}`);
    conn.end();
    if (n < count) setTimeout(() => ask(n + 1), intervalMs);
  });
  conn.on('error', (err) => { console.error(`#${n}: ${err.message}`); process.exitCode = 1; });
}

ask(1);
