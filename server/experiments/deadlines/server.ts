// A line server with a read deadline, the two ways a program can mean it:
//   deadline  Go's SetReadDeadline(now + d), set once when the connection is accepted (seed 003):
//             a point in time. It passes even if the client talks all along.
//   idle      Node's socket.setTimeout(d): fires after d of silence; every byte restarts it.
//             Node only reports it ('timeout'); closing is up to the program.
// Run on its own: node server.js --port 9000 --mode deadline --readDeadlineMs 120000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, mode, readDeadlineMs } = lab.params({ port: 9000, host: '127.0.0.1', mode: 'deadline', readDeadlineMs: 1500 });

const server = lab.watchServer(net.createServer((conn) => {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  const accepted = performance.now();
  const close = (why: string) => {
    const ms = performance.now() - accepted;
    console.log(`${peer}: ${why} after ${ms.toFixed(0)} ms; closing`);
    lab.report('timed-out', { mode, afterMs: ms, port: conn.remotePort });
    conn.destroy();
  };
  if (mode === 'deadline') {
    const timer = setTimeout(() => close(`read deadline (${readDeadlineMs} ms from accept) passed: i/o timeout`), readDeadlineMs);
    conn.on('close', () => clearTimeout(timer));
  } else {
    conn.setTimeout(readDeadlineMs);
    conn.on('timeout', () => close(`idle for ${readDeadlineMs} ms`));
  }
  console.log(`${peer}: accepted; ${mode === 'deadline' ? `deadline at +${readDeadlineMs} ms` : `idle timeout ${readDeadlineMs} ms`}`);
  conn.on('data', (chunk: Buffer) => {
    console.log(`${peer}: ${chunk.toString().trim()}`);
    conn.write('ok\n');
  });
  conn.on('end', () => conn.end());
  conn.on('error', (err) => console.error(`${peer}: ${err.message}`));
}));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port} (${mode}, ${readDeadlineMs} ms)`);
});
