// Dials every listener from every kind of loopback address — 127.0.0.1, ::1 and the
// IPv4-mapped ::ffff:127.0.0.1 — and prints a table: who answered, and how each listener saw us.
// It learns where the listeners are from the first answer.
// Run on its own: node client.js --serverPort 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort } = lab.params({ serverPort: 9000 });

function dial(host: string, port: number): Promise<{ ok: boolean; text: string; local?: string }> {
  return new Promise((resolve) => {
    const conn = lab.watch(net.connect({ host, port }));
    let text = '';
    let local: string | undefined;
    conn.on('connect', () => { local = conn.localAddress; });
    conn.on('data', (c: Buffer) => { text += c.toString(); });
    conn.on('end', () => { conn.end(); resolve({ ok: true, text: text.trim(), ...(local ? { local } : {}) }); });
    conn.on('error', (err: NodeJS.ErrnoException) => resolve({ ok: false, text: err.code ?? err.message }));
  });
}

const first = await dial('127.0.0.1', serverPort);
const listeners = [...first.text.matchAll(/(\w+)=\[([^\]]+)\]:(\d+)/g)].map((m) => ({ name: m[1]!, address: m[2]!, port: Number(m[3]) }));
if (!first.ok || listeners.length === 0) {
  console.error(`could not learn the listeners: ${first.text}`);
  process.exit(1);
}
console.log(`listeners: ${listeners.map((l) => `${l.name} [${l.address}]:${l.port}`).join(', ')}\n`);
// Dial each port from each kind of loopback address; the greeting says which socket answered.
const ports = [...new Set(listeners.map((l) => l.port))];
for (const from of ['127.0.0.1', '::1', '::ffff:127.0.0.1']) {
  for (const port of ports) {
    const r = await dial(from, port);
    const m = /you are \[([^\]]+)\]:\d+ to the (\w+) listener/.exec(r.text);
    lab.report('dialed', { host: from, port, ok: r.ok, local: r.local ?? '', seenAs: m?.[1] ?? '', by: m?.[2] ?? '', error: r.ok ? '' : r.text });
    console.log(`${from.padEnd(17)} -> :${port}  ${r.ok ? `${m?.[2]} accepted; I was ${r.local}, it saw ${m?.[1]}` : r.text}`);
  }
}
