// The peer: accepts a connection and then says nothing, ever. Whether the connection is alive
// is for the client's keepalive probes to find out. In the "vanishing" variant the lab runs this
// program in a network namespace of its own and later takes its link down.
// Run on its own: node server.js --port 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host } = lab.params({ port: 9000, host: '127.0.0.1' });

const server = lab.watchServer(net.createServer((conn) => {
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}; staying silent`);
  conn.on('end', () => { console.log('the client closed'); conn.end(); });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
}));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
