// A client of the time server: asks "timestamp", then something else, then sends one request
// longer than the server reads at once; then waits (type more lines into this pane) until the
// server's read deadline closes the connection.
// Run on its own: node client.js --serverPort 1200
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, floodBytes } = lab.params({ serverPort: 1200, host: '127.0.0.1', floodBytes: 300 });

const requests = ['timestamp', 'what time is it?', 'A'.repeat(floodBytes)];
const conn = lab.watch(net.connect(serverPort, host));
let awaiting = false;

function next(): void {
  const r = requests.shift();
  if (r === undefined) { console.log('(done asking; type a line to ask again)'); return; }
  lab.report('asked', { request: r.slice(0, 40), bytes: r.length + 1, wallSec: Date.now() / 1000 });
  awaiting = true;
  console.log(`> ${r.length > 40 ? `${r.slice(0, 20)}… (${r.length + 1} B with the newline)` : r}`);
  conn.write(r + '\n');
}

conn.on('connect', () => { console.log(`connected to ${host}:${serverPort}`); next(); });
conn.on('data', (chunk: Buffer) => {
  lab.report('answer', { text: chunk.toString().slice(0, 200), wallSec: Date.now() / 1000 });
  for (const line of chunk.toString().split('\n').filter(Boolean)) console.log(`< ${line}`);
  // Ask the next question once the first answer is in (the long request gets several).
  if (awaiting) { awaiting = false; setTimeout(next, 150); }
});
process.stdin.on('data', (line) => conn.write(line));
// The server closed: close our side too and stop reading the keyboard, so the program ends.
conn.on('end', () => { console.log('server closed the connection'); conn.end(); process.stdin.destroy(); });
conn.on('error', (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; });
