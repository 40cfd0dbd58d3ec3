// Unix domain socket client: says hello over the abstract namespace, then connects to the socket
// path and writes ">>>i<<<" messages as fast as the socket takes them (waiting for 'drain' when
// write() returns false, as Go's blocking Write does), like the seed-004 fast writer. Its
// SO_SNDBUF is the limit that matters over a Unix socket: see what the kernel view says.
// Run on its own: node client.js --socketPath /tmp/lab.sock --abstractName lab --sndbuf 32768
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, parseBufferSize } from '../flow-shared/buffers.js';

const p = lab.params({ socketPath: '/tmp/socket-lab.sock', abstractName: 'socket-lab', sndbuf: '32768' as string | number, messageBytes: 0 });
if (!p.socketPath) {
  console.error('no --socketPath given');
  process.exit(2);
}
const sndbuf = parseBufferSize(p.sndbuf, 'sndbuf');

function message(i: number): Buffer {
  const text = `>>>${i}<<<`;
  return p.messageBytes > text.length ? Buffer.from(text.padEnd(p.messageBytes, '.')) : Buffer.from(text);
}

function helloAbstract(attempt = 0): Promise<void> {
  return new Promise((resolve) => {
    const c = lab.watch(net.connect(`\0${p.abstractName}`));
    // The server opens this listener a moment after the path one: try again a few times.
    c.once('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'ECONNREFUSED' && attempt < 20) setTimeout(() => resolve(helloAbstract(attempt + 1)), 50);
    });
    c.setEncoding('utf8');
    c.on('connect', () => {
      console.log(`connected to the abstract name "@${p.abstractName}" (no file involved)`);
      c.write('hello over the abstract namespace\n');
    });
    c.on('data', (s: string) => console.log(`abstract socket replied: ${JSON.stringify(s.trim())}`));
    c.on('error', (err: NodeJS.ErrnoException) => { if (err.code !== 'ECONNREFUSED' || attempt >= 20) { console.error(`abstract socket: ${err.message}`); resolve(); } });
    c.on('close', (hadError) => { if (!hadError) resolve(); });
  });
}

function writeFast(): void {
  const conn = lab.watch(net.connect(p.socketPath), { coalesceWrites: true });
  let i = 0;
  let wrote = 0;
  let blocked = 0;
  let waitingSince: number | null = null;
  conn.on('connect', () => {
    console.log(`connected to ${p.socketPath}`);
    if (sndbuf !== 'auto') {
      const r = lab.setsockopt(conn, 'SO_SNDBUF', sndbuf);
      console.log(`SO_SNDBUF: asked ${fmtBytes(sndbuf)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
    }
    console.log('writing >>>i<<< as fast as the socket takes it');
    const pump = (): void => {
      for (let n = 0; n < 100_000; n++) {
        const m = message(i++);
        wrote += m.length;
        if (!conn.write(m)) {
          blocked++;
          waitingSince = performance.now();
          conn.once('drain', () => { waitingSince = null; pump(); });
          return;
        }
      }
      setImmediate(pump);
    };
    pump();
    const report = setInterval(() => {
      const w = waitingSince === null ? 'writing' : `waiting for 'drain' for ${((performance.now() - waitingSince) / 1000).toFixed(1)} s`;
      console.log(`wrote ${fmtBytes(wrote)} (${i} messages); write() said "stop" ${blocked} times; now ${w}; ${fmtBytes(conn.writableLength)} queued in Node`);
    }, 1000);
    conn.on('close', () => clearInterval(report));
  });
  conn.on('error', (err) => {
    console.error(`error: ${err.message}`);
    process.exitCode = 1;
  });
}

await helloAbstract();
writeFast();
