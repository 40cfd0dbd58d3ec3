// Half-close server: reads the whole request until the client's FIN (EOF), then — its own
// writing side still open — waits a moment and writes the reply, and only then closes.
// allowHalfOpen keeps Node from closing our side the moment the client's FIN arrives.
// Run on its own: node server.js --port 9000 --replyDelayMs 1500
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, replyDelayMs } = lab.params({ port: 0, host: '127.0.0.1', replyDelayMs: 1500 });

const server = net.createServer({ allowHalfOpen: true }, (conn) => {
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}`);
  const chunks: Buffer[] = [];
  conn.on('data', (chunk) => { chunks.push(chunk); console.log(`read ${chunk.length} B`); });
  conn.on('end', () => {
    const request = Buffer.concat(chunks).toString();
    console.log(`client finished sending (FIN): ${request.length} B; my side is still open (CLOSE_WAIT) — replying in ${replyDelayMs} ms`);
    setTimeout(() => {
      const reply = `you sent ${request.length} B, reversed: ${[...request].reverse().join('')}\n`;
      conn.end(reply, () => console.log(`wrote ${Buffer.byteLength(reply)} B and closed my side (FIN)`));
    }, replyDelayMs);
  });
  conn.on('close', () => { console.log('connection closed'); server.close(); });
  conn.on('error', (err) => console.error(`error: ${err.message}`));
});
lab.watchServer(server);
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
