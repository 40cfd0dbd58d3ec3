// TCP ping (seed 000: "most Internet hosts filter or block ICMP echo"): reachability measured by
// how long connect() takes. A completed handshake: the port is open. A refusal (RST): the host
// is up, the port is closed — it answered. No answer within timeoutMs: filtered or down.
// Run on its own: node pinger.js --host 127.0.0.1 --targetPort 22 --count 5
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { host, targetPort, serverPort, count, intervalMs, timeoutMs } = lab.params({
  host: '127.0.0.1', targetPort: 0, serverPort: 0, count: 5, intervalMs: 300, timeoutMs: 1000,
});
const port = targetPort || serverPort;

type Outcome = 'open' | 'closed' | 'no answer' | 'error';
const results: { outcome: Outcome; ms: number }[] = [];

function attempt(seq: number): void {
  const start = performance.now();
  const conn = lab.watch(net.connect({ port, host, timeout: timeoutMs }));
  let done = false;
  const finish = (outcome: Outcome, text: string) => {
    if (done) return;
    done = true;
    const ms = performance.now() - start;
    results.push({ outcome, ms });
    lab.report('attempt', { seq, outcome, ms });
    console.log(`seq=${seq} ${text} time=${ms.toFixed(2)} ms`);
    conn.destroy();
    if (seq < count) setTimeout(() => attempt(seq + 1), intervalMs);
    else summary();
  };
  conn.on('connect', () => finish('open', `connected to ${host}:${port}: port open`));
  conn.on('timeout', () => finish('no answer', `no answer within ${timeoutMs} ms: filtered, or the host is down`));
  conn.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'ECONNREFUSED') finish('closed', 'refused (RST): host up, port closed');
    else finish('error', `${err.code}: ${err.message}`);
  });
}

function summary(): void {
  const n = (o: Outcome) => results.filter((r) => r.outcome === o).length;
  const answered = results.filter((r) => r.outcome === 'open' || r.outcome === 'closed').map((r) => r.ms);
  const stats = answered.length
    ? `time min/avg/max = ${Math.min(...answered).toFixed(2)}/${(answered.reduce((a, b) => a + b, 0) / answered.length).toFixed(2)}/${Math.max(...answered).toFixed(2)} ms`
    : 'no answers';
  console.log(`--- ${host}:${port} tcp ping: ${results.length} attempts, ${n('open')} open, ${n('closed')} refused (host up), ${n('no answer')} no answer, ${n('error')} other errors; ${stats}`);
  lab.report('summary', { open: n('open'), closed: n('closed'), lost: n('no answer'), errors: n('error') });
}

console.log(`TCP PING ${host}:${port}: ${count} connects, ${intervalMs} ms apart`);
attempt(1);
