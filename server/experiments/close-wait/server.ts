// A server that forgets to close (seed 000, "a socket stuck in CLOSE_WAIT"): it reads each
// client's line, and when the client hangs up (FIN, 'end') it never calls end()/destroy(). Each
// such socket stays in CLOSE_WAIT. Later it writes a "late reply" to every one of them: the
// client's kernel answers with RST, and the next write fails.
// allowHalfOpen: without it Node would end our side for us on the client's FIN — Node's own fix.
// Run on its own: node server.js --port 9000 --writeAfterMs 3000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, writeAfterMs, clients } = lab.params({ port: 0, host: '127.0.0.1', writeAfterMs: 2500, clients: 3 });

const forgotten = new Set<net.Socket>();
let hungUp = 0;

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  conn.on('data', (chunk) => console.log(`${peer}: read ${JSON.stringify(chunk.toString())}`));
  conn.on('end', () => {
    // The bug: no conn.end() / conn.destroy() here (Go: a missing `defer conn.Close()`).
    forgotten.add(conn);
    hungUp++;
    console.log(`${peer} hung up (FIN). I forget to close: ${forgotten.size} socket(s) now in CLOSE_WAIT`);
    if (hungUp === clients && writeAfterMs > 0) setTimeout(() => lateWrites(), writeAfterMs);
  });
  conn.on('error', (err: NodeJS.ErrnoException) => {
    console.log(`${peer}: ${err.code ?? 'error'} — ${err.message}`);
    forgotten.delete(conn);
  });
});
lab.watchServer(server);

/** Write to every forgotten socket; then once more: the first write draws RST, the second fails. */
function lateWrites(thenExit = true): void {
  const socks = [...forgotten];
  console.log(`writing a late reply to ${socks.length} socket(s) in CLOSE_WAIT`);
  for (const s of socks) s.write('late reply\n', (err) => console.log(`first write ${err ? `failed: ${err.message}` : 'accepted by the kernel'}`));
  setTimeout(() => {
    for (const s of socks) {
      if (s.destroyed) continue;
      s.write('another late reply\n', (err) => console.log(`second write ${err ? `failed: ${(err as NodeJS.ErrnoException).code}` : 'accepted by the kernel'}`));
    }
    if (thenExit) setTimeout(() => { console.log('done'); process.exit(0); }, 1000);
  }, 300);
}

// Live controls: write now, or do what the program should have done.
lab.onControl('write', () => lateWrites(false));
lab.onControl('close', () => {
  console.log(`closing ${forgotten.size} forgotten socket(s)`);
  for (const s of forgotten) s.destroy();
  forgotten.clear();
});

server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
