// Echo server: accepts connections and writes back every byte it reads
// (seed 002, otherTCPserver.go). Run on its own: node server.js --port 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host } = lab.params({ port: 0, host: '127.0.0.1' });

const server = net.createServer((conn) => {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  console.log(`accepted ${peer}`);
  conn.on('data', (chunk) => {
    console.log(`read ${chunk.length} B: ${JSON.stringify(chunk.toString())}`);
    conn.write(chunk);
  });
  conn.on('end', () => {
    console.log(`${peer} closed its side; closing mine`);
    conn.end();
  });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
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
