// Half-close client: sends its request, then end() — shutdown(SHUT_WR), a FIN — and keeps reading
// until the server's reply and its FIN arrive. Go: conn.(*net.TCPConn).CloseWrite().
// Run on its own: node client.js --serverPort 9000 --message "hello"
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, message } = lab.params({ serverPort: 9000, host: '127.0.0.1', message: 'half-close me' });

const conn = lab.watch(net.connect(serverPort, host));
conn.on('connect', () => {
  console.log(`connected; sending ${Buffer.byteLength(message)} B, then end() (FIN): I am done writing, not reading`);
  conn.end(message);
});
conn.on('data', (chunk) => console.log(`read ${chunk.length} B after my FIN: ${JSON.stringify(chunk.toString())}`));
conn.on('end', () => console.log('server closed its side too (EOF); the connection is over'));
conn.on('error', (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; });
