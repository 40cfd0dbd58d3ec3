// The long-lived time server of seed 003: a client may ask many times on one connection.
// "timestamp" gets the Unix time, anything else the date. As in the seed, each connection gets a
// read deadline once, when it is accepted (SetReadDeadline(now + 2 min)), and each read takes at
// most 128 bytes ("to prevent flood attack"): a longer request is read, and answered, in pieces.
// Run on its own: node server.js --port 1200 --readDeadlineMs 120000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';

const { port, host, readDeadlineMs, maxRequest, compareWholeBuffer } = lab.params({
  port: 1200, host: '127.0.0.1', readDeadlineMs: 120_000, maxRequest: 128, compareWholeBuffer: false,
});

function goTime(d: Date): string {
  return `${d.toISOString().replace('T', ' ').replace('Z', '')} +0000 UTC`;
}

function handleClient(conn: net.Socket): void {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  console.log(`${peer}: connected; read deadline in ${readDeadlineMs} ms`);
  // Go's deadline is a point in time, set once: it fires even if the client keeps talking.
  const deadline = setTimeout(() => {
    console.log(`${peer}: read deadline passed (i/o timeout); closing`);
    lab.report('read-deadline', { peer, afterMs: readDeadlineMs });
    conn.destroy();
  }, readDeadlineMs);

  conn.on('readable', () => {
    // conn.Read(request) with a 128-byte buffer: at most maxRequest bytes per read.
    for (let n = conn.readableLength; n > 0; n = conn.readableLength) {
      const chunk = conn.read(Math.min(maxRequest, n)) as Buffer | null;
      if (!chunk) break;
      // The seed compares string(request), the whole zero-filled 128-byte buffer, with
      // "timestamp": that is never equal. compareWholeBuffer reproduces it; otherwise compare the
      // bytes read, without the newline nc adds.
      const request = Buffer.alloc(maxRequest);
      chunk.copy(request);
      const text = compareWholeBuffer ? request.toString('latin1') : chunk.toString().replace(/\r?\n$/, '');
      const isTimestamp = text === 'timestamp';
      const answer = isTimestamp ? String(Math.floor(Date.now() / 1000)) : goTime(new Date());
      lab.report('request', { peer, bytes: chunk.length, text: chunk.toString().slice(0, 40), answer: isTimestamp ? 'unix' : 'date', value: answer });
      console.log(`${peer}: read ${chunk.length} B ${JSON.stringify(chunk.toString().slice(0, 24))}${chunk.length > 24 ? '…' : ''} -> ${answer}`);
      conn.write(answer + '\n');
    }
  });
  conn.on('end', () => { console.log(`${peer}: closed by the client`); conn.end(); });
  conn.on('close', () => clearTimeout(deadline));
  conn.on('error', (err) => console.error(`${peer}: ${err.message}`));
}

const server = lab.watchServer(net.createServer(handleClient));
server.on('error', (err) => { console.error(`cannot listen: ${err.message}`); process.exit(1); });
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`time server listening on ${a.address}:${a.port} (max request ${maxRequest} B)`);
});
