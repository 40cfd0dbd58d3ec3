// Linger reader: accepts one connection and does not read from it for `pauseMs` (the kernel keeps
// the bytes), then reads everything until the writer's FIN (EOF) or RST (ECONNRESET).
// Run on its own: node reader.js --port 9000 --pauseMs 3000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { pendingSocketError } from '../../kernel/so-error.js';

const { port, host, pauseMs, holdMs } = lab.params({ port: 0, host: '127.0.0.1', pauseMs: 3000, holdMs: 800 });

// pauseOnConnect: Node does not read at all until resume(), so every byte stays in the kernel.
const server = net.createServer({ pauseOnConnect: true }, (conn) => {
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}; not reading for ${pauseMs} ms`);
  server.close(); // one connection is all this experiment needs
  let total = 0;
  let lastPrint = 0;
  const started = Date.now();
  conn.on('data', (chunk) => {
    total += chunk.length;
    const now = Date.now();
    if (now - lastPrint >= 1000) { lastPrint = now; console.log(`read ${total} B so far`); }
  });
  conn.on('end', () => {
    // Node reports EOF; ask the kernel whether it really was a FIN or a reset libuv read as EOF.
    const e = pendingSocketError(conn);
    lab.report('so-error', 'code' in e ? { code: e.code } : { unavailable: e.unavailable });
    if ('code' in e && e.code !== 'none') console.log(`EOF after ${total} B — but the kernel holds ${e.code}: the writer reset the connection`);
    else console.log(`EOF after ${total} B: the writer closed cleanly (FIN)`);
  });
  conn.on('error', (err: NodeJS.ErrnoException) => console.log(`${err.code ?? 'error'} after ${total} B: ${err.message}`));
  conn.on('close', () => {
    console.log(`connection closed ${Date.now() - started} ms after accept; read ${total} B in all`);
    setTimeout(() => process.exit(0), holdMs); // stay a moment so the kernel view sees the aftermath
  });
  setTimeout(() => { console.log('reading now'); conn.resume(); }, pauseMs);
});
lab.watchServer(server);

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
