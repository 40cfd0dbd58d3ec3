/**
 * Packet capture as a run plugin: every TCP segment on the loopback interface that belongs to the
 * run becomes a `packet` event (shared/trace/capture-events.ts), so the ladder can draw what
 * really crossed the wire (SYN, FIN, RST, zero windows and probes) next to the programs' calls.
 *
 * Which segments belong to the run: those with a port the run uses (ctx.ports(), the same rule
 * as the kernel observer). Ports become known only when an actor reports a listen / connect /
 * accept, a little after the kernel already sent the SYN; so tcpdump captures all TCP on `lo`
 * from before the first actor starts, and segments whose ports are not (yet) the run's wait in a
 * short, bounded holding area: they are written if one of their ports turns up within
 * HOLD_MS, else forgotten. Restarting tcpdump with a narrower filter per new port would lose the
 * segments sent while it restarts — the handshake, exactly what must not be lost.
 *
 * When tcpdump is missing or may not capture, the capability says so and how to turn it on; the
 * run goes on without packets.
 */
import { Capture } from '../capture/capture.js';
import { FlowTracker } from '../capture/tcp-flows.js';
import type { TcpSegment } from '../capture/pcap.js';
import { HOW_TO_ENABLE, findTcpdump, hasCapNetRaw } from '../capture/tcpdump.js';
import type { RunContext, RunPlugin, RunPluginFactory } from './plugin.js';

/** How long a segment with unknown ports is held, and how many at most. */
export const HOLD_MS = 3000;
const HOLD_MAX = 20_000;

export interface CapturePluginOptions {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  iface?: string;
}

export class CapturePlugin implements RunPlugin {
  readonly name = 'capture';
  private capture: Capture | null = null;
  private ctx: RunContext | null = null;
  private readonly flows = new FlowTracker();
  private held: { seg: TcpSegment; mono: number }[] = [];
  private written = 0;

  constructor(private readonly opts: CapturePluginOptions = {}) {}

  /** The tcpdump process id, kept after stop (tests check it is gone after the run). */
  pid: number | undefined;

  async start(ctx: RunContext): Promise<string> {
    const platform = this.opts.platform ?? process.platform;
    const env = this.opts.env ?? process.env;
    if (env.SOCKET_LAB_CAPTURE === 'off') return HOW_TO_ENABLE.disabled;
    if (platform !== 'linux') return HOW_TO_ENABLE.notLinux(platform);
    const tcpdump = findTcpdump(env);
    if (!tcpdump) return HOW_TO_ENABLE.noTcpdump;
    this.ctx = ctx;
    const capture = new Capture({
      tcpdump,
      ...(this.opts.iface ? { iface: this.opts.iface } : {}),
      onSegment: (seg, mono) => this.onSegment(seg, mono),
      onFailure: (message) => ctx.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: ${message}` }),
    });
    try {
      await capture.start();
    } catch (err) {
      const said = (err as Error).message;
      const cap = hasCapNetRaw();
      if (/permission|not permitted|privilege/i.test(said) || cap === false) {
        return HOW_TO_ENABLE.noPermission(tcpdump, cap === false ? `this process has no CAP_NET_RAW; tcpdump said: ${said}` : said);
      }
      return `off: tcpdump could not capture: ${said}`;
    }
    this.capture = capture;
    this.pid = capture.pid;
    ctx.onPort(() => this.release());
    return 'on';
  }

  private belongs(seg: TcpSegment): boolean {
    const ports = this.ctx!.ports();
    return ports.has(seg.srcPort) || ports.has(seg.dstPort);
  }

  private onSegment(seg: TcpSegment, mono: number): void {
    if (!this.ctx) return;
    // Older held segments go first so each connection is tracked in order.
    if (this.held.length) this.release(mono);
    if (this.belongs(seg)) this.write(seg, mono);
    else {
      this.held.push({ seg, mono });
      if (this.held.length > HOLD_MAX) this.held.shift();
    }
  }

  /** Write held segments whose ports are now known; forget those held too long. */
  private release(now?: number): void {
    if (!this.ctx || this.held.length === 0) return;
    const keep: typeof this.held = [];
    const newest = now ?? this.held[this.held.length - 1]!.mono;
    for (const h of this.held) {
      if (this.belongs(h.seg)) this.write(h.seg, h.mono);
      else if (newest - h.mono < HOLD_MS * 1000) keep.push(h);
    }
    this.held = keep;
  }

  private write(seg: TcpSegment, mono: number): void {
    this.written++;
    this.ctx!.append({ actor: 'wire', ...this.flows.observe(seg) }, mono);
  }

  async stop(): Promise<void> {
    const capture = this.capture;
    if (!capture) return;
    this.capture = null;
    await capture.stop();
    this.release();
    this.held = [];
    if (capture.dropped) {
      this.ctx?.append({ actor: 'lab', kind: 'note', level: 'warn', text: `capture: the kernel dropped ${capture.dropped} packets (tcpdump could not keep up); the ladder misses them` });
    }
    this.ctx = null;
  }
}

export function capturePlugin(opts: CapturePluginOptions = {}): RunPluginFactory {
  return () => new CapturePlugin(opts);
}
