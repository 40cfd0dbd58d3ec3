// N clients dial the listener at the same moment and report, once a second, how many are
// connected and how many are still waiting for the handshake.
// Run on its own: node clients.js --serverPort 9000 --clients 6
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, clients } = lab.params({ serverPort: 9000, host: '127.0.0.1', clients: 6 });

const start = performance.now();
let connected = 0;
const socks: net.Socket[] = [];
for (let i = 1; i <= clients; i++) {
  const conn = lab.watch(net.connect(serverPort, host));
  socks.push(conn);
  conn.on('connect', () => {
    connected++;
    const ms = performance.now() - start;
    lab.report('connected', { client: i, ms });
    console.log(`client ${i}: connected after ${ms.toFixed(ms < 10 ? 1 : 0)} ms`);
  });
  conn.on('error', (err) => console.error(`client ${i}: ${err.message}`));
}
const status = setInterval(() => {
  console.log(`${connected} connected, ${clients - connected} still in connect() (${((performance.now() - start) / 1000).toFixed(0)} s)`);
  if (connected === clients) clearInterval(status);
}, 1000);
// Keep the connections open until the lab ends the run (or Ctrl+C).
process.on('SIGTERM', () => { for (const s of socks) s.destroy(); process.exit(0); });
