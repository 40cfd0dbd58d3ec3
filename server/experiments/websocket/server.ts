// WebSocket echo server (seed 002, "웹소켓 서버 만들기"), with the `ws` package. WebSocket starts as
// HTTP: the client sends a GET with "Upgrade: websocket" and a Sec-WebSocket-Key, the server
// answers "101 Switching Protocols" with Sec-WebSocket-Accept, and from then on the same TCP
// connection carries WebSocket frames. Here the HTTP server's sockets are plain TCP sockets the lab
// watches byte for byte; `ws` takes each one over at the upgrade (handleUpgrade).
// Run on its own: node server.js --port 8080   (then: any WebSocket client to ws://127.0.0.1:8080/)
import http from 'node:http';
import { WebSocketServer, type RawData } from 'ws';
import { lab } from '../../actor/runtime.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';

const { port, host, captureBytes, connections } = lab.params({
  port: 0, host: '127.0.0.1', captureBytes: 131072,
  connections: 0, // serve this many WebSocket connections, then stop (0 = keep serving)
});
let served = 0;

// permessage-deflate off: the frames on the wire then carry the payload as it was sent.
const wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
const server = lab.watchServer(http.createServer((_req, res) => {
  res.writeHead(426, { 'content-type': 'text/plain' });
  res.end('this is a WebSocket server: ask for an upgrade\n');
}), { captureBytes });

server.on('upgrade', (req, socket, head) => {
  console.log(`HTTP ${req.method} ${req.url} with Upgrade: ${req.headers.upgrade}, Sec-WebSocket-Key: ${req.headers['sec-websocket-key']}`);
  wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
});

function show(data: RawData, isBinary: boolean): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
  if (isBinary) return `binary, ${buf.length} B`;
  const text = buf.toString('utf8');
  return `text, ${buf.length} B: ${JSON.stringify(text.length > 50 ? `${text.slice(0, 50)}…` : text)}`;
}

wss.on('connection', (ws, req) => {
  console.log('upgraded: 101 Switching Protocols sent; the connection now carries WebSocket frames');
  // Which connection a message came on (the peer's port), and a checksum of its bytes, so the lab
  // can tell this client's messages from an outside one's and compare them with the frames.
  const peerPort = req.socket.remotePort;
  ws.on('message', (data, isBinary) => {
    const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as ArrayBuffer);
    console.log(`message ${show(data, isBinary)} — echoing it`);
    const what = { type: isBinary ? 'binary' : 'text', bytes: buf.length, sum: payloadSum(buf), peerPort, ...(isBinary ? {} : { text: buf.toString('utf8').slice(0, 80) }) };
    lab.report('ws-message', { dir: 'received', ...what });
    ws.send(buf, { binary: isBinary });
    lab.report('ws-message', { dir: 'sent', ...what });
  });
  // ws answers a ping with a pong by itself (RFC 6455 section 5.5.2); we only say so.
  ws.on('ping', (data) => {
    console.log(`ping ${JSON.stringify(data.toString())} — ws answers with a pong carrying the same bytes`);
    lab.report('ws-message', { dir: 'received', type: 'ping', bytes: data.length, text: data.toString(), peerPort });
    lab.report('ws-message', { dir: 'sent', type: 'pong', bytes: data.length, text: data.toString(), peerPort });
  });
  ws.on('close', (code, reason) => {
    console.log(`close frame received: code ${code}${reason.length ? `, reason ${JSON.stringify(reason.toString())}` : ''}; ws sent its own close frame back`);
    lab.report('ws-message', { dir: 'received', type: 'close', bytes: reason.length + 2, code, text: reason.toString(), peerPort });
    if (connections > 0 && ++served >= connections) {
      console.log(`served ${served} connection${served === 1 ? '' : 's'}; stopping`);
      server.close();
    }
  });
  ws.on('error', (err) => console.error(`websocket error: ${err.message}`));
});

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address() as { address: string; port: number };
  console.log(`WebSocket server on ws://${a.address}:${a.port}/`);
});
