// nc -l: listen, take one connection, then copy the keyboard to the connection and the
// connection to the screen, until either side closes. Seed 002: "nc is very useful for testing
// TCP/IP servers and clients".
// Run on its own: node listener.js --family IPv6 --port 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, family } = lab.params({ port: 0, family: 'IPv4' });
const host = family === 'IPv6' ? '::1' : '127.0.0.1';

const server = lab.watchServer(net.createServer((conn) => {
  // Like nc -l: one connection, then no more listening.
  server.close();
  console.log(`connection from [${conn.remoteAddress}]:${conn.remotePort} (${conn.remoteFamily}); listening socket closed`);
  conn.on('data', (chunk: Buffer) => process.stdout.write(chunk));
  process.stdin.on('data', (line) => conn.write(line));
  conn.on('end', () => { console.log('(the other side closed; closing)'); conn.end(); process.stdin.destroy(); });
  conn.on('error', (err) => { console.error(`error: ${err.message}`); process.stdin.destroy(); });
}));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen({ port, host, ipv6Only: family === 'IPv6' }, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on [${a.address}]:${a.port} (${a.family}) — type here once a client connects`);
});
