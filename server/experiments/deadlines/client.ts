// Talks for a while (a line every intervalMs), then goes quiet and waits for the server to close.
// Run on its own: node client.js --serverPort 9000 --talkForMs 2500
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, talkForMs, intervalMs } = lab.params({ serverPort: 9000, host: '127.0.0.1', talkForMs: 2500, intervalMs: 400 });

const conn = lab.watch(net.connect(serverPort, host));
const start = performance.now();
let n = 0;
let timer: NodeJS.Timeout | undefined;
conn.on('connect', () => {
  const talk = () => {
    const ms = performance.now() - start;
    if (ms >= talkForMs) { console.log(`quiet from now on (${ms.toFixed(0)} ms)`); lab.report('quiet', {}); return; }
    conn.write(`line ${++n} at ${ms.toFixed(0)} ms\n`);
    timer = setTimeout(talk, intervalMs);
  };
  talk();
});
conn.on('data', () => { /* "ok" */ });
conn.on('end', () => {
  clearTimeout(timer);
  console.log(`the server closed the connection after ${(performance.now() - start).toFixed(0)} ms (${n} lines sent)`);
  conn.end();
});
conn.on('error', (err) => { clearTimeout(timer); console.error(`error: ${err.message}`); });
