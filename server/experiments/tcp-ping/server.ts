// Something to ping: a listener that accepts each connection and closes it at once.
// Run on its own: node server.js --port 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host } = lab.params({ port: 0, host: '127.0.0.1' });

const server = lab.watchServer(net.createServer((conn) => {
  conn.on('error', () => { /* a pinger may reset */ });
  conn.end();
}));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}; every connection is closed at once`);
});
