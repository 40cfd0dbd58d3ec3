// A small web server (node:http) for the seed's HTTP client to talk to. For HEAD it sends the
// status line and headers of the page, Content-Length included, and no body.
// Run on its own: node server.js --port 8080
import http from 'node:http';
import type net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host } = lab.params({ port: 0, host: '127.0.0.1' });

const page = '<!doctype html><title>Socket Lab</title><p>hello from a tiny web server</p>\n';
const server = http.createServer((req, res) => {
  console.log(`${req.socket.remoteAddress}:${req.socket.remotePort} ${req.method} ${req.url} HTTP/${req.httpVersion}`);
  lab.report('request', { method: req.method ?? '', url: req.url ?? '', httpVersion: req.httpVersion, port: req.socket.remotePort ?? 0 });
  res.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8', 'Content-Length': Buffer.byteLength(page), Server: 'socket-lab-tiny' });
  res.end(req.method === 'HEAD' ? undefined : page);
});
// http.Server is a net.Server: the lab sees its connections like any other.
lab.watchServer(server as unknown as net.Server, { captureBytes: 4096 });
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`http server on ${a.address}:${a.port}`);
});
