// Framing client: frames each message with the chosen method and writes it, like seed 004's
// client writing ">>>i<<< \n" every 10 ms — then frames every line you type the same way.
// It prints the exact bytes of each write in hex, so you can see what the framing adds.
// Typed lines: plain text is sent as text; "0x48 69 ff" sends those bytes (TLV: as the binary
// type); "raw 0x..." or "raw text" writes the bytes unframed, to see what a decoder makes of them.
// Run on its own: node client.js --serverPort 9000 --framing length-prefix --count 8
import net from 'node:net';
import { lab } from '../../actor/runtime.js';
import { getCodec, utf8DecodeLenient } from '../../../shared/codecs/index.js';
import { describeFraming, framingSetup, type FramingSetup, messageFor } from '../../../shared/stream/framing-setup.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';

const params = lab.params({
  serverPort: 9000, host: '127.0.0.1', framing: 'delimiter', count: 8, intervalMs: 10,
  frameSize: 32, maxFrameSize: 128, onError: 'drop', oversized: false,
});
const { serverPort, host, count, intervalMs, oversized } = params;

const chosen = framingSetup(params);
if ('error' in chosen) {
  console.error(`cannot frame: ${chosen.error}`);
  process.exit(2);
}
const setup: FramingSetup = chosen;
const encoder = setup.codec.createEncoder(setup.params);

/** At most this many bytes are shown in hex per write. */
const HEX_SHOWN = 48;
function hex(bytes: Uint8Array): string {
  const shown = Array.from(bytes.subarray(0, HEX_SHOWN), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return bytes.length > HEX_SHOWN ? `${shown} … (${bytes.length - HEX_SHOWN} more)` : shown;
}

/** The i-th automatic message: seed 004's ">>>i<<< "; with TLV every third is a binary reading. */
function autoMessage(i: number): string | Uint8Array {
  if (oversized && i === Math.ceil(count / 2)) return `>>>${i}<<< ` + 'flood '.repeat(34); // over seed 003's 128 bytes
  if (setup.name === 'tlv' && i % 3 === 0) {
    const v = new Uint8Array(4);
    new DataView(v.buffer).setFloat32(0, 21 + i / 10); // a temperature as a big-endian float32
    return v;
  }
  return `>>>${i}<<< `;
}

/** "0x48 69" → bytes; anything else → null. */
function parseHex(s: string): Uint8Array | null {
  const m = /^0x([0-9a-fA-F\s]*)$/.exec(s.trim());
  if (!m) return null;
  const digits = m[1]!.replace(/\s+/g, '');
  if (digits.length % 2 !== 0) return null;
  return Uint8Array.from(digits.match(/../g) ?? [], (h) => parseInt(h, 16));
}

const conn = lab.watch(net.connect(serverPort, host), { captureBytes: 4096 });
let offset = 0; // stream offset of the next byte this client writes
let index = 0;

/** Frames one message, writes it, prints its bytes and reports where its frame and payload lie. */
function send(input: string | Uint8Array, origin: 'auto' | 'typed'): void {
  let frame: Uint8Array;
  try {
    frame = encoder.encode(messageFor(setup, input));
  } catch (err) {
    const e = err as { code?: string; message: string };
    console.log(`not sent: ${e.code ?? 'error'}: ${e.message}`);
    lab.report('encode-error', { code: e.code ?? 'error', message: e.message });
    return;
  }
  // Where the payload sits inside the frame, from the same codec's decoder (no guessing per format).
  const check = setup.codec.createDecoder({ ...setup.params, maxFrameSize: Math.max(frame.length, Number(setup.params.maxFrameSize)) });
  const decoded = check.push(frame).find((r) => r.kind === 'message');
  const payloadStart = offset + (decoded?.kind === 'message' ? decoded.payloadStart : 0);
  const payloadEnd = offset + (decoded?.kind === 'message' ? decoded.payloadEnd : frame.length);
  const payload = frame.subarray(payloadStart - offset, payloadEnd - offset);
  const text = typeof input === 'string' ? input : `0x${Buffer.from(input).toString('hex')}`;
  console.log(`sent #${index} ${JSON.stringify(text.length > 40 ? text.slice(0, 40) + '…' : text)} as ${frame.length} B: ${hex(frame)}`);
  lab.report('sent', {
    index, origin, text: text.slice(0, 200), binary: typeof input !== 'string',
    start: offset, end: offset + frame.length, payloadStart, payloadEnd,
    sum: payloadSum(payload), payloadLength: payload.length,
  });
  conn.write(frame);
  offset += frame.length;
  index++;
}

/** Writes bytes as they are, without framing. */
function sendRaw(bytes: Uint8Array): void {
  console.log(`sent raw (unframed) ${bytes.length} B: ${hex(bytes)}`);
  lab.report('sent-raw', { start: offset, end: offset + bytes.length });
  conn.write(bytes);
  offset += bytes.length;
}

conn.on('connect', () => {
  console.log(`connected to ${host}:${serverPort}; ${describeFraming(setup)}`);
  console.log('type a line to send it framed ("0x41 42" sends bytes, "raw ..." sends them unframed)');
  let i = 1;
  const next = () => {
    if (i > count || conn.destroyed || conn.writableEnded) {
      if (count > 0 && i > count) console.log('automatic messages done');
      return;
    }
    send(autoMessage(i++), 'auto');
    setTimeout(next, intervalMs);
  };
  next();
  // Lines typed into the pane arrive on stdin, one per Enter.
  let pending = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (text: string) => {
    pending += text;
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const line = pending.slice(0, nl).replace(/\r$/, '');
      pending = pending.slice(nl + 1);
      if (conn.destroyed || conn.writableEnded) { console.log('not sent: the connection is closed'); continue; }
      const raw = /^raw\s(.*)$/.exec(line);
      if (raw) sendRaw(parseHex(raw[1]!) ?? Buffer.from(raw[1]!));
      else send(parseHex(line) ?? line, 'typed');
    }
  });
});
// The server answers only to say why it drops us: one line of text, read as lines (delimiter
// framing) so a reply cut into pieces on its way still prints as one line.
const replies = getCodec('delimiter')!.createDecoder({ maxFrameSize: 1024, onOversize: 'skip' });
conn.on('data', (chunk: Buffer) => {
  for (const r of replies.push(chunk)) if (r.kind === 'message') console.log(`server says: ${utf8DecodeLenient(r.message as Uint8Array)}`);
});
conn.on('end', () => console.log('server closed the connection'));
conn.on('close', () => process.stdin.destroy()); // nothing left to do: let the process end
conn.on('error', (err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
