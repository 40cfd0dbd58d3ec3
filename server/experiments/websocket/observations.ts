/**
 * What the websocket experiment expects, checked by decoding the TCP bytes both programs wrote
 * (shared/websocket/ws-view.ts, with the shared frame codec) — not by asking `ws`. Only the
 * connection between the run's own client and server is judged: the server also takes clients
 * from outside (connections 0, --port), whose frames and messages are left out.
 */
import type { ObservationSpec } from '../experiment.js';
import type { TraceQuery } from '../../../shared/trace/query.js';
import type { TraceEvent } from '../../../shared/trace/schema.js';
import { inOrder } from '../../../shared/trace/query.js';
import { bytesEqual, concatBytes, utf8DecodeLenient } from '../../../shared/codecs/bytes.js';
import { minimalLengthForm } from '../../../shared/codecs/websocket-frame.js';
import { payloadSum } from '../../../shared/stream/framing-view.js';
import { directionBytes, wsView, type Direction, type FrameRow, type WsView } from '../../../shared/websocket/ws-view.js';

interface Own {
  v: WsView;
  events: readonly TraceEvent[];
  /** The client's / the server's socket of the connection has closed: every byte it wrote is in the trace. */
  clientClosed: boolean;
  serverClosed: boolean;
}

/** The trace without the server's connections from outside the run (their events and the messages reported on them). */
function own(q: TraceQuery): Own {
  const foreign = q.connections().filter((c) => c.actor === 'server' && c.via === 'accept' && !c.own);
  const socks = new Set(foreign.map((c) => c.sock));
  const ports = new Set(foreign.map((c) => c.remote.port));
  const events = foreign.length === 0 ? q.events : q.events.filter((e) => {
    if (e.actor !== 'server') return true;
    if (e.kind === 'custom') return !(typeof e.data.peerPort === 'number' && ports.has(e.data.peerPort));
    return !('sock' in e && typeof e.sock === 'string' && socks.has(e.sock));
  });
  const v = wsView(events);
  const closed = (d: Direction) => d.sock !== undefined && events.some((e) => e.kind === 'close' && e.actor === d.actor && e.sock === d.sock);
  return { v, events, clientClosed: closed(v.clientToServer), serverClosed: closed(v.serverToClient) };
}

const problem = (d: Direction) => (d.problem ? ` (${d.actor}: ${d.problem})` : '');
const none = (detail: string) => ({ held: false, reached: false, detail });
const text = (b: Uint8Array) => JSON.stringify(utf8DecodeLenient(b));
const isData = (f: FrameRow) => f.frame.opcodeName === 'text' || f.frame.opcodeName === 'binary' || f.frame.opcodeName === 'continuation';
/** The payload bytes of a frame as they were on the wire (masked, for a client frame). */
const wirePayload = (stream: Uint8Array, f: FrameRow) => stream.subarray(f.offset + f.wireBytes - f.frame.payloadLength, f.offset + f.wireBytes);

/** A message as the server's program reported it (`ws-message`, received). */
interface Reported { type: string; bytes: number; text?: string; sum?: string }

interface Assembled { type: string; payload: Uint8Array; frames: number; t: number }

/** The client's data frames put back together into messages (complete ones only). */
function assemble(frames: readonly FrameRow[]): { messages: Assembled[]; broken?: string } {
  const messages: Assembled[] = [];
  let open: { type: string; parts: Uint8Array[]; frames: number } | null = null;
  for (const f of frames) {
    if (!isData(f)) continue;
    const name = f.frame.opcodeName;
    if (name === 'continuation') {
      if (!open) return { messages, broken: `a continuation frame at offset ${f.offset} with no message to continue` };
      open.parts.push(f.frame.payload);
      open.frames++;
    } else {
      if (open) return { messages, broken: `a new ${name} frame at offset ${f.offset} inside an unfinished message` };
      open = { type: name, parts: [f.frame.payload], frames: 1 };
    }
    if (f.frame.fin) {
      messages.push({ type: open.type, payload: concatBytes(open.parts), frames: open.frames, t: f.t });
      open = null;
    }
  }
  return { messages };
}

