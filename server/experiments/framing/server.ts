// Framing server: decodes every connection's byte stream twice, side by side —
//  - naively, one read() = one message (what seed 003's and 004's first servers do), and
//  - with the chosen framing (delimiter, fixed length, length prefix or TLV), like seed 004's
//    delimiter server or Go's bufio.Scanner.
// A frame longer than maxFrameSize (seed 003: 128 bytes "to prevent flood attack") or a malformed
// one gets its named error; then the server drops the connection (telling the peer why) or skips
// the frame, as onError says. The decoder never holds more than one frame's worth of bytes.
// Point your own client at it: node server.js --port 9000 --framing delimiter, then nc 127.0.0.1 9000
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { describeFraming, framingSetup, type FramingSetup, naiveSetup } from '../../../shared/stream/framing-setup.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';
import type { DecodeResult } from '../../../shared/codecs/index.js';

const params = lab.params({
  port: 0, host: '127.0.0.1', framing: 'delimiter', frameSize: 32, maxFrameSize: 128, onError: 'drop',
});
const { port, host, onError } = params;
const chosen = framingSetup(params);
if ('error' in chosen) {
  console.error(`cannot decode: ${chosen.error}`);
  process.exit(2);
}
const setup: FramingSetup = chosen;
const naive = naiveSetup();

/** Per connection and decoder, lines printed and events reported at most (the output stays human). */
const PRINT_MAX = 60;
const REPORT_MAX = 2000;
/** After telling a peer why it is dropped, how long to wait for it to close before cutting it off. */
const DROP_GRACE_MS = 1000;

/**
 * A message as one short line: text in quotes with "\n" shown as \n, other control bytes (a length
 * header, NUL padding) as hex in brackets — [00 00 00 08] — and binary values in hex.
 */
function preview(message: unknown, text: string): string {
  const value = (message as { typeName?: string; value?: Uint8Array }).typeName === 'binary' ? (message as { value: Uint8Array }).value : null;
  if (value) return `0x${Buffer.from(value.subarray(0, 30)).toString('hex')}${value.length > 30 ? '…' : ''}`;
  const shown = text.length > 60 ? text.slice(0, 60) : text;
  const hex = (c: string) => (c === '\ufffd' ? '??' : c.charCodeAt(0).toString(16).padStart(2, '0'));
  const body = shown
    .replace(/[\u0000-\u0009\u000b-\u001f\u007f\ufffd]+/g, (run) =>
      run.length > 6 && [...run].every((c) => c === run[0]) ? `[${hex(run[0]!)} ×${run.length}]` : `[${[...run].map(hex).join(' ')}]`)
    .replace(/\n/g, '\\n');
  return `"${body}"${text.length > 60 ? '…' : ''}`;
}

const server = net.createServer((conn) => {
  const peer = `${conn.remoteAddress}:${conn.remotePort}`;
  const sock = lab.sockId(conn) ?? 'conn';
  const framed = setup.codec.createDecoder(setup.params);
  const reads = naive.codec.createDecoder(naive.params);
  const counts = { naive: 0, framed: 0 };
  let dropped = false;
  console.log(`accepted ${peer}; ${describeFraming(setup)}`);

  /** Prints and reports what one decoder made of the bytes so far. */
  const show = (which: 'naive' | 'framed', results: DecodeResult<unknown>[]): void => {
    const codec = which === 'naive' ? naive.codec : setup.codec;
    const decoder = which === 'naive' ? 'naive' : setup.name;
    for (const r of results) {
      if (r.kind === 'message') {
        const i = counts[which]++;
        const v = codec.describe(r.message);
        const binary = (r.message as { typeName?: string }).typeName === 'binary';
        // Reads at the margin, the messages the framing cut out of them indented below.
        const line = which === 'naive'
          ? `read #${i}: ${preview(r.message, v.text)} (${r.end - r.start} B at ${r.start})`
          : `   => message #${i}: ${preview(r.message, v.text)} (${r.payloadEnd - r.payloadStart} B)`;
        if (i < PRINT_MAX) console.log(line);
        else if (i === PRINT_MAX) console.log(`… further ${which === 'naive' ? 'reads' : 'messages'} not printed; the event list has them`);
        if (i < REPORT_MAX) {
          lab.report('frame', {
            decoder, conn: sock, index: i, length: r.payloadEnd - r.payloadStart, text: v.text.slice(0, 200),
            start: r.start, end: r.end, payloadStart: r.payloadStart, payloadEnd: r.payloadEnd, sum: payloadSum(v.bytes),
            ...(binary ? { hex: Buffer.from(v.bytes.subarray(0, 32)).toString('hex') } : {}),
          });
        }
      } else {
        const reaction = r.action === 'skip' ? 'skip' : onError === 'skip' ? 'stop' : 'drop';
        console.log(`   => ${which === 'naive' ? 'naive' : setup.name} decoder: ${r.error.code} at byte ${r.offset}: ${r.error.message} → ${reaction === 'skip' ? 'skipping that frame' : reaction === 'drop' ? 'dropping the connection' : 'cannot go on (extent unknown): dropping the connection'}`);
        lab.report('frame-error', {
          decoder, conn: sock, code: r.error.code, message: r.error.message, offset: r.offset, action: r.action,
          reaction: reaction === 'skip' ? 'skip' : 'drop', resumeAt: r.resumeAt,
          // What the decoder had to hold to get here: never more than one frame's worth.
          peakBuffered: (which === 'naive' ? reads : framed).stats.peakBufferedBytes,
        });
        if (r.action === 'stop') drop(`${r.error.code}: ${r.error.message}`);
      }
    }
  };

  /** Tell the peer why, stop reading its bytes into anything, and close. */
  const drop = (reason: string): void => {
    if (dropped) return;
    dropped = true;
    conn.end(`error: ${reason}; closing\n`);
    setTimeout(() => conn.destroy(), DROP_GRACE_MS).unref();
  };

  conn.on('data', (chunk: Buffer) => {
    if (dropped) return; // being dropped: what still arrives is not looked at
    show('naive', reads.push(chunk));
    show('framed', framed.push(chunk));
  });
  conn.on('end', () => {
    const e = framed.end();
    if (e.incomplete) {
      console.log(`stream ended inside a frame: ${e.pendingBytes} B from byte ${e.pendingStart} never became a message`);
      lab.report('frame-error', { decoder: setup.name, conn: sock, code: 'INCOMPLETE', message: `stream ended inside a frame (${e.pendingBytes} B)`, offset: e.pendingStart, action: 'stop', reaction: 'none' });
    }
    const s = framed.stats;
    console.log(`${peer} closed: ${counts.naive} reads, ${counts.framed} framed messages, ${s.errors} errors; decoder held at most ${s.peakBufferedBytes} B`);
    lab.report('decoder-stats', { decoder: setup.name, conn: sock, ...s });
    conn.end();
  });
  conn.on('error', (err) => console.error(`connection error: ${err.message}`));
});
lab.watchServer(server, { captureBytes: 4096 });
server.on('error', (err) => {
  console.error(`cannot listen: ${err.message}`);
  process.exit(1);
});
server.listen(port, host, () => {
  const a = server.address() as net.AddressInfo;
  console.log(`listening on ${a.address}:${a.port}`);
});
