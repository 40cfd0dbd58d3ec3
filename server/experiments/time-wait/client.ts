// TIME_WAIT client: says hello, reads the reply; with closer=client it closes first (then the
// client's own socket goes to TIME_WAIT), otherwise it closes after the server's FIN.
// Run on its own: node client.js --serverPort 9000 --closer client
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { serverPort, host, closer } = lab.params({ serverPort: 9000, host: '127.0.0.1', closer: 'server' });

const conn = lab.watch(net.connect(serverPort, host));
conn.on('connect', () => { console.log(`connected from port ${conn.localPort}`); conn.write('hello\n'); });
conn.on('data', (chunk) => {
  console.log(`read ${JSON.stringify(chunk.toString())}`);
  if (closer === 'client') { conn.end(); console.log('closed first (active close): my side will sit in TIME_WAIT'); }
});
conn.on('end', () => console.log('server closed its side (EOF); closing mine'));
conn.on('error', (err) => { console.error(`error: ${err.message}`); process.exitCode = 1; });
