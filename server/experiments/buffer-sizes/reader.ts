// Buffer-size sweep, the reading side (seed 001: conn.SetReadBuffer(4000)). For each size the
// writer opens a fresh connection; this reader never reads it until the writer says it has truly
// stopped, then reports where the bytes are on its side and drains the connection.
//
// The first connection is a control line (plain text, one command per line): "stopped <n>" means
// connection n is as full as it gets. Data connections can carry no such message: they are full.
//
// Run on its own: node reader.js --port 9000 --sizes auto,4096,65536
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { fmtBytes, kernelRcvBuf, kernelRecvQueue, show, type BufferSize } from '../flow-shared/buffers.js';
import { parseSizes } from './sizes.js';

const p = lab.params({ port: 0, host: '127.0.0.1', sizes: 'auto,1024,4096,65536,1048576', readerHighWaterMark: 16384 });
let sizes: BufferSize[];
try {
  sizes = parseSizes(p.sizes);
} catch (e) {
  console.error((e as Error).message);
  process.exit(2);
}

let control: net.Socket | null = null;
const data: net.Socket[] = [];

/** Sets SO_RCVBUF on the listener, so the next accepted connection has it before its handshake. */
function prepare(server: net.Server, size: BufferSize | undefined): void {
  if (size === undefined || size === 'auto') return;
  const r = lab.setsockopt(server, 'SO_RCVBUF', size);
  console.log(`next connection: SO_RCVBUF asked ${fmtBytes(size)}, the kernel keeps ${r.effective === null ? `unknown (${r.error})` : fmtBytes(r.effective)}`);
}

const server = net.createServer({ highWaterMark: p.readerHighWaterMark }, (conn) => {
  if (!control) {
    control = conn;
    conn.setEncoding('utf8');
    let buf = '';
    conn.on('data', (text: string) => {
      buf += text;
      for (let nl = buf.indexOf('\n'); nl >= 0; nl = buf.indexOf('\n')) {
        onCommand(buf.slice(0, nl).trim());
        buf = buf.slice(nl + 1);
      }
    });
    conn.on('end', () => { console.log('the writer is done; closing'); conn.end(); server.close(); });
    conn.on('error', (err) => console.error(`control connection: ${err.message}`));
    return;
  }
  const index = data.length;
  data.push(conn);
  // The program does not read: every byte the writer sends waits in the kernel and in Node.
  conn.pause();
  conn.on('error', (err) => console.error(`connection ${index}: ${err.message}`));
  console.log(`connection ${index} (${sizes[index]}): accepted; its SO_RCVBUF is ${show(kernelRcvBuf(conn))}; not reading`);
  // The writer dials the next size only after this one is measured, so there is time to set it now.
  prepare(server, sizes[index + 1]);
});
lab.watchServer(server);

function onCommand(line: string): void {
  const m = /^stopped (\d+)$/.exec(line);
  const conn = m ? data[Number(m[1])] : undefined;
  if (!m || !conn) { console.error(`control: unknown command ${JSON.stringify(line.slice(0, 80))}`); return; }
  const index = Number(m[1]);
  const kernel = kernelRecvQueue(conn);
  const rcvbuf = kernelRcvBuf(conn);
  console.log(`connection ${index} (${sizes[index]}): the writer has stopped; here ${show(kernel)} wait in the kernel and ${fmtBytes(conn.readableLength)} in Node's buffer. Reading it all now.`);
  lab.report('size-result', {
    role: 'reader', index, size: sizes[index],
    rcvbufEffective: rcvbuf.ok ? rcvbuf.value : null,
    kernelRecvQ: kernel.ok ? kernel.value : null,
    nodeBuffer: conn.readableLength,
    ...(kernel.ok ? {} : { reason: kernel.reason }),
  });
  let got = 0;
  conn.on('data', (chunk: Buffer) => { got += chunk.length; });
  conn.on('end', () => { console.log(`connection ${index}: read ${fmtBytes(got)} in all`); conn.end(); });
  conn.resume();
}

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.on('listening', () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}; sizes in order: ${sizes.join(', ')}`);
  // The control connection comes first and takes whatever the listener has; so does connection 0.
  prepare(server, sizes[0]);
});
server.listen(p.port, p.host);
