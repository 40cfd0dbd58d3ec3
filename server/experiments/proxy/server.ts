// The server behind the proxy. --workload echo: it echoes every line (seed 002's echo service).
// --workload stream: it reads and counts, printing the rate once a second. Either way it can stop
// reading (pause) and start again, from the controls or on a schedule (--pauseAtMs/--resumeAtMs,
// counted from the first connection): a reader that stops is what backpressure is about.
// Run on its own: node server.js --port 9000 --workload stream
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { parseBufferSize } from '../flow-shared/buffers.js';

const p = lab.params({ port: 0, host: '127.0.0.1', workload: 'stream', pauseAtMs: 0, resumeAtMs: 0, buffers: 'auto' as string | number });
const buffers = parseBufferSize(p.buffers, 'buffers');
if (p.workload !== 'echo' && p.workload !== 'stream') {
  console.error(`--workload must be echo or stream, got ${p.workload}`);
  process.exit(2);
}

const sockets = new Set<net.Socket>();
let paused = false;
let scheduled = false;

function setPaused(v: boolean, why: string): void {
  paused = v;
  for (const s of sockets) if (v) s.pause(); else s.resume();
  console.log(v ? `paused (${why}): not reading; watch the queues fill back to the client` : `reading again (${why})`);
  lab.report('reader', { state: v ? 'paused' : 'reading', why });
}

function schedule(): void {
  if (scheduled) return;
  scheduled = true;
  if (p.pauseAtMs > 0) setTimeout(() => setPaused(true, `scheduled at ${p.pauseAtMs} ms`), p.pauseAtMs);
  if (p.resumeAtMs > 0) setTimeout(() => setPaused(false, `scheduled at ${p.resumeAtMs} ms`), p.resumeAtMs);
}

// A small highWaterMark: a paused socket then leaves the bytes in the kernel, where they show.
const server = lab.watchServer(net.createServer({ highWaterMark: 1024 }, (conn) => {
  sockets.add(conn);
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort} (the proxy's side of its second connection); ${p.workload}`);
  schedule();
  let bytes = 0;
  let lines = 0;
  const report = setInterval(() => {
    if (p.workload === 'stream' && bytes > 0) console.log(`read ${bytes} B in the last second`);
    bytes = 0;
  }, 1000);
  conn.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    if (p.workload === 'echo') {
      if (lines++ < 50) console.log(`echo ${chunk.length} B: ${JSON.stringify(chunk.toString('latin1').slice(0, 60))}`);
      if (!conn.write(chunk)) conn.pause();
    }
  });
  conn.on('drain', () => { if (!paused) conn.resume(); });
  if (paused) conn.pause();
  conn.on('end', () => { console.log('the proxy closed its side (FIN)'); conn.end(); });
  conn.on('error', (err: NodeJS.ErrnoException) => console.log(`connection error: ${err.code ?? err.message}`));
  conn.on('close', () => { clearInterval(report); sockets.delete(conn); });
}));
server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(p.port, p.host, () => {
  // On the listener, so accepted sockets have them before their handshake.
  if (buffers !== 'auto') for (const o of ['SO_RCVBUF', 'SO_SNDBUF'] as const) lab.setsockopt(server, o, buffers);
  const a = server.address() as net.AddressInfo;
  console.log(`server on ${a.address}:${a.port} (${p.workload})`);
});

lab.onControl('pause', () => setPaused(true, 'control'));
lab.onControl('resume', () => setPaused(false, 'control'));
