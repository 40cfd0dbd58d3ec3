/**
 * Packet capture as a run plugin: every TCP segment on the loopback interface that belongs to the
 * run becomes a `packet` event (shared/trace/capture-events.ts), so the ladder can draw what
 * really crossed the wire (SYN, FIN, RST, zero windows and probes) next to the programs' calls.
 *
 * Which segments belong to the run: those with a port the run uses (ctx.ports(), the same rule
 * as the kernel observer). The catch is time: a port becomes known when an actor reports its
 * listen / connect / accept, while the capture must already be running for the first SYN. So:
 *
 * 1. tcpdump starts before any actor, capturing all TCP on `lo` ("broad"). Segments whose ports
 *    are not the run's (yet) wait in a short, bounded holding area: written if one of their ports
 *    turns up within HOLD_MS, else forgotten.
 * 2. When the first port is known, a second tcpdump starts with a kernel filter on the run's
 *    ports ("narrow"), so a busy loopback (other runs, benchmarks) is not copied to us at all —
 *    a broad capture under load drops packets. Once the narrow one is capturing, the two hand
 *    over at that instant T: the old one's segments before T, the new one's from T on. Both see
 *    every segment (with timestamps a few hundred ns apart), so a segment near T found in both
 *    is written once (matched by its header), and none is lost while tcpdump restarts.
 * 3. A later port starts another handover only if no captured segment has shown it yet (a
 *    client's ephemeral port is covered by the listening port it talks to).
 *
 * When tcpdump is missing or may not capture, the capability says so and how to turn it on; the
 * run goes on without packets.
 */
import { Capture } from '../capture/capture.js';
import { FlowTracker, type PacketFields } from '../capture/tcp-flows.js';
import { Coalescer, GAP_US } from '../capture/coalesce.js';
import { monoMicros } from '../actor/clock.js';
import type { TcpSegment } from '../capture/pcap.js';
import { HOW_TO_ENABLE, findTcpdump, hasCapNetRaw } from '../capture/tcpdump.js';
import type { RunContext, RunPlugin, RunPluginFactory } from './plugin.js';

/** How long a segment with unknown ports is held, and how many at most. */
export const HOLD_MS = 3000;
const HOLD_MAX = 20_000;
/** Wait this long after a new port before deciding whether the filter must grow (ms). */
const REFILTER_DEBOUNCE_MS = 40;
const COVER_CHECK_MS = 300;
/** A kernel filter with more ports than this is not worth it: stay broad. */
const MAX_FILTER_PORTS = 40;
/** Near a handover, segments within this much of the cut are matched between the two captures (µs). */
const HANDOVER_WINDOW_US = 2000;

interface Tap {
  capture: Capture;
  /** Ports in its kernel filter; null = all TCP. */
  ports: Set<number> | null;
  /** Segments with timestamps in [from, until) are this tap's to write (µs, monotonic). */
  from: number;
  until: number;
  /** While the previous tap is still flushing, this tap's segments wait here, in arrival order. */
  queue: { seg: TcpSegment; mono: number }[] | null;
}

export interface CapturePluginOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  iface?: string;
  /** False: every segment its own event, however fast (for comparison; default true). */
  coalesce?: boolean;
  /** tcpdump's kernel ring in KiB (-B); default Capture's. */
  bufferKiB?: number;
}

export class CapturePlugin implements RunPlugin {
  readonly name = 'capture';
  private ctx: RunContext | null = null;
  private tcpdump = '';
  private current: Tap | null = null;
  private retiring: Promise<void> | null = null;
  private switching = false;
  private refilterTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  /** tcpdump ended on its own (killed, crashed): this run captures no more (the trace says so). */
  private failed = false;
  private readonly flows = new FlowTracker();
  /** Fast runs of plain data / plain ACKs become one event each (server/capture/coalesce.ts). */
  private readonly coalescer = new Coalescer((f, mono) => this.emit(f, mono));
  private idleTimer: NodeJS.Timeout | null = null;
  private toldSummaries = false;
  private held: { seg: TcpSegment; mono: number }[] = [];
  /** How many ports the run had when the held segments were last scanned. */
  private portsAtScan = -1;
  /** Ports seen in a segment the current narrow tap captured. */
  private readonly covered = new Set<number>();
  /** Headers of segments the old tap wrote near the cut, to drop the new tap's copies. */
  private nearCut = new Map<string, number>();
  /** Kernel drop counts from tcpdump's statistics: while capturing all of lo, and while filtered. */
  private droppedBroad = 0;
  private droppedNarrow = 0;
  private readonly timers = new Set<NodeJS.Timeout>();
  /** Every tcpdump process id this plugin started (tests check none survives the run). */
  readonly pids: number[] = [];
  /** How many tcpdump processes took over from another (for tests and the closing note). */
  handovers = 0;

