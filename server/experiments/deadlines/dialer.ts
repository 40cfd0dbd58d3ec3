// DialTimeout made real on loopback: connect to a listener whose accept queue is full. Linux
// drops the SYN (tcp_abort_on_overflow = 0), retransmits it after 1 s, 2 s, 4 s ... and connect()
// would hang for about two minutes. The program's own timer gives up first, as Go's
// net.DialTimeout does.
// Run on its own: node dialer.js --dialTimeoutMs 1500
import net from 'node:net';
import { readFileSync } from 'node:fs';
import { lab } from '../../actor/runtime.js';
import { closeRawListener, openRawListener } from '../../kernel/raw-listener.js';

const { host, dialTimeoutMs } = lab.params({ host: '127.0.0.1', dialTimeoutMs: 1500 });

function sysctl(name: string): number | null {
  try { return Number(readFileSync(`/proc/sys/net/ipv4/${name}`, 'utf8').trim()); } catch { return null; }
}
const abortOnOverflow = sysctl('tcp_abort_on_overflow');
const synRetries = sysctl('tcp_syn_retries');
lab.report('sysctl', { tcp_abort_on_overflow: abortOnOverflow, tcp_syn_retries: synRetries });
console.log(`tcp_abort_on_overflow = ${abortOnOverflow ?? 'unknown'} (0: a full queue drops the SYN silently), tcp_syn_retries = ${synRetries ?? 'unknown'}`);

// A listener made without net.Server (which would accept at once), backlog 0: it holds one
// connection; nothing ever accepts it.
const full = (() => {
  try { return openRawListener(host, 0, 0); } catch (err) {
    console.error(`cannot make the full listener: ${(err as Error).message}`);
    process.exit(1);
  }
})();
lab.record('listen', { sock: 'L-full', local: { address: host, port: full.port, family: 'IPv4' }, backlog: 0 });
const filler = net.connect(full.port, host);
filler.on('connect', () => {
  console.log(`listener :${full.port}: backlog 0, one connection waiting in its queue, nobody accepts`);
  const start = performance.now();
  const conn = lab.watch(net.connect({ port: full.port, host, timeout: dialTimeoutMs }));
  conn.on('connect', () => console.log('connected?! (the queue had room)'));
  conn.on('timeout', () => {
    const ms = performance.now() - start;
    console.log(`no answer to the SYN within ${dialTimeoutMs} ms: giving up (dial tcp: i/o timeout) after ${ms.toFixed(0)} ms`);
    lab.report('dial-timeout', { afterMs: ms });
    conn.destroy(Object.assign(new Error(`dial tcp ${host}:${full.port}: i/o timeout`), { code: 'ETIMEDOUT', syscall: 'connect' }));
  });
  conn.on('error', (err) => { console.log(`error: ${err.message}`); filler.destroy(); });
  conn.on('close', () => { filler.destroy(); closeRawListener(full); });
});
