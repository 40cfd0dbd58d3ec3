// The one-shot daytime server of seed 003: accept a connection, write the date and time, close.
// One client at a time, like the seed's loop (Accept, Write, Close, Accept again).
// Run on its own: node server.js --port 7777
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host } = lab.params({ port: 0, host: '127.0.0.1' });

/** Go's time.Now().String() without the monotonic part: "2009-11-10 23:00:00.123 +0000 UTC". */
function goTime(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC`;
}

const server = lab.watchServer(net.createServer((conn) => {
  const daytime = goTime(new Date());
  console.log(`${conn.remoteAddress}:${conn.remotePort}: wrote "${daytime}", closing`);
  conn.on('error', (err) => console.error(`connection error: ${err.message}`)); // "do not care about return value"
  conn.end(daytime); // write, then close: FIN follows the bytes
}));

server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`daytime server listening on ${a.address}:${a.port}`);
});
