// The seed's HTTP client (seed 003): dial, write "HEAD / HTTP/1.0\r\n\r\n" by hand, read everything
// until the server closes (ioutil.ReadAll), print it.
// Run on its own: node client.js --serverPort 8080
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host } = lab.params({ serverPort: 80, host: '127.0.0.1' });

const conn = lab.watch(net.connect(serverPort, host), { captureBytes: 4096 });
const chunks: Buffer[] = [];
conn.on('connect', () => conn.write('HEAD / HTTP/1.0\r\n\r\n'));
conn.on('data', (chunk: Buffer) => chunks.push(chunk));
conn.on('end', () => {
  // HTTP/1.0 without keep-alive: the server closes after its answer, and EOF is the end of it.
  const text = Buffer.concat(chunks).toString();
  console.log(text.replace(/\r\n/g, '\n'));
  console.log(`(${Buffer.concat(chunks).length} B, then EOF)`);
  conn.end();
});
conn.on('error', (err) => { console.error(`Fatal error: ${err.message}`); process.exitCode = 1; });
