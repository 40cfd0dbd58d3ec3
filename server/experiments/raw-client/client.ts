// nc host port: connect, send a greeting, then copy the keyboard to the connection and the
// connection to the screen.
// Run on its own: node client.js --family IPv6 --serverPort 9000 --greeting hi
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, family, greeting } = lab.params({ serverPort: 9000, family: 'IPv4', greeting: 'hello from the client' });
const host = family === 'IPv6' ? '::1' : '127.0.0.1';

const conn = lab.watch(net.connect({ port: serverPort, host }));
conn.on('connect', () => {
  console.log(`connected [${conn.localAddress}]:${conn.localPort} -> [${host}]:${serverPort} (${conn.remoteFamily}) — type here`);
  if (greeting) conn.write(`${greeting}\n`);
});
conn.on('data', (chunk: Buffer) => process.stdout.write(chunk));
process.stdin.on('data', (line) => conn.write(line));
conn.on('end', () => { console.log('(the other side closed; closing)'); conn.end(); process.stdin.destroy(); });
conn.on('error', (err) => { console.error(`error: ${err.message}`); process.stdin.destroy(); process.exitCode = 1; });
