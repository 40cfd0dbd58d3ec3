// Three listeners, as Go's "tcp4", "tcp6" and "tcp" networks make them (seed 003), kept on
// loopback:
//   tcp4        an IPv4 socket on 127.0.0.1
//   tcp6        an IPv6 socket on ::1, IPv6 only (IPV6_V6ONLY): IPv4 clients cannot reach it
//   dual stack  an IPv6 socket with IPV6_V6ONLY off. IPv4 clients reach it and appear as
//               IPv4-mapped addresses, ::ffff:a.b.c.d. A real dual-stack server binds "::"
//               (every address of the machine, both families); the lab stays on loopback and
//               binds the IPv4-mapped loopback ::ffff:127.0.0.1 — the same mechanism.
// Every connection is told how the server saw it, and where the listeners are.
// Run on its own: node listeners.js --port 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port } = lab.params({ port: 0 });

const where: string[] = [];
const greet = (name: string) => (conn: net.Socket) => {
  const line = `${name} listener [${conn.localAddress}]:${conn.localPort} accepted [${conn.remoteAddress}]:${conn.remotePort} (${conn.remoteFamily})`;
  console.log(line);
  lab.report('seen', { listener: name, remote: conn.remoteAddress ?? '', family: conn.remoteFamily ?? '' });
  conn.end(`you are [${conn.remoteAddress}]:${conn.remotePort} to the ${name} listener; listeners: ${where.join(' ')}\n`);
  conn.on('error', () => {});
};

function listen(name: string, opts: net.ListenOptions): Promise<number | null> {
  return new Promise((resolve) => {
    const s = lab.watchServer(net.createServer(greet(name)));
    s.once('error', (err: NodeJS.ErrnoException) => {
      console.log(`${name}: cannot listen on [${opts.host}]:${opts.port}: ${err.code}`);
      lab.report('listen-failed', { listener: name, host: opts.host ?? '', port: opts.port ?? 0, code: err.code ?? '' });
      resolve(null);
    });
    s.listen(opts, () => {
      const a = s.address() as net.AddressInfo;
      console.log(`${name}: listening on [${a.address}]:${a.port} (${a.family}${opts.ipv6Only ? ', IPv6 only' : ''})`);
      where.push(`${name}=[${a.address}]:${a.port}`);
      resolve(a.port);
    });
  });
}

const p = await listen('tcp4', { host: '127.0.0.1', port });
if (p === null) process.exit(1);
// The same port number for IPv6: a different address family, so no conflict.
await listen('tcp6', { host: '::1', port: p, ipv6Only: true });
// A dual-stack socket covers IPv4 too, so on the same port it collides with the tcp4 socket.
if ((await listen('dual', { host: '::ffff:127.0.0.1', port: p, ipv6Only: false })) === null) {
  await listen('dual', { host: '::ffff:127.0.0.1', port: 0, ipv6Only: false });
}
console.log(`listeners: ${where.join(' ')}`);
