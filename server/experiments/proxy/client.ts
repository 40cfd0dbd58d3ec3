// The client in front of the proxy. --workload stream: it writes 1 KiB chunks as fast as the
// connection takes them, waiting for 'drain' whenever write() returns false (Go's blocking Write),
// and prints its rate once a second. --workload echo: it sends one line every intervalMs and
// prints each round-trip time. When a toxic ends the connection it says how, and dials again.
// Run on its own: node client.js --serverPort 9001 --workload echo
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { parseBufferSize } from '../flow-shared/buffers.js';
import { chunkHead } from './stream-pattern.js';

const p = lab.params({ serverPort: 9001, host: '127.0.0.1', workload: 'stream', chunkBytes: 1024, intervalMs: 500, reconnects: 20, buffers: 'auto' as string | number });
const buffers = parseBufferSize(p.buffers, 'buffers');

let attempt = 0;

function connect(): void {
  attempt++;
  const conn = lab.watch(net.connect(p.serverPort, p.host), { coalesceWrites: p.workload === 'stream' });
  let wrote = 0;
  let waitingSince: number | null = null;
  let timer: NodeJS.Timeout | undefined;
  const sent = new Map<number, number>();
  let seq = 0;
  let inbox = '';

  conn.on('connect', () => {
    if (buffers !== 'auto') for (const o of ['SO_SNDBUF', 'SO_RCVBUF'] as const) lab.setsockopt(conn, o, buffers);
    console.log(`connected to the proxy at ${p.host}:${p.serverPort} (${p.workload})`);
    if (p.workload === 'stream') {
      let i = 0;
      const pump = (): void => {
        waitingSince = null;
        for (let n = 0; n < 1000 && !conn.destroyed; n++) {
          // A fresh buffer each time: Node keeps a reference to what it has not sent yet, so
          // refilling one buffer would change bytes already written (the server would read a
          // later chunk's number twice, and an earlier one never).
          const chunk = Buffer.alloc(p.chunkBytes, 0x2e);
          chunk.write(chunkHead(i++, p.chunkBytes), 'latin1');
          wrote += chunk.length;
          if (!conn.write(chunk)) { waitingSince = performance.now(); conn.once('drain', pump); return; }
        }
        setImmediate(pump);
      };
      pump();
      timer = setInterval(() => {
        const w = waitingSince === null ? 'writing' : `blocked: waiting for 'drain' for ${((performance.now() - waitingSince) / 1000).toFixed(1)} s`;
        console.log(`wrote ${wrote} B in the last second; ${w}`);
        wrote = 0;
      }, 1000);
    } else {
      timer = setInterval(() => {
        const n = seq++;
        sent.set(n, performance.now());
        conn.write(`line ${n}\n`);
      }, p.intervalMs);
    }
  });
  conn.on('data', (chunk: Buffer) => {
    if (p.workload !== 'echo') return;
    inbox += chunk.toString('latin1');
    for (let nl = inbox.indexOf('\n'); nl >= 0; nl = inbox.indexOf('\n')) {
      const line = inbox.slice(0, nl);
      inbox = inbox.slice(nl + 1);
      const n = Number(/^line (\d+)$/.exec(line)?.[1]);
      const t0 = sent.get(n);
      if (t0 === undefined) continue;
      sent.delete(n);
      const ms = performance.now() - t0;
      console.log(`line ${n} came back after ${ms.toFixed(1)} ms`);
      lab.report('rtt', { seq: n, ms: Math.round(ms * 100) / 100 });
    }
  });
  conn.on('error', (err: NodeJS.ErrnoException) => console.log(`error: ${err.code ?? err.message}`));
  conn.on('end', () => console.log('the proxy closed its side (FIN)'));
  conn.on('close', (hadError) => {
    if (timer) clearInterval(timer);
    console.log(`connection closed${hadError ? ' after an error' : ''}`);
    if (attempt <= p.reconnects) {
      console.log(`dialing again in 1 s (${attempt}/${p.reconnects})`);
      setTimeout(connect, 1000);
    }
  });
}

connect();
