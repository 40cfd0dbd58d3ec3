/**
 * What the websocket experiment expects, checked by decoding the TCP bytes both programs wrote
 * (shared/websocket/ws-view.ts, with the shared frame codec) — not by asking `ws`.
 */
import type { ObservationSpec } from '../experiment.js';
import { wsView, type Direction } from '../../../shared/websocket/ws-view.js';

const problem = (d: Direction) => (d.problem ? ` (${d.actor}: ${d.problem})` : '');

export const observations: ObservationSpec[] = [
  {
    id: 'accept-key',
    label: 'The upgrade: 101 Switching Protocols, and Sec-WebSocket-Accept is base64(SHA-1(key + GUID))',
    check: (q) => {
      const v = wsView(q.events);
      if (!v.handshake || !v.accept) return { held: false, detail: `no complete Upgrade request and response in the bytes yet${problem(v.clientToServer)}${problem(v.serverToClient)}` };
      const a = v.accept;
      return {
        held: v.handshake.ok && a.actual === a.computed,
        detail: `key ${a.key} → SHA-1 ${a.sha1Hex} → base64 ${a.computed}; the server sent ${a.actual ?? 'nothing'}` +
          (v.handshake.problems.length ? `; problems: ${v.handshake.problems.join(', ')}` : ''),
      };
    },
  },
  {
    id: 'masking',
    label: 'Every frame from the client is masked (with its own key); no frame from the server is',
    check: (q) => {
      const v = wsView(q.events);
      const c = v.clientToServer.frames;
      const s = v.serverToClient.frames;
      if (c.length === 0 || s.length === 0) return { held: false, detail: `frames so far: ${c.length} from the client, ${s.length} from the server${problem(v.clientToServer)}${problem(v.serverToClient)}` };
      const keys = new Set(c.map((f) => (f.frame.maskingKey ? Array.from(f.frame.maskingKey).join(',') : '')));
      return {
        held: c.every((f) => f.frame.masked) && s.every((f) => !f.frame.masked),
        detail: `${c.filter((f) => f.frame.masked).length} of ${c.length} client frames masked (${keys.size} different keys); ${s.filter((f) => f.frame.masked).length} of ${s.length} server frames masked`,
      };
    },
  },
  {
    id: 'length-forms',
    label: 'Payload lengths in all three forms: 7-bit, 16-bit (126) and 64-bit (127)',
    check: (q) => {
      const v = wsView(q.events);
      const all = [...v.clientToServer.frames, ...v.serverToClient.frames];
      const by = (form: number) => all.filter((f) => f.frame.lengthForm === form).map((f) => f.frame.payloadLength);
      const forms = [7, 16, 64].map((n) => ({ n, lens: by(n) }));
      return {
        held: forms.every((f) => f.lens.length > 0),
        detail: forms.map((f) => `${f.n}-bit: ${f.lens.length ? `${f.lens.length} frames (${Math.min(...f.lens)}–${Math.max(...f.lens)} B)` : 'none'}`).join('; '),
      };
    },
  },
  {
    id: 'fragments',
    label: 'A message in two frames: FIN 0, then a continuation frame with FIN 1',
    check: (q) => {
      const f = wsView(q.events).clientToServer.frames;
      const i = f.findIndex((x) => !x.frame.fin && x.frame.opcodeName === 'text');
      const cont = i >= 0 ? f.slice(i + 1).find((x) => x.frame.opcodeName === 'continuation' && x.frame.fin) : undefined;
      if (!cont) return { held: false, detail: 'no fragmented message in the client’s frames yet' };
      return { held: true, detail: `text frame FIN 0 "${f[i]!.frame.text}" at offset ${f[i]!.offset}, continuation FIN 1 "${cont.frame.text}" at offset ${cont.offset}` };
    },
  },
  {
    id: 'ping-pong',
    label: 'A ping from the client is answered by a pong with the same payload',
    check: (q) => {
      const v = wsView(q.events);
      const ping = v.clientToServer.frames.find((f) => f.frame.opcodeName === 'ping');
      const pong = v.serverToClient.frames.find((f) => f.frame.opcodeName === 'pong');
      if (!ping || !pong) return { held: false, detail: `ping ${ping ? 'sent' : 'not seen'}, pong ${pong ? 'seen' : 'not seen'}` };
      const same = ping.frame.payload.length === pong.frame.payload.length && ping.frame.payload.every((b, i) => b === pong.frame.payload[i]);
      return { held: same, detail: `ping "${new TextDecoder().decode(ping.frame.payload)}" (opcode 0x9), pong "${new TextDecoder().decode(pong.frame.payload)}" (opcode 0xA)` };
    },
  },
  {
    id: 'close-code',
    label: 'The close handshake: a close frame with code 1000 each way',
    check: (q) => {
      const v = wsView(q.events);
      const c = v.clientToServer.frames.find((f) => f.frame.opcodeName === 'close');
      const s = v.serverToClient.frames.find((f) => f.frame.opcodeName === 'close');
      if (!c || !s) return { held: false, detail: `close from the client: ${c ? c.frame.closeCode : 'not seen'}; from the server: ${s ? s.frame.closeCode : 'not seen'}` };
      return {
        held: c.frame.closeCode === 1000 && s.frame.closeCode === 1000,
        detail: `client: code ${c.frame.closeCode} "${c.frame.closeReason ?? ''}"; server: code ${s.frame.closeCode} "${s.frame.closeReason ?? ''}"`,
      };
    },
  },
  {
    id: 'messages-vs-frames',
    label: 'The messages the server got are the client’s data frames put back together',
    check: (q) => {
      const v = wsView(q.events);
      const frames = v.clientToServer.frames.filter((f) => ['text', 'binary', 'continuation'].includes(f.frame.opcodeName));
      const messagesFromFrames = frames.filter((f) => f.frame.fin).length;
      const got = v.messages.filter((m) => m.actor === 'server' && m.dir === 'received' && (m.type === 'text' || m.type === 'binary'));
      return {
        held: messagesFromFrames > 0 && got.length === messagesFromFrames && frames.length > messagesFromFrames,
        detail: `${frames.length} data frames from the client make ${messagesFromFrames} messages; the server's program got ${got.length} messages`,
      };
    },
  },
];
