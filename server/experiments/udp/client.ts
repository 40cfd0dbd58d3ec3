// UDP client, the seed's udpC (seeds 002 and 003) and three more things datagrams do:
//  1. the seed: DialUDP (a "connected" UDP socket), Write "anything", Read the time back;
//  2. boundaries: `count` datagrams of `size` bytes in one burst — each arrives as one whole read;
//  3. flood: `floodCount` datagrams of `floodSize` bytes as fast as possible to the slow sink —
//     every send succeeds, and the sink's kernel drops what its buffer cannot hold;
//  4. errors: a connected socket sending to a port nobody listens on gets ECONNREFUSED (the ICMP
//     "port unreachable" on loopback), and a datagram larger than 65,507 B gets EMSGSIZE.
// Run on its own: node client.js --serverPort 1200 --sinkPort 1201
import dgram from 'node:dgram';
import { lab } from '../../actor/runtime.js';
import { watchDgram } from '../../actor/dgram-watch.js';

const p = lab.params({
  serverPort: 1200, sinkPort: 0, host: '127.0.0.1',
  count: 10, size: 1024, floodCount: 2000, floodSize: 1000, bigSize: 65508,
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Resolves with the next datagram on `s`, or null after `ms` (UDP promises nothing). */
function nextMessage(s: dgram.Socket, ms: number): Promise<Buffer | null> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => { s.off('message', on); resolve(null); }, ms);
    const on = (m: Buffer) => { clearTimeout(timer); s.off('message', on); resolve(m); };
    s.on('message', on);
  });
}

function send(s: dgram.Socket, msg: Buffer | string, port?: number): Promise<{ err: NodeJS.ErrnoException | null; bytes: number }> {
  return new Promise((resolve) => {
    const cb = (err: Error | null, bytes?: number) => resolve({ err: err as NodeJS.ErrnoException | null, bytes: bytes ?? 0 });
    if (port === undefined) s.send(msg, cb);
    else s.send(msg, port, p.host, cb);
  });
}

function connectTo(s: dgram.Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    s.once('error', reject);
    s.connect(port, p.host, () => { s.off('error', reject); resolve(); });
  });
}

function close(s: dgram.Socket): Promise<void> {
  return new Promise((resolve) => { try { s.close(() => resolve()); } catch { resolve(); } });
}

/** A datagram of `size` bytes: "#i " and then its own letter, so each is easy to tell apart. */
function datagram(i: number, size: number): Buffer {
  const b = Buffer.alloc(size, 97 + (i % 26));
  b.write(`#${i} `.slice(0, size), 'latin1');
  return b;
}

async function seedExchange(): Promise<void> {
  lab.report('phase', { name: 'seed' });
  console.log(`— 1. the seed: DialUDP to ${p.host}:${p.serverPort}, Write "anything", Read the reply`);
  const s = watchDgram(dgram.createSocket('udp4'));
  // Nothing is sent by connect(): the kernel only remembers the peer (no handshake in UDP).
  await connectTo(s, p.serverPort);
  const reply = nextMessage(s, 2000);
  const r = await send(s, 'anything');
  if (r.err) console.log(`send failed: ${r.err.code}`);
  const m = await reply;
  console.log(m ? `the server says: ${m.toString()}` : 'no reply within 2 s (UDP does not retry: the datagram, or its answer, may be lost)');
  await close(s);
}

async function boundaries(): Promise<void> {
  lab.report('phase', { name: 'boundaries', count: p.count, size: p.size });
  console.log(`— 2. boundaries: ${p.count} datagrams of ${p.size} B in one burst to the time server`);
  const s = watchDgram(dgram.createSocket('udp4'), { captureBytes: 16 });
  await connectTo(s, p.serverPort);
  let replies = 0;
  s.on('message', () => { replies++; });
  const sends = [];
  for (let i = 0; i < p.count; i++) sends.push(send(s, datagram(i, p.size)));
  const results = await Promise.all(sends);
  const failed = results.filter((r) => r.err).length;
  console.log(`sent ${p.count - failed} datagrams of ${p.size} B${failed ? ` (${failed} refused)` : ''}; each send() is one datagram`);
  for (let i = 0; i < 40 && replies < p.count; i++) await sleep(25);
  console.log(`${replies} time replies came back, one per datagram`);
  await close(s);
}

async function flood(): Promise<void> {
  if (!p.sinkPort) { console.log('— 3. flood: skipped (no sink port)'); return; }
  lab.report('phase', { name: 'flood', count: p.floodCount, size: p.floodSize });
  console.log(`— 3. flood: ${p.floodCount} datagrams of ${p.floodSize} B as fast as possible to the slow receiver on port ${p.sinkPort}`);
  const s = watchDgram(dgram.createSocket('udp4'), { coalesce: true, captureBytes: 16 });
  const t0 = performance.now();
  const results = await Promise.all(Array.from({ length: p.floodCount }, (_v, i) => send(s, datagram(i, p.floodSize), p.sinkPort)));
  const ms = performance.now() - t0;
  const failed = results.filter((r) => r.err);
  console.log(`every send() returned in ${ms.toFixed(0)} ms: ${p.floodCount - failed.length} succeeded${failed.length ? `, ${failed.length} failed (${failed[0]!.err!.code})` : ''}.`);
  console.log('UDP has no acknowledgements and no flow control: this program cannot know how many arrived.');
  await close(s);
}

async function errors(): Promise<void> {
  lab.report('phase', { name: 'errors' });
  console.log('— 4. errors');
  // A port nobody listens on: bind one, note it, close it again.
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, p.host, () => r()));
  const closedPort = probe.address().port;
  await close(probe);
  const s = watchDgram(dgram.createSocket('udp4'));
  const refused = new Promise<string | null>((resolve) => {
    const timer = setTimeout(() => resolve(null), 1500);
    s.on('error', (err: NodeJS.ErrnoException) => { clearTimeout(timer); resolve(`${err.code} (in ${err.syscall})`); });
  });
  await connectTo(s, closedPort);
  const r1 = await send(s, 'hello? anyone on this port?');
  console.log(`connected UDP socket → port ${closedPort} (just closed: nobody listens): send() ${r1.err ? `failed: ${r1.err.code}` : 'succeeded'}`);
  const got = await refused;
  console.log(got
    ? `then the socket reported ${got}: the kernel answered with ICMP "port unreachable", and a connected socket hears it`
    : 'no error within 1.5 s (an unconnected socket never hears the ICMP error)');
  await close(s);

  const big = watchDgram(dgram.createSocket('udp4'), { captureBytes: 16 });
  const max = 65507; // 65,535 (IPv4 total length) − 20 (IP header) − 8 (UDP header)
  const ok = await send(big, Buffer.alloc(max, 120), p.serverPort);
  console.log(`a ${max} B datagram: ${ok.err ? `refused, ${ok.err.code}` : 'sent (the largest an IPv4 datagram can carry)'}`);
  const tooBig = await send(big, Buffer.alloc(p.bigSize, 120), p.serverPort);
  console.log(`a ${p.bigSize} B datagram: ${tooBig.err ? `refused at once, ${tooBig.err.code}: it does not fit in one IP datagram` : 'sent'}`);
  await close(big);
}

await seedExchange();
await boundaries();
await flood();
await errors();
console.log('done');
