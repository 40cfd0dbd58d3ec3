// The server that crashed: it listens on the socket path, then ends at once with process.exit()
// — no close(), as when a program is killed. The socket file stays behind in the directory: the
// kernel frees the socket, but the name in the filesystem is only removed by unlink(2).
// Run on its own: node old-server.js --socketPath /tmp/lab.sock
import net from 'node:net';
import { existsSync } from 'node:fs';
import { lab } from '../../actor/runtime.js';

const { socketPath } = lab.params({ socketPath: '/tmp/socket-lab.sock' });
if (!socketPath) {
  console.error('no --socketPath given');
  process.exit(2);
}

const server = lab.watchServer(net.createServer());
server.on('error', (err) => {
  console.error(`cannot listen on ${socketPath}: ${err.message}`);
  process.exit(1);
});
server.listen(socketPath, () => {
  console.log(`listening on ${socketPath}`);
  console.log('exiting at once without close(), like a crash…');
  lab.flush();
  // process.exit skips every close: Node never gets to unlink the path.
  setTimeout(() => {
    console.log(`…gone. The file is ${existsSync(socketPath) ? 'still there' : 'gone too'}.`);
    process.exit(0);
  }, 50);
});
