// A small line server that misbehaves on request, so each error happens for real:
//   "reset"  -> resetAndDestroy(): RST instead of FIN (the client's read fails with ECONNRESET)
//   "close"  -> destroy() at once: FIN, and the closed socket answers later data with RST (EPIPE)
//   other    -> printed ("beat 3" lines from the retrier)
// When it has read "beat <restartAfterBeats>" (the retrier's heartbeat, so the restart comes at
// the same point of the story however slowly the programs started) it "restarts": resets every
// connection, stops listening for downMs, then listens on the same port again (the retrier's
// connection dies, its dials are refused, then succeed).
// Run on its own: node server.js --port 9000 --restartAfterBeats 4 --downMs 1500
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, restartAfterBeats, downMs } = lab.params({ port: 9000, host: '127.0.0.1', restartAfterBeats: 4, downMs: 1500 });

const open = new Set<net.Socket>();
let server: net.Server;

function onConnection(conn: net.Socket): void {
  open.add(conn);
  const peer = `${conn.remotePort}`;
  let pending = '';
  conn.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    for (let i = pending.indexOf('\n'); i >= 0; i = pending.indexOf('\n')) {
      const line = pending.slice(0, i);
      pending = pending.slice(i + 1);
      if (line === 'reset') {
        console.log(`:${peer} asked for "reset": resetAndDestroy() sends RST`);
        conn.resetAndDestroy();
        return;
      }
      if (line === 'close') {
        console.log(`:${peer} asked for "close": destroy() — FIN now, RST for anything sent to us later`);
        conn.destroy();
        return;
      }
      console.log(`:${peer} ${line}`);
      const beat = /^beat (\d+)$/.exec(line);
      if (beat && restartAfterBeats > 0 && Number(beat[1]) === restartAfterBeats) setImmediate(restart);
    }
  });
  conn.on('close', () => open.delete(conn));
  conn.on('error', (err) => console.error(`:${peer} ${err.message}`));
}

function listen(): void {
  server = lab.watchServer(net.createServer(onConnection));
  server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
  server.listen(port === 0 && boundPort ? boundPort : port, host, () => {
    const a = server.address() as net.AddressInfo;
    boundPort = a.port;
    console.log(`listening on ${a.address}:${a.port}`);
  });
}
let boundPort = 0;
listen();

let restarted = false;
function restart(): void {
  if (restarted) return;
  restarted = true;
  console.log(`restarting: reset ${open.size} connection(s), not listening for ${downMs} ms`);
  for (const c of open) c.resetAndDestroy();
  server.close(() => setTimeout(listen, downMs));
}
