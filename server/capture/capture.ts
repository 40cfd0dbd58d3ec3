/**
 * One running packet capture: tcpdump on the loopback interface writing pcap to a pipe, parsed
 * here as it arrives into TCP segments with wall-clock timestamps turned into monotonic ones.
 *
 * tcpdump must never outlive the lab: it is started under `setpriv --pdeathsig KILL` where
 * available (the kernel kills it if the lab dies, even by SIGKILL), killed on the lab's 'exit',
 * and stopped (SIGINT, then SIGKILL after a bound) when the run ends.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { PcapReader, decodeTcp, type TcpSegment } from './pcap.js';
import { findSetpriv } from './tcpdump.js';
import { wallToMonoOffset } from './wall-clock.js';
import { childEnv } from '../run/child-env.js';

export interface CaptureOptions {
  tcpdump: string;
  iface?: string;
  /** BPF filter; default all TCP (the run's ports are picked out in the plugin as they appear). */
  filter?: string;
  onSegment(seg: TcpSegment, monoMicros: number): void;
  /** tcpdump stopped on its own, or the stream broke (not called after stop()). */
  onFailure(message: string): void;
  /** The kernel's ring for tcpdump in KiB (-B); default 16384. */
  bufferKiB?: number;
  /** How long to wait for tcpdump to say it is capturing (ms). */
  readyTimeoutMs?: number;
}

/** The bounds on stopping: a moment for segments still in flight, then SIGINT, then SIGKILL. */
export const FLUSH_MS = 150;
export const STOP_GRACE_MS = 1500;
/** How often the capture's output is read while it flows (ms). */
export const READ_EVERY_MS = 8;

const live = new Set<ChildProcess>();
let exitHookInstalled = false;
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Synchronous kill on the way out (Ctrl+C of the lab, a test runner ending).
  process.on('exit', () => { for (const c of live) c.kill('SIGKILL'); });
}

export class Capture {
  private child: ChildProcess | null = null;
  private closed: Promise<void> = Promise.resolve();
  private stopping = false;
  private stderr = '';
  private readonly reader = new PcapReader();
  private offset = wallToMonoOffset();
  /** Kernel's drop count from tcpdump's closing statistics, when it printed them. */
  dropped: number | undefined;
  captured = 0;

  constructor(private readonly opts: CaptureOptions) {}

  get pid(): number | undefined { return this.child?.pid; }

  /** Starts tcpdump; resolves once it is capturing, rejects with tcpdump's own words if it cannot. */
  start(): Promise<void> {
    installExitHook();
    // -s 160: headers only (Ethernet 14 + IPv4 up to 60 or IPv6 40 + TCP up to 60 with options);
    // the payload is never looked at, its length comes from the IP header.
    // -B 16384 (KiB): the kernel's ring for tcpdump; at full speed on loopback a 4 MiB ring
    // overflowed while tcpdump waited for the CPU (the kernel then drops, and says how many).
    const args = [
      '-i', this.opts.iface ?? 'lo', '-n', '-U', '-w', '-', '-s', '160',
      '--immediate-mode', '--time-stamp-precision=nano', '-B', String(this.opts.bufferKiB ?? 16384),
    ];
    // As root tcpdump would switch to its own user, which also clears the parent-death signal;
    // we give it nothing but a pipe, so it may stay root.
    if (process.getuid?.() === 0) args.push('-Z', 'root');
    args.push(this.opts.filter ?? 'tcp');
    const setpriv = findSetpriv();
    const [cmd, argv] = setpriv ? [setpriv, ['--pdeathsig', 'KILL', '--', this.opts.tcpdump, ...args]] : [this.opts.tcpdump, args];
    // Not the lab's environment (it holds SOCKET_LAB_TOKEN): the allowlist of server/run/child-env.ts.
    const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: childEnv() });
    this.child = child;
    live.add(child);
    child.once('exit', () => live.delete(child));
    // 'close' comes after 'exit' once every byte of its output has been read.
    this.closed = new Promise<void>((resolve) => child.once('close', () => resolve()));

    const out = child.stdout!;
    let broken = false;
    const take = (chunk: Buffer) => {
      if (broken) return;
      let packets;
      try { packets = this.reader.push(chunk); } catch (err) {
        broken = true;
        this.opts.onFailure(`capture stream unreadable: ${(err as Error).message}`);
        child.kill('SIGKILL');
        return;
      }
      for (const p of packets) {
        const seg = decodeTcp(p);
        if (!seg) continue;
        this.captured++;
        this.opts.onSegment(seg, Math.round(p.tsMicros - this.offset.offsetMicros));
      }
    };
    // tcpdump -U writes each packet on its own; read in batches instead: at most every READ_EVERY_MS
    // take all that arrived as one buffer. A 'data' event per packet was most of the lab's cost at
    // full speed. Timestamps are the kernel's, so batching moves no segment in time; what waits
    // meanwhile sits in Node's buffer, the pipe and tcpdump's ring (-B).
    let batch: NodeJS.Timeout | null = null;
    const drain = () => {
      batch = null;
      for (let chunk = out.read() as Buffer | null; chunk !== null; chunk = out.read() as Buffer | null) take(chunk);
    };
    out.on('readable', () => { batch ??= setTimeout(drain, READ_EVERY_MS); });
    child.stderr!.setEncoding('utf8');
    return new Promise<void>((resolve, reject) => {
      let ready = false;
      const timer = setTimeout(() => {
        if (ready) return;
        child.kill('SIGKILL');
        reject(new Error(`tcpdump did not start capturing within ${this.opts.readyTimeoutMs ?? 4000} ms`));
      }, this.opts.readyTimeoutMs ?? 4000);
      child.stderr!.on('data', (text: string) => {
        if (this.stderr.length < 8192) this.stderr += text;
        if (!ready && /listening on/.test(this.stderr)) {
          ready = true;
          clearTimeout(timer);
          // Recalibrate right at the start of capture: the offset is what maps every timestamp.
          this.offset = wallToMonoOffset();
          resolve();
        }
      });
      child.once('error', (err) => { clearTimeout(timer); if (!ready) reject(err); });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        const said = this.stderr.trim().split('\n').filter((l) => !/listening on|packets? (captured|received|dropped)/.test(l)).join(' ').slice(0, 300);
        if (!ready) reject(new Error(said || `tcpdump exited (${signal ?? `code ${code}`}) before capturing`));
        else if (!this.stopping) this.opts.onFailure(`tcpdump stopped (${signal ?? `code ${code}`})${said ? `: ${said}` : ''}`);
      });
    });
  }

  /** Stops tcpdump after a short flush; resolves once its output is fully read. Bounded. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child || this.stopping) return;
    this.stopping = true;
    const running = () => child.exitCode === null && child.signalCode === null;
    if (running()) {
      // The last segments (FIN, final ACK) may still be on their way through the pipe.
      await new Promise((r) => setTimeout(r, FLUSH_MS));
      child.kill('SIGINT'); // tcpdump flushes its buffer and prints its statistics
    }
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    // 'close' normally follows at once; the outer bound covers a pipe someone else still holds.
    let bound: NodeJS.Timeout | undefined;
    await Promise.race([this.closed, new Promise((r) => { bound = setTimeout(r, STOP_GRACE_MS * 2); })]);
    clearTimeout(bound);
    clearTimeout(killer);
    if (running()) child.kill('SIGKILL');
    const m = /(\d+) packets? dropped by kernel/.exec(this.stderr);
    if (m) this.dropped = Number(m[1]);
  }
}
