// WebSocket client (seed 002, "웹소켓 클라이언트 만들기"), with the `ws` package: it opens
// ws://host:port/chat, then sends what shows each part of a frame — a short text (7-bit length),
// a 200-character text (16-bit length), a text in two fragments (FIN 0, then a continuation), a
// ping, a 70,000-byte binary message (64-bit length) — and closes with code 1000. The lab watches
// the TCP socket underneath: createConnection hands `ws` a plain net socket.
// Run on its own: node client.js --serverPort 8080
import net from 'node:net';
import WebSocket from 'ws';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, captureBytes, bigBytes } = lab.params({ serverPort: 8080, host: '127.0.0.1', captureBytes: 131072, bigBytes: 70000 });

const ws = new WebSocket(`ws://${host}:${serverPort}/chat`, {
  perMessageDeflate: false,
  createConnection: () => lab.watch(net.connect(serverPort, host), { captureBytes }),
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The next event of `name` on the socket, or null after `ms`. */
function next<T extends unknown[]>(name: string, ms = 3000): Promise<T | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { ws.off(name, on); resolve(null); }, ms);
    const on = (...args: unknown[]) => { clearTimeout(timer); ws.off(name, on); resolve(args as T); };
    ws.on(name, on);
  });
}

function report(dir: 'sent' | 'received', type: string, bytes: number, text?: string, code?: number): void {
  lab.report('ws-message', { dir, type, bytes, ...(text !== undefined ? { text: text.slice(0, 80) } : {}), ...(code !== undefined ? { code } : {}) });
}

async function sendText(text: string, what: string): Promise<void> {
  const echo = next<[Buffer, boolean]>('message');
  ws.send(text);
  report('sent', 'text', Buffer.byteLength(text), text);
  const got = await echo;
  console.log(`${what}: sent ${Buffer.byteLength(text)} B of text; ${got ? `echoed back (${got[0].length} B)` : 'no echo within 3 s'}`);
  if (got) report('received', 'text', got[0].length, got[0].toString());
}

ws.on('upgrade', (res) => {
  // ws made up the Sec-WebSocket-Key (16 random bytes, base64) and checks this answer against it;
  // the lab checks it too, from the bytes on the wire.
  console.log(`HTTP/${res.httpVersion} ${res.statusCode} ${res.statusMessage}; Sec-WebSocket-Accept: ${res.headers['sec-websocket-accept']} (ws checked it against its key)`);
});

ws.on('open', async () => {
  console.log(`open: ws://${host}:${serverPort}/chat`);
  await sendText('hello', 'short text (7-bit length)');
  await sendText('x'.repeat(200), '200 characters (16-bit length)');

  // One message in two frames: FIN 0 on the first, then a continuation frame with FIN 1.
  const frag = next<[Buffer, boolean]>('message');
  ws.send('part one, ', { fin: false });
  ws.send('part two', { fin: true });
  report('sent', 'text', 18, 'part one, part two');
  const fg = await frag;
  console.log(`fragmented text: 2 frames, 1 message; ${fg ? `echoed back as ${JSON.stringify(fg[0].toString())}` : 'no echo'}`);
  if (fg) report('received', 'text', fg[0].length, fg[0].toString());

  const pong = next<[Buffer]>('pong');
  ws.ping('are you there?');
  report('sent', 'ping', 14, 'are you there?');
  const pg = await pong;
  console.log(`ping: ${pg ? `pong came back with ${JSON.stringify(pg[0].toString())}` : 'no pong within 3 s'}`);
  if (pg) report('received', 'pong', pg[0].length, pg[0].toString());

  if (bigBytes > 0) {
    const big = Buffer.alloc(bigBytes, 0x5a);
    const echo = next<[Buffer, boolean]>('message', 5000);
    ws.send(big, { binary: true });
    report('sent', 'binary', big.length);
    const got = await echo;
    console.log(`binary ${big.length} B (${big.length > 65535 ? '64-bit' : big.length > 125 ? '16-bit' : '7-bit'} length): ${got ? `echoed back (${got[0].length} B)` : 'no echo'}`);
    if (got) report('received', 'binary', got[0].length);
  }

  await sleep(100);
  const closed = next<[number, Buffer]>('close');
  ws.close(1000, 'done');
  report('sent', 'close', 6, 'done', 1000);
  const c = await closed;
  console.log(c ? `closed: the server's close frame says ${c[0]}${c[1].length ? ` "${c[1].toString()}"` : ''}` : 'no close frame within 3 s');
  if (c) report('received', 'close', c[1].length + 2, c[1].toString(), c[0]);
});

ws.on('error', (err) => {
  console.error(`websocket error: ${err.message}`);
  process.exitCode = 1;
});
