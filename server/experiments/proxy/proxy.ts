// A TCP proxy (seed 000: io.Copy between two connections, io.TeeReader / io.MultiWriter to watch
// what passes). For each client it dials the server and copies both directions — reading only as
// fast as it can write on, so backpressure passes through — while a tee shows every chunk on this
// pane. Toxics (toxiproxy's: latency, bandwidth, slicer, slow_close, reset_peer, timeout,
// limit_data) can sit on either direction; switch them on and off while the run is live.
// Run on its own: node proxy.js --serverPort 9000 --listenPort 9001 --toxics "latency:latency=100"
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { Link } from './link.js';
import { Monitor } from './monitor.js';
import { parseBufferSize } from '../flow-shared/buffers.js';
import { directionName, findToxic, parseToxicList, toxics, toxicSetting, type ToxicSetting } from './toxics/index.js';
import type { Direction } from './toxics/types.js';

const p = lab.params({ listenPort: 0, host: '127.0.0.1', serverPort: 9000, toxics: '', buffers: 'auto' as string | number });
const buffers = parseBufferSize(p.buffers, 'buffers');

const monitor = new Monitor((line) => console.log(line), 4, (dir, bytes) => lab.report('tee', { dir, bytes }));
const active = new Map<string, ToxicSetting>();

class ProxiedConnection {
  readonly up: Link;
  readonly down: Link;
  private closed = false;

  constructor(readonly client: net.Socket, readonly upstream: net.Socket, readonly label: string) {
    const hooks = (dir: Direction) => ({
      tee: (chunk: Buffer) => monitor.push(dir === 'upstream' ? 'c→s' : 's→c', chunk),
      log: (text: string) => console.log(`${label}: ${text}`),
    });
    this.up = new Link('upstream', client, upstream, hooks('upstream'));
    this.down = new Link('downstream', upstream, client, hooks('downstream'));
    for (const s of active.values()) this.apply(s);
  }

  /** Puts a toxic on the directions it asks for (and takes it off the other one). */
  apply(s: ToxicSetting): void {
    const t = findToxic(s.name)!;
    for (const link of [this.up, this.down]) {
      const wanted = s.dir === 0 || (s.dir === 1 && link.direction === 'upstream') || (s.dir === 2 && link.direction === 'downstream');
      link.setToxic(s.name, wanted ? (sleep) => t.create(s.params, {
        direction: link.direction,
        close: (how, why) => this.close(how, why),
        log: (text) => console.log(`${this.label}: ${text}`),
        sleep,
      }) : null);
    }
  }

  remove(name: string): void {
    this.up.setToxic(name, null);
    this.down.setToxic(name, null);
  }

  /** Ends the connection, both sockets: FIN after what is queued, or RST at once. */
  close(how: 'end' | 'reset', why: string): void {
    if (this.closed) return;
    this.closed = true;
    console.log(`${this.label}: ${why} → ${how === 'reset' ? 'RST to both sides' : 'FIN to both sides'}`);
    lab.report('toxic-close', { how, why });
    for (const s of [this.client, this.upstream]) {
      if (how === 'reset') s.resetAndDestroy();
      else s.end();
    }
  }

  stop(): void {
    this.up.stop();
    this.down.stop();
  }
}

const conns = new Set<ProxiedConnection>();
let nextConn = 1;

// allowHalfOpen: a FIN from one side is passed on as a FIN, and the other direction keeps going.
const server = lab.watchServer(net.createServer({ allowHalfOpen: true }, (client) => {
  const label = `#${nextConn++}`;
  const upstream = lab.watch(net.connect({ port: p.serverPort, host: p.host, allowHalfOpen: true }), { coalesceWrites: true });
  console.log(`${label}: client ${client.remoteAddress}:${client.remotePort} → dialing the server at ${p.host}:${p.serverPort}`);
  const c = new ProxiedConnection(client, upstream, label);
  conns.add(c);
  upstream.on('connect', () => {
    if (buffers !== 'auto') for (const o of ['SO_SNDBUF', 'SO_RCVBUF'] as const) lab.setsockopt(upstream, o, buffers);
  });
  upstream.on('connect', () => console.log(`${label}: ${client.remotePort} ⇄ proxy ⇄ ${upstream.localPort} → ${p.serverPort}: copying both ways`));
  // An error on one side ends the other too, as a Go proxy's io.Copy returning would.
  const onError = (side: string, other: net.Socket) => (err: NodeJS.ErrnoException) => {
    console.log(`${label}: ${side}: ${err.code ?? err.message}`);
    if (err.code === 'ECONNRESET') other.resetAndDestroy();
    else other.destroy();
  };
  client.on('error', onError('client side', upstream));
  upstream.on('error', onError('server side', client));
  let open = 2;
  const closed = () => {
    if (--open > 0) return;
    c.stop();
    conns.delete(c);
    console.log(`${label}: both sides closed`);
  };
  client.on('close', closed);
  upstream.on('close', closed);
}), { coalesceWrites: true });

function change(name: string, args: Record<string, unknown>, source: 'control' | 'param'): void {
  const on = args.on === undefined ? true : Number(args.on) !== 0;
  if (!on) {
    const was = active.delete(name);
    for (const c of conns) c.remove(name);
    console.log(`toxic ${name} off${was ? '' : ' (it was not on)'}`);
    lab.report('toxic', { name, on: false, source, connections: conns.size });
    return;
  }
  const s = toxicSetting(name, args);
  if (typeof s === 'string') { console.error(`toxic: ${s}`); lab.report('toxic-refused', { name, reason: s }); return; }
  active.set(name, s);
  for (const c of conns) c.apply(s);
  const ps = Object.entries(s.params).map(([k, v]) => `${k}=${v}${findToxic(name)!.params[k]!.unit}`).join(', ');
  console.log(`toxic ${name} on, ${directionName(s.dir)}${ps ? `: ${ps}` : ''} (${conns.size} connection${conns.size === 1 ? '' : 's'} now, and every new one)`);
  lab.report('toxic', { name, on: true, dir: s.dir, params: s.params, source, connections: conns.size });
}

for (const t of toxics) lab.onControl(`toxic-${t.name}`, (args) => change(t.name, args, 'control'));
lab.onControl('toxics-off', () => { for (const name of [...active.keys()]) change(name, { on: 0 }, 'control'); });

const initial = parseToxicList(p.toxics);
if (typeof initial === 'string') {
  console.error(`--toxics: ${initial}`);
  process.exit(2);
}

server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(p.listenPort, p.host, () => {
  if (buffers !== 'auto') for (const o of ['SO_RCVBUF', 'SO_SNDBUF'] as const) lab.setsockopt(server, o, buffers);
  const a = server.address() as net.AddressInfo;
  console.log(`proxy on ${a.address}:${a.port} → server ${p.host}:${p.serverPort}; monitor: c→s is client to server, s→c back`);
  for (const s of initial) change(s.name, { ...s.params, dir: s.dir }, 'param');
  if (initial.length === 0) console.log(`no toxics yet (${toxics.map((t) => t.name).join(', ')}: switch them on with the controls)`);
});