export const observations: ObservationSpec[] = [
  {
    id: 'accept-key',
    label: 'The upgrade: 101 Switching Protocols, and Sec-WebSocket-Accept is base64(SHA-1(key + GUID))',
    check: (q) => {
      const { v } = own(q);
      const req = v.clientToServer.head;
      const res = v.serverToClient.head;
      if (!req) return none(`the client has not sent its Upgrade request yet${problem(v.clientToServer)}`);
      if (!res) return none(`no response to the Upgrade request yet${problem(v.serverToClient)}`);
      const a = v.accept;
      const hs = v.handshake;
      const status = `the server answered ${res.status ?? '?'}${res.reason ? ` ${res.reason}` : ''}`;
      if (!a || !hs) return { held: false, detail: `${status}, but the request has no Sec-WebSocket-Key` };
      return {
        held: hs.ok && a.actual === a.computed,
        detail: `${status}; key ${a.key} → SHA-1 ${a.sha1Hex} → base64 ${a.computed}; the server sent ${a.actual ?? 'no Sec-WebSocket-Accept'}` +
          (hs.problems.length ? `; problems: ${hs.problems.join(', ')}` : ''),
      };
    },
  },
  {
    id: 'masking',
    label: 'Every frame from the client is masked, each with its own key, so its payload on the wire is not the plain payload; no frame from the server is masked',
    check: (q) => {
      const { v, events } = own(q);
      const c = v.clientToServer;
      const s = v.serverToClient;
      // The decoder knows who sends (the head before the frames): a frame masked the wrong way is its error.
      const mismatch = [c, s].find((d) => d.problem?.startsWith('MASK_MISMATCH'));
      if (mismatch) return { held: false, detail: `${c.frames.length} client and ${s.frames.length} server frames decoded, then ${mismatch.actor === 'client' ? 'the client' : 'the server'}'s next frame: ${mismatch.problem}` };
      if (c.frames.length === 0 || s.frames.length === 0) return none(`frames so far: ${c.frames.length} from the client, ${s.frames.length} from the server${problem(c)}${problem(s)}`);
      const unmasked = c.frames.find((f) => !f.frame.masked);
      const keys = new Map<string, FrameRow>();
      let sharedKey: [FrameRow, FrameRow] | undefined;
      for (const f of c.frames) {
        if (!f.frame.maskingKey) continue;
        const k = Array.from(f.frame.maskingKey).join(',');
        const before = keys.get(k);
        if (before && !sharedKey) sharedKey = [before, f];
        keys.set(k, f);
      }
      const stream = c.sock ? directionBytes(events, c.actor, c.sock) : new Uint8Array(0);
      // A key of 00 00 00 00 masks nothing: the bytes on the wire would be the payload itself.
      const plainOnWire = c.frames.find((f) => f.frame.masked && f.frame.payloadLength > 0 && bytesEqual(wirePayload(stream, f), f.frame.payload));
      const maskedServer = s.frames.filter((f) => f.frame.masked);
      const detail = `${c.frames.filter((f) => f.frame.masked).length} of ${c.frames.length} client frames masked, with ${keys.size} different keys; ` +
        `${maskedServer.length} of ${s.frames.length} server frames masked`;
      if (unmasked) return { held: false, detail: `${detail}; the client's ${unmasked.frame.opcodeName} frame at offset ${unmasked.offset} is not masked` };
      if (sharedKey) return { held: false, detail: `${detail}; the frames at offsets ${sharedKey[0].offset} and ${sharedKey[1].offset} share a key` };
      if (plainOnWire) return { held: false, detail: `${detail}; the ${plainOnWire.frame.opcodeName} frame at offset ${plainOnWire.offset} carries its plain payload on the wire (key 00 00 00 00)` };
      if (maskedServer.length) return { held: false, detail: `${detail}; the server's ${maskedServer[0]!.frame.opcodeName} frame at offset ${maskedServer[0]!.offset} is masked` };
      const hidden = c.frames.filter((f) => f.frame.payloadLength > 0).length;
      // Frames past a decode problem are not in the view: "every frame" is not shown then.
      if (c.problem || s.problem) return none(`${detail}; not all frames could be decoded${problem(c)}${problem(s)}`);
      return { held: true, detail: `${detail}; in all ${hidden} client frames with a payload the bytes on the wire differ from the payload they unmask to` };
    },
  },
  {
    id: 'length-forms',
    label: 'Payload lengths in all three forms, each the shortest that fits: 7-bit (up to 125 B), 16-bit (126, up to 65,535 B) and 64-bit (127)',
    check: (q) => {
      const { v } = own(q);
      const all = [...v.clientToServer.frames, ...v.serverToClient.frames];
      const by = (form: number) => all.filter((f) => f.frame.lengthForm === form).map((f) => f.frame.payloadLength);
      const forms = [7, 16, 64].map((n) => ({ n, lens: by(n) }));
      const detail = forms.map((f) => `${f.n}-bit: ${f.lens.length ? `${f.lens.length} frames (${Math.min(...f.lens)}–${Math.max(...f.lens)} B)` : 'none'}`).join('; ');
      const longer = all.find((f) => f.frame.lengthForm !== minimalLengthForm(f.frame.payloadLength));
      if (longer) return { held: false, detail: `${detail}; a ${longer.frame.payloadLength} B payload at offset ${longer.offset} used the ${longer.frame.lengthForm}-bit form, not the shortest (${minimalLengthForm(longer.frame.payloadLength)}-bit)` };
      if (forms.some((f) => f.lens.length === 0)) return none(`${detail} so far`);
      return { held: true, detail };
    },
  },
  {
    id: 'fragments',
    label: 'A message in two frames: FIN 0, then a continuation frame with FIN 1',
    check: (q) => {
      const { v, clientClosed } = own(q);
      const data = v.clientToServer.frames.filter(isData);
      const i = data.findIndex((x) => !x.frame.fin && x.frame.opcodeName !== 'continuation');
      if (i < 0) return none(clientClosed ? 'the client sent no fragmented message' : 'no fragmented message in the client’s frames yet');
      const first = data[i]!;
      const next = data[i + 1];
      const head = `${first.frame.opcodeName} frame FIN 0 ${first.frame.text !== null ? JSON.stringify(first.frame.text) : `${first.frame.payloadLength} B`} at offset ${first.offset}`;
      if (!next) return none(`${head}; its continuation has not come yet`);
      if (next.frame.opcodeName !== 'continuation') return { held: false, detail: `${head}, then a new ${next.frame.opcodeName} frame at offset ${next.offset} instead of a continuation` };
      if (!next.frame.fin) return { held: false, detail: `${head}, then a continuation with FIN 0 at offset ${next.offset}: the message took more than two frames` };
      return { held: true, detail: `${head}, continuation FIN 1 ${next.frame.text !== null ? JSON.stringify(next.frame.text) : `${next.frame.payloadLength} B`} at offset ${next.offset}` };
    },
  },
  {
    id: 'ping-pong',
    label: 'A ping from the client is answered by a pong from the server, after it, with the same payload',
    check: (q) => {
      const { v } = own(q);
      const ping = v.clientToServer.frames.find((f) => f.frame.opcodeName === 'ping');
      if (!ping) return none('the client has sent no ping yet');
      // The answer comes after the ping; a pong before it answers nothing.
      const pong = v.serverToClient.frames.find((f) => f.frame.opcodeName === 'pong' && inOrder(ping, f));
      const said = `ping ${text(ping.frame.payload)} (opcode 0x9) at ${(ping.t / 1000).toFixed(3)} s`;
      if (!pong) {
        const close = v.serverToClient.frames.find((f) => f.frame.opcodeName === 'close' && inOrder(ping, f));
        if (close) return { held: false, detail: `${said}; the server sent its close frame without a pong` };
        return none(`${said}; no pong after it yet`);
      }
      const same = bytesEqual(ping.frame.payload, pong.frame.payload);
      return { held: same, detail: `${said}; pong ${text(pong.frame.payload)} (opcode 0xA) at ${(pong.t / 1000).toFixed(3)} s${same ? ', the same bytes' : ': different bytes'}` };
    },
  },
  {
    id: 'close-code',
    label: 'The close handshake: a close frame with code 1000 each way',
    check: (q) => {
      const { v, clientClosed, serverClosed } = own(q);
      const c = v.clientToServer.frames.find((f) => f.frame.opcodeName === 'close');
      const s = v.serverToClient.frames.find((f) => f.frame.opcodeName === 'close');
      const side = (f: FrameRow | undefined) => (f ? `code ${f.frame.closeCode ?? 'none'} "${f.frame.closeReason ?? ''}"` : 'no close frame');
      const detail = `client: ${side(c)}; server: ${side(s)}` + (c && s ? ` (${inOrder(c, s) ? 'the client' : 'the server'} closed first)` : '');
      if (!c || !s) {
        // Both sockets gone and a close frame missing: the connection ended without the handshake.
        if (clientClosed && serverClosed) return { held: false, detail: `${detail}: the TCP connection ended without it` };
        return none(`${detail} so far`);
      }
      return { held: c.frame.closeCode === 1000 && s.frame.closeCode === 1000, detail };
    },
  },
  {
    id: 'messages-vs-frames',
    label: 'The messages the server’s program got are the client’s data frames put back together: the same messages, in order, with the same bytes',
    check: (q) => {
      const { v, events, clientClosed, serverClosed } = own(q);
      const frames = v.clientToServer.frames.filter(isData);
      const { messages, broken } = assemble(v.clientToServer.frames);
      const got: Reported[] = [];
      for (const e of events) {
        if (e.kind !== 'custom' || e.actor !== 'server' || e.name !== 'ws-message' || e.data.dir !== 'received') continue;
        const d = e.data;
        if (d.type !== 'text' && d.type !== 'binary') continue;
        got.push({ type: d.type, bytes: typeof d.bytes === 'number' ? d.bytes : NaN, ...(typeof d.text === 'string' ? { text: d.text } : {}), ...(typeof d.sum === 'string' ? { sum: d.sum } : {}) });
      }
      const fragmented = messages.filter((m) => m.frames > 1).length;
      const detail = `${frames.length} data frames from the client make ${messages.length} messages (${fragmented} in several frames); the server's program got ${got.length}`;
      if (broken) return { held: false, detail: `${detail}; ${broken}` };
      for (let i = 0; i < Math.min(got.length, messages.length); i++) {
        const m = messages[i]!;
        const g = got[i]!;
        const why = g.type !== m.type ? `it is ${g.type}, the frames make ${m.type}`
          : g.bytes !== m.payload.length ? `it has ${g.bytes} B, the frames ${m.payload.length} B`
            : g.sum !== undefined && g.sum !== payloadSum(m.payload) ? 'its bytes differ (checksum)'
              : m.type === 'text' && g.text !== undefined && g.text !== utf8DecodeLenient(m.payload).slice(0, 80) ? `its text is ${JSON.stringify(g.text)}, the frames' ${text(m.payload)}`
                : null;
        if (why) return { held: false, detail: `${detail}; message ${i + 1}: ${why}` };
      }
      // A message the frames make that the server never reported, once the server is done; one
      // reported with no frames for it, once every byte the client wrote is in the trace.
      if (got.length < messages.length) return serverClosed ? { held: false, detail: `${detail}: ${messages.length - got.length} never reached the program` } : none(`${detail} so far`);
      if (got.length > messages.length) return clientClosed ? { held: false, detail: `${detail}: ${got.length - messages.length} of them in no frame` } : none(`${detail} so far`);
      if (messages.length === 0) return none(detail);
      if (fragmented === 0) return none(`${detail}; none was in several frames yet, so nothing had to be put back together`);
      const checked = got.every((g) => g.sum !== undefined) ? 'type, size and bytes (checksum)' : 'type, size and text';
      return { held: true, detail: `${detail}, each the same ${checked}, in order` };
    },
  },
];
