// UDP time server, the seed's udpS (seeds 002 and 003): no Listen, no Accept — one socket bound to
// a port; each ReadFromUDP returns one whole datagram and who sent it, and WriteToUDP sends the
// time back to that address. Here: socket.on('message', (msg, rinfo) => socket.send(now, rinfo)).
// Run on its own: node server.js --port 1200   (then: nc -u 127.0.0.1 1200, type a line)
import dgram from 'node:dgram';
import { lab } from '../../actor/runtime.js';
import { watchDgram } from '../../actor/dgram-watch.js';

const { port, host, idleExitMs } = lab.params({ port: 0, host: '127.0.0.1', idleExitMs: 0 });

/** Lines printed per datagram at most; then one line a second (the event list has every one). */
const PRINT_EACH = 40;

const socket = watchDgram(dgram.createSocket('udp4'), { captureBytes: 64 });
let received = 0;
let idle: NodeJS.Timeout | undefined;

/** With --idleExitMs N the server stops after N ms without a datagram (the lab ends runs that way). */
function armIdle(): void {
  if (idleExitMs <= 0) return;
  if (idle) clearTimeout(idle);
  idle = setTimeout(() => {
    console.log(`no datagram for ${idleExitMs} ms; ${received} received in all; closing`);
    socket.close();
  }, idleExitMs);
}

socket.on('message', (msg, rinfo) => {
  received++;
  // time.Now().String() in the seed; a readable local time here.
  const daytime = new Date().toString();
  socket.send(daytime, rinfo.port, rinfo.address);
  const text = msg.subarray(0, 24).toString('latin1').replace(/[^\x20-\x7e]/g, '.');
  if (received <= PRINT_EACH) console.log(`datagram #${received}: ${msg.length} B from ${rinfo.address}:${rinfo.port} "${text}${msg.length > 24 ? '…' : ''}" → sent the time back (${Buffer.byteLength(daytime)} B)`);
  else if (received === PRINT_EACH + 1) console.log('… (further datagrams not printed; the event list has every one)');
  armIdle();
});
socket.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
  socket.close();
});
socket.bind(port, host, () => {
  const a = socket.address();
  console.log(`UDP time server bound to ${a.address}:${a.port} (no listen, no accept: datagrams from anyone)`);
});
