// A client that keeps a connection up through errors: it sends a line every beatMs, and when
// something fails it asks the policy (shared/net/retry-policy.ts) what to do: dial again after
// an exponential backoff (refused, timed out), open a new connection at once (reset, broken
// pipe: this connection is gone), or give up (anything else). Seed 000's "retry on temporary
// errors", in Node's terms.
// Run on its own: node retrier.js --serverPort 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { backoffMs, classifyError } from '../../../shared/net/retry-policy.js';

const { serverPort, host, beatMs, beats, baseMs, capMs, maxAttempts } = lab.params({
  serverPort: 9000, host: '127.0.0.1', beatMs: 250, beats: 14, baseMs: 100, capMs: 1600, maxAttempts: 8,
});

let sent = 0;
let attempt = 0;

function dial(): void {
  attempt++;
  const conn = lab.watch(net.connect(serverPort, host));
  let established = false;
  let timer: NodeJS.Timeout | undefined;
  conn.on('connect', () => {
    established = true;
    console.log(`connected (attempt ${attempt})`);
    lab.report('connected', { attempt });
    attempt = 0;
    const beat = () => {
      if (sent >= beats) { console.log(`sent ${sent} beats; done`); conn.end(); return; }
      conn.write(`beat ${++sent}\n`);
      timer = setTimeout(beat, beatMs);
    };
    beat();
  });
  conn.on('error', (err: NodeJS.ErrnoException) => {
    clearTimeout(timer);
    const code = err.code ?? 'ERR';
    const where = err.syscall ? ` (${err.syscall})` : '';
    const rule = classifyError(code);
    if (rule.verdict === 'give-up' || attempt >= maxAttempts) {
      lab.report('decision', { code, verdict: 'give-up', attempt });
      console.log(`${code}: give up — ${attempt >= maxAttempts ? `${attempt} attempts` : rule.why}`);
      process.exitCode = 1;
      return;
    }
    if (established || rule.verdict === 'new-connection') {
      lab.report('decision', { code, verdict: 'new-connection', attempt: 0, established });
      console.log(`${code}${where}: this connection is gone (${rule.why}); dialing a new one`);
      attempt = 0;
      setImmediate(dial);
      return;
    }
    const wait = backoffMs(attempt, baseMs, capMs);
    lab.report('decision', { code, verdict: 'retry', attempt, waitMs: wait });
    console.log(`${code}${where}, attempt ${attempt}: retry in ${wait} ms — ${rule.why}`);
    setTimeout(dial, wait);
  });
}

dial();
