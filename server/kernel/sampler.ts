/**
 * The Sampler: polls one observer method (method.ts) at a fixed rate and writes `sample` trace
 * events: a socket's first sight, every change (compared on every tick, so no change survives two
 * ticks unseen), and GONE when it disappears. Identical consecutive samples are left out
 * (elision). With an `owner` (ownership.ts) it keeps only the run's own sockets of each dump,
 * whichever method made it.
 */
import { performance } from 'node:perf_hooks';
import type { SampleEvent } from '../../shared/trace/kernel-events.js';
import { chosenMethod, openMethod, type KernelSocket, type ObserverMethod, type ObserverMethodName } from './method.js';
import type { SocketOwner } from './ownership.js';

export interface SamplerOptions {
  /** Ports of the run (listeners and connections); more can be added as the run learns them. */
  ports?: Iterable<number>;
  /** Receives every `sample` event, in time order. */
  emit: (event: SampleEvent) => void;
  /** Milliseconds since the run started (monotonic). Default: since the Sampler was made. */
  now?: () => number;
  /** Samples per second; default 50. */
  rateHz?: number;
  /** A method, a preferred method name, or default (sock_diag, falling back to ss). */
  method?: ObserverMethod | ObserverMethodName;
  /** A sample that failed (the next tick tries again). */
  onError?: (error: Error) => void;
  /** The event's actor; default "kernel". */
  actor?: string;
  /**
   * Decides which sockets on the ports are the run's own (ownership.ts). Without one, every
   * socket on the ports is sampled (port match only).
   */
  owner?: SocketOwner;
}

export interface SamplerStats {
  method: ObserverMethodName;
  ticks: number;
  /** Ticks skipped: the previous sample was still running (ss at high rates), or the event loop was too busy to keep the deadline. */
  overruns: number;
  errors: number;
  emitted: number;
  elided: number;
  gone: number;
  tracked: number;
  lastCostUs: number;
  maxCostUs: number;
  /** Mean time a query took (µs), over all successful ticks. */
  meanCostUs: number;
}

interface Tracked {
  last: KernelSocket;
  t: number;
  /** How long the query that produced `last` took (ms): the uncertainty of `t`. */
  slackMs: number;
}

/**
 * Samples the run's sockets at a fixed rate and writes what changed. Each tick compares every
 * socket with the last sample written for it, so a change is written at the first tick that sees
 * it. It does not depend on any actor process: it runs until stop(), which the run manager calls
 * when the run ends (sockets that outlive their programs are the point).
 */
export class Sampler {
  readonly method: ObserverMethod;
  private readonly ports = new Set<number>();
  private readonly tracked = new Map<string, Tracked>();
  private readonly now: () => number;
  private readonly rateHz: number;
  private readonly actor: string;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private running: Promise<void> | undefined;
  private readonly counts: Omit<SamplerStats, 'method' | 'tracked' | 'meanCostUs'> = {
    ticks: 0, overruns: 0, errors: 0, emitted: 0, elided: 0, gone: 0, lastCostUs: 0, maxCostUs: 0,
  };
  private totalCostUs = 0;
  private timedTicks = 0;

  /**
   * Why each method is or is not usable, when the Sampler chose the method itself (for the trace
   * header's capabilities); undefined when a method object was passed in.
   */
  readonly availability: Record<ObserverMethodName, string> | undefined;

  /**
   * Throws if no method is available (the message gives each method's reason, for the trace
   * header). The Sampler owns its method from here on: close() closes it.
   */
  constructor(private readonly opts: SamplerOptions) {
    this.rateHz = opts.rateHz ?? 50;
    if (!(this.rateHz > 0 && this.rateHz <= 1000)) throw new RangeError(`rateHz must be in (0, 1000], got ${this.rateHz}`);
    for (const p of opts.ports ?? []) this.addPort(p);
    const m = opts.method;
    if (m && typeof m === 'object') this.method = m;
    else {
      const choice = openMethod(m ?? 'sock_diag');
      this.method = chosenMethod(choice);
      this.availability = choice.availability;
    }
    const t0 = performance.now();
    this.now = opts.now ?? (() => performance.now() - t0);
    this.actor = opts.actor ?? 'kernel';
  }

  addPort(port: number): void {
    if (!Number.isInteger(port) || port <= 0 || port > 65535) throw new RangeError(`bad port ${port}`);
    this.ports.add(port);
  }

  /** Stops watching a port; its sockets are forgotten without a GONE event (they did not go). */
  removePort(port: number): void {
    this.ports.delete(port);
    for (const [key, tr] of this.tracked) {
      if (!this.ports.has(tr.last.local.port) && !this.ports.has(tr.last.remote.port)) this.tracked.delete(key);
    }
  }

  get portList(): number[] {
    return [...this.ports];
  }

  /**
   * Samples every 1/rateHz s from now on. Each tick is scheduled against a fixed deadline
   * (start + k * period) rather than with setInterval, which re-arms from the moment its callback
   * ran and so drifts by the callback's lateness every period (measured: 47/s asked 50, 90/s
   * asked 100). Deadlines that passed while a tick was still running are skipped and counted as
   * overruns. The timer is unref()ed: the lab server's lifetime is not the sampler's business.
   */
  start(): void {
    if (this.started) return;
    this.started = true;
    const period = 1000 / this.rateHz;
    let next = performance.now() + period;
    const arm = () => {
      const late = performance.now() - next;
      if (late > period) {
        const missed = Math.floor(late / period);
        this.counts.overruns += missed;
        next += missed * period;
      }
      this.timer = setTimeout(fire, Math.max(0, next - performance.now()));
      this.timer.unref();
    };
    const fire = () => {
      if (!this.started) return;
      next += period;
      void this.tick();
      arm();
    };
    arm();
  }

