// Reader: accepts one connection and prints every read() as it arrived: its size, and a ruler of
// which bytes of which message it carried, e.g. "read 2048 B: [#3 512..1023][#4 0..1023][#5 0..511]".
// It knows the writer's layout (count messages of size bytes each), as the seed's receiver would
// if it knew the sensor sent 1 KB readings: TCP itself says nothing about where they start.
// Run on its own: node server.js --port 9000 --count 10 --size 1024 --readEveryMs 0
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { boundaryStats, layout, piecesIn, ruler } from '../../../shared/stream/boundaries.js';

const { port, host, count, size, readEveryMs } = lab.params({
  port: 0, host: '127.0.0.1', count: 10, size: 1024, readEveryMs: 0,
});

/** Reads printed in full at most; the event list has every one. */
const PRINT_READS = 40;
const messages = layout(Array.from({ length: count }, () => size));

// A paused net.Socket keeps calling read(2) until its own buffer reaches highWaterMark (16 KiB by
// default), so "reading slowly" would not slow the kernel-level reads at all. With a 1-byte
// highWaterMark, pause() stops the reads after at most one more, and the kernel's receive queue
// is what fills up meanwhile — as with Go's conn.Read followed by time.Sleep.
const server = net.createServer({ highWaterMark: 1 }, (conn) => {
  server.close(); // one connection, like the seed's receiver; the process ends when it closes
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}; expecting ${count} messages of ${size} B` +
    (readEveryMs > 0 ? `; reading every ${readEveryMs} ms` : '; reading as soon as data arrives'));
  let at = 0;
  let hint = 0;
  const reads: number[] = [];
  conn.on('data', (chunk: Buffer) => {
    const pieces = piecesIn(messages, at, at + chunk.length, hint);
    if (pieces.length) hint = pieces[pieces.length - 1]!.index;
    const beyond = at + chunk.length > count * size ? ' (+ bytes past the expected messages)' : '';
    reads.push(chunk.length);
    at += chunk.length;
    if (reads.length <= PRINT_READS) console.log(`read ${chunk.length} B: ${ruler(pieces) || '(no expected message)'}${beyond}`);
    else if (reads.length === PRINT_READS + 1) console.log('… (further reads not printed; the event list has every one)');
    if (readEveryMs > 0) {
      // The slow reader: after a read, wait before the next one.
      conn.pause();
      setTimeout(() => conn.resume(), readEveryMs);
    }
  });
  conn.on('end', () => {
    const s = boundaryStats(messages.map((m) => m.end - m.start), reads);
    console.log(`end of stream: ${at} B in ${reads.length} reads for ${count} writes; ` +
      `${s.splitMessages} messages split across reads, ${s.mergedReads} reads carried more than one message`);
    conn.end();
  });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
});
lab.watchServer(server, { captureBytes: 4096 });
server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
