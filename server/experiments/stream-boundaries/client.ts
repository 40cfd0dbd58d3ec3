// Writer: sends `count` sensor readings of `size` bytes each, one write() per reading (seed 004:
// "ten 1 KB sensor readings"), then closes its side. Each reading starts with a short text header
// and is filled with its own letter (a, b, c, ...) so its bytes are easy to spot in a hex view.
// Run on its own: node client.js --serverPort 9000 --count 10 --size 1024 --gapMs 0 --noDelay false
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, count, size, gapMs, noDelay } = lab.params({
  serverPort: 9000, host: '127.0.0.1', count: 10, size: 1024, gapMs: 0, noDelay: false,
});

/** Lines printed per write at most; after that one summary line (the event list has every write). */
const PRINT_WRITES = 40;

function reading(i: number): Buffer {
  const msg = Buffer.alloc(size, 97 + (i % 26)); // 'a' for #0, 'b' for #1, ...
  const header = `#${i} t=${(21 + Math.sin(i)).toFixed(2)}C `;
  msg.write(header.slice(0, size), 'latin1');
  return msg;
}

const conn = lab.watch(net.connect(serverPort, host), { captureBytes: 4096 });

conn.on('connect', () => {
  // Nagle's algorithm (TCP_NODELAY off, Node's default) holds small writes while earlier data is
  // unacknowledged and sends them together; TCP_NODELAY on sends each write at once.
  // lab.setsockopt is setsockopt(2) plus a read-back recorded in the trace; without FFI, Node's
  // own setNoDelay makes the same call.
  if (lab.setsockopt(conn, 'TCP_NODELAY', noDelay).error) conn.setNoDelay(noDelay);
  console.log(`connected to ${host}:${serverPort}; TCP_NODELAY ${noDelay ? 'on' : 'off (Nagle on)'}; ` +
    `sending ${count} readings of ${size} B ${gapMs > 0 ? `${gapMs} ms apart` : 'in one burst'}`);
  let i = 0;
  const next = (): void => {
    if (conn.destroyed) return;
    if (i >= count) {
      console.log(`wrote ${count} readings, ${count * size} B in all; closing my side`);
      conn.end();
      return;
    }
    conn.write(reading(i));
    if (i < PRINT_WRITES) console.log(`write #${i}: ${size} B`);
    else if (i === PRINT_WRITES) console.log('… (further writes not printed; the event list has every one)');
    i++;
    if (gapMs > 0) setTimeout(next, gapMs);
    else next();
  };
  next();
});
conn.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
conn.on('close', () => console.log('connection closed'));