  /** Stops the timer; waits for a sample in progress. The method stays open until close(). */
  async stop(): Promise<void> {
    this.started = false;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** stop(), then closes the method (its netlink socket). */
  async close(): Promise<void> {
    await this.stop();
    this.method.close();
  }

  stats(): SamplerStats {
    const meanCostUs = this.timedTicks ? Math.round(this.totalCostUs / this.timedTicks) : 0;
    return { method: this.method.name, tracked: this.tracked.size, ...this.counts, meanCostUs };
  }

  /** Takes one sample now (the interval calls this; so can the run manager, e.g. at the end). */
  tick(): Promise<void> {
    if (this.running) {
      this.counts.overruns++;
      return this.running;
    }
    this.running = this.sample().finally(() => (this.running = undefined));
    return this.running;
  }

  private async sample(): Promise<void> {
    this.counts.ticks++;
    const t0 = this.now();
    const w0 = performance.now();
    let sockets: KernelSocket[];
    try {
      sockets = this.method.querySync ? this.method.querySync(this.ports) : await this.method.query(this.ports);
    } catch (e) {
      this.counts.errors++;
      this.opts.onError?.(e instanceof Error ? e : new Error(String(e)));
      return;
    }
    const t1 = this.now();
    // Another program's socket on one of the run's ports is left out here (the cost counts it).
    if (this.opts.owner) sockets = this.opts.owner.select(sockets);
    const cost = Math.round((performance.now() - w0) * 1000);
    this.counts.lastCostUs = cost;
    this.totalCostUs += cost;
    this.timedTicks++;
    if (cost > this.counts.maxCostUs) this.counts.maxCostUs = cost;
    // The kernel answered somewhere between t0 and t1 (microseconds apart for sock_diag).
    const t = Math.round(((t0 + t1) / 2) * 1000) / 1000;
    const slackMs = t1 - t0;

    const seen = new Set<string>();
    for (const s of sockets) {
      if (seen.has(s.key)) continue; // a socket moving between kernel tables mid-dump
      seen.add(s.key);
      const prev = this.tracked.get(s.key);
      if (prev && prev.last.cookie !== undefined && s.cookie !== undefined && prev.last.cookie !== s.cookie) {
        // Same address pair, another socket (the old one was freed and the pair reused).
        this.write(t, goneOf(prev.last));
        this.counts.gone++;
      } else if (prev && sameSample(prev, s, t, slackMs, this.method)) {
        this.counts.elided++;
        continue;
      }
      this.tracked.set(s.key, { last: s, t, slackMs });
      this.write(t, s);
    }
    for (const [key, tr] of this.tracked) {
      if (seen.has(key)) continue;
      this.tracked.delete(key);
      this.write(t, goneOf(tr.last));
      this.counts.gone++;
    }
  }

  private write(t: number, s: KernelSocket): void {
    this.counts.emitted++;
    this.opts.emit({ type: 'event', t, actor: this.actor, kind: 'sample', ...s });
  }
}

function goneOf(s: KernelSocket): KernelSocket {
  const g: KernelSocket = { key: s.key, local: s.local, remote: s.remote, state: 'GONE' };
  if (s.cookie !== undefined) g.cookie = s.cookie;
  return g;
}

/**
 * True when `cur` says nothing `prev` did not. Every field must be equal, except a running
 * timer's expiry, which counts down by itself: it is equal when it is where the countdown from
 * the last written sample puts it, within the method's precision and the sampling slack.
 */
function sameSample(prev: Tracked, cur: KernelSocket, t: number, slackMs: number, method: ObserverMethod): boolean {
  const a = prev.last;
  for (const k of Object.keys(a) as Array<keyof KernelSocket>) if (!(k in cur)) return false;
  for (const k of Object.keys(cur) as Array<keyof KernelSocket>) {
    if (k === 'timer') continue;
    const x = a[k];
    const y = cur[k];
    if (x === y) continue;
    if (typeof x !== 'object' || typeof y !== 'object' || x === null || y === null) return false;
    if (!shallowEqual(x as unknown as Record<string, unknown>, y as unknown as Record<string, unknown>)) return false;
  }
  const ta = a.timer;
  const tb = cur.timer;
  if (!ta || !tb) return ta === tb;
  if (ta.name !== tb.name || ta.retrans !== tb.retrans) return false;
  const predicted = Math.max(0, ta.expiresMs - (t - prev.t));
  const tolerance = method.timerPrecisionMs(ta.expiresMs) + method.timerPrecisionMs(tb.expiresMs) + prev.slackMs + slackMs + 2;
  return Math.abs(tb.expiresMs - predicted) <= tolerance;
}

function shallowEqual(x: Record<string, unknown>, y: Record<string, unknown>): boolean {
  const kx = Object.keys(x);
  if (kx.length !== Object.keys(y).length) return false;
  for (const k of kx) if (x[k] !== y[k]) return false;
  return true;
}

