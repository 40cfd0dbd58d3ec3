// Seed 003's daytime server, in the two shapes the seed shows, plus the one Node adds:
//   sequential  one client at a time: the seed's loop without `go` (Accept, handle, Accept ...).
//               Node has already accepted the others; they wait in this program's queue.
//   concurrent  a handler per connection: the seed's `go handleClient(conn)`. In Node every
//               connection gets its own callback and waiting (a timer, I/O) overlaps.
//   blocking    a handler per connection whose work is synchronous (CPU, a blocking call): it
//               holds the only thread, so the next connection is not even accepted until it ends.
// Each answer takes workMs of "work", then the server writes the time and closes.
// Run on its own: node server.js --port 1200 --mode sequential --workMs 400
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, mode, workMs } = lab.params({ port: 1200, host: '127.0.0.1', mode: 'sequential', workMs: 400 });

let served = 0;

function answer(conn: net.Socket, n: number): void {
  const daytime = new Date().toISOString();
  lab.report('handled', { n, port: conn.remotePort });
  console.log(`#${n} done: wrote ${daytime}`);
  conn.end(daytime);
}

function handleClient(conn: net.Socket, done: () => void = () => {}): void {
  const n = ++served;
  conn.on('error', (err) => console.error(`#${n}: ${err.message}`));
  lab.report('handling', { n, port: conn.remotePort });
  console.log(`#${n} handling ${conn.remoteAddress}:${conn.remotePort} (${workMs} ms of work)`);
  if (mode === 'blocking') {
    const until = performance.now() + workMs;
    while (performance.now() < until) { /* synchronous work: nothing else runs in this process */ }
    answer(conn, n);
    done();
  } else {
    setTimeout(() => { answer(conn, n); done(); }, workMs);
  }
}

// One at a time: a queue and a flag stand in for Go's loop that calls Accept only when free.
const waiting: net.Socket[] = [];
let busy = false;
function serveNext(): void {
  const conn = waiting.shift();
  if (!conn) { busy = false; return; }
  busy = true;
  handleClient(conn, serveNext);
}

const server = lab.watchServer(net.createServer((conn) => {
  if (mode !== 'sequential') return handleClient(conn);
  waiting.push(conn);
  if (waiting.length > 1 || busy) console.log(`${conn.remoteAddress}:${conn.remotePort} waits (${waiting.length} in the queue)`);
  if (!busy) serveNext();
}));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`${mode} daytime server on ${a.address}:${a.port}`);
});
