// Slicer: a small TCP relay that re-writes what it receives in random-sized pieces, with a pause
// between pieces, like toxiproxy's "slicer" toxic (average_size, size_variation, delay). On
// loopback a write usually arrives whole; through the slicer it arrives cut up, as it can on a
// real network. The client connects here; the slicer connects on to the server.
// Run on its own: node slicer.js --serverPort 9000 --listenPort 9001 --sliceAvg 300 --sliceVar 200 --sliceDelayUs 1000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, listenPort, sliceAvg, sliceVar, sliceDelayUs, connections } = lab.params({
  serverPort: 9000, host: '127.0.0.1', listenPort: 0, sliceAvg: 300, sliceVar: 200, sliceDelayUs: 1000,
  connections: 1, // relay this many connections, then stop listening (0 = keep serving)
});

/** Bytes the slicer holds per direction before it stops reading (bounded memory). */
const MAX_QUEUED = 64 * 1024;
/** Print a line per connection and per this many pieces, not per piece (human rate). */
const REPORT_EVERY = 20;

/** A piece size: the average plus or minus up to the variation, at least 1 byte. */
function pieceSize(): number {
  const v = Math.floor(Math.random() * (2 * sliceVar + 1)) - sliceVar;
  return Math.max(1, sliceAvg + v);
}

/** Waits `sliceDelayUs` between pieces. Node timers count in whole milliseconds (at least 1 ms). */
function pause(next: () => void): void {
  if (sliceDelayUs <= 0) setImmediate(next);
  else setTimeout(next, sliceDelayUs / 1000);
}

/**
 * Copies `from` to `to` in random-sized pieces. Reading stops while more than MAX_QUEUED bytes
 * wait to be sliced, or while `to` signals backpressure; the FIN is passed on after the last piece.
 */
function sliceInto(from: net.Socket, to: net.Socket, label: string): void {
  const queue: Buffer[] = [];
  let queued = 0;
  let pumping = false;
  let ended = false;
  let pieces = 0;

  const pump = (): void => {
    if (to.destroyed) return;
    const head = queue[0];
    if (!head) {
      pumping = false;
      if (ended) finish();
      return;
    }
    const n = Math.min(pieceSize(), head.length);
    const piece = head.subarray(0, n);
    if (n === head.length) queue.shift();
    else queue[0] = head.subarray(n);
    queued -= n;
    pieces++;
    if (pieces % REPORT_EVERY === 0) console.log(`${label}: ${pieces} pieces so far (last ${n} B)`);
    if (queued < MAX_QUEUED) from.resume();
    if (to.write(piece)) pause(pump);
    else to.once('drain', () => pause(pump));
  };

  from.on('data', (chunk: Buffer) => {
    queue.push(chunk);
    queued += chunk.length;
    if (queued >= MAX_QUEUED) from.pause();
    if (!pumping) {
      pumping = true;
      pump();
    }
  });
  const finish = (): void => {
    console.log(`${label}: end of stream, passed on after ${pieces} pieces`);
    to.end();
  };
  from.on('end', () => {
    ended = true;
    if (!pumping) finish();
  });
}

let relayed = 0;
// Half-open both ways: each direction passes its FIN on only after its last piece.
const server = net.createServer({ allowHalfOpen: true }, (down) => {
  const peer = `${down.remoteAddress}:${down.remotePort}`;
  if (connections > 0 && ++relayed >= connections) server.close(); // like Go's l.Close() after Accept
  down.pause(); // nothing is read until the way on is open
  const up = lab.watch(net.connect({ port: serverPort, host, allowHalfOpen: true }), { captureBytes: 64 });
  up.on('connect', () => {
    // Send each piece as its own segment: with Nagle's algorithm on, the kernel would glue the
    // pieces back together while one is unacknowledged.
    up.setNoDelay(true);
    console.log(`relaying ${peer} -> ${host}:${serverPort} in pieces of ${sliceAvg}±${sliceVar} B, ${sliceDelayUs} µs apart`);
    sliceInto(down, up, 'to server');
    sliceInto(up, down, 'to client');
    down.resume();
  });
  const fail = (side: string) => (err: Error) => {
    console.error(`${side}: ${err.message}`);
    down.destroy();
    up.destroy();
  };
  up.on('error', fail('server side'));
  down.on('error', fail('client side'));
});
lab.watchServer(server, { captureBytes: 64 });
server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(listenPort, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`slicer listening on ${a.address}:${a.port}, relaying to ${host}:${serverPort}`);
});
