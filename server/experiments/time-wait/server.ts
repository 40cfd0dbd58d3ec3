// TIME_WAIT and restarting a server (seed 000 on closing; the catalog's "address in use").
// The server answers one client; with closer=server it closes first (the active closer), so the
// kernel keeps ITS side of the connection — local port = the listening port — in TIME_WAIT.
// Then it "restarts": closes its listener and binds the same port again, twice:
//   1. as a C program would, socket() + bind() without SO_REUSEADDR;
//   2. with Node's server.listen(), which (libuv) always sets SO_REUSEADDR on listeners.
// Run on its own: node server.js --port 9000 --closer server
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { lab } from '../../actor/runtime.js';
import { fdOf, getOption } from '../../kernel/sockopt.js';
import { closeRawListener, openRawListener } from '../../kernel/raw-listener.js';

const { port, host, closer, restartAfterMs, watchMs } = lab.params({ port: 0, host: '127.0.0.1', closer: 'server', restartAfterMs: 300, watchMs: 5000 });

function sysctl(name: string): string {
  try { return readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim(); } catch (e) { return `unreadable (${(e as Error).message})`; }
}

const server = net.createServer((conn) => {
  console.log(`accepted ${conn.remoteAddress}:${conn.remotePort}`);
  conn.on('data', (chunk) => {
    console.log(`read ${JSON.stringify(chunk.toString())}`);
    if (closer === 'server') {
      conn.end('hello back, and goodbye\n');
      console.log('replied and closed first (active close): my side will sit in TIME_WAIT');
    } else {
      conn.write('hello back\n');
      console.log('replied; waiting for the client to close first');
    }
  });
  conn.on('end', () => console.log('client closed its side'));
  conn.on('close', () => setTimeout(restart, restartAfterMs));
  conn.on('error', (err) => console.error(`error: ${err.message}`));
});
lab.watchServer(server);

server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  const fd = fdOf(server);
  let reuse: string;
  try { reuse = fd === undefined ? 'unknown (no descriptor)' : String(getOption(fd, 'SO_REUSEADDR')); } catch (e) { reuse = `unknown (${(e as Error).message})`; }
  lab.report('listener-reuseaddr', { value: reuse, setBy: 'Node (libuv uv_tcp_bind)' });
  const finTimeout = sysctl('tcp_fin_timeout');
  lab.report('sysctl', { tcp_fin_timeout: finTimeout });
  console.log(`listening on ${a.address}:${a.port}; SO_REUSEADDR on this Node listener: ${reuse}; net.ipv4.tcp_fin_timeout = ${finTimeout} s`);
});

function restart(): void {
  const p = (server.address() as net.AddressInfo).port;
  server.close(() => {
    console.log(`listener closed; binding ${host}:${p} again`);
    // 1. Without SO_REUSEADDR, like a C program that never sets it.
    try {
      const raw = openRawListener(host, p, 5);
      lab.report('rebind', { how: 'socket()+bind() without SO_REUSEADDR', port: p, result: 'ok' });
      console.log('bind without SO_REUSEADDR: ok');
      closeRawListener(raw);
    } catch (err) {
      const code = (err as { code?: string }).code ?? (err as Error).message;
      lab.report('rebind', { how: 'socket()+bind() without SO_REUSEADDR', port: p, result: code });
      console.log(`bind without SO_REUSEADDR: ${code} — the TIME_WAIT socket still holds ${host}:${p}`);
    }
    // 2. Node's own listen: SO_REUSEADDR is set, so a TIME_WAIT socket does not block the bind.
    const again = lab.watchServer(net.createServer());
    again.on('error', (err: NodeJS.ErrnoException) => {
      lab.report('rebind', { how: 'Node server.listen() (SO_REUSEADDR on)', port: p, result: err.code ?? err.message });
      console.log(`Node listen: ${err.code ?? err.message}`);
      finish(again);
    });
    again.listen(p, host, () => {
      lab.report('rebind', { how: 'Node server.listen() (SO_REUSEADDR on)', port: p, result: 'ok' });
      console.log(`Node listen on ${host}:${p}: ok — listening again while TIME_WAIT may still be there`);
      finish(again);
    });
  });
}

function finish(s: net.Server): void {
  console.log(`watching for ${watchMs} ms (the kernel view shows TIME_WAIT and its timer)`);
  setTimeout(() => { s.close(); console.log('done'); process.exit(0); }, watchMs);
}
