// Five errors, each produced for real, one after the other.
// Run on its own: node client.js --serverPort 9000 --synRetries 1
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { openBoundSocket, openRawListener, closeRawListener } from '../../kernel/raw-listener.js';
import { socketWithSynRetries, synGiveUpSeconds } from '../../net/dial.js';

const { serverPort, host, synRetries } = lab.params({ serverPort: 9000, host: '127.0.0.1', synRetries: 1 });

/** Run one scenario: resolves with the error code that ended it. */
function scenario(title: string, body: (done: (code: string) => void) => void): Promise<string> {
  console.log(`\n== ${title}`);
  const start = performance.now();
  return new Promise((resolve, reject) => tryBody(reject, () => body((code) => {
    const ms = performance.now() - start;
    lab.report('scenario', { title, code, ms });
    console.log(`   -> ${code} after ${ms.toFixed(ms < 10 ? 2 : 0)} ms`);
    resolve(code);
  })));
}

/** A scenario that cannot even start (no libc FFI on this OS): fail with the reason, not a stack trace. */
function tryBody(reject: (e: Error) => void, f: () => void): void {
  try { f(); } catch (err) { reject(err as Error); }
}
const cannot = (err: unknown) => {
  console.error(`cannot run this scenario here: ${(err as Error).message}`);
  process.exit(1);
};
process.on('unhandledRejection', cannot);
process.on('uncaughtException', cannot);

const onError = (done: (code: string) => void) => (err: NodeJS.ErrnoException) => {
  console.log(`   error: ${err.message}`);
  done(err.code ?? 'ERR');
};

// 1. ECONNREFUSED: a port that is bound but where nobody listens; the kernel answers SYN with RST.
await scenario('ECONNREFUSED: dial a port nobody listens on', (done) => {
  const bound = openBoundSocket(host);
  console.log(`   port ${bound.port} is bound (so nobody else takes it) but not listening`);
  const c = lab.watch(net.connect(bound.port, host));
  c.on('error', (e) => { closeRawListener(bound); onError(done)(e); });
});

// 2. EADDRINUSE: listen where the server already listens.
await scenario('EADDRINUSE: listen on the server’s port a second time', (done) => {
  const s = lab.watchServer(net.createServer());
  s.on('error', onError(done));
  s.listen(serverPort, host, () => { s.close(); done('listening?!'); });
});

// 3. ECONNRESET: the peer resets the connection while we read.
await scenario('ECONNRESET: the server answers with RST', (done) => {
  const c = lab.watch(net.connect(serverPort, host, () => c.write('reset\n')));
  c.on('error', onError(done));
  c.on('end', () => done('EOF (no reset?)'));
});

// 4. EPIPE: the server closed; our first write is answered with RST, the second fails.
await scenario('EPIPE: write after the peer is gone', (done) => {
  const c = lab.watch(net.connect({ port: serverPort, host, allowHalfOpen: true }, () => c.write('close\n')));
  c.on('end', () => {
    console.log('   the server’s FIN arrived (EOF); writing anyway');
    c.write('are you there?\n', () => {
      // The kernel sent it; the server's closed socket answers with RST. Wait for it, write again.
      setTimeout(() => c.write('hello?\n'), 100);
    });
  });
  c.on('error', onError(done));
});

// 5. ETIMEDOUT: a listener whose accept queue is full drops our SYN; the kernel retries
//    synRetries times (TCP_SYNCNT) and gives up.
await scenario(`ETIMEDOUT: dial a listener whose accept queue is full (the kernel gives up after ${synRetries} SYN retransmission${synRetries === 1 ? '' : 's'})`, (done) => {
  const full = openRawListener(host, 0, 0);
  // Tell the lab about this listener (it was made without net.Server, so nothing else reports it).
  lab.record('listen', { sock: 'L-full', local: { address: host, port: full.port, family: 'IPv4' }, backlog: 0 });
  const filler = net.connect(full.port, host); // backlog 0 holds one connection: this one
  filler.on('connect', () => {
    console.log(`   listener on :${full.port} has backlog 0, one connection queued, nobody accepts`);
    const { socket, requested, effective } = socketWithSynRetries(synRetries);
    const c = lab.watch(socket);
    lab.record('sockopt', { sock: lab.sockId(c), option: 'TCP_SYNCNT', requested, effective });
    console.log(`   TCP_SYNCNT ${effective}: expect ETIMEDOUT after ~${synGiveUpSeconds(synRetries)} s`);
    c.on('error', (e) => { filler.destroy(); closeRawListener(full); onError(done)(e); });
    c.connect(full.port, host);
  });
});

console.log('\nall five errors seen');
