/**
 * Turns raw TCP segments into what the trace records: sequence numbers relative to each side's
 * initial one, the advertised window in bytes, and labels a reader of a ladder diagram looks for
 * (window 0, window update, window probe, keepalive, retransmission, dup ack).
 *
 * One FlowTracker per capture. It keeps, per connection and direction, what the last segments
 * said; every rule uses only segments seen before the current one, so the result does not depend
 * on anything after it (a live trace and a replay label alike).
 */
import type { PacketEvent, PacketLabel, TcpFlag } from '../../shared/trace/capture-events.js';
import { FLAG, type TcpSegment } from './pcap.js';

export type PacketFields = Omit<PacketEvent, 'type' | 't' | 'actor'>;

interface Side {
  /** Initial sequence number (from the SYN), or the first sequence number seen. */
  base: number;
  fromSyn: boolean;
  /** Window scale this side announced in its SYN (undefined: no option, or SYN not seen). */
  wscale: number | undefined;
  synSeen: boolean;
  /** Highest sequence number sent so far, plus one (snd_nxt as the wire shows it), absolute. */
  next: number | undefined;
  /** The last ACK number and window (bytes, or raw when unscaled) this side sent. */
  lastAck: number | undefined;
  lastWindow: number | undefined;
}

interface Flow { sides: Map<string, Side> }

const FLAG_NAMES: [number, TcpFlag][] = [
  [FLAG.SYN, 'SYN'], [FLAG.ACK, 'ACK'], [FLAG.FIN, 'FIN'], [FLAG.RST, 'RST'], [FLAG.PSH, 'PSH'], [FLAG.URG, 'URG'], [FLAG.ECE, 'ECE'], [FLAG.CWR, 'CWR'],
];

/** The flag names of every flag byte, made once (not a filter + map per segment). */
const FLAG_LISTS: TcpFlag[][] = Array.from({ length: 256 }, (_, bits) => FLAG_NAMES.filter(([bit]) => (bits & bit) !== 0).map(([, n]) => n));

const ep = (addr: string, port: number) => (addr.includes(':') ? `[${addr}]:${port}` : `${addr}:${port}`);
/** Sequence arithmetic modulo 2^32. */
const diff = (a: number, b: number) => ((a - b) | 0);
const rel = (x: number, base: number) => (x - base) >>> 0;

export class FlowTracker {
  private readonly flows = new Map<string, Flow>();

  /** Forget connections (e.g. a port reused much later); bounded memory for long captures. */
  get size(): number { return this.flows.size; }

  observe(s: TcpSegment): PacketFields {
    const src = ep(s.srcAddr, s.srcPort);
    const dst = ep(s.dstAddr, s.dstPort);
    const key = src < dst ? `${src}|${dst}` : `${dst}|${src}`;
    let flow = this.flows.get(key);
    const syn = (s.flags & FLAG.SYN) !== 0;
    const rst = (s.flags & FLAG.RST) !== 0;
    const fin = (s.flags & FLAG.FIN) !== 0;
    const ackFlag = (s.flags & FLAG.ACK) !== 0;
    // A new SYN (not SYN-ACK) on a known 4-tuple whose SYN differs starts a new connection.
    if (flow && syn && !ackFlag) {
      const old = flow.sides.get(src);
      if (old?.synSeen && old.base !== s.seq) flow = undefined;
    }
    if (!flow) {
      if (this.flows.size > 4096) this.flows.delete(this.flows.keys().next().value!);
      flow = { sides: new Map() };
      this.flows.set(key, flow);
    }
    let me = flow.sides.get(src);
    if (!me) {
      me = { base: s.seq, fromSyn: syn, wscale: undefined, synSeen: false, next: undefined, lastAck: undefined, lastWindow: undefined };
      flow.sides.set(src, me);
    }
    let peer = flow.sides.get(dst);
    if (!peer && ackFlag) {
      // The peer has sent nothing we saw: count its bytes from this acknowledgment.
      peer = { base: s.ack, fromSyn: false, wscale: undefined, synSeen: false, next: s.ack, lastAck: undefined, lastWindow: undefined };
      flow.sides.set(dst, peer);
    }
    if (syn) {
      if (!me.synSeen) { me.base = s.seq; me.fromSyn = true; }
      me.synSeen = true;
      me.wscale = s.wscale;
    }

    // The window in bytes: SYNs are never scaled; later windows use the sender's own announced
    // scale, which applies only if both SYNs carried the option (RFC 7323). Unknown without both SYNs.
    let window: number | undefined;
    if (syn) window = s.win;
    else if (me.synSeen && peer?.synSeen) window = me.wscale !== undefined && peer.wscale !== undefined ? s.win * 2 ** me.wscale : s.win;
    const win = window ?? s.win;

    const labels: PacketLabel[] = [];
    const pureAck = ackFlag && s.len === 0 && !syn && !fin && !rst;
    // Bytes this segment occupies in sequence space (SYN and FIN count one each).
    const span = s.len + (syn ? 1 : 0) + (fin ? 1 : 0);
    const peerAck = peer?.lastAck;
    const peerWindow = peer?.lastWindow;
    let probe = false;
    if (!syn && !rst && peerAck !== undefined && s.len <= 1) {
      const belowAck = diff(s.seq, peerAck) === -1;
      if (peerWindow === 0 && (belowAck || (s.len === 1 && diff(s.seq, peerAck) === 0 && !fin))) { labels.push('window probe'); probe = true; }
      else if (belowAck && !fin) { labels.push('keepalive'); probe = true; }
    }
    if (!probe && span > 0 && !rst && me.next !== undefined && diff(s.seq, me.next) < 0) labels.push('retransmission');
    if (!rst && !syn && s.win === 0) labels.push('window 0');
    if (pureAck && !probe && me.lastAck !== undefined && s.ack === me.lastAck) {
      if (me.lastWindow !== undefined && win > me.lastWindow) labels.push('window update');
      else if (me.lastWindow === win && peer?.next !== undefined && diff(peer.next, s.ack) > 0) labels.push('dup ack');
    }

    if (!probe && (me.next === undefined || diff(s.seq + span, me.next) > 0)) me.next = (s.seq + span) >>> 0;
    if (ackFlag && !rst) { me.lastAck = s.ack; me.lastWindow = win; }

    // A copy of the shared list: events are objects of their own (nothing may alias the table).
    const flags = FLAG_LISTS[s.flags & 0xff]!.slice();
    const family = s.family;
    return {
      kind: 'packet',
      src: { address: s.srcAddr, port: s.srcPort, family },
      dst: { address: s.dstAddr, port: s.dstPort, family },
      flags,
      seq: rel(s.seq, me.base),
      ...(ackFlag && peer ? { ack: rel(s.ack, peer.base) } : {}),
      fromSyn: me.fromSyn && (peer?.fromSyn ?? true),
      win: s.win,
      ...(window !== undefined ? { window } : {}),
      len: s.len,
      ...(s.mss !== undefined ? { mss: s.mss } : {}),
      ...(s.wscale !== undefined ? { wscale: s.wscale } : {}),
      labels,
    };
  }
}