  constructor(private readonly opts: CapturePluginOptions = {}) {}

  async start(ctx: RunContext): Promise<string> {
    const platform = this.opts.platform ?? process.platform;
    const env = this.opts.env ?? process.env;
    if (env.SOCKET_LAB_CAPTURE === 'off') return HOW_TO_ENABLE.disabled;
    if (platform !== 'linux') return HOW_TO_ENABLE.notLinux(platform);
    const tcpdump = findTcpdump(env);
    if (!tcpdump) return HOW_TO_ENABLE.noTcpdump;
    this.tcpdump = tcpdump;
    this.ctx = ctx;
    let tap: Tap;
    try {
      tap = await this.open(null, -Infinity);
    } catch (err) {
      this.ctx = null;
      const said = (err as Error).message;
      const cap = hasCapNetRaw();
      if (/permission|not permitted|privilege/i.test(said) || cap === false) {
        return HOW_TO_ENABLE.noPermission(tcpdump, cap === false ? `this process has no CAP_NET_RAW; tcpdump said: ${said}` : said);
      }
      return `off: tcpdump could not capture: ${said}`;
    }
    this.current = tap;
    // A pending run is written once no segment can join it any more: a few ms late at worst.
    this.idleTimer = setInterval(() => this.coalescer.flushIdle(monoMicros()), 20);
    ctx.onPort((port) => this.onPort(port));
    for (const p of ctx.ports()) this.onPort(p);
    return 'on';
  }

  /** Starts a tcpdump for these ports (null = all TCP); resolves once it is capturing. */
  private async open(ports: Set<number> | null, from: number): Promise<Tap> {
    const filter = ports ? `tcp and (${[...ports].map((p) => `port ${p}`).join(' or ')})` : 'tcp';
    const tap: Tap = { capture: null as unknown as Capture, ports, from, until: Infinity, queue: null };
    tap.capture = new Capture({
      tcpdump: this.tcpdump,
      filter,
      ...(this.opts.iface ? { iface: this.opts.iface } : {}),
      ...(this.opts.bufferKiB ? { bufferKiB: this.opts.bufferKiB } : {}),
      onSegment: (seg, mono) => this.onSegment(tap, seg, mono),
      onFailure: (message) => this.onFailure(tap, message),
    });
    const started = tap.capture.start();
    if (tap.capture.pid !== undefined) this.pids.push(tap.capture.pid);
    await started;
    return tap;
  }

