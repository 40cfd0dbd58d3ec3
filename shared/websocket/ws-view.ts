/**
 * A WebSocket connection seen as TCP bytes, from a trace: each side's write() calls on its socket
 * (the lab keeps their bytes, `captureBytes`) concatenated in order are exactly what that side put
 * on the wire. Both directions are decoded with the shared codec (shared/codecs/websocket-frame.ts):
 * the HTTP Upgrade head, then frames. Beside them, the messages the programs reported
 * (`ws-message`), the message-level view. Pure: the experiment's observations, its panel and the
 * tests use it.
 */
import type { EventOf, TraceEvent } from '../trace/schema.js';
import { base64Decode, concatBytes, toHex } from '../codecs/bytes.js';
import { sha1 } from '../codecs/sha1.js';
import { numberOf, textOf } from '../json/values.js';
import type { HttpHead } from '../codecs/http-head.js';
import { checkHandshake, computeAcceptKey, createWebSocketStreamDecoder, getHeader, WS_GUID, type HandshakeCheck, type WsFrame } from '../codecs/websocket-frame.js';

export interface FrameRow {
  /** Offset of the frame's first byte in this direction's stream. */
  offset: number;
  /** Bytes of the whole frame on the wire (header, mask key, payload). */
  wireBytes: number;
  frame: WsFrame;
  /** When the write that finished this frame happened. */
  t: number;
}

export interface Direction {
  /** Who wrote these bytes: actor and socket. */
  actor: string;
  sock?: string;
  bytes: number;
  head?: HttpHead & { t: number };
  frames: FrameRow[];
  /** A decode error (with its offset), or bytes the lab did not keep (captureBytes too small). */
  problem?: string;
}

export interface AcceptSteps {
  key: string;
  /** key + GUID, the string hashed. */
  concatenated: string;
  sha1Hex: string;
  computed: string;
  /** What the server sent. */
  actual: string | null;
}

export interface WsMessage { t: number; actor: string; dir: string; type: string; bytes: number; text?: string; code?: number }

export interface WsView {
  clientToServer: Direction;
  serverToClient: Direction;
  handshake?: HandshakeCheck;
  accept?: AcceptSteps;
  messages: WsMessage[];
}

/** The socket of `actor` that carries the connection: the client's connected socket, the server's accepted one. */
function mainSock(evs: readonly TraceEvent[], actor: string, kind: 'connect' | 'accept'): string | undefined {
  for (const e of evs) if (e.actor === actor && (e.kind === 'connect' || e.kind === 'accept') && e.kind === kind) return e.sock;
  return undefined;
}

function decodeDirection(evs: readonly TraceEvent[], actor: string, sock: string | undefined): Direction {
  const d: Direction = { actor, ...(sock ? { sock } : {}), bytes: 0, frames: [] };
  if (!sock) return d;
  const writes = evs.filter((e): e is EventOf<'write'> => e.kind === 'write' && e.actor === actor && e.sock === sock && e.bytes > 0);
  const dec = createWebSocketStreamDecoder({ maxFrameSize: 64 * 1024 * 1024 });
  for (const w of writes) {
    const bytes = w.head ? base64Decode(w.head) : null;
    if (!bytes || bytes.length < w.bytes) {
      d.problem = `the lab kept ${bytes?.length ?? 0} of the ${w.bytes} bytes written at offset ${d.bytes} (raise captureBytes to see the rest)`;
      break;
    }
    // A coalesced write record holds only the first call's bytes: it cannot be decoded further.
    if ((w.calls ?? 1) > 1) { d.problem = `writes were coalesced at offset ${d.bytes}: their bytes are not all in the trace`; break; }
    d.bytes += w.bytes;
    for (const r of dec.push(bytes.subarray(0, w.bytes))) {
      if (r.kind === 'error') { d.problem = `${r.error.code} at offset ${r.offset}: ${r.error.message}`; continue; }
      const m = r.message;
      if (m.kind === 'http-head') d.head = { ...m, t: w.t };
      else d.frames.push({ offset: r.start, wireBytes: r.end - r.start, frame: m, t: w.t });
    }
  }
  return d;
}

export function wsView(events: readonly TraceEvent[], upTo = events.length): WsView {
  const evs = events.slice(0, Math.min(upTo, events.length));
  const clientToServer = decodeDirection(evs, 'client', mainSock(evs, 'client', 'connect'));
  const serverToClient = decodeDirection(evs, 'server', mainSock(evs, 'server', 'accept'));
  const view: WsView = { clientToServer, serverToClient, messages: [] };
  const req = clientToServer.head;
  const res = serverToClient.head;
  const key = req ? getHeader(req, 'sec-websocket-key') : undefined;
  if (key) {
    const concatenated = key + WS_GUID;
    view.accept = { key, concatenated, sha1Hex: toHex(sha1(concatenated)), computed: computeAcceptKey(key), actual: res ? getHeader(res, 'sec-websocket-accept') ?? null : null };
  }
  if (req && res) view.handshake = checkHandshake(req, res);
  for (const e of evs) {
    if (e.kind !== 'custom' || e.name !== 'ws-message') continue;
    const d = e.data;
    view.messages.push({
      t: e.t, actor: e.actor, dir: textOf(d.dir), type: textOf(d.type), bytes: numberOf(d.bytes) ?? NaN,
      ...(typeof d.text === 'string' ? { text: d.text } : {}), ...(typeof d.code === 'number' ? { code: d.code } : {}),
    });
  }
  return view;
}

/** All the bytes one direction carried, for a hex view (same rules as decodeDirection). */
export function directionBytes(events: readonly TraceEvent[], actor: string, sock: string, upTo = events.length): Uint8Array {
  const parts: Uint8Array[] = [];
  for (let i = 0; i < upTo && i < events.length; i++) {
    const e = events[i]!;
    if (e.kind === 'write' && e.actor === actor && e.sock === sock && e.head) {
      const b = base64Decode(e.head);
      if (b) parts.push(b.subarray(0, e.bytes));
    }
  }
  return concatBytes(parts);
}
