// A busy reader with a read deadline (seed 003: conn.SetReadDeadline; seed 000). It accepts one
// connection and does not read for `busyMs` (so the writer blocks); then it reads everything as
// it comes, with a read deadline: if nothing arrives for `readDeadlineMs`, it gives up and
// closes, as the seed's server does ("i/o timeout").
//
// Node's socket.setTimeout(ms) is an idle timer (every byte restarts it), not Go's fixed point
// in time; the "Deadlines and timeouts" experiment compares the two.
//
// Run on its own: node reader.js --port 9000 [--busyMs 4000 --readDeadlineMs 1500]
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, kernelRecvQueue, bufferSizeArg, show } from '../flow-shared/buffers.js';

const p = lab.params({ port: 0, host: '127.0.0.1', busyMs: 4000, readDeadlineMs: 1500, rcvbuf: '4096' as string | number });
const rcvbuf = bufferSizeArg(p.rcvbuf, 'rcvbuf');

const server = net.createServer((conn) => {
  server.close(); // one connection is the whole story
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}; busy for ${p.busyMs} ms: not reading`);
  conn.pause();
  let got = 0;
  let lastByte = performance.now();
  conn.on('data', (chunk: Buffer) => { got += chunk.length; lastByte = performance.now(); });
  conn.on('timeout', () => {
    const idle = performance.now() - lastByte;
    console.log(`read deadline: nothing for ${(idle / 1000).toFixed(2)} s (i/o timeout). Got ${fmtBytes(got)} in all; closing.`);
    lab.report('read-deadline', { got, idleMs: idle });
    conn.destroy();
  });
  conn.on('end', () => {
    console.log(`EOF: the writer closed after ${fmtBytes(got)}`);
    lab.report('reader-eof', { got });
    conn.end();
  });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
  conn.on('close', () => console.log(`closed; read ${fmtBytes(got)} in all`));
  setTimeout(() => {
    if (conn.destroyed) return;
    console.log(`reading now (${show(kernelRecvQueue(conn))} wait in the kernel, ${fmtBytes(conn.readableLength)} in Node), with a ${p.readDeadlineMs} ms read deadline`);
    lastByte = performance.now();
    conn.setTimeout(p.readDeadlineMs);
    conn.resume();
  }, p.busyMs);
});
lab.watchServer(server);

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.on('listening', () => {
  if (rcvbuf !== 'auto') {
    const r = lab.setsockopt(server, 'SO_RCVBUF', rcvbuf);
    console.log(`SO_RCVBUF: asked ${fmtBytes(rcvbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
  }
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
server.listen(p.port, p.host);