  /**
   * A tcpdump ended by itself (kill -9, a crash) or its stream broke. If it was the one capturing,
   * capture is over for this run: no new tcpdump is started behind the trace's back, and the
   * trace says from when the ladder has no packets. The run itself goes on.
   */
  private onFailure(tap: Tap, message: string): void {
    if (!this.ctx || this.stopped) return;
    if (tap !== this.current) {
      // The retiring capture of a handover: its successor goes on, but what it still had to hand over may be gone.
      this.ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: ${message} (the capture being handed over; the new one goes on, but segments from just before the handover may be missing)` });
      return;
    }
    const first = !this.failed;
    this.failed = true;
    if (this.refilterTimer) { clearTimeout(this.refilterTimer); this.refilterTimer = null; }
    this.ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: ${message}${first ? '; capture stopped: from here on the ladder shows no packets (the run goes on)' : ''}` });
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => { this.timers.delete(t); fn(); }, ms);
    this.timers.add(t);
  }

  private onPort(port: number): void {
    this.release();
    if (this.stopped || this.failed || !this.current) return;
    if (this.current.ports === null) this.scheduleRefilter(REFILTER_DEBOUNCE_MS);
    // A port already seen beside a filtered one needs nothing; check once its first segments had time to arrive.
    else if (!this.current.ports.has(port)) this.later(() => { if (!this.covered.has(port) && !this.current?.ports?.has(port)) this.scheduleRefilter(0); }, COVER_CHECK_MS);
  }

  private scheduleRefilter(ms: number): void {
    if (this.refilterTimer || this.stopped || this.failed) return;
    this.refilterTimer = setTimeout(() => { this.refilterTimer = null; void this.refilter(); }, ms);
  }

  /** Hand over to a tcpdump filtered on every port of the run so far. */
  private async refilter(): Promise<void> {
    const ctx = this.ctx;
    const old = this.current;
    if (!ctx || !old || this.stopped || this.failed) return;
    if (this.switching) { this.scheduleRefilter(100); return; }
    const ports = new Set(ctx.ports());
    if (ports.size === 0 || ports.size > MAX_FILTER_PORTS) return;
    if (old.ports && [...ports].every((p) => old.ports!.has(p))) return;
    this.switching = true;
    let next: Tap;
    try {
      next = await this.open(ports, 0);
    } catch (err) {
      // Keep the capture we have; it still sees everything it saw before.
      ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: could not narrow the filter (${(err as Error).message}); still capturing all TCP on lo` });
      this.switching = false;
      return;
    }
    if (this.stopped || this.failed) { await next.capture.stop(); this.switching = false; return; }
    // The cut: from now on the new tap's segments count; the old one finishes what came before.
    const cut = ctxNow();
    old.until = cut;
    next.from = cut;
    next.queue = [];
    this.nearCut = new Map();
    this.current = next;
    this.covered.clear();
    this.handovers++;
    this.retiring = old.capture.stop().then(() => {
      this.noteDrops(old);
      const queued = next.queue ?? [];
      next.queue = null;
      for (const q of queued) this.accept(next, q.seg, q.mono);
      this.switching = false;
      this.retiring = null;
    });
  }

  private onSegment(tap: Tap, seg: TcpSegment, mono: number): void {
    if (!this.ctx) return;
    if (tap.queue) { tap.queue.push({ seg, mono }); return; }
    this.accept(tap, seg, mono);
  }

  /**
   * Decide whether this tap owns the segment, then write or hold it. A retiring tap owns what came
   * before the cut; the current one what came after. Near the cut both may have it: the retiring
   * tap (always processed first) notes what it wrote, and the current one skips those copies.
   */
  private accept(tap: Tap, seg: TcpSegment, mono: number): void {
    if (tap !== this.current) {
      if (mono >= tap.until) return;
      if (tap.until - mono < HANDOVER_WINDOW_US) {
        const k = headerKey(seg);
        this.nearCut.set(k, (this.nearCut.get(k) ?? 0) + 1);
      }
    } else if (tap.from !== -Infinity) {
      if (mono < tap.from - HANDOVER_WINDOW_US) return;
      if (mono < tap.from + HANDOVER_WINDOW_US) {
        const k = headerKey(seg);
        const n = this.nearCut.get(k) ?? 0;
        if (n > 0) { this.nearCut.set(k, n - 1); return; }
      }
    }
    if (tap.ports) { this.covered.add(seg.srcPort); this.covered.add(seg.dstPort); }
    if (this.held.length) this.releaseIfNew(mono);
    if (this.belongs(seg)) this.write(seg, mono);
    else {
      this.held.push({ seg, mono });
      if (this.held.length > HOLD_MAX) this.held.shift();
    }
  }

  private belongs(seg: TcpSegment): boolean {
    const ports = this.ctx!.ports();
    return ports.has(seg.srcPort) || ports.has(seg.dstPort);
  }

  /**
   * Per segment, cheaply: forget held segments that are too old (the list is in arrival order),
   * and rescan it only when the run has a port it did not have at the last scan. A busy loopback
   * can hold thousands of foreign segments here; scanning them all per segment would be quadratic.
   */
  private releaseIfNew(now: number): void {
    let old = 0;
    while (old < this.held.length && now - this.held[old]!.mono >= HOLD_MS * 1000) old++;
    if (old) this.held.splice(0, old);
    const size = this.ctx!.ports().size;
    if (size !== this.portsAtScan) this.release(now);
  }

  /** Write held segments whose ports are now known; forget those held too long. */
  private release(now?: number): void {
    if (!this.ctx) return;
    this.portsAtScan = this.ctx.ports().size;
    if (this.held.length === 0) return;
    const keep: typeof this.held = [];
    const newest = now ?? this.held[this.held.length - 1]!.mono;
    for (const h of this.held) {
      if (this.belongs(h.seg)) this.write(h.seg, h.mono);
      else if (newest - h.mono < HOLD_MS * 1000) keep.push(h);
    }
    this.held = keep;
  }

  private write(seg: TcpSegment, mono: number): void {
    if (this.opts.coalesce === false) this.emit(this.flows.observe(seg), mono);
    else this.coalescer.push(this.flows.observe(seg), mono);
  }

  private emit(fields: PacketFields, mono: number): void {
    if (!this.ctx) return;
    if (fields.count !== undefined && !this.toldSummaries) {
      this.toldSummaries = true;
      this.ctx.append({ actor: 'lab', kind: 'note', level: 'info', text: `capture: segments are coming less than ${GAP_US / 1000} ms apart; runs of plain data or plain ACKs in one direction are drawn as one arrow "×N segments" (SYN, FIN, RST, window 0, window updates, probes, retransmissions and dup ACKs are always shown one by one)` });
    }
    this.ctx.append({ actor: 'wire', ...fields }, mono);
  }

  private noteDrops(tap: Tap): void {
    if (!tap.capture.dropped) return;
    if (tap.ports) this.droppedNarrow += tap.capture.dropped;
    else this.droppedBroad += tap.capture.dropped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.refilterTimer) clearTimeout(this.refilterTimer);
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // A handover in progress: let it finish (bounded by Capture.stop's own bounds).
    while (this.switching && this.retiring === null) await new Promise((r) => setTimeout(r, 20));
    if (this.retiring) await this.retiring;
    const tap = this.current;
    this.current = null;
    if (tap) {
      await tap.capture.stop();
      this.noteDrops(tap);
      if (tap.queue) { const q = tap.queue; tap.queue = null; for (const x of q) this.accept(tap, x.seg, x.mono); }
    }
    this.release();
    this.held = [];
    if (this.idleTimer) clearInterval(this.idleTimer);
    this.idleTimer = null;
    this.coalescer.flushAll();
    if (this.coalescer.summaries && this.ctx) {
      this.ctx.append({ actor: 'lab', kind: 'note', level: 'info', text: `capture: ${this.coalescer.summarised} segments were summarised as ${this.coalescer.summaries} packet events (runs of plain data or ACKs less than ${GAP_US / 1000} ms apart; each carries its count)` });
    }
    if (this.droppedNarrow && this.ctx) {
      this.ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: the kernel dropped ${this.droppedNarrow} of this run's packets before tcpdump could read them; the ladder misses them` });
    }
    if (this.droppedBroad && this.ctx) {
      this.ctx.append({ actor: 'lab', kind: 'note', level: 'info', text: `capture: while it captured all TCP on lo (before the run's ports were known) the kernel dropped ${this.droppedBroad} packets, most likely other programs' traffic` });
    }
    this.ctx = null;
  }
}

/** A segment's header, to recognise the same segment in two captures. */
function headerKey(s: TcpSegment): string {
  return `${s.srcAddr}:${s.srcPort}>${s.dstAddr}:${s.dstPort} ${s.seq} ${s.ack} ${s.flags} ${s.len} ${s.win}`;
}

function ctxNow(): number {
  return Number(process.hrtime.bigint() / 1000n);
}

export function capturePlugin(opts: CapturePluginOptions = {}): RunPluginFactory {
  return () => new CapturePlugin(opts);
}
